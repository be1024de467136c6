// GET /servers/{id}/diagnostics through the real compute API, a fake agent on host-a answering
// get_diagnostics over a memory bus: 2.48's standard shape, the legacy dict before it, admin only,
// 409 for a guest that is not running or a server without a host, 404 for unknown servers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../src/bus/index.js';
import type { ServerDiagnostics } from '../../../src/compute/rpc/compute-protocol.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

const STOPPED = '00000000-0000-4000-8000-00000000dead';

const ANSWER: ServerDiagnostics = {
  state: 'running', driver: 'libvirt', hypervisor: 'qemu', hypervisor_os: 'linux', uptime: 42, config_drive: true,
  num_cpus: 1, num_nics: 1, num_disks: 1, memory_details: { maximum: 128, used: 128 },
  cpu_details: [{ id: 0, time: 1_000_000, utilisation: null }],
  nic_details: [{ mac_address: 'fa:16:3e:00:00:01', rx_octets: 1, rx_errors: 0, rx_drop: 0, rx_packets: 1, rx_rate: null, tx_octets: 2, tx_errors: 0, tx_drop: 0, tx_packets: 2, tx_rate: null }],
  disk_details: [{ read_bytes: 10, read_requests: 1, write_bytes: 20, write_requests: 2, errors_count: 0 }],
};

describe('server diagnostics', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  const get = (uuid: string, token = h.adminToken, version = '2.48') => h.request('GET', `/v2.1/servers/${uuid}/diagnostics`, { token, version });

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    agent = await recordingAgent(bus, [], {
      get_diagnostics: async (args) => {
        if (args.uuid === STOPPED) { const e = new Error('not running'); e.name = 'InstanceNotRunning'; throw e; }
        return { ...ANSWER };
      },
    });
  });
  after(async () => {
    await agent?.stop();
    await h?.close();
    await bus?.close();
  });

  it('answers the standard shape from 2.48 and the legacy dict before', async () => {
    const vm = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId });
    const res = await get(vm.uuid);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), ANSWER);
    const legacy = await get(vm.uuid, h.adminToken, '2.47');
    assert.equal(legacy.statusCode, 200);
    assert.equal(legacy.json().cpu0_time, 1_000_000);
    assert.equal(legacy.json().memory, 128 * 1024);
    assert.equal(legacy.json().vda_write, 20);
    assert.equal(legacy.json().nic0_tx, 2);
  });

  it('refuses members (403), unknown servers (404), no host or a guest not running (409)', async () => {
    const vm = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId });
    assert.equal((await get(vm.uuid, h.alice.token)).statusCode, 403);
    assert.equal((await get('9a9a9a9a-0000-4000-8000-000000000000')).statusCode, 404);
    const unplaced = await insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, host: null, vm_state: 'building' });
    assert.equal((await get(unplaced.uuid)).statusCode, 409);
    await insertInstance(h.db, { uuid: STOPPED, project_id: h.alice.projectId, user_id: h.alice.userId, vm_state: 'stopped', power_state: 4 });
    const stopped = await get(STOPPED);
    assert.equal(stopped.statusCode, 409);
    assert.match(stopped.json().conflictingRequest.message, /is not running/);
  });
});
