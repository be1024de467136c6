// The compute service's tables (Nova's API and cell databases folded into one), all prefixed
// `nova_`. Booleans are 0/1 integers, timestamps ISO strings (seconds, Z), dicts and lists that
// are never queried inside are JSON text, so one schema serves SQLite and PostgreSQL.
// Integer `id`s are allocated as max+1 inside the writing transaction; their unique index is the
// race guard (the loser retries, see transaction.ts).
//
// Migration 0001 holds what the API serves today (flavors, key pairs, quotas); 0002 is the first
// draft of what servers, the conductor, the scheduler and the compute agent need; 0003 the console
// auth tokens.

export interface FlavorRow {
  id: number;
  /** The API's flavor id: any string (a UUID when the creator gave none). */
  flavorid: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  vcpu_weight: number | null;
  disabled: number;
  is_public: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface FlavorExtraSpecRow { flavor_id: number; key: string; value: string }

/** Which projects may use a private flavor (flavor access). */
export interface FlavorProjectRow { flavor_id: number; project_id: string }

export interface KeyPairRow {
  id: number;
  user_id: string;
  name: string;
  fingerprint: string;
  public_key: string;
  /** 'ssh' or 'x509'. */
  type: string;
  created_at: string;
  updated_at: string;
}

/** A project's (user_id '') or a project user's limit for one quota resource. */
export interface QuotaRow {
  project_id: string;
  user_id: string;
  resource: string;
  hard_limit: number;
  created_at: string;
  updated_at: string;
}

/** A quota class's limit for one resource; the class `default` overrides the configured defaults. */
export interface QuotaClassRow {
  class_name: string;
  resource: string;
  hard_limit: number;
  created_at: string;
  updated_at: string;
}

// ---- draft: servers and the services that run them (migration 0002) ----------------------

/**
 * A server. vm_state/task_state/power_state follow nova.compute.{vm_states,task_states,
 * power_state}; `flavor` is the JSON snapshot taken at boot (Nova's instance_extra.flavor) and the
 * vcpus/memory_mb/root_gb/ephemeral_gb columns repeat it for quota counting. Soft-deleted rows
 * (deleted 1) stay for instance actions and usage until purged.
 */
export interface InstanceRow {
  uuid: string;
  id: number;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  host: string | null;
  node: string | null;
  /** The compute node's uuid (Placement resource provider) once scheduled. */
  compute_node_uuid: string | null;
  availability_zone: string | null;
  /** The zone the user asked for (null: any). */
  requested_availability_zone: string | null;
  /** JSON: {id, flavorid, name, memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor, description, extra_specs}. */
  flavor: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  /** Glance image id ('' when booted from volume). */
  image_ref: string;
  key_name: string | null;
  key_data: string | null;
  /** base64 as the API received it. */
  user_data: string | null;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  locked: number;
  locked_by: string | null;
  locked_reason: string | null;
  reservation_id: string;
  launch_index: number;
  root_device_name: string | null;
  progress: number;
  /** JSON object: image properties (image_*), and other system metadata. */
  system_metadata: string;
  created_at: string;
  updated_at: string;
  scheduled_at: string | null;
  launched_at: string | null;
  terminated_at: string | null;
  deleted: number;
  deleted_at: string | null;
}

export interface InstanceMetadataRow { instance_uuid: string; key: string; value: string }

/** The network info cache (Neutron ports as the compute agent last saw them), JSON. */
export interface InstanceInfoCacheRow { instance_uuid: string; network_info: string; updated_at: string }

export interface InstanceTagRow { instance_uuid: string; tag: string }

/** The `fault` of a server in ERROR (the newest row per instance). */
export interface InstanceFaultRow {
  id: number;
  instance_uuid: string;
  code: number;
  message: string;
  details: string;
  host: string | null;
  created_at: string;
}

/** os-instance-actions: one per API request that acts on a server. */
export interface InstanceActionRow {
  id: number;
  action: string;
  instance_uuid: string;
  request_id: string;
  user_id: string;
  project_id: string;
  start_time: string;
  finish_time: string | null;
  message: string | null;
  created_at: string;
  updated_at: string;
}

export interface InstanceActionEventRow {
  id: number;
  action_id: number;
  event: string;
  /** 'Success' / 'Error' once finished. */
  result: string | null;
  traceback: string | null;
  start_time: string;
  finish_time: string | null;
  host: string | null;
  details: string | null;
}

/** What the conductor and scheduler need to (re)schedule a server: JSON RequestSpec. */
export interface RequestSpecRow { instance_uuid: string; spec: string; created_at: string; updated_at: string }

export interface BlockDeviceMappingRow {
  id: number;
  uuid: string;
  instance_uuid: string;
  /** image | volume | snapshot | blank */
  source_type: string;
  /** local | volume */
  destination_type: string;
  guest_format: string | null;
  device_type: string | null;
  disk_bus: string | null;
  boot_index: number | null;
  device_name: string | null;
  delete_on_termination: number;
  snapshot_id: string | null;
  volume_id: string | null;
  volume_size: number | null;
  image_id: string | null;
  no_device: number;
  connection_info: string | null;
  tag: string | null;
  attachment_id: string | null;
  volume_type: string | null;
  created_at: string;
  updated_at: string;
}

/** os-services: one per (host, binary); agents heartbeat `last_seen_up` over the conductor. */
export interface ServiceRow {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  report_count: number;
  disabled: number;
  disabled_reason: string | null;
  forced_down: number;
  last_seen_up: string | null;
  /** The service's RPC/object version (nova's SERVICE_VERSION). */
  version: number;
  created_at: string;
  updated_at: string;
}

/** A hypervisor (os-hypervisors); `uuid` is its Placement resource provider. */
export interface ComputeNodeRow {
  id: number;
  uuid: string;
  service_id: number | null;
  host: string;
  hypervisor_hostname: string;
  hypervisor_type: string;
  hypervisor_version: number;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  free_ram_mb: number;
  free_disk_gb: number;
  running_vms: number;
  disk_available_least: number | null;
  /** JSON. */
  cpu_info: string;
  host_ip: string | null;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
  created_at: string;
  updated_at: string;
}

/** Host aggregates; the `availability_zone` metadata key makes one a zone. */
export interface AggregateRow { id: number; uuid: string; name: string; created_at: string; updated_at: string }
export interface AggregateHostRow { aggregate_id: number; host: string }
export interface AggregateMetadataRow { aggregate_id: number; key: string; value: string }

export interface ServerGroupRow {
  id: number;
  uuid: string;
  name: string;
  project_id: string;
  user_id: string;
  /** affinity | anti-affinity | soft-affinity | soft-anti-affinity */
  policy: string;
  /** JSON object, e.g. {"max_server_per_host": 2}. */
  rules: string;
  created_at: string;
  updated_at: string;
}

export interface ServerGroupMemberRow { group_id: number; instance_uuid: string }

/** nova.migrations: a server's move between hosts (resize, migration, live migration, evacuation). */
export interface MigrationRow {
  id: number;
  uuid: string;
  instance_uuid: string;
  /** resize | migration | live-migration | evacuation */
  migration_type: string;
  /** pre-migrating, migrating, post-migrating, finished, confirming, confirmed, reverting, reverted, error, … */
  status: string;
  source_compute: string | null;
  source_node: string | null;
  source_node_uuid: string | null;
  dest_compute: string | null;
  dest_node: string | null;
  dest_node_uuid: string | null;
  /** The destination's migration address (Nova's dest_host: its my_ip). */
  dest_host: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  /** FlavorSnapshot JSON: what revert restores and resize applies. */
  old_flavor: string | null;
  new_flavor: string | null;
  user_id: string | null;
  project_id: string | null;
  request_id: string | null;
  memory_total: number | null;
  memory_processed: number | null;
  memory_remaining: number | null;
  disk_total: number | null;
  disk_processed: number | null;
  disk_remaining: number | null;
  created_at: string;
  updated_at: string;
  deleted: number;
  deleted_at: string | null;
}

/** A console URL's token (migration 0003): only its SHA-256 is stored; one connection uses it up. */
export interface ConsoleAuthTokenRow {
  token_hash: string;
  instance_uuid: string;
  /** 'novnc' or 'serial'. */
  console_type: string;
  /** The compute host (a unix socket) or the address of a TCP console server. */
  host: string;
  port: number | null;
  unix_socket: string | null;
  access_url_base: string;
  /** Epoch seconds (a bigint: PostgreSQL's driver reads it back as text). */
  expires: number | string;
  created_at: string;
}

export interface ComputeDb {
  nova_flavor: FlavorRow;
  nova_flavor_extra_spec: FlavorExtraSpecRow;
  nova_flavor_project: FlavorProjectRow;
  nova_key_pair: KeyPairRow;
  nova_quota: QuotaRow;
  nova_quota_class: QuotaClassRow;
  nova_instance: InstanceRow;
  nova_instance_metadata: InstanceMetadataRow;
  nova_instance_info_cache: InstanceInfoCacheRow;
  nova_instance_tag: InstanceTagRow;
  nova_instance_fault: InstanceFaultRow;
  nova_instance_action: InstanceActionRow;
  nova_instance_action_event: InstanceActionEventRow;
  nova_request_spec: RequestSpecRow;
  nova_block_device_mapping: BlockDeviceMappingRow;
  nova_service: ServiceRow;
  nova_compute_node: ComputeNodeRow;
  nova_aggregate: AggregateRow;
  nova_aggregate_host: AggregateHostRow;
  nova_aggregate_metadata: AggregateMetadataRow;
  nova_server_group: ServerGroupRow;
  nova_server_group_member: ServerGroupMemberRow;
  nova_migration: MigrationRow;
  nova_console_auth_token: ConsoleAuthTokenRow;
}

/** Every table of the compute service, for tests and tools that dump or compare them. */
export const COMPUTE_TABLES: readonly (keyof ComputeDb)[] = [
  'nova_flavor', 'nova_flavor_extra_spec', 'nova_flavor_project', 'nova_key_pair', 'nova_quota', 'nova_quota_class',
  'nova_instance', 'nova_instance_metadata', 'nova_instance_info_cache', 'nova_instance_tag', 'nova_instance_fault',
  'nova_instance_action', 'nova_instance_action_event', 'nova_request_spec', 'nova_block_device_mapping',
  'nova_service', 'nova_compute_node', 'nova_aggregate', 'nova_aggregate_host', 'nova_aggregate_metadata',
  'nova_server_group', 'nova_server_group_member', 'nova_migration', 'nova_console_auth_token',
];
