// The world the conductor tests run in: the compute harness on a memory bus, a REAL placement
// service (127.0.0.1 listener, reached by a PlacementClient with the admin's token), and fake
// compute hosts (service + compute node rows, a resource provider each) whose test-side agent on
// topic `compute` answers build_and_run_instance as the test says. Conductors are started by the
// test (startConductor) and stopped with the rest by close().
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { MemoryBus, type BusArgs, type Handlers, type Server } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { PlacementClient, type Inventories } from '../../../src/core/clients/index.js';
import { userTokenAuth } from '../../../src/compute/clients.js';
import type { PlacementDb } from '../../../src/placement/db/schema.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../../../src/placement/service.js';
import { serveConductor, type ConductorServer } from '../../../src/compute/conductor/conductor.js';
import { recordComputeNode, recordServiceHeartbeat } from '../../../src/compute/domain/services.js';
import { recordInstanceAction } from '../../../src/compute/domain/servers/instance-actions.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import type { FlavorSnapshot, InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

export const FLAVOR: FlavorSnapshot = {
  id: 1, flavorid: '1', name: 'm1.test', memory_mb: 1024, vcpus: 1, root_gb: 10, ephemeral_gb: 0, swap: 0, rxtx_factor: 1,
  description: null, extra_specs: {},
};

export interface ConductorWorld {
  readonly h: ComputeHarness;
  readonly bus: MemoryBus;
  readonly placement: PlacementClient;
  /** host → its compute node's (and resource provider's) uuid. */
  readonly nodes: Record<string, string>;
  /** What the memory bus reported (handler errors of casts). */
  readonly busErrors: unknown[];
  /** The conductors started so far, stopped by close() (a test that stops one itself may take it out). */
  readonly conductors: ConductorServer[];
  /** Serves a conductor on the bus (stopped by close()). */
  startConductor(name: string): Promise<ConductorServer>;
  /** Inserts n servers as POST /servers leaves them (nothing cast); their uuids and request id. */
  instances(n: number, opts?: { min?: number; spec?: boolean; state?: Partial<InstanceRow> }): Promise<{ uuids: string[]; requestId: string }>;
  close(): Promise<void>;
}

export interface ConductorWorldOptions {
  readonly hosts: readonly string[];
  /** The fake agent of `host`: what its build_and_run_instance does. */
  readonly agent: (host: string, build: InstanceBuild) => Promise<void>;
  /** Each host's inventory, set at start when given. */
  readonly inventory?: Inventories;
  /** More `compute` methods each fake agent serves (the move tests record resize casts). */
  readonly handlers?: (host: string) => Handlers;
}

export async function startConductorWorld(options: ConductorWorldOptions): Promise<ConductorWorld> {
  const busErrors: unknown[] = [];
  const bus = new MemoryBus({ onError: (e) => busErrors.push(e) });
  const h = await startCompute({ bus });
  const pdb = h.identity.deps.db as unknown as Kysely<PlacementDb>;
  await migratePlacement(pdb);
  const placementApp: FastifyInstance = createPlacementService(buildPlacementDeps(h.identity.config, pdb), h.identity.deps.tokens, createLogger('silent')).app;
  const url = await placementApp.listen({ host: '127.0.0.1', port: 0 });
  const placement = PlacementClient.create(userTokenAuth(h.adminToken, { placement: url }));
  const conductors: ConductorServer[] = [];
  const agents: Server[] = [];
  const nodes: Record<string, string> = {};
  for (const host of options.hosts) {
    await recordServiceHeartbeat(h.db, { host, binary: 'nova-compute', topic: 'compute' });
    const uuid = randomUUID();
    await recordComputeNode(h.db, {
      uuid, host, hypervisor_hostname: `${host}.example`, hypervisor_type: 'QEMU', hypervisor_version: 8002000, vcpus: 16,
      memory_mb: 16384, local_gb: 1000, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, running_vms: 0,
      disk_available_least: 1000, cpu_info: { arch: 'x86_64' },
    });
    await placement.ensureResourceProvider(uuid, `${host}.example`);
    if (options.inventory) await placement.setInventories(uuid, options.inventory);
    nodes[host] = uuid;
    agents.push(await bus.serve('compute', host, {
      build_and_run_instance: async (args: BusArgs) => options.agent(host, args.build as InstanceBuild),
      ...options.handlers?.(host),
    }));
  }

  async function instances(n: number, opts: { min?: number; spec?: boolean; state?: Partial<InstanceRow> } = {}): Promise<{ uuids: string[]; requestId: string }> {
    const requestId = `req-${randomUUID()}`;
    const uuids = Array.from({ length: n }, () => randomUUID());
    const now = nowIso();
    for (const [i, uuid] of uuids.entries()) {
      const row: InstanceRow = {
        uuid, id: 0, project_id: h.adminProjectId, user_id: h.adminUserId, display_name: `vm-${i}`, display_description: null,
        hostname: `vm-${i}`, vm_state: 'building', task_state: 'scheduling', power_state: 0, host: null, node: null,
        compute_node_uuid: null, availability_zone: null, requested_availability_zone: null, flavor: JSON.stringify(FLAVOR),
        vcpus: 1, memory_mb: 1024, root_gb: 10, ephemeral_gb: 0, image_ref: randomUUID(), key_name: null, key_data: null,
        user_data: null, config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: 0, locked_by: null, locked_reason: null,
        reservation_id: `r-${requestId.slice(4, 12)}`, launch_index: i, root_device_name: null, progress: 0, system_metadata: '{}',
        created_at: now, updated_at: now, scheduled_at: null, launched_at: null, terminated_at: null, deleted: 0, deleted_at: null,
        ...opts.state,
      };
      await h.db.transaction().execute(async (trx) => {
        const max = await trx.selectFrom('nova_instance').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
        await trx.insertInto('nova_instance').values({ ...row, id: Number(max?.m ?? 0) + 1 }).execute();
        if (opts.spec !== false) {
          await trx.insertInto('nova_request_spec').values({
            instance_uuid: uuid, created_at: now, updated_at: now,
            spec: JSON.stringify({
              instance_uuids: uuids, num_instances: n, min_count: opts.min ?? n, project_id: h.adminProjectId, user_id: h.adminUserId,
              flavor: FLAVOR, image: { id: row.image_ref, properties: {} }, requested_networks: [], security_groups: ['default'],
              availability_zone: null, force_host: null, force_node: null, scheduler_hints: {}, config_drive: false,
              key_name: null, key_data: null, user_data: null, metadata: {}, admin_password: null, request_id: requestId,
            }),
          }).execute();
        }
        await recordInstanceAction(trx, { action: 'create', instanceUuid: uuid, requestId, userId: h.adminUserId, projectId: h.adminProjectId });
      });
    }
    return { uuids, requestId };
  }

  return {
    h, bus, placement, nodes, busErrors, conductors, instances,
    async startConductor(name) {
      const c = await serveConductor(bus, { db: h.db, compute: h.deps.compute, placement }, name);
      conductors.push(c);
      return c;
    },
    async close() {
      for (const c of conductors) await c.stop().catch(() => undefined);
      for (const a of agents) await a.stop();
      await placementApp.close();
      await h.close();
      await bus.close();
    },
  };
}
