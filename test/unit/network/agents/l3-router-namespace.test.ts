import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalInterfaceCidr, canonicalRouteDst, diffAddresses, diffRoutes, planRouterNamespace,
} from '../../../../src/network/agents/l3/router-namespace.js';
import type { RouterInfo, SubnetInfo } from '../../../../src/network/agents/common/state.js';

const subnet = (cidr: string, gateway_ip: string, ip_version: 4 | 6 = 4): SubnetInfo => ({
  id: `s-${cidr}`, network_id: 'n', ip_version, cidr, gateway_ip, enable_dhcp: true, dns_nameservers: [], host_routes: [],
  ipv6_ra_mode: null, ipv6_address_mode: null,
});

const router: RouterInfo = {
  id: 'r1', project_id: 'p', admin_state_up: true,
  gateway: {
    port_id: 'cccccccc-3333-4333-8333-000000000003', network_id: 'ext', mac_address: 'FA:16:3E:00:00:03', mtu: 1500,
    addresses: ['172.24.99.10/24', '2001:DB8:99::10/64'], subnets: [subnet('172.24.99.0/24', '172.24.99.1'), subnet('2001:db8:99::/64', '2001:db8:99::1', 6)],
    enable_snat: true, gateway_ips: ['172.24.99.1', '2001:db8:99::1'],
  },
  interfaces: [
    { port_id: 'aaaaaaaa-1111-4111-8111-000000000001', network_id: 'a', mac_address: 'fa:16:3e:00:00:01', mtu: 1450,
      addresses: ['10.20.1.1/24'], subnets: [subnet('10.20.1.0/24', '10.20.1.1')] },
  ],
  routes: [
    { destination: '192.168.50.0/24', nexthop: '10.20.1.100' },
    { destination: '192.168.60.7/32', nexthop: '10.20.1.101' },
    { destination: '192.168.70.0/24', nexthop: '10.99.0.1' }, // not connected: skipped
  ],
  floating_ips: [{ id: 'f1', floating_ip_address: '172.24.99.20', fixed_ip_address: '10.20.1.5', fixed_port_id: 'p', status: 'DOWN' }],
};

test('plan: qr-/qg- names, taps, lower-case MACs, FIP /32s on the gateway, default routes and connected extra routes', () => {
  const plan = planRouterNamespace(router, 'nimbus-h1-qrouter-r1');
  assert.equal(plan.netns, 'nimbus-h1-qrouter-r1');
  assert.deepEqual(plan.devices, [
    { kind: 'internal', portId: 'aaaaaaaa-1111-4111-8111-000000000001', name: 'qr-aaaaaaaa-11', hostName: 'tapaaaaaaaa-11',
      mac: 'fa:16:3e:00:00:01', mtu: 1450, addresses: ['10.20.1.1/24'] },
    { kind: 'gateway', portId: 'cccccccc-3333-4333-8333-000000000003', name: 'qg-cccccccc-33', hostName: 'tapcccccccc-33',
      mac: 'fa:16:3e:00:00:03', mtu: 1500, addresses: ['172.24.99.10/24', '2001:db8:99::10/64', '172.24.99.20/32'] },
  ]);
  assert.deepEqual(plan.routes, [
    { dst: 'default', via: '172.24.99.1', dev: 'qg-cccccccc-33', family: 4 },
    { dst: 'default', via: '2001:db8:99::1', dev: 'qg-cccccccc-33', family: 6 },
    { dst: '192.168.50.0/24', via: '10.20.1.100', family: 4 },
    { dst: '192.168.60.7', via: '10.20.1.101', family: 4 },
  ]);
});

test('plan: no gateway means no qg- device, no default route and no floating IP addresses', () => {
  const plan = planRouterNamespace({ ...router, gateway: null, routes: [] }, 'ns');
  assert.deepEqual(plan.devices.map((d) => d.name), ['qr-aaaaaaaa-11']);
  assert.deepEqual(plan.routes, []);
});

test('canonical forms match what ip -json prints', () => {
  assert.equal(canonicalInterfaceCidr('2001:DB8:0:0::1/64'), '2001:db8::1/64');
  assert.equal(canonicalInterfaceCidr('10.0.0.1'), '10.0.0.1/32');
  assert.equal(canonicalRouteDst('0.0.0.0/0'), 'default');
  assert.equal(canonicalRouteDst('::/0'), 'default');
  assert.equal(canonicalRouteDst('10.1.2.3/32'), '10.1.2.3');
  assert.equal(canonicalRouteDst('10.1.2.3/24'), '10.1.2.0/24');
  assert.equal(canonicalInterfaceCidr('nonsense'), null);
});

test('address diff keeps link-local IPv6 and removes only what is not wanted', () => {
  const diff = diffAddresses(['10.20.1.1/24', '2001:db8::1/64', '172.24.99.20/32'], [
    { dev: 'qg', family: 4, cidr: '10.20.1.1/24', scope: 'global' },
    { dev: 'qg', family: 4, cidr: '172.24.99.30/32', scope: 'global' },
    { dev: 'qg', family: 6, cidr: '2001:db8:0::1/64', scope: 'global' },
    { dev: 'qg', family: 6, cidr: 'fe80::f816:3eff:fe00:3/64', scope: 'link' },
  ]);
  assert.deepEqual(diff, { add: ['172.24.99.20/32'], remove: ['172.24.99.30/32'] });
  assert.deepEqual(diffAddresses(['10.0.0.1/24'], [{ dev: 'x', family: 4, cidr: '10.0.0.1/24', scope: 'global' }]), { add: [], remove: [] });
});

test('route diff: leaves connected routes, replaces changed gateways, deletes stale gatewayed routes', () => {
  const diff = diffRoutes([
    { dst: 'default', via: '172.24.99.1', dev: 'qg-x', family: 4 },
    { dst: '192.168.50.0/24', via: '10.20.1.100', family: 4 },
    { dst: '192.168.60.7', via: '10.20.1.101', family: 4 },
  ], [
    { dst: 'default', via: '172.24.99.1', dev: 'qg-x', family: 4 },
    { dst: '10.20.1.0/24', dev: 'qr-a', scope: 'link', family: 4 },
    { dst: '192.168.50.0/24', via: '10.20.1.99', dev: 'qr-a', family: 4 },
    { dst: '192.168.80.0/24', via: '10.20.1.98', dev: 'qr-a', family: 4 },
  ]);
  assert.deepEqual(diff.replace, [
    { dst: '192.168.50.0/24', via: '10.20.1.100', family: 4 },
    { dst: '192.168.60.7', via: '10.20.1.101', family: 4 },
  ]);
  assert.deepEqual(diff.remove, [{ dst: '192.168.80.0/24', via: '10.20.1.98', dev: 'qr-a', family: 4 }]);
  assert.deepEqual(diffRoutes([{ dst: 'default', via: '172.24.99.1', dev: 'qg-x', family: 4 }],
    [{ dst: 'default', via: '172.24.99.1', dev: 'qg-x', family: 4 }]), { replace: [], remove: [] });
});
