import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { REPORTS_TOPIC, serveAgentReports } from '../../../src/network/rpc/report-state.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('agent state reports over the bus', () => {
  let h: NetworkHarness;
  let bus: Bus;
  before(async () => {
    h = await startNetwork();
    bus = await createBus({ driver: 'memory' });
    await serveAgentReports(bus, h.deps, 'api-host');
  });
  after(async () => {
    await bus.close();
    await h.close();
  });

  const state = (host: string) => ({
    agent_type: 'Linux bridge agent', binary: 'nimbus-linuxbridge-agent', topic: 'N/A', host,
    configurations: { interface_mappings: { public: 'eth1' }, tunnel_types: ['vxlan'] }, start_flag: true,
  });

  it('records a report_state call as an alive agent', async () => {
    await bus.call({ topic: REPORTS_TOPIC }, 'report_state', { agent_state: state('compute-1') });
    const res = await h.request('GET', '/v2.0/agents?host=compute-1');
    assert.equal(res.statusCode, 200);
    const [agent] = res.json().agents;
    assert.equal(agent.agent_type, 'Linux bridge agent');
    assert.equal(agent.alive, true);
    assert.deepEqual(agent.configurations.tunnel_types, ['vxlan']);
  });

  it('refuses a malformed report without writing anything', async () => {
    await assert.rejects(bus.call({ topic: REPORTS_TOPIC }, 'report_state', { agent_state: { ...state('x'), host: 'bad\u0000host' } }));
    await assert.rejects(bus.call({ topic: REPORTS_TOPIC }, 'report_state', { agent_state: 'nope' }));
    const res = await h.request('GET', '/v2.0/agents');
    assert.equal(res.json().agents.length, 1);
  });
});
