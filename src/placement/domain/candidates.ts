// Allocation candidates, computed in memory from a snapshot of the providers (trees, traits,
// aggregates, inventories, usage). For every provider tree (its root is the "anchor"), each
// request group gets its options:
//  - the unnumbered group may take each class from a different provider of the tree or from a
//    sharing provider (MISC_SHARES_VIA_AGGREGATE) that shares an aggregate with the tree; its
//    required traits are satisfied by the union of the providers it uses;
//  - a numbered (granular) group takes all of its classes from one provider;
//  - a resourceless numbered group (1.36, only within same_subtree) names one provider.
// The options of all groups are combined (group_policy=isolate keeps numbered groups apart),
// amounts landing on the same provider and class are summed and checked against capacity and
// max_unit, root_required and same_subtree are applied, and duplicates are dropped.
// Before microversion 1.29 a candidate may use at most one provider that is not sharing.
import { capacityOf, hasRoom, meetsConstraints, type InventoryLimits } from './capacity.js';
import { SHARES_VIA_AGGREGATE } from './standard-traits.js';
import { rememberedPerShape } from './shape-memo.js';

export interface SnapshotProvider {
  readonly uuid: string;
  readonly id: number;
  readonly parent: string | null;
  readonly root: string;
  readonly traits: ReadonlySet<string>;
  readonly aggregates: ReadonlySet<string>;
  readonly inventories: ReadonlyMap<string, InventoryLimits>;
  readonly used: ReadonlyMap<string, number>;
}

export interface Snapshot { readonly providers: ReadonlyMap<string, SnapshotProvider> }

export interface RequestGroup {
  readonly suffix: string;
  readonly useSameProvider: boolean;
  readonly resources: ReadonlyMap<string, number>;
  /** AND of ORs. */
  readonly required: readonly (readonly string[])[];
  readonly forbidden: ReadonlySet<string>;
  /** AND of ORs of aggregate uuids. */
  readonly memberOf: readonly (readonly string[])[];
  readonly forbiddenAggregates: ReadonlySet<string>;
  readonly inTree?: string;
}

export interface RequestParams {
  readonly limit?: number;
  readonly groupPolicy?: 'none' | 'isolate';
  readonly rootRequired?: ReadonlySet<string>;
  readonly rootForbidden?: ReadonlySet<string>;
  readonly sameSubtrees?: readonly ReadonlySet<string>[];
  /** Microversion 1.29: combinations of several providers of one tree. */
  readonly nestedAware: boolean;
}

export interface AllocationRequest {
  /** provider uuid → class → amount, providers in first-use order. */
  readonly allocations: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** group suffix → providers that satisfied it ('' is the unnumbered group). */
  readonly mappings: ReadonlyMap<string, readonly string[]>;
}

export interface ProviderSummary {
  readonly uuid: string;
  readonly parent: string | null;
  readonly root: string;
  readonly resources: ReadonlyMap<string, { capacity: number; used: number }>;
  readonly traits: readonly string[];
}

export interface CandidateResult {
  readonly requests: readonly AllocationRequest[];
  readonly summaries: readonly ProviderSummary[];
}

/** Never enumerate more than this many candidates, whatever `limit` says. */
export const MAX_CANDIDATES = 1000;

interface Option {
  readonly group: RequestGroup;
  readonly alloc: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly providers: readonly string[];
}

function* product<T>(lists: readonly (readonly T[])[], index = 0, acc: T[] = []): Generator<T[]> {
  if (index === lists.length) {
    yield [...acc];
    return;
  }
  for (const item of lists[index]!) {
    acc.push(item);
    yield* product(lists, index + 1, acc);
    acc.pop();
  }
}

function satisfiesTraits(traits: ReadonlySet<string>, required: readonly (readonly string[])[]): boolean {
  return required.every((anyOf) => anyOf.some((t) => traits.has(t)));
}

export function findCandidates(snap: Snapshot, groups: readonly RequestGroup[], params: RequestParams): CandidateResult {
  const all = [...snap.providers.values()].sort((a, b) => a.id - b.id);
  const byUuid = snap.providers;
  const rootOf = (p: SnapshotProvider): SnapshotProvider => byUuid.get(p.root) ?? p;
  const effectiveAggs = (p: SnapshotProvider): Set<string> => new Set([...p.aggregates, ...rootOf(p).aggregates]);
  const sharing = all.filter((p) => p.traits.has(SHARES_VIA_AGGREGATE));
  const isSharing = new Set(sharing.map((p) => p.uuid));

  // Trees a sharing provider serves: the roots of every provider it shares an aggregate with.
  const anchorsOf = new Map<string, Set<string>>();
  for (const s of sharing) {
    const roots = new Set<string>([s.root]);
    if (s.aggregates.size > 0) {
      for (const p of all) if ([...p.aggregates].some((a) => s.aggregates.has(a))) roots.add(p.root);
    }
    anchorsOf.set(s.uuid, roots);
  }

  // in_tree of each group, as a root; a group naming an unknown provider can match nothing.
  const inTreeRoot = new Map<string, string | null>();
  for (const g of groups) {
    if (g.inTree === undefined) continue;
    const p = byUuid.get(g.inTree);
    inTreeRoot.set(g.suffix, p === undefined ? null : p.root);
  }
  if ([...inTreeRoot.values()].some((r) => r === null)) return { requests: [], summaries: [] };

  const providerOk = (p: SnapshotProvider, g: RequestGroup): boolean => {
    if (g.inTree !== undefined && p.root !== inTreeRoot.get(g.suffix)) return false;
    if ([...g.forbidden].some((t) => p.traits.has(t))) return false;
    if (g.memberOf.length > 0 || g.forbiddenAggregates.size > 0) {
      const aggs = effectiveAggs(p);
      if (!g.memberOf.every((anyOf) => anyOf.some((a) => aggs.has(a)))) return false;
      if ([...g.forbiddenAggregates].some((a) => aggs.has(a))) return false;
    }
    return true;
  };
  const fits = (p: SnapshotProvider, rc: string, amount: number): boolean => {
    const inv = p.inventories.get(rc);
    return inv !== undefined && meetsConstraints(inv, amount) && hasRoom(inv, p.used.get(rc) ?? 0, amount);
  };

  const optionsFor = (g: RequestGroup, pool: readonly SnapshotProvider[]): Option[] => {
    if (g.resources.size === 0) {
      return pool.filter((p) => providerOk(p, g) && satisfiesTraits(p.traits, g.required))
        .map((p) => ({ group: g, alloc: new Map(), providers: [p.uuid] }));
    }
    if (g.useSameProvider) {
      return pool.filter((p) => providerOk(p, g) && satisfiesTraits(p.traits, g.required) && [...g.resources].every(([rc, n]) => fits(p, rc, n)))
        .map((p) => ({ group: g, alloc: new Map([[p.uuid, new Map(g.resources)]]), providers: [p.uuid] }));
    }
    const perClass = [...g.resources].map(([rc, n]) => pool.filter((p) => providerOk(p, g) && fits(p, rc, n)).map((p) => ({ rc, n, p })));
    if (perClass.some((l) => l.length === 0)) return [];
    const out: Option[] = [];
    for (const choice of product(perClass)) {
      const alloc = new Map<string, Map<string, number>>();
      for (const { rc, n, p } of choice) {
        let m = alloc.get(p.uuid);
        if (m === undefined) alloc.set(p.uuid, (m = new Map()));
        m.set(rc, n);
      }
      const used = [...alloc.keys()];
      const traits = new Set(used.flatMap((u) => [...byUuid.get(u)!.traits]));
      if (!satisfiesTraits(traits, g.required)) continue;
      out.push({ group: g, alloc, providers: used });
      if (out.length >= MAX_CANDIDATES) break;
    }
    return out;
  };

  const isUnder = (child: SnapshotProvider, ancestor: string): boolean => {
    for (let p: SnapshotProvider | undefined = child; p !== undefined; p = p.parent === null ? undefined : byUuid.get(p.parent)) {
      if (p.uuid === ancestor) return true;
    }
    return false;
  };

  const cap = Math.min(params.limit ?? MAX_CANDIDATES, MAX_CANDIDATES);
  const requests: AllocationRequest[] = [];
  const seen = new Set<string>();
  const roots = all.filter((p) => p.parent === null);
  // Each tree's providers, grouped once: filtering `all` per root is quadratic in the providers.
  const membersOf = new Map<string, SnapshotProvider[]>();
  for (const p of all) {
    const list = membersOf.get(p.root);
    if (list === undefined) membersOf.set(p.root, [p]);
    else list.push(p);
  }
  const lone = loneProviderSearch(groups, params, inTreeRoot);
  outer:
  for (const root of roots) {
    if (params.rootRequired !== undefined && ![...params.rootRequired].every((t) => root.traits.has(t))) continue;
    if (params.rootForbidden !== undefined && [...params.rootForbidden].some((t) => root.traits.has(t))) continue;
    const members = membersOf.get(root.uuid) ?? [];
    if (members.length === 1 && sharing.length === 0) {
      // A lone provider (every plain compute node): at most one candidate, no combinations to try.
      const request = lone.request(root, providerOk);
      if (request !== undefined) requests.push(request);
      if (requests.length >= cap) break;
      continue;
    }
    const memberSet = new Set(members.map((p) => p.uuid));
    const guests = sharing.filter((s) => !memberSet.has(s.uuid) && anchorsOf.get(s.uuid)!.has(root.uuid));
    const pool = [...members, ...guests].sort((a, b) => a.id - b.id);
    const perGroup = groups.map((g) => optionsFor(g, pool));
    if (perGroup.some((o) => o.length === 0)) continue;
    for (const combo of product(perGroup)) {
      if (params.groupPolicy === 'isolate') {
        const granular = combo.filter((o) => o.group.useSameProvider).map((o) => o.providers[0]!);
        if (new Set(granular).size !== granular.length) continue;
      }
      const merged = new Map<string, Map<string, number>>();
      for (const o of combo) {
        for (const [p, res] of o.alloc) {
          let m = merged.get(p);
          if (m === undefined) merged.set(p, (m = new Map()));
          for (const [rc, n] of res) m.set(rc, (m.get(rc) ?? 0) + n);
        }
      }
      const usedProviders = new Set(combo.flatMap((o) => o.providers));
      // Candidates made only of guests belong to the guests' own tree.
      if (![...usedProviders].some((u) => memberSet.has(u))) continue;
      if (!params.nestedAware && [...usedProviders].filter((u) => !isSharing.has(u)).length > 1) continue;
      let fitsAll = true;
      for (const [p, res] of merged) {
        const prov = byUuid.get(p)!;
        for (const [rc, n] of res) {
          const inv = prov.inventories.get(rc)!;
          if (n > inv.max_unit || !hasRoom(inv, prov.used.get(rc) ?? 0, n)) fitsAll = false;
        }
      }
      if (!fitsAll) continue;
      const mappings = new Map<string, string[]>();
      for (const o of combo) mappings.set(o.group.suffix, [...o.providers]);
      if (params.sameSubtrees !== undefined) {
        const ok = params.sameSubtrees.every((suffixes) => {
          const involved = [...new Set([...suffixes].flatMap((s) => mappings.get(s) ?? []))].map((u) => byUuid.get(u)!);
          return involved.some((top) => involved.every((p) => isUnder(p, top.uuid)));
        });
        if (!ok) continue;
      }
      const key = JSON.stringify([[...merged].map(([p, res]) => [p, [...res].sort()]).sort(), nestedKey(mappings)]);
      if (seen.has(key)) continue;
      seen.add(key);
      requests.push({ allocations: merged, mappings });
      if (requests.length >= cap) break outer;
    }
  }

  // Plain loops: this runs over every candidate of every scheduling decision.
  const inRequests = new Set<string>();
  for (const r of requests) {
    for (const uuid of r.allocations.keys()) inRequests.add(uuid);
    for (const providers of r.mappings.values()) for (const uuid of providers) inRequests.add(uuid);
  }
  const treesInRequests = new Set<string>();
  for (const uuid of inRequests) treesInRequests.add(byUuid.get(uuid)!.root);
  const summaries: ProviderSummary[] = [];
  for (const p of all) {
    if (!(params.nestedAware ? treesInRequests.has(p.root) : inRequests.has(p.uuid))) continue;
    summaries.push(summaryOf(p));
  }
  return { requests, summaries };
}

const summaries = new WeakMap<SnapshotProvider, ProviderSummary>();

/** A provider's summary; providers are immutable snapshots, so one summary per provider object. */
function summaryOf(p: SnapshotProvider): ProviderSummary {
  let summary = summaries.get(p);
  if (summary !== undefined) return summary;
  const resources = new Map<string, { capacity: number; used: number }>();
  for (const [rc, inv] of p.inventories) resources.set(rc, { capacity: capacityOf(inv), used: p.used.get(rc) ?? 0 });
  summary = { uuid: p.uuid, parent: p.parent, root: p.root, resources, traits: p.traits.size === 0 ? [] : [...p.traits].sort() };
  summaries.set(p, summary);
  return summary;
}

/** Per provider object: the lone-provider answer for the last few request shapes. */
const loneAnswers = new WeakMap<SnapshotProvider, Map<string, AllocationRequest | undefined>>();

/** Everything a lone provider's answer depends on besides the provider itself. */
function requestShape(groups: readonly RequestGroup[], params: RequestParams, inTreeRoot: ReadonlyMap<string, string | null>): string {
  return JSON.stringify([
    groups.map((g) => [g.suffix, g.useSameProvider, [...g.resources], g.required, [...g.forbidden], g.memberOf, [...g.forbiddenAggregates], g.inTree ?? null]),
    params.groupPolicy ?? null, (params.sameSubtrees ?? []).map((set) => [...set]), [...inTreeRoot],
  ]);
}

/**
 * What the general combination search gives for a tree of one provider and no sharing guests:
 * every group lands on it, so it is a candidate when it suits each group and holds their sum.
 * What does not depend on the provider is worked out once per search, and each provider's answer
 * is remembered for its (immutable) snapshot object: a thousand compute nodes are a thousand such
 * trees, and between two scheduling decisions usually one of them changes.
 */
function loneProviderSearch(groups: readonly RequestGroup[], params: RequestParams, inTreeRoot: ReadonlyMap<string, string | null>): {
  request(p: SnapshotProvider, providerOk: (p: SnapshotProvider, g: RequestGroup) => boolean): AllocationRequest | undefined;
} {
  const totals = new Map<string, number>();
  for (const g of groups) for (const [rc, n] of g.resources) totals.set(rc, (totals.get(rc) ?? 0) + n);
  const granular = groups.filter((g) => g.useSameProvider).length;
  const suffixes = new Set(groups.map((g) => g.suffix));
  const possible = !(params.groupPolicy === 'isolate' && granular > 1)
    && (params.sameSubtrees === undefined || params.sameSubtrees.every((wanted) => [...wanted].some((s) => suffixes.has(s))));
  const shape = requestShape(groups, params, inTreeRoot);
  const answer = (p: SnapshotProvider, providerOk: (p: SnapshotProvider, g: RequestGroup) => boolean): AllocationRequest | undefined => {
    if (!possible) return undefined;
    for (const g of groups) {
      if (!providerOk(p, g) || !satisfiesTraits(p.traits, g.required)) return undefined;
      for (const [rc, n] of g.resources) {
        const inv = p.inventories.get(rc);
        if (inv === undefined || !meetsConstraints(inv, n)) return undefined;
      }
    }
    for (const [rc, n] of totals) {
      const inv = p.inventories.get(rc)!;
      if (n > inv.max_unit || !hasRoom(inv, p.used.get(rc) ?? 0, n)) return undefined;
    }
    const mappings = new Map<string, string[]>();
    for (const g of groups) mappings.set(g.suffix, [p.uuid]);
    return { allocations: totals.size === 0 ? new Map() : new Map([[p.uuid, totals]]), mappings };
  };
  return {
    request: (p, providerOk) => rememberedPerShape(loneAnswers, p, shape, () => answer(p, providerOk)),
  };
}

function nestedKey(mappings: ReadonlyMap<string, readonly string[]>): [string, string[]][] {
  return [...mappings].map(([s, ps]): [string, string[]] => [s, [...ps].sort()]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
