// Flavors (nova/objects/flavor.py, nova/compute/flavors.py): who sees which, listing with
// Nova's filters and keyset pagination, create/delete/update, extra specs and access lists.
// A caller who is not admin sees public flavors and the private ones shared with its project;
// any other flavor does not exist for it (404).
import type { Kysely } from 'kysely';
import { newUuid } from '../../core/ids.js';
import type { ComputeDb, FlavorRow } from '../db/schema.js';
import { inTransaction, nextId, nowIso, type ComputeTx } from '../db/transaction.js';
import type { Caller } from './caller.js';
import {
  flavorAccessExists, flavorAccessNotFound, flavorExists, flavorExtraSpecNotFound, flavorIdExists, flavorNotFound, markerNotFound,
} from './errors.js';

type Db = Kysely<ComputeDb>;

/** Columns a flavor list may sort by (the Flavors model's). */
export const FLAVOR_SORT_KEYS = [
  'created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name',
  'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus',
] as const;
export type FlavorSortKey = (typeof FLAVOR_SORT_KEYS)[number];

function visible(db: Db | ComputeTx, caller: Caller) {
  let query = db.selectFrom('nova_flavor').selectAll('nova_flavor');
  if (!caller.isAdmin) {
    query = query.where((eb) => eb.or([
      eb('nova_flavor.is_public', '=', 1),
      eb.exists(eb.selectFrom('nova_flavor_project').select('nova_flavor_project.flavor_id')
        .whereRef('nova_flavor_project.flavor_id', '=', 'nova_flavor.id')
        .where('nova_flavor_project.project_id', '=', caller.projectId)),
    ]));
  }
  return query;
}

/** Flavor.get_by_flavor_id with the caller's visibility; 404 when it cannot see it. */
export async function getFlavor(db: Db | ComputeTx, caller: Caller, flavorid: string): Promise<FlavorRow> {
  const row = await visible(db, caller).where('nova_flavor.flavorid', '=', flavorid).executeTakeFirst();
  if (row === undefined) throw flavorNotFound(flavorid);
  return row;
}

export interface FlavorListOptions {
  /** true: public plus those shared with the caller's project; false: private only; null: all. */
  readonly isPublic: boolean | null;
  readonly enabledOnly: boolean;
  readonly minMemoryMb?: number;
  readonly minRootGb?: number;
  readonly sortKey: FlavorSortKey;
  readonly sortDir: 'asc' | 'desc';
  readonly limit: number;
  readonly marker?: string;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** FlavorList.get_all: filters, then sort by [sort_key, id] and page after the marker's row. */
export async function listFlavors(db: Db, caller: Caller, options: FlavorListOptions): Promise<FlavorRow[]> {
  let query = visible(db, caller);
  if (options.minMemoryMb !== undefined) query = query.where('nova_flavor.memory_mb', '>=', options.minMemoryMb);
  if (options.minRootGb !== undefined) query = query.where('nova_flavor.root_gb', '>=', options.minRootGb);
  if (options.enabledOnly) query = query.where('nova_flavor.disabled', '=', 0);
  if (options.isPublic === false) {
    query = query.where('nova_flavor.is_public', '=', 0);
  } else if (options.isPublic === true && caller.isAdmin) {
    // Non-admin callers already see exactly public + shared; an admin asking for public gets
    // the flavors shared with its own project too, as Nova does.
    query = query.where((eb) => eb.or([
      eb('nova_flavor.is_public', '=', 1),
      eb.exists(eb.selectFrom('nova_flavor_project').select('nova_flavor_project.flavor_id')
        .whereRef('nova_flavor_project.flavor_id', '=', 'nova_flavor.id')
        .where('nova_flavor_project.project_id', '=', caller.projectId)),
    ]));
  }
  const rows = await query.execute();
  const key = options.sortKey;
  const sign = options.sortDir === 'asc' ? 1 : -1;
  const compare = (a: FlavorRow, b: FlavorRow): number => sign * (compareValues(a[key], b[key]) || a.id - b.id);
  rows.sort(compare);
  let start = 0;
  if (options.marker !== undefined) {
    const marker = await visible(db, caller).where('nova_flavor.flavorid', '=', options.marker).executeTakeFirst();
    if (marker === undefined) throw markerNotFound(options.marker);
    start = rows.findIndex((row) => compare(row, marker) > 0);
    if (start < 0) start = rows.length;
  }
  return rows.slice(start, start + options.limit);
}

export interface NewFlavor {
  readonly flavorid: string | undefined;
  readonly name: string;
  readonly memoryMb: number;
  readonly vcpus: number;
  readonly rootGb: number;
  readonly ephemeralGb: number;
  readonly swap: number;
  readonly rxtxFactor: number;
  readonly isPublic: boolean;
  readonly description: string | null;
}

export async function createFlavor(db: Db, input: NewFlavor): Promise<FlavorRow> {
  const flavorid = input.flavorid ?? newUuid();
  return inTransaction(db, async (trx) => {
    if (await trx.selectFrom('nova_flavor').select('id').where('flavorid', '=', flavorid).executeTakeFirst()) throw flavorIdExists(flavorid);
    if (await trx.selectFrom('nova_flavor').select('id').where('name', '=', input.name).executeTakeFirst()) throw flavorExists(input.name);
    const now = nowIso();
    const row: FlavorRow = {
      id: await nextId(trx, 'nova_flavor'),
      flavorid,
      name: input.name,
      memory_mb: input.memoryMb,
      vcpus: input.vcpus,
      root_gb: input.rootGb,
      ephemeral_gb: input.ephemeralGb,
      swap: input.swap,
      rxtx_factor: input.rxtxFactor,
      vcpu_weight: null,
      disabled: 0,
      is_public: input.isPublic ? 1 : 0,
      description: input.description,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('nova_flavor').values(row).execute();
    return row;
  });
}

/** Flavor.destroy(): the row, its extra specs and access list (running servers keep their snapshot). */
export async function deleteFlavor(db: Db, flavorid: string): Promise<FlavorRow> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_flavor').selectAll().where('flavorid', '=', flavorid).executeTakeFirst();
    if (row === undefined) throw flavorNotFound(flavorid);
    await trx.deleteFrom('nova_flavor_extra_spec').where('flavor_id', '=', row.id).execute();
    await trx.deleteFrom('nova_flavor_project').where('flavor_id', '=', row.id).execute();
    await trx.deleteFrom('nova_flavor').where('id', '=', row.id).execute();
    return row;
  });
}

export async function updateFlavorDescription(db: Db, caller: Caller, flavorid: string, description: string | null): Promise<FlavorRow> {
  return inTransaction(db, async (trx) => {
    const row = await getFlavor(trx, caller, flavorid);
    const updated_at = nowIso();
    await trx.updateTable('nova_flavor').set({ description, updated_at }).where('id', '=', row.id).execute();
    return { ...row, description, updated_at };
  });
}

// ---- extra specs ------------------------------------------------------------------------

/** Extra specs of several flavors at once (for lists), keyed by the flavor's internal id. */
export async function extraSpecsOf(db: Db | ComputeTx, flavorIds: readonly number[]): Promise<Map<number, Record<string, string>>> {
  const out = new Map<number, Record<string, string>>(flavorIds.map((id) => [id, {}]));
  if (flavorIds.length === 0) return out;
  const rows = await db.selectFrom('nova_flavor_extra_spec').selectAll().where('flavor_id', 'in', [...flavorIds]).orderBy('key').execute();
  for (const row of rows) out.get(row.flavor_id)![row.key] = row.value;
  return out;
}

export async function extraSpecs(db: Db | ComputeTx, flavor: FlavorRow): Promise<Record<string, string>> {
  return (await extraSpecsOf(db, [flavor.id])).get(flavor.id) ?? {};
}

/** Merges specs into the flavor's (flavor.extra_specs = dict(old, **new); save()). */
export async function setExtraSpecs(db: Db, caller: Caller, flavorid: string, specs: Readonly<Record<string, string>>): Promise<void> {
  await inTransaction(db, async (trx) => {
    const flavor = await getFlavor(trx, caller, flavorid);
    const existing = new Set((await trx.selectFrom('nova_flavor_extra_spec').select('key').where('flavor_id', '=', flavor.id).execute()).map((r) => r.key));
    for (const [key, value] of Object.entries(specs)) {
      if (existing.has(key)) {
        await trx.updateTable('nova_flavor_extra_spec').set({ value }).where('flavor_id', '=', flavor.id).where('key', '=', key).execute();
      } else {
        await trx.insertInto('nova_flavor_extra_spec').values({ flavor_id: flavor.id, key, value }).execute();
      }
    }
    await trx.updateTable('nova_flavor').set({ updated_at: nowIso() }).where('id', '=', flavor.id).execute();
  });
}

export async function deleteExtraSpec(db: Db, caller: Caller, flavorid: string, key: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const flavor = await getFlavor(trx, caller, flavorid);
    const result = await trx.deleteFrom('nova_flavor_extra_spec').where('flavor_id', '=', flavor.id).where('key', '=', key).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw flavorExtraSpecNotFound(flavorid, key);
    await trx.updateTable('nova_flavor').set({ updated_at: nowIso() }).where('id', '=', flavor.id).execute();
  });
}

export async function getExtraSpec(db: Db, caller: Caller, flavorid: string, key: string): Promise<string> {
  const flavor = await getFlavor(db, caller, flavorid);
  const row = await db.selectFrom('nova_flavor_extra_spec').select('value').where('flavor_id', '=', flavor.id).where('key', '=', key).executeTakeFirst();
  if (row === undefined) throw flavorExtraSpecNotFound(flavorid, key);
  return row.value;
}

// ---- access lists -----------------------------------------------------------------------

export async function flavorProjects(db: Db | ComputeTx, flavor: FlavorRow): Promise<string[]> {
  const rows = await db.selectFrom('nova_flavor_project').select('project_id').where('flavor_id', '=', flavor.id).orderBy('project_id').execute();
  return rows.map((r) => r.project_id);
}

export async function addFlavorAccess(db: Db, flavor: FlavorRow, projectId: string): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const exists = await trx.selectFrom('nova_flavor_project').select('flavor_id')
      .where('flavor_id', '=', flavor.id).where('project_id', '=', projectId).executeTakeFirst();
    if (exists) throw flavorAccessExists(flavor.flavorid, projectId);
    const still = await trx.selectFrom('nova_flavor').select('id').where('id', '=', flavor.id).executeTakeFirst();
    if (still === undefined) throw flavorNotFound(flavor.flavorid);
    await trx.insertInto('nova_flavor_project').values({ flavor_id: flavor.id, project_id: projectId }).execute();
    return flavorProjects(trx, flavor);
  });
}

export async function removeFlavorAccess(db: Db, flavorid: string, projectId: string): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const flavor = await trx.selectFrom('nova_flavor').selectAll().where('flavorid', '=', flavorid).executeTakeFirst();
    if (flavor === undefined) throw flavorNotFound(flavorid);
    const result = await trx.deleteFrom('nova_flavor_project').where('flavor_id', '=', flavor.id).where('project_id', '=', projectId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw flavorAccessNotFound(flavorid, projectId);
    return flavorProjects(trx, flavor);
  });
}

/** DevStack's flavors (m1.nano and m1.micro for small test images, then Nova's classic five). */
export const DEFAULT_FLAVORS: readonly NewFlavor[] = [
  ['42', 'm1.nano', 128, 1, 1], ['84', 'm1.micro', 192, 1, 1], ['1', 'm1.tiny', 512, 1, 1], ['2', 'm1.small', 2048, 1, 20],
  ['3', 'm1.medium', 4096, 2, 40], ['4', 'm1.large', 8192, 4, 80], ['5', 'm1.xlarge', 16384, 8, 160],
].map(([flavorid, name, memoryMb, vcpus, rootGb]) => ({
  flavorid: flavorid as string, name: name as string, memoryMb: memoryMb as number, vcpus: vcpus as number, rootGb: rootGb as number,
  ephemeralGb: 0, swap: 0, rxtxFactor: 1, isPublic: true, description: null,
}));

/**
 * Bootstrap: creates each flavor whose id and name are both unused (an operator's changes and
 * deletions of other flavors are left alone). Returns the ids created.
 */
export async function ensureFlavors(db: Db, flavors: readonly NewFlavor[] = DEFAULT_FLAVORS): Promise<string[]> {
  const created: string[] = [];
  for (const flavor of flavors) {
    const taken = await db.selectFrom('nova_flavor').select('id')
      .where((eb) => eb.or([eb('flavorid', '=', flavor.flavorid ?? ''), eb('name', '=', flavor.name)])).executeTakeFirst();
    if (taken !== undefined) continue;
    try {
      created.push((await createFlavor(db, flavor)).flavorid);
    } catch (err) {
      // Another process bootstrapping at the same time won the race: that is the same outcome.
      if ((err as { status?: number }).status !== 409) throw err;
    }
  }
  return created;
}
