import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { createPort, makeNetwork, makeSubnet } from './ports-support.js';

describe('ports: create', () => {
  let h: NetworkHarness;
  let net: Record<string, any>;
  let subnet: Record<string, any>;
  before(async () => {
    h = await startNetwork();
    net = await makeNetwork(h, h.alice.token);
    subnet = await makeSubnet(h, net, '10.1.0.0/24', h.alice.token);
  });
  after(async () => { await h.close(); });

  const post = (port: Record<string, unknown>, token?: string) =>
    h.request('POST', '/v2.0/ports', { body: { port }, token: token ?? h.alice.token });

  it('gives a new port an address, a generated MAC, the default group and status DOWN', async () => {
    const port = await createPort(h, { network_id: net.id, name: 'p1' }, h.alice.token);
    assert.equal(port.status, 'DOWN');
    assert.match(port.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
    assert.equal(port.fixed_ips.length, 1);
    assert.equal(port.fixed_ips[0].subnet_id, subnet.id);
    assert.match(port.fixed_ips[0].ip_address, /^10\.1\.0\.\d+$/);
    assert.equal(port.port_security_enabled, true);
    assert.equal(port.security_groups.length, 1);
    const sg = await h.request('GET', `/v2.0/security-groups/${port.security_groups[0]}`, { token: h.alice.token });
    if (sg.statusCode === 200) assert.equal(sg.json().security_group.name, 'default');
    assert.equal(port.project_id, h.alice.projectId);
    assert.equal(port.tenant_id, h.alice.projectId);
    assert.equal(port.ip_allocation, 'immediate');
    assert.equal(port.revision_number, 0);
    assert.deepEqual(port.tags, []);
    // binding:host_id and friends are admin-only reads; vnic_type is not.
    assert.equal('binding:host_id' in port, false);
    assert.equal('binding:vif_type' in port, false);
    assert.equal(port['binding:vnic_type'], 'normal');
    const asAdmin = (await h.request('GET', `/v2.0/ports/${port.id}`)).json().port;
    assert.equal(asAdmin['binding:vif_type'], 'unbound');
    assert.equal(asAdmin['binding:host_id'], '');
  });

  it('takes a specific address, and refuses it a second time', async () => {
    const port = await createPort(h, { network_id: net.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.1.0.50' }] }, h.alice.token);
    assert.deepEqual(port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.1.0.50' }]);
    const again = await post({ network_id: net.id, fixed_ips: [{ ip_address: '10.1.0.50' }] });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().NeutronError.type, 'IpAddressAlreadyAllocated');
  });

  it('creates a port without addresses when fixed_ips is empty', async () => {
    const port = await createPort(h, { network_id: net.id, fixed_ips: [] }, h.alice.token);
    assert.deepEqual(port.fixed_ips, []);
    assert.deepEqual(port.dns_assignment, []);
  });

  it('refuses malformed fixed_ips with 400', async () => {
    for (const fixed of ['x', [{ ip_address: 'nope' }], [{ subnet_id: 'bad' }], [{ ip_address: '10.1.0.9' }, { ip_address: '10.1.0.9' }], [{ foo: 1 }]]) {
      const res = await post({ network_id: net.id, fixed_ips: fixed });
      assert.equal(res.statusCode, 400, JSON.stringify(fixed));
    }
  });

  it('accepts a given MAC and refuses it twice on one network (MacAddressInUse)', async () => {
    const port = await createPort(h, { network_id: net.id, mac_address: 'FA:16:3E:AA:BB:01' }, h.alice.token);
    assert.equal(port.mac_address, 'fa:16:3e:aa:bb:01');
    const dup = await post({ network_id: net.id, mac_address: 'fa:16:3e:aa:bb:01' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().NeutronError.type, 'MacAddressInUse');
    assert.equal(dup.json().NeutronError.message, `Unable to complete operation for network ${net.id}. The mac address fa:16:3e:aa:bb:01 is in use.`);
    // The address of the refused port was not kept.
    const other = await makeNetwork(h, h.alice.token);
    assert.equal((await createPort(h, { network_id: other.id, mac_address: 'fa:16:3e:aa:bb:01' }, h.alice.token)).mac_address, 'fa:16:3e:aa:bb:01');
    for (const bad of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', 'zz:16:3e:aa:bb:01', 5]) {
      assert.equal((await post({ network_id: net.id, mac_address: bad })).statusCode, 400);
    }
  });

  it('applies allowed address pair rules', async () => {
    const port = await createPort(h, { network_id: net.id, allowed_address_pairs: [{ ip_address: '10.9.0.0/24' }, { ip_address: '10.1.0.200', mac_address: 'fa:16:3e:00:00:09' }] }, h.alice.token);
    assert.deepEqual(port.allowed_address_pairs, [
      { ip_address: '10.9.0.0/24', mac_address: port.mac_address },
      { ip_address: '10.1.0.200', mac_address: 'fa:16:3e:00:00:09' },
    ]);
    const tooMany = Array.from({ length: h.deps.config.network.maxAllowedAddressPairs + 1 }, (_, i) => ({ ip_address: `10.8.${Math.floor(i / 250)}.${i % 250}` }));
    const many = await post({ network_id: net.id, allowed_address_pairs: tooMany });
    assert.equal(many.statusCode, 400);
    assert.equal(many.json().NeutronError.type, 'AllowedAddressPairExhausted');
    const dup = await post({ network_id: net.id, allowed_address_pairs: [{ ip_address: '10.2.2.2' }, { ip_address: '10.2.2.2' }] });
    assert.equal(dup.statusCode, 400);
    assert.equal((await post({ network_id: net.id, allowed_address_pairs: [{ mac_address: 'fa:16:3e:00:00:01' }] })).statusCode, 400);
    assert.equal((await post({ network_id: net.id, allowed_address_pairs: [{ ip_address: 'bogus' }] })).statusCode, 400);
    const noSec = await post({ network_id: net.id, port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.2.2.2' }] });
    assert.equal(noSec.statusCode, 409);
    assert.equal(noSec.json().NeutronError.type, 'AddressPairAndPortSecurityRequired');
  });

  it('handles security groups: none, explicit, and port security off', async () => {
    assert.deepEqual((await createPort(h, { network_id: net.id, security_groups: [] }, h.alice.token)).security_groups, []);
    const off = await createPort(h, { network_id: net.id, port_security_enabled: false }, h.alice.token);
    assert.equal(off.port_security_enabled, false);
    assert.deepEqual(off.security_groups, []);
    const bad = await post({ network_id: net.id, port_security_enabled: false, security_groups: [off.id] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().NeutronError.type, 'PortSecurityAndIPRequiredForSecurityGroups');
    const missing = await post({ network_id: net.id, security_groups: ['6f1bf4a4-6a4f-4d7c-9a49-6d0c2bb0e0a1'] });
    assert.equal(missing.statusCode, 404);
    const sg = await h.request('POST', '/v2.0/security-groups', { body: { security_group: { name: 'web' } }, token: h.alice.token });
    if (sg.statusCode === 201) {
      const id = sg.json().security_group.id;
      assert.deepEqual((await createPort(h, { network_id: net.id, security_groups: [id] }, h.alice.token)).security_groups, [id]);
      // Bob may not use Alice's group.
      const shared = await makeNetwork(h, undefined, { shared: true });
      await makeSubnet(h, shared, '10.77.0.0/24');
      assert.equal((await post({ network_id: shared.id, security_groups: [id] }, h.bob.token)).statusCode, 404);
    }
  });

  it('gives network:* owned ports no security groups', async () => {
    const port = await createPort(h, { network_id: net.id, device_owner: 'network:dhcp', device_id: 'dhcp1' });
    assert.deepEqual(port.security_groups, []);
    assert.equal(port.device_owner, 'network:dhcp');
  });

  it('keeps ports off networks the caller may not use', async () => {
    assert.equal((await post({ network_id: net.id }, h.bob.token)).statusCode, 404);
    assert.equal((await post({ network_id: '6f1bf4a4-6a4f-4d7c-9a49-6d0c2bb0e0a1' })).statusCode, 404);
    assert.equal((await post({})).statusCode, 400);
    assert.equal((await post({ network_id: 'not-a-uuid' })).statusCode, 400);
    // A shared network takes Bob's port, but not his choice of address or a network:* owner.
    const shared = await makeNetwork(h, undefined, { shared: true });
    const sharedSubnet = await makeSubnet(h, shared, '10.66.0.0/24');
    const bobs = await createPort(h, { network_id: shared.id }, h.bob.token);
    assert.equal(bobs.project_id, h.bob.projectId);
    assert.equal((await post({ network_id: shared.id, fixed_ips: [{ subnet_id: sharedSubnet.id }] }, h.bob.token)).statusCode, 201);
    assert.equal((await post({ network_id: shared.id, fixed_ips: [{ ip_address: '10.66.0.77' }] }, h.bob.token)).statusCode, 403);
    assert.equal((await post({ network_id: shared.id, device_owner: 'network:router_interface' }, h.bob.token)).statusCode, 403);
    assert.equal((await post({ network_id: shared.id, mac_address: 'fa:16:3e:12:34:56' }, h.bob.token)).statusCode, 403);
    // An external network that is not shared does not take a member's port.
    const ext = await h.request('POST', '/v2.0/networks', { body: { network: { name: 'ext', 'router:external': true } } });
    if (ext.statusCode === 201) {
      const res = await post({ network_id: ext.json().network.id }, h.bob.token);
      assert.equal(res.statusCode, 403);
    }
  });

  it('lets only admins set binding:host_id and binds through ML2', async () => {
    const denied = await post({ network_id: net.id, 'binding:host_id': 'compute-1' });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().NeutronError.type, 'PolicyNotAuthorized');
    assert.equal((await post({ network_id: net.id, 'binding:vnic_type': 'direct' })).statusCode, 201);
    assert.equal((await post({ network_id: net.id, 'binding:vnic_type': 'weird' })).statusCode, 400);
    const port = await createPort(h, { network_id: net.id, 'binding:host_id': 'compute-1', 'binding:profile': { a: 1 } });
    assert.equal(port['binding:host_id'], 'compute-1');
    assert.deepEqual(port['binding:profile'], { a: 1 });
    // No alive agent on compute-1: the binding fails (ML2 decides), the port stays DOWN.
    assert.equal(port['binding:vif_type'], 'binding_failed');
    assert.equal(port.status, 'DOWN');
  });

  it('stores extra DHCP options, DNS name and uplink propagation', async () => {
    const port = await createPort(h, {
      network_id: net.id, dns_name: 'web-1', propagate_uplink_status: true,
      extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: '10.0.0.9' }, { opt_name: 'bootfile-name', opt_value: 'pxe', ip_version: 6 }],
    }, h.alice.token);
    assert.deepEqual(port.extra_dhcp_opts.sort((a: any, b: any) => a.opt_name.localeCompare(b.opt_name)), [
      { opt_name: 'bootfile-name', opt_value: 'pxe', ip_version: 6 },
      { opt_name: 'tftp-server', opt_value: '10.0.0.9', ip_version: 4 },
    ]);
    assert.equal(port.dns_name, 'web-1');
    assert.equal(port.dns_assignment[0].hostname, 'web-1');
    assert.equal(port.propagate_uplink_status, true);
    assert.equal((await post({ network_id: net.id, extra_dhcp_opts: [{ opt_name: 'x' }] })).statusCode, 400);
    assert.equal((await post({ network_id: net.id, dns_name: 'bad name!' })).statusCode, 400);
    assert.equal((await post({ network_id: net.id, status: 'ACTIVE' })).statusCode, 400);
    assert.equal((await post({ network_id: net.id, bogus: 1 })).statusCode, 400);
  });

  it('creates in bulk, all or nothing', async () => {
    const ok = await h.request('POST', '/v2.0/ports', { body: { ports: [{ network_id: net.id, name: 'b1' }, { network_id: net.id, name: 'b2' }] }, token: h.alice.token });
    assert.equal(ok.statusCode, 201);
    assert.deepEqual(ok.json().ports.map((p: any) => p.name), ['b1', 'b2']);
    const before = (await h.request('GET', '/v2.0/ports?name=b3', { token: h.alice.token })).json().ports.length;
    const bad = await h.request('POST', '/v2.0/ports', {
      body: { ports: [{ network_id: net.id, name: 'b3' }, { network_id: net.id, name: 'b3', mac_address: 'fa:16:3e:aa:bb:01' }] }, token: h.alice.token,
    });
    assert.equal(bad.statusCode, 409);
    assert.equal((await h.request('GET', '/v2.0/ports?name=b3', { token: h.alice.token })).json().ports.length, before);
  });
});
