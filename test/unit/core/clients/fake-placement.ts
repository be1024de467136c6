// A small stateful stand-in for the placement API (the parts the client uses), enforcing provider
// and consumer generations the way Placement does, with a hook to simulate a concurrent writer.
import { startFakeServer, type Answer, type FakeServer, type Recorded } from './fake-server.js';

interface Provider {
  uuid: string; name: string; generation: number; parent: string | null; root: string;
  inventories: Record<string, Record<string, number>>; traits: string[]; aggregates: string[];
}

interface Consumer {
  generation: number; project_id: string; user_id: string;
  allocations: Record<string, { resources: Record<string, number> }>;
}

export interface FakePlacement extends FakeServer {
  providers: Map<string, Provider>;
  consumers: Map<string, Consumer>;
  customTraits: Set<string>;
  /** Runs before a generation-guarded write; bump a generation here to simulate a race. */
  beforeWrite: (req: Recorded) => void;
  /** The next POST /resource_providers answers 409 after quietly creating the provider (a lost race). */
  raceNextCreate: boolean;
  candidates: unknown;
}

const conflict = (detail: string, code = 'placement.concurrent_update'): Answer =>
  ({ status: 409, body: { errors: [{ status: 409, title: 'Conflict', detail, code, request_id: 'req-x' }] } });
const notFound = (detail: string): Answer =>
  ({ status: 404, body: { errors: [{ status: 404, title: 'Not Found', detail, code: 'placement.undefined_code' }] } });

function render(p: Provider): unknown {
  return { uuid: p.uuid, name: p.name, generation: p.generation, parent_provider_uuid: p.parent, root_provider_uuid: p.root, links: [] };
}

export async function startFakePlacement(): Promise<FakePlacement> {
  const fake = (await startFakeServer()) as FakePlacement;
  fake.providers = new Map();
  fake.consumers = new Map();
  fake.customTraits = new Set();
  fake.beforeWrite = () => undefined;
  fake.raceNextCreate = false;
  fake.candidates = { allocation_requests: [], provider_summaries: {} };
  fake.handler = (req) => {
    const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const [top, id, sub] = parts;
    if (top === 'resource_providers' && id === undefined) {
      if (req.method === 'GET') {
        const name = req.query.get('name');
        return { body: { resource_providers: [...fake.providers.values()].filter((p) => name === null || p.name === name).map(render) } };
      }
      if (req.method === 'POST') {
        const { uuid, name, parent_provider_uuid: parent } = req.json;
        if ([...fake.providers.values()].some((p) => p.uuid === uuid || p.name === name) || fake.raceNextCreate) {
          if (fake.raceNextCreate) {
            fake.raceNextCreate = false;
            fake.providers.set(uuid, { uuid, name, generation: 0, parent: null, root: uuid, inventories: {}, traits: [], aggregates: [] });
          }
          return conflict(`Conflicting resource provider name: ${name} already exists.`, 'placement.duplicate_name');
        }
        const p: Provider = { uuid, name, generation: 0, parent: parent ?? null, root: parent ? fake.providers.get(parent)!.root : uuid, inventories: {}, traits: [], aggregates: [] };
        fake.providers.set(uuid, p);
        return { status: 200, body: render(p) };
      }
    }
    if (top === 'resource_providers' && id !== undefined) {
      const p = fake.providers.get(id);
      if (!p) return notFound(`No resource provider with uuid ${id} found`);
      if (sub === undefined && req.method === 'GET') return { body: render(p) };
      if (sub === undefined && req.method === 'DELETE') { fake.providers.delete(id); return { status: 204 }; }
      const field = sub === 'inventories' ? 'inventories' : sub === 'traits' ? 'traits' : sub === 'aggregates' ? 'aggregates' : undefined;
      if (field && req.method === 'GET') return { body: { [field]: p[field], resource_provider_generation: p.generation } };
      if (field && req.method === 'PUT') {
        fake.beforeWrite(req);
        if (req.json.resource_provider_generation !== p.generation) return conflict('resource provider generation conflict');
        if (field === 'traits') {
          const unknown = (req.json.traits as string[]).find((t) => t.startsWith('CUSTOM_') && !fake.customTraits.has(t));
          if (unknown) return { status: 400, body: { errors: [{ status: 400, detail: `No such trait(s): ${unknown}` }] } };
        }
        if (field === 'inventories') {
          const inUse = [...fake.consumers.values()].some((c) => Object.keys(c.allocations[id]?.resources ?? {}).some((rc) => !(rc in req.json.inventories)));
          if (inUse) return conflict('Inventory for VCPU on resource provider in use', 'placement.inventory.inuse');
        }
        p[field] = req.json[field];
        p.generation += 1;
        return { body: { [field]: p[field], resource_provider_generation: p.generation } };
      }
      if (sub === 'usages') {
        const usages: Record<string, number> = {};
        for (const c of fake.consumers.values()) for (const [rc, n] of Object.entries(c.allocations[id]?.resources ?? {})) usages[rc] = (usages[rc] ?? 0) + n;
        return { body: { usages, resource_provider_generation: p.generation } };
      }
    }
    if (top === 'traits' && id !== undefined && req.method === 'PUT') {
      if (fake.customTraits.has(id)) return { status: 204 };
      fake.customTraits.add(id);
      return { status: 201 };
    }
    if (top === 'allocation_candidates') return { body: fake.candidates };
    if (top === 'allocations' && id !== undefined) {
      const c = fake.consumers.get(id);
      if (req.method === 'GET') {
        return { body: c ? { allocations: c.allocations, consumer_generation: c.generation, project_id: c.project_id, user_id: c.user_id } : { allocations: {} } };
      }
      if (req.method === 'PUT') {
        fake.beforeWrite(req);
        const expected = c ? c.generation : null;
        if (req.json.consumer_generation !== expected) return conflict('consumer generation conflict - expected ' + String(expected));
        fake.consumers.set(id, { generation: (c?.generation ?? 0) + 1, project_id: req.json.project_id, user_id: req.json.user_id, allocations: req.json.allocations });
        return { status: 204 };
      }
      if (req.method === 'DELETE') {
        if (!c) return notFound(`No allocations for consumer '${id}'`);
        fake.consumers.delete(id);
        return { status: 204 };
      }
    }
    if (top === 'usages' && req.method === 'GET') {
      const usages: Record<string, number> = {};
      for (const c of fake.consumers.values()) {
        if (c.project_id !== req.query.get('project_id')) continue;
        if (req.query.has('user_id') && c.user_id !== req.query.get('user_id')) continue;
        for (const a of Object.values(c.allocations)) for (const [rc, n] of Object.entries(a.resources)) usages[rc] = (usages[rc] ?? 0) + n;
      }
      return { body: { usages } };
    }
    return { status: 404, body: { errors: [{ status: 404, detail: 'The resource could not be found.' }] } };
  };
  return fake;
}
