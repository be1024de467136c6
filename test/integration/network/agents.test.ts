import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { reportAgentState } from '../../../src/network/domain/agents/agents.js';

describe('agents and availability zones', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('lists reported agents with liveness to admins only', async () => {
    const first = await reportAgentState(h.db, { agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent', host: 'net1', availability_zone: 'az1', configurations: { dhcp_driver: 'x' } });
    const again = await reportAgentState(h.db, { agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent', host: 'net1', availability_zone: 'az1' });
    assert.equal(again.id, first.id, 'one row per (agent_type, host)');
    await reportAgentState(h.db, { agent_type: 'L3 agent', binary: 'neutron-l3-agent', topic: 'l3_agent', host: 'net2', availability_zone: 'az2' });
    await h.db.updateTable('net_agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).where('host', '=', 'net2').execute();
    const agents = (await h.request('GET', '/v2.0/agents')).json().agents as Record<string, any>[];
    assert.equal(agents.length, 2);
    const dhcp = agents.find((a) => a.host === 'net1')!;
    assert.equal(dhcp.alive, true);
    assert.equal(dhcp.agent_type, 'DHCP agent');
    assert.equal(dhcp.admin_state_up, true);
    assert.deepEqual(dhcp.configurations, {});
    assert.equal(agents.find((a) => a.host === 'net2')!.alive, false);
    assert.deepEqual((await h.request('GET', '/v2.0/agents', { token: h.alice.token })).json().agents, []);
    assert.equal((await h.request('GET', `/v2.0/agents/${first.id}`, { token: h.alice.token })).statusCode, 404);
    const alive = (await h.request('GET', '/v2.0/agents?alive=false')).json().agents as { host: string }[];
    assert.deepEqual(alive.map((a) => a.host), ['net2']);
  });

  it('updates admin_state_up and description, refuses others, deletes', async () => {
    const agent = await reportAgentState(h.db, { agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A', host: 'c1' });
    const res = await h.request('PUT', `/v2.0/agents/${agent.id}`, { body: { agent: { admin_state_up: false, description: 'maint' } } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().agent.admin_state_up, false);
    assert.equal(res.json().agent.description, 'maint');
    assert.equal((await h.request('PUT', `/v2.0/agents/${agent.id}`, { body: { agent: { host: 'x' } } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v2.0/agents/${agent.id}`, { token: h.alice.token, body: { agent: { description: 'x' } } })).statusCode, 404);
    // A later report keeps the admin's settings.
    await reportAgentState(h.db, { agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A', host: 'c1' });
    assert.equal((await h.request('GET', `/v2.0/agents/${agent.id}`)).json().agent.admin_state_up, false);
    assert.equal((await h.request('DELETE', `/v2.0/agents/${agent.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v2.0/agents/${agent.id}`)).statusCode, 404);
  });

  it('derives availability zones from agents and validates network hints with them', async () => {
    const zones = (await h.request('GET', '/v2.0/availability_zones', { token: h.alice.token })).json().availability_zones;
    assert.deepEqual(zones, [
      { name: 'az1', resource: 'network', state: 'available' },
      { name: 'az2', resource: 'router', state: 'unavailable' },
    ]);
    const net = await h.create('network', 'networks', { name: 'hinted', availability_zone_hints: ['az1'] }, h.alice.token);
    assert.deepEqual(net.availability_zone_hints, ['az1']);
    const bad = await h.request('POST', '/v2.0/networks', { token: h.alice.token, body: { network: { availability_zone_hints: ['nowhere'] } } });
    assert.equal(bad.statusCode, 404);
    assert.equal(bad.json().NeutronError.type, 'AvailabilityZoneNotFound');
  });
});
