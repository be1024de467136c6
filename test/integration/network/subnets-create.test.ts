import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('subnets: create and validation', () => {
  let h: NetworkHarness;
  let net: Record<string, any>;
  const post = (body: Record<string, unknown>, token?: string) => h.request('POST', '/v2.0/subnets', { body: { subnet: body }, ...(token ? { token } : {}) });
  const fault = (res: { statusCode: number; json(): any }, status: number, type: string, message?: string) => {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    assert.equal(res.json().NeutronError.type, type);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };
  before(async () => {
    h = await startNetwork();
    net = await h.create('network', 'networks', { name: 'n1' }, h.alice.token);
  });
  after(async () => { await h.close(); });

  it('creates a subnet with Neutron defaults and renders it', async () => {
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.10.1.0/24', name: 's1' }, h.alice.token);
    assert.equal(s.cidr, '10.10.1.0/24');
    assert.equal(s.gateway_ip, '10.10.1.1');
    assert.deepEqual(s.allocation_pools, [{ start: '10.10.1.2', end: '10.10.1.254' }]);
    assert.deepEqual(s.host_routes, []);
    assert.deepEqual(s.dns_nameservers, []);
    assert.equal(s.enable_dhcp, true);
    assert.equal(s.ipv6_ra_mode, null);
    assert.equal(s.subnetpool_id, null);
    assert.equal(s.project_id, h.alice.projectId);
    assert.equal(s.tenant_id, h.alice.projectId);
    assert.equal(s.revision_number, 0);
    assert.deepEqual(s.tags, []);
    assert.deepEqual(s.service_types, []);
    assert.equal('segment_id' in s, false, 'segment_id is admin-only');
    const shown = await h.request('GET', `/v2.0/subnets/${s.id}`, { token: h.alice.token });
    assert.equal(shown.statusCode, 200);
    assert.deepEqual(shown.json().subnet, s);
    const net2 = await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.alice.token });
    assert.deepEqual(net2.json().network.subnets, [s.id]);
  });

  it('refuses 10.10.1.0/24 twice on one network, even with disjoint pools', async () => {
    const res = await post({ network_id: net.id, ip_version: 4, cidr: '10.10.1.0/24', allocation_pools: [{ start: '10.10.1.200', end: '10.10.1.250' }] }, h.alice.token);
    fault(res, 400, 'InvalidInput', `Invalid input for operation: Requested subnet with cidr: 10.10.1.0/24 for network: ${net.id} overlaps with another subnet.`);
  });

  it('allows the same CIDR on a different network', async () => {
    const other = await h.create('network', 'networks', { name: 'n2' }, h.alice.token);
    const s = await h.create('subnet', 'subnets', { network_id: other.id, ip_version: 4, cidr: '10.10.1.0/24' }, h.alice.token);
    assert.equal(s.cidr, '10.10.1.0/24');
  });

  it('refuses multicast and loopback ranges with Neutron\'s messages', async () => {
    fault(await post({ network_id: net.id, ip_version: 4, cidr: '224.0.0.0/16' }, h.alice.token), 400, 'InvalidInput',
      'Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True.');
    fault(await post({ network_id: net.id, ip_version: 4, cidr: '127.0.1.0/24' }, h.alice.token), 400, 'InvalidInput',
      'Invalid input for operation: Loopback IP subnet is not supported if enable_dhcp is True.');
  });

  it('refuses bad gateways, pools, DNS servers and host routes', async () => {
    const base = { network_id: net.id, ip_version: 4, cidr: '10.20.0.0/24' };
    fault(await post({ ...base, gateway_ip: '10.21.0.1' }, h.alice.token), 400, 'InvalidInput', 'Invalid input for operation: Gateway is not valid on subnet.');
    fault(await post({ ...base, allocation_pools: [{ start: '10.20.0.10', end: '10.20.1.5' }] }, h.alice.token), 400, 'OutOfBoundsAllocationPool',
      'The allocation pool 10.20.0.10-10.20.1.5 spans beyond the subnet cidr 10.20.0.0/24.');
    fault(await post({ ...base, allocation_pools: [{ start: '10.20.0.10', end: '10.20.0.50' }, { start: '10.20.0.40', end: '10.20.0.60' }] }, h.alice.token),
      409, 'OverlappingAllocationPools');
    fault(await post({ ...base, allocation_pools: [{ start: '10.20.0.1', end: '10.20.0.50' }] }, h.alice.token), 409, 'GatewayConflictWithAllocationPools');
    fault(await post({ ...base, allocation_pools: [{ start: 'x', end: '10.20.0.50' }] }, h.alice.token), 400, 'HTTPBadRequest');
    fault(await post({ ...base, dns_nameservers: ['1.1.1.1', 'bogus'] }, h.alice.token), 400, 'InvalidInput');
    fault(await post({ ...base, dns_nameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] }, h.alice.token), 400, 'DNSNameServersExhausted');
    fault(await post({ ...base, host_routes: [{ destination: 'nope', nexthop: '10.20.0.9' }] }, h.alice.token), 400, 'InvalidInput');
    fault(await post({ ...base, host_routes: [{ destination: '10.0.0.0/8' }] }, h.alice.token), 400, 'HTTPBadRequest');
    fault(await post({ ...base, cidr: '10.20.0.5/24' }, h.alice.token), 400, 'HTTPBadRequest',
      "Invalid input for cidr. Reason: '10.20.0.5/24' isn't a recommended CIDR, '10.20.0.0/24' is recommended.");
    fault(await post({ ...base, ip_version: 6 }, h.alice.token), 400, 'InvalidInput', "Invalid input for operation: cidr '10.20.0.0/24' does not match the ip_version '6'.");
    fault(await post({ ...base, ip_version: 5 }, h.alice.token), 400, 'HTTPBadRequest', 'Invalid input for ip_version. Reason: 5 is not in [4, 6].');
    fault(await post({ network_id: net.id, ip_version: 4 }, h.alice.token), 400, 'BadRequest',
      'Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
    fault(await post({ ...base, prefixlen: 26 }, h.alice.token), 400, 'BadRequest', 'Bad subnets request: cidr and prefixlen must not be supplied together.');
    fault(await post({ ...base, bogus: 1 }, h.alice.token), 400, 'HTTPBadRequest', "Unrecognized attribute(s) 'bogus'");
    // Nothing half-written: no subnet exists for the refused CIDR.
    const list = await h.request('GET', '/v2.0/subnets?cidr=10.20.0.0/24', { token: h.alice.token });
    assert.deepEqual(list.json().subnets, []);
  });

  it('stores explicit gateway, pools, DNS servers, routes; gateway_ip null means none', async () => {
    const s = await h.create('subnet', 'subnets', {
      network_id: net.id, ip_version: 4, cidr: '10.30.0.0/24', gateway_ip: '10.30.0.254',
      allocation_pools: [{ start: '10.30.0.100', end: '10.30.0.110' }, { start: '10.30.0.10', end: '10.30.0.20' }],
      dns_nameservers: ['8.8.8.8', '1.1.1.1'], host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.30.0.5' }],
    }, h.alice.token);
    assert.equal(s.gateway_ip, '10.30.0.254');
    assert.deepEqual(s.allocation_pools, [{ start: '10.30.0.100', end: '10.30.0.110' }, { start: '10.30.0.10', end: '10.30.0.20' }]);
    assert.deepEqual(s.dns_nameservers, ['8.8.8.8', '1.1.1.1']);
    assert.deepEqual(s.host_routes, [{ destination: '192.168.0.0/16', nexthop: '10.30.0.5' }]);
    const none = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.31.0.0/29', gateway_ip: null }, h.alice.token);
    assert.equal(none.gateway_ip, null);
    assert.deepEqual(none.allocation_pools, [{ start: '10.31.0.1', end: '10.31.0.6' }]);
  });

  it('creates IPv6 subnets with modes; SLAAC needs a /64', async () => {
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 6, cidr: '2001:db8:1::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' }, h.alice.token);
    assert.equal(s.gateway_ip, '2001:db8:1::1');
    assert.deepEqual(s.allocation_pools, [{ start: '2001:db8:1::2', end: '2001:db8:1:0:ffff:ffff:ffff:ffff' }]);
    fault(await post({ network_id: net.id, ip_version: 6, cidr: '2001:db8:2::/80', ipv6_address_mode: 'slaac' }, h.alice.token), 400, 'InvalidInput');
    fault(await post({ network_id: net.id, ip_version: 4, cidr: '10.40.0.0/24', ipv6_address_mode: 'slaac' }, h.alice.token), 400, 'InvalidInput',
      'Invalid input for operation: ipv6_address_mode is not valid when ip_version is 4.');
  });

  it('hides other projects\' networks (404) and refuses non-owners of a shared network (403)', async () => {
    fault(await post({ network_id: net.id, ip_version: 4, cidr: '10.50.0.0/24' }, h.bob.token), 404, 'NetworkNotFound');
    const sharedNet = await h.create('network', 'networks', { name: 'shared', shared: true });
    fault(await post({ network_id: sharedNet.id, ip_version: 4, cidr: '10.51.0.0/24' }, h.bob.token), 403, 'PolicyNotAuthorized');
    const s = await h.create('subnet', 'subnets', { network_id: sharedNet.id, ip_version: 4, cidr: '10.51.0.0/24' });
    // Bob sees the subnet of the shared network, not alice's.
    const bobList = (await h.request('GET', '/v2.0/subnets', { token: h.bob.token })).json().subnets.map((x: any) => x.id);
    assert.ok(bobList.includes(s.id));
    assert.equal((await h.request('GET', '/v2.0/subnets', { token: h.bob.token })).json().subnets.some((x: any) => x.network_id === net.id), false);
    fault(await h.request('GET', `/v2.0/subnets/${(await h.request('GET', `/v2.0/subnets?network_id=${net.id}`, { token: h.alice.token })).json().subnets[0].id}`, { token: h.bob.token }), 404, 'SubnetNotFound');
  });

  it('service_types are not policed (no enforce_policy in Neutron)', async () => {
    const mine = await post({ network_id: net.id, ip_version: 4, cidr: '10.62.0.0/24', service_types: ['network:floatingip'] }, h.alice.token);
    assert.equal(mine.statusCode, 201);
    assert.deepEqual(mine.json().subnet.service_types, ['network:floatingip']);
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.60.0.0/24', service_types: ['network:floatingip', 'compute:nova'] });
    assert.deepEqual(s.service_types, ['compute:nova', 'network:floatingip']);
    assert.equal(s.segment_id, null);
    fault(await post({ network_id: net.id, ip_version: 4, cidr: '10.61.0.0/24', service_types: ['foo'] }), 400, 'HTTPBadRequest',
      'Subnet service type foo does not correspond to a valid device owner.');
  });

  it('honours the subnet quota', async () => {
    const t = await h.tenant();
    const n = await h.create('network', 'networks', { name: 'q' }, t.token);
    await h.request('PUT', `/v2.0/quotas/${t.projectId}`, { body: { quota: { subnet: 1 } } });
    await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.70.0.0/24' }, t.token);
    fault(await post({ network_id: n.id, ip_version: 4, cidr: '10.71.0.0/24' }, t.token), 409, 'OverQuota');
  });

  it('bulk create is all or nothing', async () => {
    const n = await h.create('network', 'networks', { name: 'bulk' }, h.alice.token);
    const res = await h.request('POST', '/v2.0/subnets', { token: h.alice.token, body: { subnets: [
      { network_id: n.id, ip_version: 4, cidr: '10.80.0.0/24' }, { network_id: n.id, ip_version: 4, cidr: '10.80.0.0/25' },
    ] } });
    assert.equal(res.statusCode, 400);
    const left = await h.request('GET', `/v2.0/subnets?network_id=${n.id}`, { token: h.alice.token });
    assert.deepEqual(left.json().subnets, []);
  });
});
