// The placement API as Nova's report client and scheduler use it, at microversion 1.36 unless a
// call says otherwise: resource providers (get, create, ensure), inventories, traits and
// aggregates written with the provider generation and retried on a generation conflict after
// re-reading, allocation candidates, allocations with consumer generations, and usages.
import { ServiceApiError } from './errors.js';
import { HttpClient, seg, type AuthProvider, type HttpClientOptions, type Query } from './http-client.js';

export const PLACEMENT_MICROVERSION = '1.36';

export interface ResourceProvider {
  readonly uuid: string;
  readonly name: string;
  readonly generation: number;
  readonly parent_provider_uuid: string | null;
  readonly root_provider_uuid: string;
  readonly links?: readonly { readonly rel: string; readonly href: string }[];
}

export interface Inventory {
  readonly total: number;
  readonly reserved?: number;
  readonly min_unit?: number;
  readonly max_unit?: number;
  readonly step_size?: number;
  readonly allocation_ratio?: number;
}

export type Inventories = Readonly<Record<string, Inventory>>;
export type Resources = Readonly<Record<string, number>>;

/** allocations as PUT /allocations/{consumer} takes them: provider uuid → resources. */
export type AllocationRequest = Readonly<Record<string, { readonly resources: Resources }>>;

export interface ConsumerAllocations {
  readonly allocations: Readonly<Record<string, { readonly generation?: number; readonly resources: Resources }>>;
  /** Absent (or null) when the consumer has no allocations. */
  readonly consumer_generation?: number | null;
  readonly project_id?: string;
  readonly user_id?: string;
  readonly consumer_type?: string;
}

export interface AllocationWrite {
  readonly allocations: AllocationRequest;
  readonly project_id: string;
  readonly user_id: string;
  /** null for a consumer that has no allocations yet; else the generation last read. */
  readonly consumer_generation: number | null;
  /** Microversion 1.38 or later only. */
  readonly consumer_type?: string;
  readonly mappings?: Readonly<Record<string, readonly string[]>>;
}

/** One request group of GET /allocation_candidates (the unsuffixed one, or a granular one). */
export interface RequestGroup {
  readonly resources?: Resources;
  /** Traits, `!TRAIT` for forbidden; `in:A,B` for any-of. */
  readonly required?: readonly string[];
  /** Each entry is one member_of parameter: a list means "in any of these" (`in:a,b`). */
  readonly member_of?: readonly (string | readonly string[])[];
  readonly in_tree?: string;
}

export interface CandidateQuery extends RequestGroup {
  /** Granular groups by suffix: `{ '1': {...} }` → resources1=…&required1=… */
  readonly groups?: Readonly<Record<string, RequestGroup>>;
  readonly group_policy?: 'none' | 'isolate';
  readonly limit?: number;
  readonly root_required?: readonly string[];
  /** Suffix lists (1.36): `['_COMPUTE,_NIC']`. */
  readonly same_subtree?: readonly string[];
}

export interface ProviderSummary {
  readonly resources: Readonly<Record<string, { readonly capacity: number; readonly used: number }>>;
  readonly traits?: readonly string[];
  readonly parent_provider_uuid?: string | null;
  readonly root_provider_uuid?: string;
}

export interface AllocationCandidates {
  readonly allocation_requests: readonly {
    readonly allocations: AllocationRequest;
    readonly mappings?: Readonly<Record<string, readonly string[]>>;
  }[];
  readonly provider_summaries: Readonly<Record<string, ProviderSummary>>;
}

export interface PlacementClientOptions {
  /** Tries of a generation-guarded write before giving up; default 4. */
  readonly generationRetries?: number;
}

/** Placement's 409 for a changed generation (provider or consumer), as opposed to "no capacity" or "in use". */
export function isConcurrentUpdate(err: unknown): err is ServiceApiError {
  return err instanceof ServiceApiError && err.status === 409 && (err.code === 'placement.concurrent_update'
    || (err.code === undefined && /generation|concurrent/i.test(err.detail ?? '')));
}

function resourcesParam(resources: Resources | undefined): string | undefined {
  if (!resources) return undefined;
  const parts = Object.entries(resources).map(([rc, n]) => `${rc}:${n}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

function memberOfParams(memberOf: RequestGroup['member_of']): string[] | undefined {
  if (!memberOf || memberOf.length === 0) return undefined;
  return memberOf.map((m) => (typeof m === 'string' ? m : m.length === 1 ? m[0]! : `in:${m.join(',')}`));
}

/** The query string of GET /allocation_candidates for a request, granular groups included. */
export function candidateQuery(q: CandidateQuery): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const addGroup = (suffix: string, g: RequestGroup) => {
    const resources = resourcesParam(g.resources);
    if (resources) query[`resources${suffix}`] = resources;
    if (g.required && g.required.length > 0) query[`required${suffix}`] = g.required.join(',');
    const memberOf = memberOfParams(g.member_of);
    if (memberOf) query[`member_of${suffix}`] = memberOf;
    if (g.in_tree) query[`in_tree${suffix}`] = g.in_tree;
  };
  addGroup('', q);
  for (const [suffix, group] of Object.entries(q.groups ?? {})) {
    if (!/^([1-9]\d*|_[A-Za-z0-9_-]{1,64})$/.test(suffix)) throw new Error(`placement: bad request group suffix '${suffix}'`);
    addGroup(suffix, group);
  }
  if (q.group_policy) query.group_policy = q.group_policy;
  if (q.limit !== undefined) query.limit = String(q.limit);
  if (q.root_required && q.root_required.length > 0) query.root_required = q.root_required.join(',');
  if (q.same_subtree && q.same_subtree.length > 0) query.same_subtree = [...q.same_subtree];
  return query;
}

export class PlacementClient {
  private readonly generationRetries: number;

  constructor(readonly http: HttpClient, options: PlacementClientOptions = {}) {
    this.generationRetries = options.generationRetries ?? 4;
  }

  static create(auth: AuthProvider, options: Partial<HttpClientOptions> & PlacementClientOptions = {}): PlacementClient {
    const { generationRetries, ...http } = options;
    return new PlacementClient(new HttpClient({
      service: 'placement', auth, microversion: { service: 'placement', version: PLACEMENT_MICROVERSION }, ...http,
    }), generationRetries !== undefined ? { generationRetries } : {});
  }

  withRequestId(requestId: string | undefined): PlacementClient {
    return new PlacementClient(this.http.with({ requestId }), { generationRetries: this.generationRetries });
  }

  // --- resource providers --------------------------------------------------------------------

  /** The provider, or undefined when there is none. */
  async getResourceProvider(uuid: string): Promise<ResourceProvider | undefined> {
    const res = await this.http.get<ResourceProvider>(`/resource_providers/${seg(uuid)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body;
  }

  async listResourceProviders(filters: Query = {}): Promise<ResourceProvider[]> {
    return (await this.http.get<{ resource_providers: ResourceProvider[] }>('/resource_providers', { query: filters })).body.resource_providers;
  }

  async createResourceProvider(provider: { name: string; uuid?: string; parent_provider_uuid?: string }): Promise<ResourceProvider> {
    // 1.20+: 200 with the provider in the body.
    return (await this.http.post<ResourceProvider>('/resource_providers', provider)).body;
  }

  /**
   * The provider with this uuid, created (with this name and parent) when missing: Nova's
   * _ensure_resource_provider. A creation race with another process is settled by reading again.
   */
  async ensureResourceProvider(uuid: string, name: string, parentUuid?: string): Promise<ResourceProvider> {
    const existing = await this.getResourceProvider(uuid);
    if (existing) return existing;
    try {
      return await this.createResourceProvider({ uuid, name, ...(parentUuid ? { parent_provider_uuid: parentUuid } : {}) });
    } catch (err) {
      if (!(err instanceof ServiceApiError && err.status === 409)) throw err;
      const raced = await this.getResourceProvider(uuid);
      if (raced) return raced;
      throw err; // the name belongs to another provider
    }
  }

  /** Deletes the provider; false when it was already gone. */
  async deleteResourceProvider(uuid: string): Promise<boolean> {
    const res = await this.http.delete(`/resource_providers/${seg(uuid)}`, { accept: [404] });
    return res.status !== 404;
  }

  // --- inventories ---------------------------------------------------------------------------

  async getInventories(uuid: string): Promise<{ inventories: Record<string, Inventory & Required<Inventory>>; resource_provider_generation: number }> {
    return (await this.http.get<{ inventories: Record<string, Inventory & Required<Inventory>>; resource_provider_generation: number }>(
      `/resource_providers/${seg(uuid)}/inventories`)).body;
  }

  /** One PUT with the given generation (a 409 concurrent update throws). */
  async putInventories(uuid: string, generation: number, inventories: Inventories): Promise<{ inventories: Inventories; resource_provider_generation: number }> {
    return (await this.http.put<{ inventories: Inventories; resource_provider_generation: number }>(
      `/resource_providers/${seg(uuid)}/inventories`, { resource_provider_generation: generation, inventories })).body;
  }

  /**
   * Makes the provider's inventory exactly `inventories`: reads the generation, writes, and on a
   * generation conflict reads and writes again. Returns the new generation. Nothing is written when
   * the inventory already matches. A 409 for inventory in use (placement.inventory.inuse) throws.
   */
  async setInventories(uuid: string, inventories: Inventories): Promise<number> {
    return this.withGeneration(async () => {
      const current = await this.getInventories(uuid);
      if (sameInventories(current.inventories, inventories)) return current.resource_provider_generation;
      return (await this.putInventories(uuid, current.resource_provider_generation, inventories)).resource_provider_generation;
    });
  }

  // --- traits --------------------------------------------------------------------------------

  /** Creates custom traits (PUT /traits/{name}); standard ones exist already. */
  async ensureTraits(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (name.startsWith('CUSTOM_')) await this.http.put(`/traits/${seg(name)}`, undefined);
    }
  }

  async getProviderTraits(uuid: string): Promise<{ traits: string[]; resource_provider_generation: number }> {
    return (await this.http.get<{ traits: string[]; resource_provider_generation: number }>(`/resource_providers/${seg(uuid)}/traits`)).body;
  }

  /** Replaces the provider's traits (custom ones created first), retrying on generation conflicts. */
  async setProviderTraits(uuid: string, traits: readonly string[]): Promise<number> {
    await this.ensureTraits(traits);
    return this.withGeneration(async () => {
      const current = await this.getProviderTraits(uuid);
      if (sameSet(current.traits, traits)) return current.resource_provider_generation;
      return (await this.http.put<{ resource_provider_generation: number }>(`/resource_providers/${seg(uuid)}/traits`, {
        traits, resource_provider_generation: current.resource_provider_generation,
      })).body.resource_provider_generation;
    });
  }

  // --- aggregates ----------------------------------------------------------------------------

  async getProviderAggregates(uuid: string): Promise<{ aggregates: string[]; resource_provider_generation: number }> {
    return (await this.http.get<{ aggregates: string[]; resource_provider_generation: number }>(`/resource_providers/${seg(uuid)}/aggregates`)).body;
  }

  /** Replaces the provider's aggregates, retrying on generation conflicts. */
  async setProviderAggregates(uuid: string, aggregates: readonly string[]): Promise<number> {
    return this.withGeneration(async () => {
      const current = await this.getProviderAggregates(uuid);
      if (sameSet(current.aggregates, aggregates)) return current.resource_provider_generation;
      return (await this.http.put<{ resource_provider_generation: number }>(`/resource_providers/${seg(uuid)}/aggregates`, {
        aggregates, resource_provider_generation: current.resource_provider_generation,
      })).body.resource_provider_generation;
    });
  }

  // --- resource classes ----------------------------------------------------------------------

  /** Creates a custom resource class (PUT /resource_classes/{name}, 1.7+); standard ones exist already. */
  async ensureResourceClass(name: string): Promise<void> {
    if (name.startsWith('CUSTOM_')) await this.http.put(`/resource_classes/${seg(name)}`, undefined);
  }

  // --- allocation candidates, allocations, usages --------------------------------------------

  async getAllocationCandidates(query: CandidateQuery): Promise<AllocationCandidates> {
    return (await this.http.get<AllocationCandidates>('/allocation_candidates', { query: candidateQuery(query) })).body;
  }

  /** The consumer's allocations ({allocations: {}} when it has none). */
  async getAllocations(consumerUuid: string): Promise<ConsumerAllocations> {
    return (await this.http.get<ConsumerAllocations>(`/allocations/${seg(consumerUuid)}`)).body;
  }

  /**
   * Replaces the consumer's allocations (1.28+: with the consumer generation last read, null for a
   * new consumer). A 409 is either no capacity or, with isConcurrentUpdate(err), a changed consumer.
   */
  async putAllocations(consumerUuid: string, write: AllocationWrite, microversion?: string): Promise<void> {
    // consumer_type needs 1.38; everything else is the client's default microversion.
    const mv = microversion ?? (write.consumer_type !== undefined ? '1.38' : undefined);
    await this.http.put(`/allocations/${seg(consumerUuid)}`, write, mv ? { microversion: mv } : {});
  }

  /**
   * Claims resources for a consumer that should have none yet (Nova's claim_resources): a
   * concurrent-update answer means someone else wrote allocations for it first, and throws.
   */
  claimResources(consumerUuid: string, allocations: AllocationRequest, projectId: string, userId: string): Promise<void> {
    return this.putAllocations(consumerUuid, { allocations, project_id: projectId, user_id: userId, consumer_generation: null });
  }

  /** Several consumers at once (POST /allocations, 1.13+), as moves swap allocations. */
  async postAllocations(byConsumer: Readonly<Record<string, AllocationWrite>>): Promise<void> {
    await this.http.post('/allocations', byConsumer);
  }

  /** Deletes all of the consumer's allocations; false when it had none. */
  async deleteAllocations(consumerUuid: string): Promise<boolean> {
    const res = await this.http.delete(`/allocations/${seg(consumerUuid)}`, { accept: [404] });
    return res.status !== 404;
  }

  /** A project's (and optionally one user's) usage by resource class. */
  async getUsages(projectId: string, userId?: string): Promise<Record<string, number>> {
    return (await this.http.get<{ usages: Record<string, number> }>('/usages', { query: { project_id: projectId, user_id: userId } })).body.usages;
  }

  async getProviderUsages(uuid: string): Promise<{ usages: Record<string, number>; resource_provider_generation: number }> {
    return (await this.http.get<{ usages: Record<string, number>; resource_provider_generation: number }>(`/resource_providers/${seg(uuid)}/usages`)).body;
  }

  /** Runs a read-then-write step again (a fresh read) when the write lost a generation race. */
  private async withGeneration<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await step();
      } catch (err) {
        if (!isConcurrentUpdate(err) || attempt >= this.generationRetries) throw err;
      }
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

const INVENTORY_DEFAULTS: Required<Omit<Inventory, 'total'>> = { reserved: 0, min_unit: 1, max_unit: 2 ** 31 - 1, step_size: 1, allocation_ratio: 1 };

function sameInventories(current: Readonly<Record<string, Inventory>>, wanted: Inventories): boolean {
  const keys = Object.keys(wanted);
  if (Object.keys(current).length !== keys.length) return false;
  return keys.every((rc) => {
    const c = current[rc];
    const w = wanted[rc]!;
    if (!c) return false;
    return c.total === w.total && (Object.keys(INVENTORY_DEFAULTS) as (keyof typeof INVENTORY_DEFAULTS)[])
      .every((k) => (c[k] ?? INVENTORY_DEFAULTS[k]) === (w[k] ?? INVENTORY_DEFAULTS[k]));
  });
}
