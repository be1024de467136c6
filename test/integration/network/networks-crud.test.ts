import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('networks API', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('creates a tenant network with every attribute, vxlan underneath', async () => {
    const net = await h.create('network', 'networks', { name: 'n1', description: 'd' }, h.alice.token);
    assert.equal(net.name, 'n1');
    assert.equal(net.project_id, h.alice.projectId);
    assert.equal(net.tenant_id, h.alice.projectId);
    assert.equal(net.status, 'ACTIVE');
    assert.equal(net.admin_state_up, true);
    assert.equal(net.shared, false);
    assert.equal(net['router:external'], false);
    assert.equal(net.mtu, 1450);
    assert.equal(net.port_security_enabled, true);
    assert.deepEqual(net.subnets, []);
    assert.equal(net.l2_adjacency, true);
    assert.equal(net.revision_number, 0);
    assert.deepEqual(net.tags, []);
    assert.ok(!('provider:network_type' in net), 'members do not see provider attributes');
    const asAdmin = (await h.request('GET', `/v2.0/networks/${net.id}`)).json().network;
    assert.equal(asAdmin['provider:network_type'], 'vxlan');
    assert.equal(typeof asAdmin['provider:segmentation_id'], 'number');
    assert.equal(asAdmin['provider:physical_network'], null);
  });

  it('hides other projects networks and refuses members provider attributes', async () => {
    const net = await h.create('network', 'networks', { name: 'private' }, h.alice.token);
    const res = await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.bob.token });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().NeutronError.type, 'NetworkNotFound');
    const list = (await h.request('GET', '/v2.0/networks', { token: h.bob.token })).json().networks as { id: string }[];
    assert.ok(!list.some((n) => n.id === net.id));
    const forbidden = await h.request('POST', '/v2.0/networks', { token: h.bob.token, body: { network: { 'provider:network_type': 'vlan' } } });
    assert.equal(forbidden.statusCode, 403);
    const shared = await h.request('POST', '/v2.0/networks', { token: h.bob.token, body: { network: { shared: true } } });
    assert.equal(shared.statusCode, 403);
  });

  it('updates name, mtu (bounded) and bumps the revision', async () => {
    const net = await h.create('network', 'networks', { name: 'u' }, h.alice.token);
    const res = await h.request('PUT', `/v2.0/networks/${net.id}`, { token: h.alice.token, body: { network: { name: 'u2', mtu: 1400 } } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().network.name, 'u2');
    assert.equal(res.json().network.mtu, 1400);
    assert.equal(res.json().network.revision_number, 1);
    const big = await h.request('PUT', `/v2.0/networks/${net.id}`, { token: h.alice.token, body: { network: { mtu: 1500 } } });
    assert.equal(big.statusCode, 400);
    assert.match(big.json().NeutronError.message, /Requested MTU is too big, maximum is 1450/);
    const stale = await h.request('PUT', `/v2.0/networks/${net.id}`, { token: h.alice.token, headers: { 'if-match': 'revision_number=0' }, body: { network: { name: 'x' } } });
    assert.equal(stale.statusCode, 412);
    const other = await h.request('PUT', `/v2.0/networks/${net.id}`, { token: h.bob.token, body: { network: { name: 'x' } } });
    assert.equal(other.statusCode, 404);
  });

  it('shared networks: admin sets shared, others see and use it; unsharing refused while they have ports', async () => {
    const net = await h.create('network', 'networks', { name: 's', shared: true, project_id: h.alice.projectId });
    assert.equal(net.shared, true);
    const bobView = await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.bob.token });
    assert.equal(bobView.statusCode, 200);
    assert.equal(bobView.json().network.shared, true);
    const rbac = (await h.request('GET', `/v2.0/rbac-policies?object_id=${net.id}`)).json().rbac_policies;
    assert.equal(rbac.length, 1);
    assert.equal(rbac[0].target_tenant, '*');
    assert.equal(rbac[0].action, 'access_as_shared');
    // A port of bob's on it (inserted directly: the port API belongs to another module).
    await h.db.insertInto('net_port').values({
      id: crypto.randomUUID(), project_id: h.bob.projectId, network_id: net.id, name: '', mac_address: 'fa:16:3e:00:00:01', admin_state_up: 1,
      status: 'DOWN', device_id: '', device_owner: '', port_security_enabled: 1, ip_allocation: 'immediate', dns_name: '', binding_host_id: '',
      binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound', binding_vif_details: '{}', propagate_uplink_status: 0,
      description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    const unshare = await h.request('PUT', `/v2.0/networks/${net.id}`, { body: { network: { shared: false } } });
    assert.equal(unshare.statusCode, 409);
    assert.equal(unshare.json().NeutronError.type, 'InvalidSharedSetting');
    const del = await h.request('DELETE', `/v2.0/networks/${net.id}`);
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().NeutronError.type, 'NetworkInUse');
    assert.equal(del.json().NeutronError.message, `Unable to complete operation on network ${net.id}. There are one or more ports still in use on the network.`);
    await h.db.deleteFrom('net_port').where('network_id', '=', net.id).execute();
    const ok = await h.request('PUT', `/v2.0/networks/${net.id}`, { body: { network: { shared: false } } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().network.shared, false);
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.bob.token })).statusCode, 404);
  });

  it('router:external makes a network visible (not shared) to everyone', async () => {
    const net = await h.create('network', 'networks', { name: 'ext', 'router:external': true });
    const bobView = await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.bob.token });
    assert.equal(bobView.statusCode, 200);
    assert.equal(bobView.json().network['router:external'], true);
    assert.equal(bobView.json().network.shared, false);
    const filtered = (await h.request('GET', '/v2.0/networks?router:external=true', { token: h.bob.token })).json().networks as { id: string }[];
    assert.ok(filtered.some((n) => n.id === net.id));
  });

  it('deletes a network with its DHCP port, subnets, segments and grants', async () => {
    const net = await h.create('network', 'networks', { name: 'gone', shared: true });
    const subnetId = crypto.randomUUID();
    await h.db.insertInto('net_subnet').values({
      id: subnetId, project_id: h.adminProjectId, network_id: net.id, name: '', ip_version: 4, cidr: '10.9.0.0/24', gateway_ip: '10.9.0.1',
      enable_dhcp: 1, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, segment_id: null, dns_publish_fixed_ip: 0,
      description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${net.id}`)).json().network.subnets, [subnetId]);
    const portId = crypto.randomUUID();
    await h.db.insertInto('net_port').values({
      id: portId, project_id: h.adminProjectId, network_id: net.id, name: '', mac_address: 'fa:16:3e:00:00:02', admin_state_up: 1,
      status: 'ACTIVE', device_id: 'dhcp', device_owner: 'network:dhcp', port_security_enabled: 0, ip_allocation: 'immediate', dns_name: '',
      binding_host_id: '', binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound', binding_vif_details: '{}',
      propagate_uplink_status: 0, description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    await h.db.insertInto('net_ip_allocation').values({ port_id: portId, subnet_id: subnetId, network_id: net.id, ip_address: '10.9.0.2' }).execute();
    const res = await h.request('DELETE', `/v2.0/networks/${net.id}`);
    assert.equal(res.statusCode, 204);
    for (const table of ['net_port', 'net_subnet', 'net_segment'] as const) {
      const rows = await h.db.selectFrom(table).select('id').where('network_id', '=', net.id).execute();
      assert.equal(rows.length, 0, table);
    }
    assert.equal((await h.db.selectFrom('net_rbac_policy').select('id').where('object_id', '=', net.id).execute()).length, 0);
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`)).statusCode, 404);
  });

  it('validates input: unknown attributes, bad booleans, overlong names, provider + segments', async () => {
    const cases: unknown[] = [
      { network: { bogus: 1 } },
      { network: { admin_state_up: 'maybe' } },
      { network: { name: 'x'.repeat(256) } },
      { network: { name: 'a\u0000b' } },
      { network: { 'provider:network_type': 'vxlan', segments: [{ 'provider:network_type': 'vxlan' }] } },
      { network: { 'provider:segmentation_id': 'abc', 'provider:network_type': 'vxlan' } },
    ];
    for (const body of cases) {
      const res = await h.request('POST', '/v2.0/networks', { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await h.request('GET', `/v2.0/networks/${'x'.repeat(300)}`)).statusCode, 404);
  });

  it('bulk-creates networks and enforces the network quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'network', hard_limit: 2 }).execute();
    const bulk = await h.request('POST', '/v2.0/networks', { token: t.token, body: { networks: [{ name: 'a' }, { name: 'b' }] } });
    assert.equal(bulk.statusCode, 201);
    assert.equal(bulk.json().networks.length, 2);
    const over = await h.request('POST', '/v2.0/networks', { token: t.token, body: { network: { name: 'c' } } });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().NeutronError.type, 'OverQuota');
  });

  it('creates with tags and filters by them', async () => {
    const net = await h.create('network', 'networks', { name: 'tagged', tags: ['red', 'blue'] }, h.alice.token);
    assert.deepEqual(net.tags, ['blue', 'red']);
    const list = (await h.request('GET', '/v2.0/networks?tags=red', { token: h.alice.token })).json().networks as { id: string }[];
    assert.deepEqual(list.map((n) => n.id), [net.id]);
  });
});
