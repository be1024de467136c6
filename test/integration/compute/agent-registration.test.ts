// A compute agent registering itself: the conductor served by the compute API process on a memory
// bus, the REAL placement service on a 127.0.0.1 listener reached by a PlacementClient through a
// ServiceAuth against the (also listening) identity service. After start the service and compute
// node exist, `openstack hypervisor list` shows the node, and Placement has its provider with
// Nova's inventory and the driver's traits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { MemoryBus, RemoteError, type Server } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { PlacementClient, ServiceAuth } from '../../../src/core/clients/index.js';
import type { PlacementDb } from '../../../src/placement/db/schema.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../../../src/placement/service.js';
import { ComputeAgent, hostResources, type HostResources } from '../../../src/compute/agent/index.js';
import { CONDUCTOR_TOPIC, serveConductor } from '../../../src/compute/conductor/index.js';
import { makeProject, makeUser, roleIdByName } from '../../support/assignment-fixtures.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('compute agent registration (conductor + real placement)', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let conductor: Server;
  let placementApp: FastifyInstance;
  let placement: PlacementClient;
  let dir: string;
  let resources: HostResources;
  const agents: ComputeAgent[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-agent-reg-'));
    bus = new MemoryBus();
    h = await startCompute({ bus });
    conductor = await serveConductor(bus, h.deps, 'ctl');
    const identity = h.identity;
    const pdb = identity.deps.db as unknown as Kysely<PlacementDb>;
    await migratePlacement(pdb);
    placementApp = createPlacementService(buildPlacementDeps(identity.config, pdb), identity.deps.tokens, createLogger('silent')).app;
    const placementUrl = await placementApp.listen({ host: '127.0.0.1', port: 0 });
    const identityUrl = await identity.app.listen({ host: '127.0.0.1', port: 0 });
    const serviceProject = await makeProject(identity, 'default');
    const nova = await makeUser(identity);
    const grant = await identity.request('PUT', `/v3/projects/${serviceProject}/users/${nova.id}/roles/${await roleIdByName(identity, 'admin')}`);
    assert.equal(grant.statusCode, 204, grant.body);
    const auth = new ServiceAuth({
      authUrl: `${identityUrl}/v3`, username: nova.name, password: nova.password, projectId: serviceProject,
      catalog: false, endpointOverrides: { placement: placementUrl },
    });
    placement = PlacementClient.create(auth);
    resources = { ...hostResources({ instancesDir: dir, hypervisorHostname: 'cmp1.example' }), local_gb: 40, disk_available_least: 35 };
  });

  after(async () => {
    for (const a of agents) await a.stop();
    await conductor?.stop();
    await placementApp?.close();
    await h?.close();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agent = (host: string, r: () => HostResources, reportIntervalMs = 60_000): ComputeAgent => {
    const a = new ComputeAgent({ bus, host, placement, resources: r, reportIntervalMs });
    agents.push(a);
    return a;
  };

  it('registers its service, compute node and resource provider with Nova\'s inventory and traits', async () => {
    const a = agent('cmp1', () => resources);
    await a.start();
    assert.equal(a.reports, 1);
    const service = await h.db.selectFrom('nova_service').selectAll().where('host', '=', 'cmp1').executeTakeFirstOrThrow();
    assert.equal(service.binary, 'nova-compute');
    assert.equal(service.topic, 'compute');
    assert.ok(service.last_seen_up);
    const node = await h.db.selectFrom('nova_compute_node').selectAll().where('host', '=', 'cmp1').executeTakeFirstOrThrow();
    assert.equal(node.uuid, a.nodeUuid);
    assert.equal(node.service_id, service.id);
    assert.equal(node.vcpus, resources.vcpus);
    assert.equal(node.cpu_allocation_ratio, 4);

    const rp = await placement.getResourceProvider(node.uuid);
    assert.equal(rp?.name, 'cmp1.example');
    const { inventories } = await placement.getInventories(node.uuid);
    assert.deepEqual(inventories.VCPU, { total: resources.vcpus, reserved: 0, min_unit: 1, max_unit: resources.vcpus, step_size: 1, allocation_ratio: 4 });
    assert.equal(inventories.MEMORY_MB!.total, resources.memory_mb);
    assert.equal(inventories.MEMORY_MB!.reserved, 512);
    assert.equal(inventories.MEMORY_MB!.allocation_ratio, 1);
    assert.deepEqual(inventories.DISK_GB, { total: 40, reserved: 0, min_unit: 1, max_unit: 40, step_size: 1, allocation_ratio: 1 });
    const { traits } = await placement.getProviderTraits(node.uuid);
    assert.ok(traits.includes('COMPUTE_NODE') && traits.includes('COMPUTE_IMAGE_TYPE_QCOW2'), traits.join());
    assert.ok(!traits.includes('COMPUTE_STATUS_DISABLED'));

    // What the API now shows.
    const hyp = await h.request('GET', '/v2.1/os-hypervisors/detail', { version: '2.53' });
    assert.equal(hyp.statusCode, 200, hyp.body);
    const [one] = hyp.json().hypervisors;
    assert.equal(one.id, node.uuid);
    assert.equal(one.state, 'up');
    assert.equal(one.hypervisor_type, 'QEMU');
    assert.equal(one.service.id, service.uuid);
    const zones = await h.request('GET', '/v2.1/os-availability-zone', { token: h.alice.token });
    assert.deepEqual(zones.json(), { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] });
  });

  it('refreshes on every report: heartbeat, changed resources and inventory, no second provider', async () => {
    const a = agents[0]!;
    const before = await h.db.selectFrom('nova_service').selectAll().where('host', '=', 'cmp1').executeTakeFirstOrThrow();
    await h.db.updateTable('nova_service').set({ last_seen_up: '2020-01-01T00:00:00Z' }).where('id', '=', before.id).execute();
    resources = { ...resources, local_gb: 50 };
    await a.reportNow();
    assert.equal(a.lastError, undefined);
    const after = await h.db.selectFrom('nova_service').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow();
    assert.notEqual(after.last_seen_up, '2020-01-01T00:00:00Z');
    assert.equal(after.report_count, 2);
    assert.equal((await h.db.selectFrom('nova_compute_node').select('local_gb').where('host', '=', 'cmp1').executeTakeFirstOrThrow()).local_gb, 50);
    assert.equal((await placement.getInventories(a.nodeUuid!)).inventories.DISK_GB!.total, 50);
    assert.equal((await placement.listResourceProviders()).length, 1);
  });

  it('marks its provider COMPUTE_STATUS_DISABLED while the service is disabled', async () => {
    const a = agents[0]!;
    const svc = await h.db.selectFrom('nova_service').select('uuid').where('host', '=', 'cmp1').executeTakeFirstOrThrow();
    const off = await h.request('PUT', `/v2.1/os-services/${svc.uuid}`, { version: '2.53', body: { status: 'disabled', disabled_reason: 'maintenance' } });
    assert.equal(off.statusCode, 200, off.body);
    await a.reportNow();
    assert.ok((await placement.getProviderTraits(a.nodeUuid!)).traits.includes('COMPUTE_STATUS_DISABLED'));
    await h.request('PUT', `/v2.1/os-services/${svc.uuid}`, { version: '2.53', body: { status: 'enabled' } });
    await a.reportNow();
    assert.ok(!(await placement.getProviderTraits(a.nodeUuid!)).traits.includes('COMPUTE_STATUS_DISABLED'));
  });

  it('heartbeats on its interval and stops cleanly', async () => {
    const a = agent('cmp2', () => ({ ...resources, hypervisor_hostname: 'cmp2.example' }), 30);
    await a.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.stop();
    const reports = a.reports;
    assert.ok(reports >= 3, `only ${reports} reports`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(a.reports, reports);
    assert.equal((await placement.listResourceProviders()).length, 2);
  });

  it('deleting the compute service removes its node and, with a PlacementClient in deps, its provider', async () => {
    const a = agents[1]!;
    (h.deps as { placement?: PlacementClient }).placement = placement;
    try {
      const svc = await h.db.selectFrom('nova_service').select('uuid').where('host', '=', 'cmp2').executeTakeFirstOrThrow();
      const del = await h.request('DELETE', `/v2.1/os-services/${svc.uuid}`, { version: '2.53' });
      assert.equal(del.statusCode, 204, del.body);
      assert.equal(await placement.getResourceProvider(a.nodeUuid!), undefined);
      assert.equal((await h.db.selectFrom('nova_compute_node').selectAll().where('host', '=', 'cmp2').execute()).length, 0);
      // An agent that keeps running registers again (as nova-compute does after a restart).
      await a.reportNow();
      assert.ok(await placement.getResourceProvider(a.nodeUuid!));
    } finally {
      delete (h.deps as { placement?: PlacementClient }).placement;
    }
  });

  it('racing first heartbeats of one host create one service and one node', async () => {
    const args = { host: 'race1', binary: 'nova-compute', topic: 'compute' };
    await Promise.all(Array.from({ length: 8 }, () => bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', args)));
    assert.equal((await h.db.selectFrom('nova_service').selectAll().where('host', '=', 'race1').execute()).length, 1);
    const node = {
      uuid: '22222222-3333-4444-8555-666666666666', host: 'race1', hypervisor_hostname: 'race1', hypervisor_type: 'QEMU', hypervisor_version: 1,
      vcpus: 1, memory_mb: 1024, local_gb: 1, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, running_vms: 0, disk_available_least: 0, cpu_info: {},
    };
    await Promise.all(Array.from({ length: 8 }, () => bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', node)));
    assert.equal((await h.db.selectFrom('nova_compute_node').selectAll().where('host', '=', 'race1').execute()).length, 1);
    assert.equal((await h.db.selectFrom('nova_service').select('report_count').where('host', '=', 'race1').executeTakeFirstOrThrow()).report_count, 8);
  });

  it('the conductor refuses malformed calls and a node claimed by another uuid', async () => {
    const bad: Record<string, unknown>[] = [{}, { host: 'x;rm', binary: 'nova-compute', topic: 'compute' }, { host: 'h', binary: 'sh', topic: 't' }];
    for (const args of bad) await assert.rejects(bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', args), RemoteError);
    await assert.rejects(bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', { host: 'cmp1' }), RemoteError);
    const node = await h.db.selectFrom('nova_compute_node').selectAll().where('host', '=', 'cmp1').executeTakeFirstOrThrow();
    await assert.rejects(bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', {
      uuid: '11111111-2222-4333-8444-555555555555', host: 'cmp1', hypervisor_hostname: node.hypervisor_hostname, hypervisor_type: 'QEMU',
      hypervisor_version: 1, vcpus: 1, memory_mb: 1, local_gb: 1, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, running_vms: 0,
      disk_available_least: 0, cpu_info: {},
    }), /already exists/);
    // A failing report is kept, not thrown, and the next one recovers.
    const broken = agent('cmp3', () => { throw new Error('no /proc'); });
    await assert.rejects(broken.start(), /no \/proc/);
  });
});
