// Row types of the placement tables (all prefixed `plc_`). Timestamps are ISO strings, the
// allocation ratio is a double, everything else is an integer or a string, so the same queries
// run on SQLite and PostgreSQL. PostgreSQL returns SUM()/COUNT() as strings: readers convert.

/** A resource class: the os-resource-classes standard ones (ids below 10000) and CUSTOM_* ones. */
export interface ResourceClassRow { id: number; name: string; created_at: string; updated_at: string }

/** A trait: the os-traits standard ones and CUSTOM_* ones. */
export interface TraitRow { id: number; name: string; created_at: string; updated_at: string }

/**
 * A resource provider. `id` only orders listings (creation order, as placement's autoincrement
 * does); other tables refer to the uuid. `generation` is the compare-and-swap guard of every
 * write that touches the provider's inventory, allocations, traits or aggregates.
 */
export interface ProviderRow {
  uuid: string;
  id: number;
  name: string;
  generation: number;
  parent_uuid: string | null;
  root_uuid: string;
  created_at: string;
  updated_at: string;
}

export interface InventoryRow {
  provider_uuid: string;
  resource_class_id: number;
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
  created_at: string;
  updated_at: string;
}

export interface ProviderAggregateRow { provider_uuid: string; aggregate_uuid: string }
export interface ProviderTraitRow { provider_uuid: string; trait_id: number }

/**
 * Who consumes resources. `generation` guards concurrent allocation writes (microversion 1.28);
 * `consumer_type` is null for consumers written before 1.38 ("unknown").
 */
export interface ConsumerRow {
  uuid: string;
  project_id: string;
  user_id: string;
  consumer_type: string | null;
  generation: number;
  created_at: string;
  updated_at: string;
}

export interface AllocationRow {
  consumer_uuid: string;
  provider_uuid: string;
  resource_class_id: number;
  used: number;
  created_at: string;
  updated_at: string;
}

export interface PlacementDb {
  plc_resource_class: ResourceClassRow;
  plc_trait: TraitRow;
  plc_provider: ProviderRow;
  plc_inventory: InventoryRow;
  plc_provider_aggregate: ProviderAggregateRow;
  plc_provider_trait: ProviderTraitRow;
  plc_consumer: ConsumerRow;
  plc_allocation: AllocationRow;
}
