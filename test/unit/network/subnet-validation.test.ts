import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSubnetRequest } from '../../../src/network/ipam/subnet-request.js';
import type { SubnetRequest } from '../../../src/network/ipam/subnet-request.js';
import { parseSubnetCidr } from '../../../src/network/ipam/cidr.js';
import type { Cidr } from '../../../src/network/ipam/cidr.js';
import { IpamError } from '../../../src/network/ipam/errors.js';

const NET = 'b3f1c0de-0000-4000-8000-000000000001';
const v4 = (over: Partial<SubnetRequest> = {}): SubnetRequest => ({ networkId: NET, ipVersion: 4, cidr: '10.10.1.0/24', ...over });

function fails(fn: () => unknown, type: string, message: string, status?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IpamError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.type, type);
    if (status !== undefined) assert.equal(e.status, status);
    return true;
  });
}

test('the same CIDR twice on one network is refused, on two networks allowed', () => {
  const first = validateSubnetRequest(v4(), []);
  const siblings: Cidr[] = [parseSubnetCidr(first.cidr)];
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.200', end: '10.10.1.250' }] }), siblings),
    'InvalidInput',
    `Invalid input for operation: Requested subnet with cidr: 10.10.1.0/24 for network: ${NET} overlaps with another subnet.`, 400);
  fails(() => validateSubnetRequest(v4({ cidr: '10.10.0.0/16' }), siblings), 'InvalidInput',
    `Invalid input for operation: Requested subnet with cidr: 10.10.0.0/16 for network: ${NET} overlaps with another subnet.`);
  // another network has no siblings here: the same range is fine
  assert.equal(validateSubnetRequest(v4({ networkId: 'other' }), []).cidr, '10.10.1.0/24');
  assert.equal(validateSubnetRequest(v4({ cidr: '10.10.2.0/24' }), siblings).cidr, '10.10.2.0/24');
});

test('multicast and loopback CIDRs are refused (DHCP enabled, the default)', () => {
  fails(() => validateSubnetRequest(v4({ cidr: '224.0.0.0/16' }), []), 'InvalidInput',
    'Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True.');
  fails(() => validateSubnetRequest(v4({ cidr: '127.0.1.0/24' }), []), 'InvalidInput',
    'Invalid input for operation: Loopback IP subnet is not supported if enable_dhcp is True.');
  fails(() => validateSubnetRequest({ networkId: NET, ipVersion: 6, cidr: 'ff00::/64' }, []), 'InvalidInput',
    'Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True.');
  fails(() => validateSubnetRequest(v4({ cidr: '10.0.0.0/31' }), []), 'InvalidInput',
    'Invalid input for operation: Subnet has a prefix length that is incompatible with DHCP service enabled.');
  fails(() => validateSubnetRequest(v4({ cidr: '0.0.0.0/0' }), []), 'InvalidInput',
    // Neutron's own message ends in '.', and InvalidInput adds another: kept as Neutron prints it.
    "Invalid input for operation: First IP '0.0.0.0' of network is not supported if enable_dhcp is True..");
  fails(() => validateSubnetRequest(v4({ cidr: '0.0.0.0/0', enableDhcp: false }), []), 'InvalidInput',
    'Invalid input for operation: 0 is not allowed as CIDR prefix length.');
});

test('gateway: outside the CIDR, network or broadcast address refused; null allowed', () => {
  const msg = 'Invalid input for operation: Gateway is not valid on subnet.';
  fails(() => validateSubnetRequest(v4({ gatewayIp: '10.10.2.1' }), []), 'InvalidInput', msg);
  fails(() => validateSubnetRequest(v4({ gatewayIp: '10.10.1.0' }), []), 'InvalidInput', msg);
  fails(() => validateSubnetRequest(v4({ gatewayIp: '10.10.1.255' }), []), 'InvalidInput', msg);
  fails(() => validateSubnetRequest(v4({ gatewayIp: '2001:db8::1' }), []), 'InvalidInput',
    "Invalid input for operation: gateway_ip '2001:db8::1' does not match the ip_version '4'.");
  assert.equal(validateSubnetRequest(v4({ gatewayIp: '10.10.2.1' }), [], { requireGatewayOnSubnet: false }).gatewayIp, '10.10.2.1');
  const none = validateSubnetRequest(v4({ gatewayIp: null }), []);
  assert.equal(none.gatewayIp, null);
  assert.deepEqual(none.allocationPools, [{ start: '10.10.1.1', end: '10.10.1.254' }]);
});

test('default pools skip network, broadcast and the gateway, split around it', () => {
  assert.deepEqual(validateSubnetRequest(v4(), []).allocationPools, [{ start: '10.10.1.2', end: '10.10.1.254' }]);
  assert.deepEqual(validateSubnetRequest(v4({ gatewayIp: '10.10.1.100' }), []).allocationPools, [
    { start: '10.10.1.1', end: '10.10.1.99' },
    { start: '10.10.1.101', end: '10.10.1.254' },
  ]);
  const six = validateSubnetRequest({ networkId: NET, ipVersion: 6, cidr: '2001:db8::/64' }, []);
  assert.equal(six.gatewayIp, '2001:db8::1');
  assert.deepEqual(six.allocationPools, [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }]);
});

test('allocation pools: invalid, outside, overlapping, containing the gateway', () => {
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.50', end: '10.10.1.10' }] }), []),
    'InvalidAllocationPool', "The allocation pool {'start': '10.10.1.50', 'end': '10.10.1.10'} is not valid.", 400);
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.10', end: 'nope' }] }), []),
    'InvalidAllocationPool', "The allocation pool {'start': '10.10.1.10', 'end': 'nope'} is not valid.");
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.10', end: '10.10.2.10' }] }), []),
    'OutOfBoundsAllocationPool', 'The allocation pool 10.10.1.10-10.10.2.10 spans beyond the subnet cidr 10.10.1.0/24.');
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.10', end: '10.10.1.255' }] }), []),
    'OutOfBoundsAllocationPool', 'The allocation pool 10.10.1.10-10.10.1.255 spans beyond the subnet cidr 10.10.1.0/24.');
  fails(() => validateSubnetRequest(v4({ allocationPools: [
    { start: '10.10.1.10', end: '10.10.1.50' }, { start: '10.10.1.40', end: '10.10.1.60' },
  ] }), []), 'OverlappingAllocationPools',
  'Found overlapping allocation pools: 10.10.1.10-10.10.1.50 10.10.1.40-10.10.1.60 for subnet 10.10.1.0/24.', 409);
  fails(() => validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.1', end: '10.10.1.50' }] }), []),
    'GatewayConflictWithAllocationPools', 'Gateway ip 10.10.1.1 conflicts with allocation pool 10.10.1.1-10.10.1.50.', 409);
  const ok = validateSubnetRequest(v4({ allocationPools: [{ start: '10.10.1.10', end: '10.10.1.20' }, { start: '10.10.1.30', end: '10.10.1.40' }] }), []);
  assert.equal(ok.allocationPools.length, 2);
});

test('dns_nameservers: garbage, duplicates, too many, wrong version', () => {
  fails(() => validateSubnetRequest(v4({ dnsNameservers: ['8.8.8.x'] }), []), 'InvalidInput',
    "Invalid input for dns_nameservers. Reason: '8.8.8.x' is not a valid nameserver.");
  fails(() => validateSubnetRequest(v4({ dnsNameservers: ['8.8.8.8', '8.8.8.8'] }), []), 'InvalidInput',
    "Invalid input for dns_nameservers. Reason: Duplicate nameserver '8.8.8.8'.");
  fails(() => validateSubnetRequest(v4({ dnsNameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] }), []),
    'DNSNameServersExhausted', 'Unable to complete operation for new subnet. The number of DNS nameservers exceeds the limit 5.');
  fails(() => validateSubnetRequest(v4({ dnsNameservers: ['2001:db8::53'] }), []), 'InvalidInput',
    "Invalid input for operation: dns_nameserver '2001:db8::53' does not match the ip_version '4'.");
  assert.deepEqual(validateSubnetRequest(v4({ dnsNameservers: ['8.8.8.8', '1.1.1.1'] }), []).dnsNameservers, ['8.8.8.8', '1.1.1.1']);
});

test('host_routes: garbage, duplicates, wrong version', () => {
  fails(() => validateSubnetRequest(v4({ hostRoutes: [{ destination: 'x', nexthop: '10.10.1.5' }] }), []), 'InvalidInput',
    "Invalid input for host_routes. Reason: 'x' is not a valid IP subnet.");
  fails(() => validateSubnetRequest(v4({ hostRoutes: [{ destination: '0.0.0.0/0', nexthop: 'y' }] }), []), 'InvalidInput',
    "Invalid input for host_routes. Reason: 'y' is not a valid IP address.");
  const r = { destination: '192.168.0.0/16', nexthop: '10.10.1.5' };
  fails(() => validateSubnetRequest(v4({ hostRoutes: [r, r] }), []), 'InvalidInput',
    "Invalid input for host_routes. Reason: Duplicate hostroute '{'destination': '192.168.0.0/16', 'nexthop': '10.10.1.5'}'.");
  fails(() => validateSubnetRequest(v4({ hostRoutes: [{ destination: '192.168.0.0/16', nexthop: '2001:db8::1' }] }), []), 'InvalidInput',
    "Invalid input for operation: nexthop '2001:db8::1' does not match the ip_version '4'.");
  assert.deepEqual(validateSubnetRequest(v4({ hostRoutes: [r] }), []).hostRoutes, [r]);
});

test('IPv6 mode combinations', () => {
  const v6 = (over: Partial<SubnetRequest>): SubnetRequest => ({ networkId: NET, ipVersion: 6, cidr: '2001:db8::/64', ...over });
  for (const m of ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless']) {
    assert.doesNotThrow(() => validateSubnetRequest(v6({ ipv6RaMode: m, ipv6AddressMode: m }), []), m);
  }
  assert.doesNotThrow(() => validateSubnetRequest(v6({ ipv6AddressMode: 'slaac' }), []));
  fails(() => validateSubnetRequest(v6({ ipv6RaMode: 'slaac', ipv6AddressMode: 'dhcpv6-stateful' }), []), 'InvalidInput',
    "Invalid input for operation: ipv6_ra_mode set to 'slaac' with ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both attributes are set, they must be the same value.");
  fails(() => validateSubnetRequest(v6({ ipv6AddressMode: 'slaac', enableDhcp: false }), []), 'InvalidInput',
    'Invalid input for operation: ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False.');
  fails(() => validateSubnetRequest(v6({ cidr: '2001:db8::/80', ipv6AddressMode: 'slaac' }), []), 'InvalidInput',
    'Invalid input for operation: Invalid CIDR 2001:db8::/80 for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64.');
  fails(() => validateSubnetRequest(v4({ ipv6RaMode: 'slaac' }), []), 'InvalidInput',
    'Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.');
  fails(() => validateSubnetRequest(v6({ ipv6AddressMode: 'bogus' }), []), 'InvalidInput',
    "Invalid input for ipv6_address_mode. Reason: 'bogus' is not in ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'].");
});
