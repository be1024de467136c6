// One scheduling decision at scale: 1000 compute hosts (service + compute node rows, a Placement
// resource provider each with inventory) in a REAL placement service on a 127.0.0.1 listener, and
// the conductor's path for one instance timed phase by phase: GET /allocation_candidates →
// host states from the database → filters and weighers → PUT /allocations (the claim).
// Register in bench/main.ts as part of `compute` (runComputeSchedulerBench).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { parseConfig } from '../src/core/config.js';
import { createLogger } from '../src/core/logger.js';
import { PlacementClient } from '../src/core/clients/index.js';
import { openDatabase } from '../src/db/database.js';
import type { IdentityDb } from '../src/identity/db/schema.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import { buildIdentityDeps, createIdentityService, migrateIdentity } from '../src/identity/service.js';
import type { PlacementDb } from '../src/placement/db/schema.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../src/placement/service.js';
import { userTokenAuth } from '../src/compute/clients.js';
import { computeConfigOf } from '../src/compute/config.js';
import type { ComputeDb } from '../src/compute/db/schema.js';
import { recordComputeNode, recordServiceHeartbeat } from '../src/compute/domain/services.js';
import { migrateCompute } from '../src/compute/service.js';
import { loadHostStates, parseRequestSpec, requiredTraits, resourcesFromFlavor, selectHosts } from '../src/compute/scheduler/index.js';
import type { BenchLog } from './bench-log.js';
import { summarizeLatencies } from './stats.js';

const PASSWORD = 'bench-password';

export interface SchedulerBenchOptions {
  readonly hosts?: number;
  readonly decisions?: number;
}

export async function runComputeSchedulerBench(log: BenchLog, options: SchedulerBenchOptions = {}): Promise<Record<string, unknown>> {
  const hostCount = options.hosts ?? 1000;
  const decisions = options.decisions ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-sched-'));
  const config = parseConfig({ dataDir: dir, logLevel: 'silent' });
  const database = openDatabase<IdentityDb>(config.databaseUrl);
  const logger = createLogger('silent');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await migrateIdentity(database.db);
    const ideps = buildIdentityDeps(config, database.db, undefined);
    await bootstrapIdentity(database.db, ideps.hasher, { adminPassword: PASSWORD, region: 'RegionOne', services: [] });
    const identity = createIdentityService(ideps, logger).app;
    closers.push(() => identity.close());
    const res = await identity.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: PASSWORD } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    } }) });
    if (res.statusCode !== 201) throw new Error(`bench token: ${res.statusCode} ${res.body}`);
    const token = String(res.headers['x-subject-token']);

    const pdb = database.db as unknown as Kysely<PlacementDb>;
    await migratePlacement(pdb);
    const placementApp = createPlacementService(buildPlacementDeps(config, pdb), ideps.tokens, logger).app;
    closers.push(() => placementApp.close());
    const placement = PlacementClient.create(userTokenAuth(token, { placement: await placementApp.listen({ host: '127.0.0.1', port: 0 }) }));
    const db = database.db as unknown as Kysely<ComputeDb>;
    await migrateCompute(db);
    const compute = computeConfigOf(config);

    log(`creating ${hostCount} compute hosts and resource providers`);
    const setupStart = performance.now();
    for (let i = 0; i < hostCount; i++) {
      const host = `cmp${String(i).padStart(4, '0')}`;
      const uuid = randomUUID();
      await recordServiceHeartbeat(db, { host, binary: 'nova-compute', topic: 'compute' });
      // Varied sizes so the weighers have something to sort.
      const memory = 65536 + (i % 17) * 4096;
      await recordComputeNode(db, {
        uuid, host, hypervisor_hostname: `${host}.example`, hypervisor_type: 'QEMU', hypervisor_version: 8002000, vcpus: 32,
        memory_mb: memory, local_gb: 2000, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, running_vms: 0,
        disk_available_least: 2000, cpu_info: { arch: 'x86_64' },
      });
      await placement.createResourceProvider({ uuid, name: `${host}.example` });
      await placement.setInventories(uuid, {
        VCPU: { total: 32, allocation_ratio: 4 }, MEMORY_MB: { total: memory, reserved: 512 }, DISK_GB: { total: 2000 },
      });
      if (i % 200 === 199) log(`  ${i + 1} hosts`);
    }
    const setupMs = performance.now() - setupStart;

    const spec = parseRequestSpec(JSON.stringify({
      instance_uuids: [randomUUID()], num_instances: 1, min_count: 1, project_id: 'bench', user_id: 'bench',
      flavor: { id: 1, flavorid: '1', name: 'm1.small', memory_mb: 2048, vcpus: 1, root_gb: 20, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
      image: { id: randomUUID(), properties: {} }, request_id: 'req-bench',
    }));
    const resources = resourcesFromFlavor(spec.flavor, false);
    const phases = { candidates: [] as number[], host_states: [] as number[], filter_weigh: [] as number[], claim: [] as number[], total: [] as number[] };
    let candidateCount = 0;
    log(`timing ${decisions} scheduling decisions`);
    for (let i = 0; i < decisions; i++) {
      const uuid = randomUUID();
      const t0 = performance.now();
      const candidates = await placement.getAllocationCandidates({ resources, required: requiredTraits(spec.flavor), limit: compute.scheduler.maxPlacementResults });
      const t1 = performance.now();
      const nodes = [...new Set(candidates.allocation_requests.flatMap((r) => Object.keys(r.allocations)))];
      const states = await loadHostStates(db, nodes, candidates.provider_summaries, compute);
      const t2 = performance.now();
      const chosen = selectHosts({ ...spec, instance_uuids: [uuid] }, nodes, states, compute)[0]?.[0];
      const t3 = performance.now();
      if (!chosen) throw new Error('no host chosen');
      await placement.claimResources(uuid, { [chosen.node_uuid]: { resources } }, 'bench', 'bench');
      const t4 = performance.now();
      candidateCount = nodes.length;
      phases.candidates.push(t1 - t0);
      phases.host_states.push(t2 - t1);
      phases.filter_weigh.push(t3 - t2);
      phases.claim.push(t4 - t3);
      phases.total.push(t4 - t0);
    }
    return {
      bench: 'compute-scheduler', hosts: hostCount, decisions, candidates_per_decision: candidateCount,
      setup_s: Math.round(setupMs / 10) / 100,
      decision: summarizeLatencies(phases.total),
      phases: Object.fromEntries(Object.entries(phases).filter(([k]) => k !== 'total').map(([k, v]) => [k, summarizeLatencies(v)])),
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
