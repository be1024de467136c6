// os-hypervisors through the real compute app, with compute nodes reported over the bus by the
// conductor: list/detail at 2.1, 2.28 (cpu_info object), 2.33 (paging), 2.53 (uuids, pattern,
// with_servers), 2.75 (empty servers) and 2.88 (no stats, uptime); show; statistics; the legacy
// search and servers routes; bad input answered with Nova's faults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Server } from '../../../src/bus/index.js';
import { CONDUCTOR_TOPIC, serveConductor } from '../../../src/compute/conductor/index.js';
import { nowIso } from '../../../src/compute/db/transaction.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

const UUIDS = ['6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01', '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c02', '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c03'];
const HOSTS = ['cmp1', 'cmp2', 'cmp3'];

describe('os-hypervisors', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let conductor: Server;

  const get = async (url: string, version = '2.1', status = 200) => {
    const res = await h.request('GET', `/v2.1/os-hypervisors${url}`, { version });
    assert.equal(res.statusCode, status, `${url} @${version}: ${res.body}`);
    return res.json();
  };

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    conductor = await serveConductor(bus, h.deps, 'ctl');
    for (const [i, host] of HOSTS.entries()) {
      await bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host, binary: 'nova-compute', topic: 'compute' });
      await bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', {
        uuid: UUIDS[i], host, hypervisor_hostname: `${host}.example`, hypervisor_type: 'QEMU', hypervisor_version: 7002000,
        vcpus: 4, memory_mb: 8192, local_gb: 100, vcpus_used: i, memory_mb_used: 512 + i * 1024, local_gb_used: i * 10, running_vms: i,
        disk_available_least: 90 - i, cpu_info: { arch: 'x86_64', model: 'qemu64', vendor: 'Intel', topology: { cells: 1, sockets: 1, cores: 4, threads: 1 }, features: [] },
        host_ip: `192.0.2.${i + 1}`,
      });
    }
    // An orphaned node (its service is gone): Nova leaves it out.
    const now = nowIso();
    await h.db.insertInto('nova_compute_node').values({
      id: 99, uuid: '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c99', service_id: null, host: 'ghost', hypervisor_hostname: 'ghost.example',
      hypervisor_type: 'QEMU', hypervisor_version: 1, vcpus: 1, memory_mb: 1, local_gb: 1, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0,
      free_ram_mb: 1, free_disk_gb: 1, running_vms: 0, disk_available_least: 1, cpu_info: '{}', host_ip: null, cpu_allocation_ratio: 4,
      ram_allocation_ratio: 1, disk_allocation_ratio: 1, created_at: now, updated_at: now,
    }).execute();
    await h.db.insertInto('nova_instance').values({
      uuid: '11111111-2222-4333-8444-555555555555', id: 1, project_id: h.alice.projectId, user_id: h.alice.userId, display_name: 'vm1',
      display_description: null, hostname: 'vm1', vm_state: 'active', task_state: 'spawning', power_state: 1, host: 'cmp2', node: 'cmp2.example',
      compute_node_uuid: UUIDS[1]!, availability_zone: 'nova', requested_availability_zone: null, flavor: '{}', vcpus: 1, memory_mb: 64,
      root_gb: 1, ephemeral_gb: 0, image_ref: '', key_name: null, key_data: null, user_data: null, config_drive: '', access_ip_v4: null,
      access_ip_v6: null, locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-1', launch_index: 0, root_device_name: null,
      progress: 0, system_metadata: '{}', created_at: now, updated_at: now, scheduled_at: null, launched_at: null,
      terminated_at: null, deleted: 0, deleted_at: null,
    }).execute();
  });
  after(async () => {
    await conductor?.stop();
    await h?.close();
    await bus?.close();
  });

  it('lists hypervisors as `openstack hypervisor list` reads them (2.1)', async () => {
    const body = await get('');
    assert.deepEqual(body, {
      hypervisors: HOSTS.map((host, i) => ({ id: i + 1, hypervisor_hostname: `${host}.example`, state: 'up', status: 'enabled' })),
    });
  });

  it('shows details with resource fields by microversion', async () => {
    const [d21] = (await get('/detail')).hypervisors;
    assert.deepEqual(Object.keys(d21).sort(), ['cpu_info', 'current_workload', 'disk_available_least', 'free_disk_gb', 'free_ram_mb',
      'host_ip', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version', 'id', 'local_gb', 'local_gb_used', 'memory_mb',
      'memory_mb_used', 'running_vms', 'service', 'state', 'status', 'vcpus', 'vcpus_used']);
    assert.equal(typeof d21.cpu_info, 'string');
    assert.deepEqual(d21.service, { id: 1, host: 'cmp1', disabled_reason: null });
    assert.deepEqual([d21.hypervisor_type, d21.hypervisor_version, d21.host_ip, d21.free_ram_mb, d21.free_disk_gb], ['QEMU', 7002000, '192.0.2.1', 7680, 100]);
    const d228 = (await get('/detail', '2.28')).hypervisors[1];
    assert.equal(d228.cpu_info.arch, 'x86_64');
    assert.equal(d228.current_workload, 1);
    const d288 = (await get('/detail', '2.88')).hypervisors[0];
    assert.deepEqual(Object.keys(d288).sort(), ['host_ip', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version', 'id', 'service', 'state', 'status', 'uptime']);
    assert.equal(d288.id, UUIDS[0]);
    assert.equal(d288.uptime, null);
  });

  it('pages from 2.33 with an integer marker, from 2.53 with a uuid marker', async () => {
    const page1 = await get('?limit=2', '2.33');
    assert.deepEqual(page1.hypervisors.map((x: any) => x.id), [1, 2]);
    assert.match(page1.hypervisors_links[0].href, /\/v2\.1\/os-hypervisors\?limit=2&marker=2$/);
    const page2 = await get('?limit=2&marker=2', '2.33');
    assert.deepEqual(page2.hypervisors.map((x: any) => x.id), [3]);
    assert.equal(page2.hypervisors_links, undefined);
    const detail = await get('/detail?limit=1', '2.53');
    assert.equal(detail.hypervisors[0].id, UUIDS[0]);
    assert.match(detail.hypervisors_links[0].href, new RegExp(`/v2\\.1/os-hypervisors/detail\\?limit=1&marker=${UUIDS[0]}$`));
    assert.deepEqual((await get(`/detail?marker=${UUIDS[0]}`, '2.53')).hypervisors.map((x: any) => x.id), [UUIDS[1], UUIDS[2]]);
    assert.equal((await get('?marker=7', '2.33', 400)).badRequest.message, 'marker [7] not found');
    assert.equal((await get('?marker=1', '2.53', 400)).badRequest.message, 'marker [1] not found');
    // Before 2.33 paging parameters are ignored.
    assert.equal((await get('?limit=1')).hypervisors.length, 3);
  });

  it('filters by hostname pattern and shows servers from 2.53', async () => {
    const found = await get('?hypervisor_hostname_pattern=cmp2', '2.53');
    assert.deepEqual(found.hypervisors.map((x: any) => x.hypervisor_hostname), ['cmp2.example']);
    const withServers = await get('/detail?with_servers=true', '2.53');
    assert.deepEqual(withServers.hypervisors[1].servers, [{ name: 'vm1', uuid: '11111111-2222-4333-8444-555555555555' }]);
    assert.equal(withServers.hypervisors[0].servers, undefined);
    assert.deepEqual((await get('?with_servers=1', '2.75')).hypervisors[0].servers, []);
    assert.equal((await get('?hypervisor_hostname_pattern=nothing', '2.53', 404)).itemNotFound.message, "No hypervisor matching 'nothing' could be found.");
    assert.equal((await get('?hypervisor_hostname_pattern=cmp&limit=1', '2.53', 400)).badRequest.message,
      'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
    assert.match((await get('?bogus=1', '2.53', 400)).badRequest.message, /Additional properties are not allowed/);
    assert.match((await get('?with_servers=maybe', '2.53', 400)).badRequest.message, /with_servers/);
    assert.match((await get('?limit=-1', '2.33', 400)).badRequest.message, /limit/);
  });

  it('shows one hypervisor by id (< 2.53) or uuid (2.53)', async () => {
    const byId = (await get('/2')).hypervisor;
    assert.equal(byId.hypervisor_hostname, 'cmp2.example');
    assert.equal(byId.running_vms, 1);
    const byUuid = (await get(`/${UUIDS[1]}?with_servers=true`, '2.53')).hypervisor;
    assert.equal(byUuid.id, UUIDS[1]);
    assert.equal(byUuid.servers.length, 1);
    assert.equal((await get('/abc', '2.1', 404)).itemNotFound.message, "Hypervisor with ID 'abc' could not be found.");
    assert.equal((await get('/99', '2.1', 404)).itemNotFound.message, "Hypervisor with ID '99' could not be found.");
    assert.equal((await get('/2', '2.53', 400)).badRequest.message, 'Invalid uuid 2');
    assert.equal((await get('/00000000-0000-4000-8000-000000000000', '2.53', 404)).itemNotFound.message,
      "Hypervisor with ID '00000000-0000-4000-8000-000000000000' could not be found.");
  });

  it('answers the host\'s uptime from its agent (< 2.88), and in show from 2.88', async () => {
    const line = ' 10:00:00 up 3 days,  1:02,  0 users,  load average: 0.00, 0.01, 0.05';
    const agent = await bus.serve('compute', 'cmp1', { get_host_uptime: async (args) => { assert.deepEqual(args, {}); return { uptime: line }; } });
    try {
      assert.deepEqual(await get('/1/uptime'), { hypervisor: { id: 1, hypervisor_hostname: 'cmp1.example', state: 'up', status: 'enabled', uptime: line } });
      assert.equal((await get(`/${UUIDS[0]}/uptime`, '2.53')).hypervisor.uptime, line);
      assert.equal((await get(`/${UUIDS[0]}`, '2.88')).hypervisor.uptime, line);
      assert.equal((await get(`/${UUIDS[0]}/uptime`, '2.88', 404)).itemNotFound !== undefined, true);
      assert.equal((await get('/999/uptime', '2.1', 404)).itemNotFound.message, "Hypervisor with ID '999' could not be found.");
      assert.equal((await get('/abc/uptime', '2.53', 400)).badRequest.message, 'Invalid uuid abc');
      const refused = await h.request('GET', '/v2.1/os-hypervisors/1/uptime', { token: h.alice.token });
      assert.equal(refused.statusCode, 403);
    } finally {
      await agent.stop();
    }
  });

  it('sums statistics over enabled compute services (< 2.88)', async () => {
    assert.deepEqual((await get('/statistics')).hypervisor_statistics, {
      count: 3, vcpus: 12, memory_mb: 24576, local_gb: 300, vcpus_used: 3, memory_mb_used: 4608, local_gb_used: 30,
      free_ram_mb: 19968, free_disk_gb: 270, current_workload: 1, running_vms: 3, disk_available_least: 267,
    });
    const off = await h.request('PUT', '/v2.1/os-services/disable', { body: { host: 'cmp3', binary: 'nova-compute' } });
    assert.equal(off.statusCode, 200);
    try {
      const stats = (await get('/statistics')).hypervisor_statistics;
      assert.equal(stats.count, 2);
      assert.equal(stats.vcpus, 8);
      assert.equal((await get('')).hypervisors[2].status, 'disabled');
    } finally {
      await h.request('PUT', '/v2.1/os-services/enable', { body: { host: 'cmp3', binary: 'nova-compute' } });
    }
    await get('/statistics', '2.88', 404);
  });

  it('searches and lists servers by pattern before 2.53', async () => {
    assert.deepEqual((await get('/cmp/search')).hypervisors.map((x: any) => x.id), [1, 2, 3]);
    const servers = (await get('/cmp/servers')).hypervisors;
    assert.equal(servers[0].servers, undefined);
    assert.deepEqual(servers[1].servers, [{ name: 'vm1', uuid: '11111111-2222-4333-8444-555555555555' }]);
    assert.equal((await get('/zzz/search', '2.1', 404)).itemNotFound.message, "No hypervisor matching 'zzz' could be found.");
    await get('/cmp/search', '2.53', 404);
    await get('/cmp/servers', '2.53', 404);
  });

  it('reports a hypervisor down when its service stops reporting', async () => {
    await h.db.updateTable('nova_service').set({ last_seen_up: '2020-01-01T00:00:00Z' }).where('host', '=', 'cmp1').execute();
    assert.equal((await get('/1')).hypervisor.state, 'down');
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host: 'cmp1', binary: 'nova-compute', topic: 'compute' });
    assert.equal((await get('/1')).hypervisor.state, 'up');
  });

  it('is admin only', async () => {
    for (const url of ['', '/detail', '/1', '/statistics', '/cmp/search', '/cmp/servers']) {
      const res = await h.request('GET', `/v2.1/os-hypervisors${url}`, { token: h.alice.token });
      assert.equal(res.statusCode, 403, url);
      assert.match(res.json().forbidden.message, /^Policy doesn't allow os_compute_api:os-hypervisors:[a-z-]+ to be performed\.$/);
    }
  });
});
