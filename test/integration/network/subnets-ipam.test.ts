// Port addresses through the ports API: Neutron's IPAM rules as the DB-backed IPAM applies them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('subnets: IPAM for ports', () => {
  let h: NetworkHarness;
  const port = (body: Record<string, unknown>, token?: string) => h.request('POST', '/v2.0/ports', { body: { port: body }, ...(token ? { token } : {}) });
  const fault = (res: { statusCode: number; json(): any }, status: number, type: string, message?: string) => {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    assert.equal(res.json().NeutronError.type, type);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('default: one IPv4 address from the first subnet with room, plus SLAAC and one stateful IPv6', async () => {
    const n = await h.create('network', 'networks', { name: 'a' });
    const full = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.0.0.0/30' });
    const second = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.0.1.0/24' });
    const slaac = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' });
    const stateful = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8:1::/64' });
    const p1 = (await port({ network_id: n.id, mac_address: 'fa:16:3e:11:22:33' })).json().port;
    const bySubnet = new Map(p1.fixed_ips.map((ip: any) => [ip.subnet_id, ip.ip_address]));
    assert.equal(p1.fixed_ips.length, 3, JSON.stringify(p1.fixed_ips));
    assert.equal(bySubnet.get(full.id), '10.0.0.2', 'the first subnet has one address (.2)');
    assert.equal(bySubnet.get(slaac.id), '2001:db8::f816:3eff:fe11:2233');
    assert.ok(bySubnet.has(stateful.id));
    const p2 = (await port({ network_id: n.id })).json().port;
    assert.ok(p2.fixed_ips.some((ip: any) => ip.subnet_id === second.id), 'the full subnet is skipped');
  });

  it('explicit requests: subnet, address, both; errors as Neutron words them', async () => {
    const n = await h.create('network', 'networks', { name: 'b' });
    const s = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.5.0.0/24', allocation_pools: [{ start: '10.5.0.100', end: '10.5.0.110' }] });
    const a = (await port({ network_id: n.id, fixed_ips: [{ ip_address: '10.5.0.5' }] })).json().port;
    assert.deepEqual(a.fixed_ips, [{ subnet_id: s.id, ip_address: '10.5.0.5' }], 'outside the pools is fine when asked for');
    const b = (await port({ network_id: n.id, fixed_ips: [{ subnet_id: s.id }] })).json().port;
    const last = Number(b.fixed_ips[0].ip_address.split('.')[3]);
    assert.ok(last >= 100 && last <= 110);
    fault(await port({ network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.5.0.5' }] }), 409, 'IpAddressAlreadyAllocated',
      `IP address 10.5.0.5 already allocated in subnet ${s.id}`);
    fault(await port({ network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.6.0.5' }] }), 400, 'InvalidIpForSubnet',
      'IP address 10.6.0.5 is not a valid IP for the specified subnet.');
    fault(await port({ network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.5.0.255' }] }), 400, 'InvalidIpForSubnet');
    fault(await port({ network_id: n.id, fixed_ips: [{ ip_address: '10.6.0.5' }] }), 400, 'InvalidIpForNetwork',
      'IP address 10.6.0.5 is not a valid IP for any of the subnets on the specified network.');
    const other = await h.create('network', 'networks', { name: 'c' });
    const os = await h.create('subnet', 'subnets', { network_id: other.id, ip_version: 4, cidr: '10.7.0.0/24' });
    fault(await port({ network_id: n.id, fixed_ips: [{ subnet_id: os.id }] }), 400, 'InvalidInput',
      `Invalid input for operation: Failed to create port on network ${other.id}, because fixed_ips included invalid subnet ${os.id}.`);
  });

  it('the gateway is never handed out automatically, and exhaustion is a 409', async () => {
    const n = await h.create('network', 'networks', { name: 'd' });
    const s = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.8.0.0/29' });
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await port({ network_id: n.id })).json().port.fixed_ips[0].ip_address);
    assert.deepEqual(got.sort(), ['10.8.0.2', '10.8.0.3', '10.8.0.4', '10.8.0.5', '10.8.0.6']);
    fault(await port({ network_id: n.id }), 409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${n.id}.`);
    // A router-interface-style request may still take the gateway explicitly.
    const gw = await port({ network_id: n.id, device_owner: 'network:router_interface', fixed_ips: [{ subnet_id: s.id, ip_address: '10.8.0.1' }] });
    assert.equal(gw.statusCode, 201, gw.body);
  });

  it('service types: ports draw only from subnets whose types match their device_owner', async () => {
    const n = await h.create('network', 'networks', { name: 'e' });
    const fip = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.9.0.0/24', service_types: ['network:floatingip'] });
    const plain = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.9.1.0/24' });
    const p = (await port({ network_id: n.id })).json().port;
    assert.equal(p.fixed_ips[0].subnet_id, plain.id);
    const f = (await port({ network_id: n.id, device_owner: 'network:floatingip' })).json().port;
    assert.equal(f.fixed_ips[0].subnet_id, fip.id, 'service subnets come first');
    const only = await h.create('network', 'networks', { name: 'f' });
    await h.create('subnet', 'subnets', { network_id: only.id, ip_version: 4, cidr: '10.9.2.0/24', service_types: ['network:router_gateway'] });
    fault(await port({ network_id: only.id, device_owner: 'compute:nova' }), 409, 'IpAddressGenerationFailureNoMatchingSubnet');
  });

  it('port update keeps unchanged addresses, adds and removes others', async () => {
    const n = await h.create('network', 'networks', { name: 'g' }, h.alice.token);
    const s = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.10.0.0/24' }, h.alice.token);
    const p = (await port({ network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.10.0.10' }] }, h.alice.token)).json().port;
    const res = await h.request('PUT', `/v2.0/ports/${p.id}`, { token: h.alice.token, body: { port: { fixed_ips: [{ ip_address: '10.10.0.10' }, { subnet_id: s.id, ip_address: '10.10.0.11' }] } } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().port.fixed_ips.map((ip: any) => ip.ip_address).sort(), ['10.10.0.10', '10.10.0.11']);
    const res2 = await h.request('PUT', `/v2.0/ports/${p.id}`, { token: h.alice.token, body: { port: { fixed_ips: [{ subnet_id: s.id, ip_address: '10.10.0.11' }] } } });
    assert.deepEqual(res2.json().port.fixed_ips.map((ip: any) => ip.ip_address), ['10.10.0.11']);
    // The released address is free again.
    const q = await port({ network_id: n.id, fixed_ips: [{ ip_address: '10.10.0.10' }] }, h.alice.token);
    assert.equal(q.statusCode, 201, q.body);
  });

  it('a new SLAAC subnet gives existing ports an EUI-64 address', async () => {
    const n = await h.create('network', 'networks', { name: 'h' });
    await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.11.0.0/24' });
    const p = (await port({ network_id: n.id, mac_address: 'fa:16:3e:aa:bb:cc' })).json().port;
    const s6 = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8:5::/64', ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' });
    const shown = (await h.request('GET', `/v2.0/ports/${p.id}`)).json().port;
    assert.ok(shown.fixed_ips.some((ip: any) => ip.subnet_id === s6.id && ip.ip_address === '2001:db8:5:0:f816:3eff:feaa:bbcc'), JSON.stringify(shown.fixed_ips));
    // Deleting the SLAAC subnet takes those addresses with it instead of refusing.
    assert.equal((await h.request('DELETE', `/v2.0/subnets/${s6.id}`)).statusCode, 204);
    const after2 = (await h.request('GET', `/v2.0/ports/${p.id}`)).json().port;
    assert.equal(after2.fixed_ips.length, 1);
  });
});
