// nova-conductor's database side for agents (nova/conductor/manager.py): agents never open the
// database, they call these over the bus. Served for now by the compute API process:
// serveConductor(bus, deps, host) listens on topic `conductor`.
//   service_update      {host, binary, topic, availability_zone?, report_count?}
//                       → {id, uuid, disabled, disabled_reason, forced_down}
//   compute_node_update {uuid, host, hypervisor_hostname, hypervisor_type 'QEMU', hypervisor_version,
//                        vcpus, memory_mb, local_gb, vcpus_used, memory_mb_used, local_gb_used,
//                        running_vms, disk_available_least, cpu_info, host_ip?} → {id, uuid}
//   and the instance methods of instance-protocol.ts (the build flow: build.ts; the agents'
//   reports: instance-handlers.ts; what a restart picks up: restart.ts), and the moves of
//   migration-protocol.ts (migrate.ts; evacuate.ts).
// Arguments are parsed (protocol.ts, instance-protocol.ts) before anything touches the database;
// malformed ones are refused with the parser's error, which the caller receives as a RemoteError.
import type { Bus, Handlers, Server } from '../../bus/index.js';
import type { Logger } from '../../core/logger.js';
import type { Kysely } from 'kysely';
import type { PlacementClient } from '../../core/clients/placement-client.js';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb } from '../db/schema.js';
import { recordComputeNode, recordServiceHeartbeat } from '../domain/services.js';
import type { ConductorDeps } from './build.js';
import {
  actionEventFinish, actionEventStart, buildFailed, faultCreate, infoCacheUpdate, instanceDestroyed, instancesOnHost, instanceUpdate,
} from './instance-handlers.js';
import {
  parseActionEventFinish, parseActionEventStart, parseBuildFailed, parseFaultCreate, parseInfoCacheUpdate, parseInstanceDestroyed,
  parseInstancesOnHost, parseInstanceUpdate, parseScheduleAndBuild,
} from './instance-protocol.js';
import { parseShelveOffloaded, parseUnshelveInstance } from './shelve-protocol.js';
import { shelveOffloaded, unshelveInstance } from './unshelve.js';
import { autoConfirmIntervalMs, confirmOverdueResizes } from './auto-confirm.js';
import { liveMigrateInstance, liveMigrationSwitch, migrateServer, migrationStatus, resizeConfirmed, resizeFailed, resizeRevertSwitch, resizeSwitchHost } from './migrate.js';
import { evacuateInstance, evacuationCleaned, evacuationsFromHost } from './evacuate.js';
import { parseEvacuateInstance, parseLiveMigrate, parseMigrateServer, parseMigrationStatus, parseMigrationStep, parseResizeFailed } from './migration-protocol.js';
import { resumeScheduling, scheduleOrFail, type ResumeResult } from './restart.js';
import {
  CONDUCTOR_TOPIC, parseComputeNodeUpdate, parseServiceUpdate, type ComputeNodeUpdateResult, type ServiceUpdateResult,
} from './protocol.js';

export type { ConductorDeps } from './build.js';

export function conductorHandlers(deps: ConductorDeps): Handlers {
  return {
    service_update: async (args): Promise<ServiceUpdateResult> => {
      const row = await recordServiceHeartbeat(deps.db, parseServiceUpdate(args));
      return { id: row.id, uuid: row.uuid, disabled: row.disabled === 1, disabled_reason: row.disabled_reason, forced_down: row.forced_down === 1 };
    },
    compute_node_update: async (args): Promise<ComputeNodeUpdateResult> => {
      const row = await recordComputeNode(deps.db, parseComputeNodeUpdate(args));
      return { id: row.id, uuid: row.uuid };
    },
    schedule_and_build_instances: (args) => scheduleOrFail(deps, parseScheduleAndBuild(args)),
    instance_update: (args) => instanceUpdate(deps, parseInstanceUpdate(args)),
    instance_info_cache_update: (args) => infoCacheUpdate(deps, parseInfoCacheUpdate(args)),
    instance_fault_create: (args) => faultCreate(deps, parseFaultCreate(args)),
    action_event_start: (args) => actionEventStart(deps, parseActionEventStart(args)),
    action_event_finish: (args) => actionEventFinish(deps, parseActionEventFinish(args)),
    build_failed: (args) => buildFailed(deps, parseBuildFailed(args)),
    instance_destroyed: (args) => instanceDestroyed(deps, parseInstanceDestroyed(args)),
    instances_on_host: (args) => instancesOnHost(deps, parseInstancesOnHost(args).host),
    migrate_server: (args) => migrateServer(deps, parseMigrateServer(args)),
    migration_status: (args) => migrationStatus(deps, parseMigrationStatus(args)),
    resize_switch_host: (args) => resizeSwitchHost(deps, parseMigrationStep('resize_switch_host', args)),
    resize_confirmed: (args) => resizeConfirmed(deps, parseMigrationStep('resize_confirmed', args)),
    resize_revert_switch: (args) => resizeRevertSwitch(deps, parseMigrationStep('resize_revert_switch', args)),
    resize_failed: (args) => resizeFailed(deps, parseResizeFailed(args)),
    unshelve_instance: (args) => unshelveInstance(deps, parseUnshelveInstance(args)),
    shelve_offloaded: (args) => shelveOffloaded(deps, parseShelveOffloaded(args)),
    live_migrate_instance: (args) => liveMigrateInstance(deps, parseLiveMigrate(args)),
    live_migration_switch: (args) => liveMigrationSwitch(deps, parseMigrationStep('live_migration_switch', args)),
    evacuate_instance: (args) => evacuateInstance(deps, parseEvacuateInstance(args)),
    evacuations_from_host: (args) => evacuationsFromHost(deps, parseInstancesOnHost(args, 'evacuations_from_host').host),
    evacuation_cleaned: (args) => evacuationCleaned(deps, parseMigrationStep('evacuation_cleaned', args)),
  };
}

/** What serveConductor takes: ConductorDeps, or the compute API's deps (ComputeDeps), whose clients hold Placement. */
export type ConductorSource =
  | Omit<ConductorDeps, 'bus'>
  | { readonly db: Kysely<ComputeDb>; readonly compute: ComputeConfig; readonly clients: { readonly placement: PlacementClient } };

export interface ConductorServer extends Server {
  /** The start-up pass over servers left waiting for a host (restart.ts). */
  readonly resumed: Promise<ResumeResult>;
}

/**
 * Serves the conductor's RPC for this process on `bus`, then schedules again what a previous
 * process left waiting for a host (in the background: start-up does not wait for Placement), with
 * a second pass for servers too young to judge at first (restart.ts).
 */
export async function serveConductor(bus: Bus, source: ConductorSource, host: string, options: { logger?: Logger } = {}): Promise<ConductorServer> {
  const placement = 'placement' in source ? source.placement : source.clients.placement;
  const deps: ConductorDeps = { db: source.db, compute: source.compute, placement, bus };
  const server = await bus.serve(CONDUCTOR_TOPIC, host, conductorHandlers(deps));
  const staleAfterMs = deps.compute.serviceDownTimeSeconds * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let second: Promise<unknown> = Promise.resolve();
  const pass = (): Promise<ResumeResult> => resumeScheduling(deps, { staleAfterMs }).then((r) => {
    if (r.requests > 0) options.logger?.warn({ instances: r.instances, stale_claims: r.staleClaims }, 'scheduled again servers a previous conductor left waiting for a host');
    for (const err of r.errors) options.logger?.error({ err }, 'scheduling a server again at start failed');
    return r;
  });
  const resumed = pass();
  const windowS = deps.compute.resizeConfirmWindowSeconds;
  const confirmTimer = windowS > 0 ? setInterval(() => {
    confirmOverdueResizes(deps).then((uuids) => {
      if (uuids.length > 0) options.logger?.info({ instances: uuids }, 'confirmed resizes left unconfirmed past resize_confirm_window');
    }, (err: unknown) => options.logger?.warn({ err }, 'automatic resize confirmation failed'));
  }, autoConfirmIntervalMs(windowS)) : undefined;
  confirmTimer?.unref?.();
  void resumed.then((r) => {
    if (r.retryAfterMs === undefined || stopped) return;
    timer = setTimeout(() => { second = pass(); }, r.retryAfterMs);
    timer.unref?.();
  });
  return {
    topic: server.topic, host: server.host, resumed,
    async stop() {
      stopped = true;
      if (confirmTimer !== undefined) clearInterval(confirmTimer);
      await resumed;
      if (timer !== undefined) clearTimeout(timer);
      await second;
      await server.stop();
    },
  };
}
