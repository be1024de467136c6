// GET /resource_providers filters: name, uuid, in_tree (the whole tree of a provider), member_of
// (direct aggregate membership, AND of ORs, forbidden with !), required traits (AND of ORs,
// forbidden with !) and resources (each class individually within capacity and constraints).
import { badRequest, resourceClassNotFoundText, traitNotFoundText } from './errors.js';
import { checkAllocation } from './capacity.js';
import type { AggregateFilter, TraitFilter } from './query.js';
import type { Provider } from './providers.js';
import { resourceClassIds, traitIds, usageByProvider, type Db } from './store.js';

export interface ProviderFilters {
  readonly name?: string;
  readonly uuid?: string;
  readonly inTree?: string;
  readonly memberOf?: AggregateFilter;
  readonly traits?: TraitFilter;
  readonly resources?: ReadonlyMap<string, number>;
}

async function providersWithAnyAggregate(db: Db, aggregates: readonly string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('plc_provider_aggregate').select('provider_uuid').where('aggregate_uuid', 'in', [...aggregates]).execute();
  return new Set(rows.map((r) => r.provider_uuid));
}

async function providersWithAnyTrait(db: Db, ids: readonly number[]): Promise<Set<string>> {
  const rows = await db.selectFrom('plc_provider_trait').select('provider_uuid').where('trait_id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.provider_uuid));
}

/** Trait names → ids, or placement's 400 naming the unknown ones. */
export async function requireTraitIds(db: Db, names: Iterable<string>, prefix: string): Promise<Map<string, number>> {
  const wanted = [...new Set(names)];
  const ids = await traitIds(db, wanted);
  const missing = wanted.filter((n) => !ids.has(n));
  if (missing.length > 0) throw badRequest(`${prefix}${traitNotFoundText(missing)}`);
  return ids;
}

export async function listProviders(db: Db, filters: ProviderFilters): Promise<Provider[]> {
  // Validate every name first: an unknown class or trait is a 400 whatever else matches.
  let rcIds = new Map<string, number>();
  if (filters.resources !== undefined) {
    rcIds = await resourceClassIds(db, filters.resources.keys());
    for (const name of filters.resources.keys()) {
      if (!rcIds.has(name)) throw badRequest(`Invalid resource class in resources parameter: ${resourceClassNotFoundText(name)}`);
    }
  }
  let traitIdMap = new Map<string, number>();
  if (filters.traits !== undefined) {
    traitIdMap = await requireTraitIds(db, [...filters.traits.required.flat(), ...filters.traits.forbidden], 'Invalid trait(s) in "required" parameter: ');
  }

  let q = db.selectFrom('plc_provider').selectAll().orderBy('id');
  if (filters.name !== undefined) q = q.where('name', '=', filters.name);
  if (filters.uuid !== undefined) q = q.where('uuid', '=', filters.uuid);
  if (filters.inTree !== undefined) {
    const anchor = await db.selectFrom('plc_provider').select('root_uuid').where('uuid', '=', filters.inTree).executeTakeFirst();
    if (anchor === undefined) return [];
    q = q.where('root_uuid', '=', anchor.root_uuid);
  }
  let rows = await q.execute();

  if (filters.traits !== undefined) {
    for (const anyOf of filters.traits.required) {
      const having = await providersWithAnyTrait(db, anyOf.map((t) => traitIdMap.get(t)!));
      rows = rows.filter((r) => having.has(r.uuid));
    }
    if (filters.traits.forbidden.size > 0) {
      const having = await providersWithAnyTrait(db, [...filters.traits.forbidden].map((t) => traitIdMap.get(t)!));
      rows = rows.filter((r) => !having.has(r.uuid));
    }
  }
  if (filters.memberOf !== undefined) {
    for (const anyOf of filters.memberOf.required) {
      const members = await providersWithAnyAggregate(db, anyOf);
      rows = rows.filter((r) => members.has(r.uuid));
    }
    if (filters.memberOf.forbidden.size > 0) {
      const members = await providersWithAnyAggregate(db, [...filters.memberOf.forbidden]);
      rows = rows.filter((r) => !members.has(r.uuid));
    }
  }
  if (filters.resources !== undefined && rows.length > 0) {
    const classIds = [...rcIds.values()];
    const inventories = await db.selectFrom('plc_inventory').selectAll().where('resource_class_id', 'in', classIds).execute();
    const usage = await usageByProvider(db, classIds);
    for (const [name, amount] of filters.resources) {
      const rcId = rcIds.get(name)!;
      const fits = new Set(inventories
        .filter((inv) => inv.resource_class_id === rcId)
        .filter((inv) => checkAllocation(inv, usage.get(inv.provider_uuid)?.get(rcId) ?? 0, amount) === 'ok')
        .map((inv) => inv.provider_uuid));
      rows = rows.filter((r) => fits.has(r.uuid));
    }
  }
  return rows;
}
