// os-instance_usage_audit_log through the real compute app: the last completed month before now
// or before a timestamp, every compute host reported as not run (no usage audit runs here),
// 403 for members, 400 for a timestamp strptime would refuse.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Server } from '../../../src/bus/index.js';
import { CONDUCTOR_TOPIC, serveConductor } from '../../../src/compute/conductor/index.js';
import { lastCompletedMonth } from '../../../src/compute/api/instance-usage-audit-log-routes.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('os-instance_usage_audit_log', () => {
  let h: ComputeHarness;
  let bus: MemoryBus;
  let conductor: Server;
  const get = (path: string, token = h.adminToken) => h.request('GET', `/v2.1/os-instance_usage_audit_log${path}`, { token });

  before(async () => {
    bus = new MemoryBus();
    h = await startCompute({ bus });
    conductor = await serveConductor(bus, h.deps, 'ctl');
    await bus.call({ topic: CONDUCTOR_TOPIC }, 'service_update', { host: 'host-a', binary: 'nova-compute', topic: 'compute' });
  });
  after(async () => {
    await conductor?.stop();
    await h?.close();
    await bus?.close();
  });

  it('reports the last completed month with every compute host not run', async () => {
    const list = await get('');
    assert.equal(list.statusCode, 200, list.body);
    const log = list.json().instance_usage_audit_logs;
    assert.deepEqual(log.hosts_not_run, ['host-a']);
    assert.equal(log.overall_status, '0 of 1 hosts done. 0 errors.');
    assert.deepEqual(log.log, {});
    const shown = (await get('/2024-03-15%2010:20:30')).json().instance_usage_audit_log;
    assert.equal(shown.period_beginning, '2024-02-01 00:00:00');
    assert.equal(shown.period_ending, '2024-03-01 00:00:00');
    assert.equal((await get('/2024-01-01%2000:00:00.5')).json().instance_usage_audit_log.period_ending, '2024-01-01 00:00:00');
    const exact = lastCompletedMonth(new Date(Date.UTC(2024, 0, 1)));
    assert.equal(exact.end.toISOString(), '2023-12-01T00:00:00.000Z', 'the period ending now is not complete yet');
  });

  it('refuses members (403) and invalid timestamps (400)', async () => {
    assert.equal((await get('', h.alice.token)).statusCode, 403);
    assert.equal((await get('/2024-03-15%2010:20:30', h.alice.token)).statusCode, 403);
    for (const bad of ['invalid', '2024-02-30%2000:00:00', '2024-03-15T10:20:30', '2024-03-15%2025:00:00']) {
      const res = await get(`/${bad}`);
      assert.equal(res.statusCode, 400, bad);
      assert.match(res.json().badRequest.message, /Invalid timestamp for date/);
    }
  });
});
