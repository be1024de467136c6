// os-hosts (deprecated, < 2.43) through the real compute app, with a compute service and node
// reported over the bus: the list and its zone filter, a host's usage rows, enable/disable
// through PUT, Nova's 501s (maintenance mode, host power actions), 400/403/404, and 404 from 2.43.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Server } from '../../../src/bus/index.js';
import { CONDUCTOR_TOPIC, serveConductor } from '../../../src/compute/conductor/index.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance } from './server-fixtures.js';

describe('os-hosts', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let conductor: Server;
  const req = (method: string, url: string, options: { body?: unknown; token?: string; version?: string } = {}) =>
    h.request(method, `/v2.1/os-hosts${url}`, { version: '2.42', ...options });

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    conductor = await serveConductor(bus, h.deps, 'ctl');
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host: 'ctl', binary: 'nova-conductor', topic: 'conductor' });
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host: 'host-a', binary: 'nova-compute', topic: 'compute' });
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'compute_node_update', {
      uuid: '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01', host: 'host-a', hypervisor_hostname: 'host-a', hypervisor_type: 'QEMU', hypervisor_version: 7002000,
      vcpus: 4, memory_mb: 8192, local_gb: 100, vcpus_used: 2, memory_mb_used: 768, local_gb_used: 2, running_vms: 2, disk_available_least: 90,
      cpu_info: { arch: 'x86_64', model: 'qemu64', vendor: 'Intel', topology: { cells: 1, sockets: 1, cores: 4, threads: 1 }, features: [] }, host_ip: '192.0.2.1',
    });
    await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId });
    await insertInstance(h.db, { project_id: h.bob.projectId, user_id: h.bob.userId });
  });
  after(async () => {
    await conductor?.stop();
    await h?.close();
    await bus?.close();
  });

  it('lists the enabled services with their zones, filtered by zone', async () => {
    const hosts = (await req('GET', '')).json().hosts;
    assert.deepEqual(hosts.find((x: { host_name: string }) => x.host_name === 'host-a'), { host_name: 'host-a', service: 'compute', zone: 'nova' });
    assert.ok(hosts.some((x: { service: string }) => x.service === 'conductor'));
    assert.deepEqual((await req('GET', '?zone=nova')).json().hosts, [{ host_name: 'host-a', service: 'compute', zone: 'nova' }]);
    assert.equal((await req('GET', '?zone=')).json().hosts.length, hosts.length);
    assert.deepEqual((await req('GET', '?zone=xxx')).json().hosts, []);
  });

  it('shows a host\'s totals, current and maximum use and each project\'s', async () => {
    const rows = (await req('GET', '/host-a')).json().host.map((r: { resource: Record<string, unknown> }) => r.resource);
    assert.deepEqual(rows[0], { host: 'host-a', project: '(total)', cpu: 4, memory_mb: 8192, disk_gb: 100 });
    assert.deepEqual(rows[1], { host: 'host-a', project: '(used_now)', cpu: 2, memory_mb: 768, disk_gb: 2 });
    assert.deepEqual(rows[2], { host: 'host-a', project: '(used_max)', cpu: 2, memory_mb: 256, disk_gb: 2 });
    assert.deepEqual(rows.slice(3).map((r: { project: string }) => r.project).sort(), [h.alice.projectId, h.bob.projectId].sort());
    assert.equal((await req('GET', '/nonexistent')).statusCode, 404);
  });

  it('enables and disables the compute service; maintenance mode and power actions are 501', async () => {
    const off = await req('PUT', '/host-a', { body: { status: 'disable' } });
    assert.deepEqual(off.json(), { host: 'host-a', status: 'disabled' });
    assert.equal((await h.db.selectFrom('nova_service').select('disabled').where('host', '=', 'host-a').executeTakeFirstOrThrow()).disabled, 1);
    assert.deepEqual((await req('PUT', '/host-a', { body: { status: 'Enable' } })).json(), { host: 'host-a', status: 'enabled' });
    assert.equal((await req('PUT', '/host-a', { body: { maintenance_mode: 'enable' } })).statusCode, 501);
    for (const action of ['startup', 'shutdown', 'reboot']) assert.equal((await req('GET', `/host-a/${action}`)).statusCode, 501, action);
  });

  it('refuses bad bodies (400), members (403), unknown hosts (404) and 2.43 (404)', async () => {
    for (const body of [{}, { status: 'invalid', maintenance_mode: 'enable' }, { status: 'enable', maintenance_mode: 'invalid' }, { other: 1 }]) {
      assert.equal((await req('PUT', '/host-a', { body })).statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await req('GET', '', { token: h.alice.token })).statusCode, 403);
    assert.equal((await req('GET', '/host-a', { token: h.alice.token })).statusCode, 403);
    assert.equal((await req('PUT', '/host-a', { token: h.alice.token, body: { status: 'enable' } })).statusCode, 403);
    assert.equal((await req('GET', '/host-a/reboot', { token: h.alice.token })).statusCode, 403);
    assert.equal((await req('PUT', '/nonexistent_hostname', { body: { status: 'enable', maintenance_mode: 'enable' } })).statusCode, 404);
    for (const action of ['startup', 'shutdown', 'reboot']) assert.equal((await req('GET', `/nonexistent_hostname/${action}`)).statusCode, 404);
    assert.equal((await req('GET', '', { version: '2.43' })).statusCode, 404);
  });
});
