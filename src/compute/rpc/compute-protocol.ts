// The compute agent's RPC protocol (topic `compute`, server = the agent's host name), shared by
// its callers (the conductor, which builds; the API, which acts on servers) and the agent. As with
// the conductor's protocol, the agent parses every argument before acting (parse* functions live
// beside the agent's handlers, src/compute/agent/rpc-handlers.ts).
//
//   cast build_and_run_instance {build: InstanceBuild}
//   cast stop_instance          {uuid, request_id}
//   cast start_instance         {uuid, request_id}
//   cast reboot_instance        {uuid, request_id, reboot_type: 'SOFT' | 'HARD'}
//   cast pause_instance, unpause_instance, suspend_instance, resume_instance, trigger_crash_dump  {uuid, request_id}
//   cast rebuild_instance       {uuid, request_id, image_id, display_name, hostname, key_name, key_data,
//                                user_data, metadata, admin_password, stopped}
//   cast snapshot_instance      {uuid, request_id, image_id}   (createImage: upload into that image)
//   cast backup_instance        {uuid, request_id, image_id, backup_type, rotation}   (createBackup: upload, then
//                                delete this server's oldest backups of that type beyond rotation)
//   cast rescue_instance        {uuid, request_id, rescue_image_id, admin_password}   (boot a rescue disk, own disk second)
//   cast unrescue_instance      {uuid, request_id}
//   call attach_interface       {uuid, request_id, network_id, fixed_ip?, tag?} | {uuid, request_id, port_id, tag?}
//                               → {port_id}   (port made or bound, hot-plugged into a running guest)
//   cast detach_interface       {uuid, request_id, port_id}   (unplugged; deleted if the agent made it, else unbound)
//   call set_admin_password     {uuid, request_id, password} → {}   (QEMU guest agent guest-set-user-password)
//   cast terminate_instance     {uuid, request_id}
//   resize and cold migration (agent/move-ops.ts; the conductor's side: conductor/migration-protocol.ts):
//   cast resize_instance        {uuid, request_id, migration_uuid, dest_host, flavor, power_on}   (to the source)
//   cast finish_resize          {uuid, request_id, migration_uuid, record, disk_uri, power_on}    (source → destination)
//   cast confirm_resize         {uuid, request_id, migration_uuid}                                 (to the source)
//   cast revert_resize          {uuid, request_id, migration_uuid}                                 (to the destination)
//   cast finish_revert_resize   {uuid, request_id, migration_uuid, power_on}                       (destination → source)
//   shelve (agent/shelve-ops.ts):
//   cast shelve_instance        {uuid, request_id, image_id, offload}
//   cast shelve_offload_instance {uuid, request_id}
//   cast unshelve_instance      {uuid, request_id, shelved_image_id, local, build?, ports?}   (API: local; conductor: a new host)
//   live migration (agent/live-migration-ops.ts):
//   cast live_migration         {uuid, request_id, migration_uuid, dest_host}                      (conductor → source)
//   call pre_live_migration     {uuid, request_id, migration_uuid, record, disk_size} → {address, nbd_port, migrate_port}
//   call post_live_migration_at_destination     {uuid, request_id, migration_uuid, running} → {}   (source → destination)
//   call rollback_live_migration_at_destination {uuid, request_id, migration_uuid} → {}            (source → destination)
//   evacuation (agent/evacuate-ops.ts; the conductor's side: conductor/evacuate.ts):
//   cast rebuild_evacuated_instance {uuid, request_id, migration_uuid, record: {build, ports}, power_on}
//                               (conductor → destination: disk afresh from the image, ports bound here)
//   call get_console_output     {uuid, length?: number} → {output: string}   (length: last N lines)
//   call get_console_connect_info {uuid, console_type: 'novnc' | 'serial'} → ConsoleConnectInfo
//                                (errors InstanceNotFound, InstanceNotReady, ConsoleTypeUnavailable)
//   call get_diagnostics        {uuid} → ServerDiagnostics   (QMP and the taps' counters; InstanceNotFound, InstanceNotRunning)
//   call get_host_uptime        {} → {uptime: string}   (`uptime`'s line, from /proc/uptime and /proc/loadavg)
//   cast external_instance_event {events: InstanceEvent[]}
export const COMPUTE_RPC_TOPIC = 'compute';

/** The consoles a host serves (Nova's console types of the vnc and serial protocols). */
export const CONSOLE_TYPES = ['novnc', 'serial'] as const;
export interface ConsoleConnectRequest { readonly uuid: string; readonly console_type: (typeof CONSOLE_TYPES)[number] }

/** Where a guest's console is: `host` with a TCP `port`, or with a `unix_socket` on that host. */
export interface ConsoleConnectInfo {
  readonly host: string;
  readonly port: number | null;
  readonly unix_socket: string | null;
}

/** A guest's diagnostics, in Nova's standard shape (nova.virt.diagnostics, the API's 2.48 view). */
export interface ServerDiagnostics {
  readonly state: 'pending' | 'running' | 'paused' | 'shutdown' | 'crashed' | 'suspended';
  readonly driver: 'libvirt';
  readonly hypervisor: string;
  readonly hypervisor_os: string;
  /** Seconds since the guest's QEMU started. */
  readonly uptime: number | null;
  readonly config_drive: boolean;
  readonly num_cpus: number;
  readonly num_nics: number;
  readonly num_disks: number;
  /** MiB. */
  readonly memory_details: { readonly maximum: number | null; readonly used: number | null };
  /** time: ns of host CPU the vCPU thread used. */
  readonly cpu_details: ReadonlyArray<{ readonly id: number | null; readonly time: number | null; readonly utilisation: number | null }>;
  /** Counters as the guest sees them (the tap's rx is the guest's tx). */
  readonly nic_details: ReadonlyArray<{
    readonly mac_address: string | null;
    readonly rx_octets: number | null; readonly rx_errors: number | null; readonly rx_drop: number | null; readonly rx_packets: number | null; readonly rx_rate: number | null;
    readonly tx_octets: number | null; readonly tx_errors: number | null; readonly tx_drop: number | null; readonly tx_packets: number | null; readonly tx_rate: number | null;
  }>;
  readonly disk_details: ReadonlyArray<{
    readonly read_bytes: number | null; readonly read_requests: number | null; readonly write_bytes: number | null; readonly write_requests: number | null; readonly errors_count: number | null;
  }>;
}

/** The longest admin password the agent carries, printable (the API refuses others before a cast: checkAdminPass). */
export const MAX_ADMIN_PASSWORD = 255;

/** The flavor snapshot a server keeps (nova_instance.flavor JSON). */
export interface FlavorSnapshot {
  readonly id: number;
  readonly flavorid: string;
  readonly name: string;
  readonly memory_mb: number;
  readonly vcpus: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  readonly swap: number;
  readonly rxtx_factor: number;
  readonly description: string | null;
  readonly extra_specs: Readonly<Record<string, string>>;
}

/**
 * One requested NIC after the API resolved `auto` / `none` (none = an empty list): either an
 * existing port (the agent binds it and gives it back unbound on delete) or a network (the agent
 * creates a port, optionally with a fixed IP, and deletes it on delete).
 */
export type RequestedNetwork =
  | { readonly port_id: string; readonly tag?: string }
  | { readonly network_id: string; readonly fixed_ip?: string; readonly tag?: string };

/** Everything an agent needs to build one server: sent in build_and_run_instance. */
export interface InstanceBuild {
  readonly uuid: string;
  readonly project_id: string;
  readonly user_id: string;
  readonly display_name: string;
  readonly hostname: string;
  readonly flavor: FlavorSnapshot;
  /** Glance image id. */
  readonly image_id: string;
  readonly key_name: string | null;
  readonly key_data: string | null;
  /** base64, as the API received it. */
  readonly user_data: string | null;
  readonly config_drive: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  readonly requested_networks: readonly RequestedNetwork[];
  /** Security group names or ids as requested (default: ['default']); ports created get them. */
  readonly security_groups: readonly string[];
  readonly availability_zone: string | null;
  readonly launch_index: number;
  /** The compute node (= Placement resource provider) the conductor claimed on. */
  readonly node_uuid: string;
  /** 1 on the first host, 2 on the first alternate, … */
  readonly attempt: number;
  readonly request_id: string;
  /** Nova's adminPass (only useful through a config drive / metadata password). */
  readonly admin_password: string | null;
}

/** What Neutron tells Nova through os-server-external-events, forwarded to the instance's host. */
export interface InstanceEvent {
  /** network-vif-plugged | network-vif-unplugged | network-vif-deleted | network-changed | … */
  readonly name: string;
  readonly server_uuid: string;
  /** The port id for network events. */
  readonly tag?: string;
  /** completed | failed | in-progress */
  readonly status: string;
}

/**
 * One NIC as the info cache keeps it (nova_instance_info_cache.network_info is a JSON array of
 * these, the same shape Nova's network model serialises to). The API renders `addresses` from it
 * and the metadata service network_data.json.
 */
export interface VifInfo {
  /** The port id. */
  readonly id: string;
  /** MAC. */
  readonly address: string;
  readonly type: 'bridge';
  /** The tap: `tap` + first 11 characters of the port id. */
  readonly devname: string;
  readonly active: boolean;
  /** Whether the agent created the port (deleted with the server) or the user gave it (unbound). */
  readonly preserve_on_delete: boolean;
  readonly network: {
    readonly id: string;
    /** The network's name: the key of `addresses`. */
    readonly label: string;
    readonly mtu: number | null;
    readonly subnets: readonly {
      readonly cidr: string;
      readonly version: 4 | 6;
      readonly gateway: string | null;
      readonly dns: readonly string[];
      readonly ips: readonly { readonly address: string; readonly type: 'fixed'; readonly floating_ips: readonly { readonly address: string }[] }[];
    }[];
  };
}

/** The tap device of a port, as the L2 agent expects it. */
export function tapName(portId: string): string {
  return `tap${portId.slice(0, 11)}`;
}
