import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { reportAgentState } from '../../../src/network/domain/agents/agents.js';
import type { PortRow } from '../../../src/network/db/schema.js';

describe('ML2 segment allocation through the networks API', () => {
  let h: NetworkHarness;
  before(async () => {
    h = await startNetwork({ network: { vniRanges: ['1:3'], networkVlanRanges: ['public', 'physnet1:100:101'], flatNetworks: ['*'] } });
  });
  after(async () => { await h.close(); });

  it('8 concurrent creates race for 3 VNIs: exactly 3 win, no VNI twice, the rest get NoNetworkAvailable', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      h.request('POST', '/v2.0/networks', { token: h.alice.token, body: { network: { name: `race${i}` } } })));
    const won = results.filter((r) => r.statusCode === 201);
    const lost = results.filter((r) => r.statusCode !== 201);
    assert.equal(won.length, 3);
    for (const r of lost) {
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().NeutronError.type, 'NoNetworkAvailable');
      assert.equal(r.json().NeutronError.message, 'Unable to create the network. No tenant network is available for allocation.');
    }
    const vnis = await h.db.selectFrom('net_segment').select('segmentation_id').where('network_type', '=', 'vxlan').execute();
    assert.deepEqual(vnis.map((v) => v.segmentation_id).sort(), [1, 2, 3]);
    // Deleting one releases its VNI for the next network.
    const freed = won[0]!.json().network.id as string;
    const freedVni = (await h.db.selectFrom('net_segment').select('segmentation_id').where('network_id', '=', freed).executeTakeFirstOrThrow()).segmentation_id;
    assert.equal((await h.request('DELETE', `/v2.0/networks/${freed}`, { token: h.alice.token })).statusCode, 204);
    const again = await h.create('network', 'networks', { name: 'again' }, h.alice.token);
    const got = (await h.request('GET', `/v2.0/networks/${again.id}`)).json().network;
    assert.equal(got['provider:segmentation_id'], freedVni);
  });

  it('provider vlan: reserves the id, refuses it twice, allocates from the physnet range', async () => {
    const a = await h.create('network', 'networks', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 100 });
    assert.equal(a['provider:segmentation_id'], 100);
    assert.equal(a.mtu, 1500);
    const dup = await h.request('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 100 } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().NeutronError.type, 'VlanIdInUse');
    assert.equal(dup.json().NeutronError.message, 'Unable to create the network. The VLAN 100 on physical network physnet1 is in use.');
    const partial = await h.create('network', 'networks', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' });
    assert.equal(partial['provider:segmentation_id'], 101);
    const none = await h.request('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' } } });
    assert.equal(none.statusCode, 503);
    const noPhys = await h.request('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'vlan', 'provider:segmentation_id': 5 } } });
    assert.equal(noPhys.statusCode, 400);
    assert.equal(noPhys.json().NeutronError.message, 'Invalid input for operation: segmentation_id requires physical_network for VLAN provider network.');
  });

  it('provider flat: one network per physnet', async () => {
    await h.create('network', 'networks', { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet9' });
    const dup = await h.request('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet9' } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().NeutronError.message, 'Unable to create the flat network. Physical network physnet9 is in use.');
  });

  it('multi-segment networks show `segments` and take the smallest MTU', async () => {
    const net = await h.create('network', 'networks', { segments: [
      { 'provider:network_type': 'geneve', 'provider:segmentation_id': 500 },
      { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 7 },
    ] });
    assert.equal(net.mtu, 1442);
    assert.equal(net.segments.length, 2);
    assert.ok(!('provider:network_type' in net));
    assert.deepEqual(net.segments[1], { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 7 });
    const dup = await h.request('POST', '/v2.0/networks', { body: { network: { segments: [
      { 'provider:network_type': 'gre', 'provider:segmentation_id': 9 }, { 'provider:network_type': 'gre', 'provider:segmentation_id': 9 },
    ] } } });
    assert.equal(dup.statusCode, 400);
    assert.equal(dup.json().NeutronError.message, 'Duplicate segment entry in request.');
  });

  it('linuxbridge binds ports on hosts whose alive agent maps the segment', async () => {
    const vlan = await h.create('network', 'networks', { 'provider:network_type': 'vlan', 'provider:physical_network': 'public', 'provider:segmentation_id': 300 });
    const segments = await h.db.selectFrom('net_segment').selectAll().where('network_id', '=', vlan.id).execute();
    const port = (host: string): PortRow => ({
      id: crypto.randomUUID(), project_id: 'p', network_id: vlan.id, name: '', mac_address: 'fa:16:3e:00:00:09', admin_state_up: 1, status: 'DOWN',
      device_id: '', device_owner: '', port_security_enabled: 1, ip_allocation: 'immediate', dns_name: '', binding_host_id: host,
      binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound', binding_vif_details: '{}', propagate_uplink_status: 0,
      description: '', created_at: '', updated_at: '', revision_number: 0,
    });
    assert.equal((await h.deps.ml2.bindPort(h.db, port(''), segments)).vifType, 'unbound');
    assert.equal((await h.deps.ml2.bindPort(h.db, port('compute1'), segments)).vifType, 'binding_failed');
    await reportAgentState(h.db, {
      agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A', host: 'compute1',
      configurations: { interface_mappings: { public: 'eth1' }, tunnel_types: ['vxlan'] },
    });
    const bound = await h.deps.ml2.bindPort(h.db, port('compute1'), segments);
    assert.equal(bound.vifType, 'bridge');
    assert.deepEqual(bound.vifDetails, { connectivity: 'l2', port_filter: true });
    // A physnet the agent does not map cannot bind.
    const other = await h.create('network', 'networks', { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 150 });
    const otherSegs = await h.db.selectFrom('net_segment').selectAll().where('network_id', '=', other.id).execute();
    assert.equal((await h.deps.ml2.bindPort(h.db, port('compute1'), otherSegs)).vifType, 'binding_failed');
    // A dead agent binds nothing.
    await h.db.updateTable('net_agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).where('host', '=', 'compute1').execute();
    assert.equal((await h.deps.ml2.bindPort(h.db, port('compute1'), segments)).vifType, 'binding_failed');
  });
});
