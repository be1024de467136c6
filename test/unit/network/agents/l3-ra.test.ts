import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dnsmasqRaRangeMode, radvdArgs, radvdDaemonId, radvdDaemonSpec, routerAdvertisementInterfaces,
} from '../../../../src/network/agents/l3/router-advertisements.js';
import type { RouterInfo, RouterInterface, SubnetInfo } from '../../../../src/network/agents/common/state.js';

const PORT_A = 'aaaaaaaa-1111-4111-8111-000000000001';
const PORT_B = 'bbbbbbbb-2222-4222-8222-000000000002';
const PID = '/var/lib/nimbus/l3-radvd/radvd-r1.pid';

function v6(id: string, cidr: string, ra: string | null, extra: Partial<SubnetInfo> = {}): SubnetInfo {
  return {
    id, network_id: 'n', ip_version: 6, cidr, gateway_ip: null, enable_dhcp: true, dns_nameservers: [], host_routes: [],
    ipv6_ra_mode: ra, ipv6_address_mode: ra, ...extra,
  };
}

const v4: SubnetInfo = {
  id: 's-v4', network_id: 'n', ip_version: 4, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1', enable_dhcp: true,
  dns_nameservers: ['8.8.8.8'], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null,
};

function iface(portId: string, addresses: string[], subnets: SubnetInfo[], mtu = 1450): RouterInterface {
  return { port_id: portId, network_id: 'n', mac_address: 'fa:16:3e:00:00:01', mtu, addresses, subnets };
}

function router(interfaces: RouterInterface[]): RouterInfo {
  return { id: 'r1', project_id: 'p', admin_state_up: true, gateway: null, interfaces, routes: [], floating_ips: [] };
}

/** The fixed part of every command line, before the per-interface and per-prefix options. */
function head(...devices: string[]): string[] {
  return [
    '--keep-in-foreground', '--conf-file=/dev/null', '--no-hosts', '--no-resolv', '--port=0',
    `--pid-file=${PID}`, '--leasefile-ro', '--log-facility=-', '--quiet-ra', '--quiet-dhcp6',
    '--bind-interfaces', '--except-interface=lo', ...devices.map((d) => `--interface=${d}`),
    '--enable-ra', '--dhcp-ignore=tag:!known',
  ];
}

const args = (r: RouterInfo) => radvdArgs(routerAdvertisementInterfaces(r), { pidFile: PID });

test('slaac: ra-only range (prefix L+A, no M/O), MTU and interval, RDNSS from the subnet\'s IPv6 DNS servers', () => {
  const r = router([iface(PORT_A, ['10.0.0.1/24', '2001:DB8:1::1/64'], [
    v4, v6('s-a', '2001:db8:1::/64', 'slaac', { dns_nameservers: ['2001:4860:4860::8888', '8.8.4.4', '2001:4860:4860:0:0:0:0:8888'] }),
  ])]);
  assert.deepEqual(args(r), [
    ...head('qr-aaaaaaaa-11'),
    '--ra-param=qr-aaaaaaaa-11,mtu:1450,30,300',
    '--dhcp-range=set:subnet-s-a,2001:db8:1::,ra-only,64,86400s',
    '--dhcp-option=tag:subnet-s-a,option6:dns-server,[2001:4860:4860::8888]',
  ]);
});

test('dhcpv6-stateful: static range (M set, prefix on-link only); the router never answers DHCPv6', () => {
  const r = router([iface(PORT_A, ['2001:db8:2::1/64'], [v6('s-b', '2001:db8:2::/64', 'dhcpv6-stateful')])]);
  const out = args(r)!;
  assert.deepEqual(out, [
    ...head('qr-aaaaaaaa-11'),
    '--ra-param=qr-aaaaaaaa-11,mtu:1450,30,300',
    '--dhcp-range=set:subnet-s-b,2001:db8:2::,static,64,86400s',
  ]);
  assert.ok(out.includes('--dhcp-ignore=tag:!known'));
  assert.ok(out.includes('--leasefile-ro'));
});

test('dhcpv6-stateless: ra-stateless range (prefix L+A, O set)', () => {
  const r = router([iface(PORT_A, ['2001:db8:3::1/64'], [v6('s-c', '2001:db8:3::/64', 'dhcpv6-stateless', { dns_nameservers: ['2001:db8::53'] })])]);
  assert.deepEqual(args(r), [
    ...head('qr-aaaaaaaa-11'),
    '--ra-param=qr-aaaaaaaa-11,mtu:1450,30,300',
    '--dhcp-range=set:subnet-s-c,2001:db8:3::,ra-stateless,64,86400s',
    '--dhcp-option=tag:subnet-s-c,option6:dns-server,[2001:db8::53]',
  ]);
});

test('range modes per ipv6_ra_mode', () => {
  assert.equal(dnsmasqRaRangeMode('slaac'), 'ra-only');
  assert.equal(dnsmasqRaRangeMode('dhcpv6-stateless'), 'ra-stateless');
  assert.equal(dnsmasqRaRangeMode('dhcpv6-stateful'), 'static');
});

test('no ipv6_ra_mode: no daemon (IPv4 only, IPv6 without RA mode, or address-mode-only subnets)', () => {
  assert.equal(args(router([])), null);
  assert.equal(args(router([iface(PORT_A, ['10.0.0.1/24'], [v4])])), null);
  const noRa = v6('s-x', '2001:db8:9::/64', null);
  assert.equal(args(router([iface(PORT_A, ['2001:db8:9::1/64'], [noRa])])), null);
  const addressOnly: SubnetInfo = { ...noRa, ipv6_address_mode: 'slaac' };
  assert.equal(args(router([iface(PORT_A, ['2001:db8:9::1/64'], [addressOnly])])), null);
  assert.equal(args(router([iface(PORT_A, ['2001:db8:9::1/64'], [{ ...noRa, ipv6_ra_mode: 'bogus' }])])), null);
  assert.equal(radvdDaemonSpec(router([iface(PORT_A, ['10.0.0.1/24'], [v4])]), { netns: 'ns', dir: '/d' }), null);
});

test('a prefix the interface holds no address in is not advertised; invalid CIDRs and subnet ids are skipped', () => {
  const r = router([iface(PORT_A, ['2001:db8:1::1/64'], [
    v6('s-a', '2001:db8:1::/64', 'slaac'),
    v6('s-other', '2001:db8:77::/64', 'slaac'),
    v6('s-bad', 'not-a-cidr', 'slaac'),
    v6('bad id;', '2001:db8:1::/64', 'slaac'),
  ])]);
  assert.deepEqual(routerAdvertisementInterfaces(r), [
    { device: 'qr-aaaaaaaa-11', mtu: 1450, prefixes: [{ subnetId: 's-a', prefix: '2001:db8:1::', prefixlen: 64, mode: 'slaac', dnsServers: [] }] },
  ]);
});

test('several interfaces and prefixes: sorted by device then subnet id; MTU option off below 1280', () => {
  const r = router([
    iface(PORT_B, ['2001:db8:20::1/64', '2001:db8:21::1/64'], [
      v6('s-z', '2001:db8:21::/64', 'dhcpv6-stateless'), v6('s-y', '2001:db8:20::/64', 'slaac'),
    ], 1200),
    iface(PORT_A, ['10.0.0.1/24', '2001:db8:10::1/64'], [v4, v6('s-x', '2001:db8:10::/64', 'slaac')], 9000),
  ]);
  assert.deepEqual(args(r), [
    ...head('qr-aaaaaaaa-11', 'qr-bbbbbbbb-22'),
    '--ra-param=qr-aaaaaaaa-11,mtu:9000,30,300',
    '--ra-param=qr-bbbbbbbb-22,mtu:off,30,300',
    '--dhcp-range=set:subnet-s-x,2001:db8:10::,ra-only,64,86400s',
    '--dhcp-range=set:subnet-s-y,2001:db8:20::,ra-only,64,86400s',
    '--dhcp-range=set:subnet-s-z,2001:db8:21::,ra-stateless,64,86400s',
  ]);
});

test('the daemon spec: radvd-<router-id> in the router namespace, files in the given directory', () => {
  const r = router([iface(PORT_A, ['2001:db8:1::1/64'], [v6('s-a', '2001:db8:1::/64', 'slaac')])]);
  const spec = radvdDaemonSpec(r, { netns: 'nimbus-h1-qrouter-r1', dir: '/state/l3-radvd' })!;
  assert.equal(spec.id, radvdDaemonId('r1'));
  assert.equal(spec.id, 'radvd-r1');
  assert.equal(spec.netns, 'nimbus-h1-qrouter-r1');
  assert.equal(spec.command, 'dnsmasq');
  assert.equal(spec.logFile, '/state/l3-radvd/radvd-r1.log');
  assert.ok(spec.args.includes('--pid-file=/state/l3-radvd/radvd-r1.pid'));
  // Same state, same argv: Daemons adopts the running daemon instead of restarting it.
  assert.deepEqual(radvdDaemonSpec(r, { netns: 'nimbus-h1-qrouter-r1', dir: '/state/l3-radvd' }), spec);
});
