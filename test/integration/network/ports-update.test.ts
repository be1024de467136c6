import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { createPort, makeNetwork, makeSubnet } from './ports-support.js';

describe('ports: update', () => {
  let h: NetworkHarness;
  let net: Record<string, any>;
  before(async () => {
    h = await startNetwork();
    net = await makeNetwork(h, h.alice.token);
    await makeSubnet(h, net, '10.2.0.0/24', h.alice.token);
  });
  after(async () => { await h.close(); });

  const put = (id: string, port: Record<string, unknown>, token?: string | null, headers?: Record<string, string>) =>
    h.request('PUT', `/v2.0/ports/${id}`, { body: { port }, token: token === null ? undefined : token ?? h.alice.token, ...(headers ? { headers } : {}) });

  it('refuses the same security group twice with Neutron\'s duplicate-items 400', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    const sg = await h.create('security_group', 'security-groups', { name: 'twice' }, h.alice.token);
    const res = await put(port.id, { security_groups: [sg.id, sg.id] });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().NeutronError.message, `Invalid input for security_groups. Reason: Duplicate items in the list: '${sg.id}'.`);
    const ok = await put(port.id, { security_groups: [sg.id] });
    assert.deepEqual(ok.json().port.security_groups, [sg.id]);
  });

  it('changes simple attributes and bumps the revision', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    const res = await put(port.id, { name: 'renamed', description: 'd', admin_state_up: false, device_id: 'vm-1', device_owner: 'compute:nova' });
    assert.equal(res.statusCode, 200);
    const updated = res.json().port;
    assert.equal(updated.name, 'renamed');
    assert.equal(updated.description, 'd');
    assert.equal(updated.admin_state_up, false);
    assert.equal(updated.device_id, 'vm-1');
    assert.equal(updated.revision_number, port.revision_number + 1);
    assert.deepEqual(updated.fixed_ips, port.fixed_ips);
    assert.equal((await put(port.id, { name: 'x' }, undefined, { 'if-match': `revision_number=${port.revision_number}` })).statusCode, 412);
    assert.equal((await put(port.id, { status: 'ACTIVE' })).statusCode, 400);
    assert.equal((await put(port.id, { network_id: net.id })).statusCode, 400);
  });

  it('moves a port to another address and frees the old one', async () => {
    // Its own network: random addresses handed out by other tests could collide with these.
    const net = await makeNetwork(h, h.alice.token);
    const subnet = await makeSubnet(h, net, '10.2.0.0/24', h.alice.token);
    const port = await createPort(h, { network_id: net.id, fixed_ips: [{ ip_address: '10.2.0.20' }] }, h.alice.token);
    const res = await put(port.id, { fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.2.0.21' }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.2.0.21' }]);
    const taker = await createPort(h, { network_id: net.id, fixed_ips: [{ ip_address: '10.2.0.20' }] }, h.alice.token);
    assert.equal(taker.fixed_ips[0].ip_address, '10.2.0.20');
    const clash = await put(port.id, { fixed_ips: [{ ip_address: '10.2.0.20' }] });
    assert.equal(clash.statusCode, 409);
    // The failed update changed nothing.
    assert.deepEqual((await h.request('GET', `/v2.0/ports/${port.id}`, { token: h.alice.token })).json().port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.2.0.21' }]);
  });

  it('enforces port security consistency', async () => {
    const port = await createPort(h, { network_id: net.id, allowed_address_pairs: [{ ip_address: '10.2.0.250' }] }, h.alice.token);
    const withGroups = await put(port.id, { port_security_enabled: false });
    assert.equal(withGroups.statusCode, 409);
    assert.equal(withGroups.json().NeutronError.type, 'AddressPairAndPortSecurityRequired');
    const stillGroups = await put(port.id, { port_security_enabled: false, allowed_address_pairs: [] });
    assert.equal(stillGroups.statusCode, 409);
    assert.equal(stillGroups.json().NeutronError.type, 'PortSecurityPortHasSecurityGroup');
    const off = await put(port.id, { port_security_enabled: false, allowed_address_pairs: [], security_groups: [] });
    assert.equal(off.statusCode, 200);
    assert.equal(off.json().port.port_security_enabled, false);
    assert.deepEqual(off.json().port.security_groups, []);
    assert.equal((await put(port.id, { allowed_address_pairs: [{ ip_address: '10.2.0.251' }] })).json().NeutronError.type, 'AddressPairAndPortSecurityRequired');
    const on = await put(port.id, { port_security_enabled: true, allowed_address_pairs: [{ ip_address: '10.2.0.251' }] });
    assert.equal(on.statusCode, 200);
    assert.deepEqual(on.json().port.allowed_address_pairs, [{ ip_address: '10.2.0.251', mac_address: port.mac_address }]);
  });

  it('merges extra DHCP options and removes one given a null value', async () => {
    const port = await createPort(h, { network_id: net.id, extra_dhcp_opts: [{ opt_name: 'a', opt_value: '1' }, { opt_name: 'b', opt_value: '2' }] }, h.alice.token);
    const res = await put(port.id, { extra_dhcp_opts: [{ opt_name: 'a', opt_value: null }, { opt_name: 'b', opt_value: '3' }, { opt_name: 'c', opt_value: '4' }] });
    assert.equal(res.statusCode, 200, res.body);
    const opts = (res.json().port.extra_dhcp_opts as any[]).map((o) => `${o.opt_name}=${o.opt_value}`).sort();
    assert.deepEqual(opts, ['b=3', 'c=4']);
  });

  it('lets only admins change the MAC, and only while unbound', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    assert.equal((await put(port.id, { mac_address: 'fa:16:3e:01:02:03' })).statusCode, 403);
    const res = await put(port.id, { mac_address: 'fa:16:3e:01:02:03' }, h.adminToken);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().port.mac_address, 'fa:16:3e:01:02:03');
    const other = await createPort(h, { network_id: net.id }, h.alice.token);
    assert.equal((await put(other.id, { mac_address: 'fa:16:3e:01:02:03' }, h.adminToken)).json().NeutronError.type, 'MacAddressInUse');
    // A bound port keeps its MAC: fake a successful binding, as an agent-backed ML2 would record.
    await h.db.updateTable('net_port').set({ binding_vif_type: 'bridge', binding_host_id: 'c1' }).where('id', '=', other.id).execute();
    const bound = await put(other.id, { mac_address: 'fa:16:3e:01:02:04' }, h.adminToken);
    assert.equal(bound.statusCode, 409);
    assert.equal(bound.json().NeutronError.type, 'PortBound');
  });

  it('re-binds when an admin sets or clears the host', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    assert.equal((await put(port.id, { 'binding:host_id': 'c2' })).statusCode, 403);
    const bound = (await put(port.id, { 'binding:host_id': 'c2' }, h.adminToken)).json().port;
    assert.equal(bound['binding:host_id'], 'c2');
    assert.notEqual(bound['binding:vif_type'], 'unbound');
    const cleared = (await put(port.id, { 'binding:host_id': '' }, h.adminToken)).json().port;
    assert.equal(cleared['binding:vif_type'], 'unbound');
  });

  it('hides and protects Alice\'s port from Bob', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    assert.equal((await put(port.id, { name: 'mine' }, h.bob.token)).statusCode, 404);
    assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await put('no-such-port', { name: 'x' })).statusCode, 404);
  });
});
