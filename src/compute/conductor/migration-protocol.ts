// The conductor's methods for moving a server between hosts (resize and cold migration; the flow
// is docs/compute.md "Resize and migration"). Parsed like every bus argument before use.
//
// From the API:
//   call migrate_server {uuid, request_id, migration_uuid, host: string | null} → {host}
//        The server is in task_state resize_prep with a migration row holding the old and new
//        flavors. The conductor picks a destination other than the current host (`host`: the
//        admin's choice, filters still run), moves the source allocation to the migration as
//        consumer and claims the new flavor on the destination for the server, then casts
//        resize_instance to the source. No host: allocations back, migration `error`, task cleared,
//        a NoValidHost error for the API's 400.
// From agents (each guarded by the host that speaks and the migration's state):
//   call migration_status       {migration_uuid, host, status} → {}        (source or destination)
//   call resize_switch_host     {uuid, migration_uuid, host} → {updated}   (destination, finish_resize)
//        the server now lives on the destination with the new flavor (task resize_finish)
//   call resize_confirmed       {uuid, migration_uuid, host} → {}          (source, confirm done)
//        migration confirmed, its allocation (the source's) dropped, vm_state active or stopped
//   call resize_revert_switch   {uuid, migration_uuid, host} → {source_host, power_on} (destination)
//        the server back on the source with the old flavor, allocations swapped back
//   call resize_failed          {uuid, migration_uuid, host, reason} → {}  (source, before the switch)
//        allocations back, migration error, task cleared, a fault (also for a failed live migration)
// Live migration:
//   cast live_migrate_instance  {uuid, request_id, migration_uuid, host, force}   (from the API; task migrating,
//        migration accepted) → destination claimed, migration preparing, live_migration cast to the source
//   call live_migration_switch  {uuid, migration_uuid, host} → {updated}   (source, once the guest runs there)
//        the server lives on the destination, migration completed, the source's resources freed
// Evacuation (conductor/evacuate.ts):
//   cast evacuate_instance      {uuid, request_id, migration_uuid, host, force, admin_password, stopped}
//        (from the API; task rebuilding, migration accepted, the server's host down) → destination
//        claimed, the server switched to it, migration pre-migrating, rebuild_evacuated_instance cast
//        there (`stopped`: 2.95's target state; a stopped server stays stopped anyway)
//   call evacuations_from_host  {host} → [{uuid, migration_uuid}]   (a starting agent: the servers evacuated
//        away from it, whose guests and files it must destroy)
//   call evacuation_cleaned     {uuid, migration_uuid, host} → {}   (the source, after destroying its copy)
//        migration completed, the dead host's resources (held by the migration) freed
import { argsOf, hostArg, requestIdArg, text, uuidArg } from './instance-protocol.js';
import { ConductorArgumentError } from './protocol.js';

export interface LiveMigrate { readonly uuid: string; readonly request_id: string; readonly migration_uuid: string; readonly host: string | null; readonly force: boolean }
export interface EvacuateInstance {
  readonly uuid: string; readonly request_id: string; readonly migration_uuid: string; readonly host: string | null; readonly force: boolean;
  readonly admin_password: string | null; readonly stopped: boolean;
}
export interface MigrateServer { readonly uuid: string; readonly request_id: string; readonly migration_uuid: string; readonly host: string | null }
export interface MigrationStatus { readonly migration_uuid: string; readonly host: string; readonly status: string }
export interface MigrationStep { readonly uuid: string; readonly migration_uuid: string; readonly host: string }
export interface ResizeFailed extends MigrationStep { readonly reason: string }

/** Statuses an agent may report (Nova's migration statuses of the cold-move flow). */
export const AGENT_MIGRATION_STATUSES = ['migrating', 'post-migrating', 'finished', 'reverted', 'running', 'error', 'done', 'failed'] as const;

export function parseMigrateServer(raw: unknown): MigrateServer {
  const m = 'migrate_server';
  const args = argsOf(m, raw, ['uuid', 'request_id', 'migration_uuid', 'host']);
  const host = args.host === null || args.host === undefined ? null : hostArg(m, { host: args.host });
  return { uuid: uuidArg(m, args), request_id: requestIdArg(m, args), migration_uuid: uuidArg(m, args, 'migration_uuid'), host };
}

export function parseLiveMigrate(raw: unknown): LiveMigrate {
  return scheduledMove('live_migrate_instance', argsOf('live_migrate_instance', raw, ['uuid', 'request_id', 'migration_uuid', 'host', 'force']));
}

/** The arguments of a move the conductor schedules: the server, its migration, the admin's host and force. */
function scheduledMove(m: string, args: Record<string, unknown>): LiveMigrate {
  const host = args.host === null || args.host === undefined ? null : hostArg(m, { host: args.host });
  if (typeof args.force !== 'boolean') throw new ConductorArgumentError(m, 'force must be a boolean');
  return { uuid: uuidArg(m, args), request_id: requestIdArg(m, args), migration_uuid: uuidArg(m, args, 'migration_uuid'), host, force: args.force };
}

/** The admin password reaches a config drive or a guest agent: printable, at most 255 characters (the API's checkAdminPass). */
const ADMIN_PASSWORD = /^[^\p{Cc}]{0,255}$/u;

export function parseEvacuateInstance(raw: unknown): EvacuateInstance {
  const m = 'evacuate_instance';
  const args = argsOf(m, raw, ['uuid', 'request_id', 'migration_uuid', 'host', 'force', 'admin_password', 'stopped']);
  const password = args.admin_password;
  if (password !== null && (typeof password !== 'string' || !ADMIN_PASSWORD.test(password))) {
    throw new ConductorArgumentError(m, 'admin_password must be null or at most 255 printable characters');
  }
  if (typeof args.stopped !== 'boolean') throw new ConductorArgumentError(m, 'stopped must be a boolean');
  return { ...scheduledMove(m, args), admin_password: password as string | null, stopped: args.stopped };
}

export function parseMigrationStatus(raw: unknown): MigrationStatus {
  const m = 'migration_status';
  const args = argsOf(m, raw, ['migration_uuid', 'host', 'status']);
  if (!(AGENT_MIGRATION_STATUSES as readonly unknown[]).includes(args.status)) {
    throw new ConductorArgumentError(m, `status must be one of ${AGENT_MIGRATION_STATUSES.join(', ')}`);
  }
  return { migration_uuid: uuidArg(m, args, 'migration_uuid'), host: hostArg(m, args), status: args.status as string };
}

export function parseMigrationStep(method: string, raw: unknown): MigrationStep {
  const args = argsOf(method, raw, ['uuid', 'migration_uuid', 'host']);
  return { uuid: uuidArg(method, args), migration_uuid: uuidArg(method, args, 'migration_uuid'), host: hostArg(method, args) };
}

export function parseResizeFailed(raw: unknown): ResizeFailed {
  const m = 'resize_failed';
  const args = argsOf(m, raw, ['uuid', 'migration_uuid', 'host', 'reason']);
  return {
    uuid: uuidArg(m, args), migration_uuid: uuidArg(m, args, 'migration_uuid'), host: hostArg(m, args),
    reason: text(m, args, 'reason', 255) ?? '',
  };
}
