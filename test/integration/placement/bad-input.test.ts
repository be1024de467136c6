// Several hundred malformed requests across every placement resource: bad JSON, wrong types,
// out-of-range numbers, bad uuids, NULs, unknown fields, bad query strings and microversions.
// Each must get a 4xx in placement's error format, and together they must change nothing: a
// dump of every plc_* table is compared before and after.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { snapshotTables } from '../../support/db-snapshot.js';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

const TABLES = ['plc_resource_class', 'plc_trait', 'plc_provider', 'plc_inventory', 'plc_provider_aggregate', 'plc_provider_trait', 'plc_consumer', 'plc_allocation'];

interface Case { method: string; url: string; version?: string; body?: unknown; payload?: string; contentType?: string }

/** Values that no field of the given kind accepts. */
const BAD: Record<string, unknown[]> = {
  int: [null, true, '1', 1.5, [], {}, -1, 1e300, 2147483648],
  generation: [null, true, '0', 0.5, [], {}],
  uuid: [null, 1, 'not-a-uuid', '', 'x'.repeat(300), [], {}, '\u0000'],
  name: [null, 1, true, [], {}, 'x'.repeat(201)],
  rc: [null, 1, 'vcpu', 'CUSTOM-X', '', [], 'X'.repeat(300)],
  str: [null, 1, true, [], {}, '', 'x'.repeat(256)],
  obj: [null, 1, 'x', [], true],
  arr: [null, 1, 'x', {}, true],
};

function replaced(base: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function removed(base: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(base);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path[path.length - 1]!];
  return copy;
}

function buildCases(rp: string, busyRp: string, consumer: string): Case[] {
  const cases: Case[] = [];
  const sweep = (method: string, url: string, base: Record<string, unknown>, fields: [string[], keyof typeof BAD, boolean][], version?: string): void => {
    for (const [path, kind, required] of fields) {
      for (const value of BAD[kind]!) cases.push({ method, url, body: replaced(base, path, value), ...(version ? { version } : {}) });
      if (required) cases.push({ method, url, body: removed(base, path), ...(version ? { version } : {}) });
    }
    cases.push({ method, url, body: { ...base, surprise: 1 }, ...(version ? { version } : {}) });
    for (const payload of ['', '{', '[]', 'null', '"x"', '12', '{"a":}', '{"name": "\\u0000"}', '['.repeat(5000), '{"a": NaN}']) {
      cases.push({ method, url, payload, ...(version ? { version } : {}) });
    }
    cases.push({ method, url, payload: JSON.stringify(base), contentType: 'text/plain', ...(version ? { version } : {}) });
  };

  // Valid bodies would succeed: each sweep breaks exactly one thing. Names that exist make the
  // "valid" base itself a 409, so the base never writes.
  sweep('POST', '/resource_providers', { name: 'bad-existing', uuid: randomUUID(), parent_provider_uuid: rp }, [
    [['name'], 'name', true], [['uuid'], 'uuid', false], [['parent_provider_uuid'], 'uuid', false],
  ]);
  sweep('PUT', `/resource_providers/${rp}`, { name: 'bad-existing', parent_provider_uuid: busyRp }, [[['name'], 'name', true], [['parent_provider_uuid'], 'uuid', false]]);
  const inv = { resource_provider_generation: 99, inventories: { VCPU: { total: 4, reserved: 0, min_unit: 1, max_unit: 4, step_size: 1, allocation_ratio: 1 } } };
  sweep('PUT', `/resource_providers/${rp}/inventories`, inv, [
    [['resource_provider_generation'], 'generation', true], [['inventories'], 'obj', true],
    ...(['total', 'reserved', 'min_unit', 'max_unit', 'step_size'] as const).map((f): [string[], keyof typeof BAD, boolean] => [['inventories', 'VCPU', f], 'int', f === 'total']),
    [['inventories', 'VCPU', 'allocation_ratio'], 'obj', false],
  ]);
  sweep('POST', `/resource_providers/${rp}/inventories`, { resource_class: 'VCPU', total: 4 }, [[['resource_class'], 'rc', true], [['total'], 'int', true]]);
  sweep('PUT', `/resource_providers/${rp}/inventories/VCPU`, { resource_provider_generation: 99, total: 4 }, [[['resource_provider_generation'], 'generation', true], [['total'], 'int', true]]);
  sweep('PUT', `/resource_providers/${rp}/traits`, { resource_provider_generation: 99, traits: ['STORAGE_DISK_SSD'] }, [[['resource_provider_generation'], 'generation', true], [['traits'], 'arr', true]]);
  sweep('PUT', `/resource_providers/${rp}/aggregates`, { resource_provider_generation: 99, aggregates: [randomUUID()] }, [[['resource_provider_generation'], 'generation', true], [['aggregates'], 'arr', true]]);
  const alloc = { allocations: { [busyRp]: { resources: { VCPU: 1000 } } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' };
  sweep('PUT', `/allocations/${consumer}`, alloc, [
    [['allocations'], 'obj', true], [['project_id'], 'str', true], [['user_id'], 'str', true], [['consumer_type'], 'rc', true],
    [['allocations', busyRp, 'resources'], 'obj', true], [['allocations', busyRp, 'resources', 'VCPU'], 'int', false],
  ]);
  sweep('POST', '/allocations', { [consumer]: alloc }, [[[consumer], 'obj', true], [[consumer, 'project_id'], 'str', true], [[consumer, 'consumer_generation'], 'generation', true]]);
  sweep('POST', '/resource_classes', { name: 'CUSTOM_EXISTING' }, [[['name'], 'rc', true]]);
  sweep('PUT', '/resource_classes/CUSTOM_EXISTING', { name: 'CUSTOM_EXISTING2' }, [[['name'], 'rc', true]], '1.6');

  // Query strings.
  const q = (url: string, version = 'latest'): void => { cases.push({ method: 'GET', url, version }); };
  for (const query of ['spam=eggs', 'uuid=nope', 'in_tree=nope', 'member_of=nope', 'member_of=a,b', 'member_of=in:', 'member_of=!in:x',
    'resources=', 'resources=VCPU', 'resources=VCPU:x', 'resources=VCPU:0', 'resources=VCPU:1:2', 'resources=NOPE:1', 'required=',
    'required=NOPE', 'required=in:', 'required=in:!A', 'required=,,', 'name=%00', 'uuid=%00']) q(`/resource_providers?${query}`);
  for (const query of ['', 'resources=', 'resources=VCPU', 'resources=VCPU:-1', 'resources=NOPE:1', 'resources=VCPU:1&limit=0', 'resources=VCPU:1&limit=x',
    'resources=VCPU:1&limit=-1', 'resources=VCPU:1&required=', 'resources=VCPU:1&required=NOPE', 'resources=VCPU:1&group_policy=x',
    'resources1=VCPU:1&resources2=VCPU:1', 'required=HW_CPU_X86_SSE', 'resources=VCPU:1&in_tree=x', 'resources=VCPU:1&member_of=x',
    'resources=VCPU:1&root_required=', 'resources=VCPU:1&root_required=A&root_required=B', 'resources=VCPU:1&same_subtree=',
    'resources=VCPU:1&resources_%21=VCPU:1', 'resources=VCPU:1&bogus=1', `resources=VCPU:1&member_of1=${randomUUID()}`]) q(`/allocation_candidates?${query}`);
  for (const query of ['', 'user_id=u', 'project_id=', `project_id=${'p'.repeat(256)}`, 'project_id=p&bogus=1', 'project_id=p&consumer_type=lower']) q(`/usages?${query}`);
  for (const query of ['name=nocolon', 'associated=maybe', 'bogus=1']) q(`/traits?${query}`);

  // Paths, methods and microversions.
  for (const url of ['/resource_providers/nope', `/resource_providers/${randomUUID()}/inventories`, `/resource_providers/${rp}/inventories/NOPE`,
    '/resource_classes/NOPE', '/traits/CUSTOM_NOPE', `/resource_providers/${randomUUID()}/usages`, `/resource_providers/${randomUUID()}/allocations`,
    '/nothing/here', '/resource_providers/%00']) cases.push({ method: 'GET', url });
  for (const url of [`/resource_providers/${randomUUID()}`, `/resource_providers/${busyRp}`, '/resource_classes/VCPU', '/traits/HW_CPU_X86_SSE',
    `/allocations/${randomUUID()}`, `/resource_providers/${busyRp}/inventories/VCPU`, `/resource_providers/${busyRp}/inventories`]) cases.push({ method: 'DELETE', url });
  for (const url of ['/traits/lower', '/traits/CUSTOM_', `/traits/CUSTOM_${'X'.repeat(260)}`, '/resource_classes/lower', '/resource_classes/VCPU']) {
    cases.push({ method: 'PUT', url, version: url.startsWith('/resource_classes') ? '1.7' : 'latest' });
  }
  cases.push({ method: 'PUT', url: '/allocations/not-a-uuid', body: alloc });
  for (const version of ['0.9', '1.40', '2.0', 'x', '1.', '.1', '1.1.1', ' ', 'latest-ish']) cases.push({ method: 'GET', url: '/resource_providers', version });
  for (const [method, url] of [['PATCH', '/resource_providers'], ['POST', `/resource_providers/${rp}`], ['DELETE', '/traits'], ['PUT', '/allocations']]) {
    cases.push({ method: method!, url: url!, body: {} });
  }
  return cases;
}

describe('placement bad input', () => {
  let h: PlacementHarness;
  before(async () => { h = await startPlacement(); });
  after(async () => { await h.close(); });

  it('answers every malformed request with a placement 4xx and writes nothing', async (t) => {
    const rp = await h.createProvider('bad-target');
    const busy = await h.createProvider('bad-existing');
    await h.setInventory(busy.uuid, { VCPU: { total: 8 } });
    await h.setTraits(busy.uuid, ['CUSTOM_BAD']);
    assert.equal((await h.request('POST', '/resource_classes', { body: { name: 'CUSTOM_EXISTING' } })).statusCode, 201);
    const consumer = randomUUID();
    const held = await h.request('PUT', `/allocations/${consumer}`, {
      body: { allocations: { [busy.uuid]: { resources: { VCPU: 2 } } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' },
    });
    assert.equal(held.statusCode, 204);
    const cases = buildCases(rp.uuid, busy.uuid, consumer);
    assert.ok(cases.length >= 300, `only ${cases.length} cases`);
    t.diagnostic(`${cases.length} malformed requests`);
    const before = await snapshotTables(h.db, TABLES);
    const failures: string[] = [];
    for (const c of cases) {
      const res = await h.request(c.method, c.url, {
        ...(c.version ? { version: c.version } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
        ...(c.payload !== undefined ? { payload: c.payload } : {}),
        ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
      });
      const label = `${c.method} ${c.url} @${c.version ?? 'latest'} ${JSON.stringify(c.body ?? c.payload ?? '').slice(0, 120)}`;
      if (res.statusCode < 400 || res.statusCode >= 500) {
        failures.push(`${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        continue;
      }
      let body: any;
      try { body = res.json(); } catch { failures.push(`${label} → non-JSON ${res.body.slice(0, 80)}`); continue; }
      const e = body?.errors?.[0];
      if (e?.status !== res.statusCode || typeof e.detail !== 'string' || typeof e.request_id !== 'string') failures.push(`${label} → bad fault ${res.body.slice(0, 200)}`);
    }
    assert.deepEqual(failures, []);
    assert.equal(await snapshotTables(h.db, TABLES), before);
  });
});
