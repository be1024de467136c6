import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reachableByOthers } from '../../../../src/network/agents/dhcp/dhcp-agent.js';
import {
  conflictingLeases, dhcpPortAddresses, dnsmasqAction, dnsmasqArgs, renderDnsmasqConfig, renderHostsFile, renderOptsFile,
  servesMetadata, withoutLeases,
} from '../../../../src/network/agents/dhcp/dnsmasq-config.js';
import type { DhcpNetwork, SubnetInfo } from '../../../../src/network/agents/common/state.js';

const NET = '6f1e2d3c-0000-4000-8000-000000000001';
const SUB4 = 'aaaaaaaa-0000-4000-8000-000000000004';
const SUB6 = 'bbbbbbbb-0000-4000-8000-000000000006';
const DHCP_PORT = 'd0d0d0d0-1111-4000-8000-000000000000';
const P1 = '11111111-2222-4000-8000-000000000001';
const P2 = '22222222-2222-4000-8000-000000000002';

function subnet(over: Partial<SubnetInfo> = {}): SubnetInfo {
  return {
    id: SUB4, network_id: NET, ip_version: 4, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1', enable_dhcp: true,
    dns_nameservers: [], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null, ...over,
  };
}

function port(id: string, mac: string, ips: Array<[string, string]>, extra: DhcpNetwork['ports'][number]['extra_dhcp_opts'] = [], hostname = '') {
  return {
    id, network_id: NET, mac_address: mac, admin_state_up: true, status: 'ACTIVE', device_owner: 'compute:nova', device_id: `vm-${id}`,
    fixed_ips: ips.map(([subnet_id, ip_address]) => ({ subnet_id, ip_address })), port_security_enabled: true,
    security_group_ids: [], allowed_address_pairs: [], hostname, extra_dhcp_opts: extra,
  };
}

function network(over: Partial<DhcpNetwork> = {}): DhcpNetwork {
  return {
    network: { id: NET, project_id: 'p', mtu: 1450, network_type: 'vxlan', physical_network: null, segmentation_id: 7, admin_state_up: true },
    subnets: [subnet()],
    dhcp_port: { ...port(DHCP_PORT, 'fa:16:3e:00:00:02', [[SUB4, '10.0.0.2']]) },
    ports: [port(P2, 'fa:16:3e:00:00:22', [[SUB4, '10.0.0.22']]), port(P1, 'FA:16:3E:00:00:11', [[SUB4, '10.0.0.11']])],
    isolated: false,
    ...over,
  };
}

test('hosts file: one line per port address, sorted by port id, IPv6 in brackets', () => {
  const net = network({
    subnets: [subnet(), subnet({ id: SUB6, ip_version: 6, cidr: '2001:db8::/64', gateway_ip: '2001:db8::1', ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful' })],
    ports: [
      port(P2, 'fa:16:3e:00:00:22', [[SUB4, '10.0.0.22']], [], 'web-1'),
      port(P1, 'FA:16:3E:00:00:11', [[SUB4, '10.0.0.11'], [SUB6, '2001:db8::11']], [], 'host-10-0-0-11'),
    ],
  });
  assert.equal(renderHostsFile(net, 'openstacklocal'), [
    'fa:16:3e:00:00:11,host-10-0-0-11.openstacklocal,10.0.0.11',
    'fa:16:3e:00:00:11,host-2001-db8--11.openstacklocal,[2001:db8::11]',
    'fa:16:3e:00:00:22,web-1.openstacklocal,10.0.0.22',
    '',
  ].join('\n'));
});

test('hosts file: tags ports with extra options, skips non-DHCP subnets and unsafe names', () => {
  const net = network({
    subnets: [subnet(), subnet({ id: 'cccccccc-0000-4000-8000-000000000000', cidr: '10.1.0.0/24', enable_dhcp: false })],
    ports: [
      port(P1, 'fa:16:3e:00:00:11', [[SUB4, '10.0.0.11'], ['cccccccc-0000-4000-8000-000000000000', '10.1.0.11']],
        [{ opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 }], 'evil\nname'),
    ],
  });
  assert.equal(renderHostsFile(net, 'example.org'), `fa:16:3e:00:00:11,set:port-${P1},host-10-0-0-11.example.org,10.0.0.11\n`);
});

test('opts file: router, DNS, per-port options; empty router when there is no gateway', () => {
  const net = network({
    subnets: [subnet({ dns_nameservers: ['8.8.8.8', '1.1.1.1'] })],
    ports: [port(P1, 'fa:16:3e:00:00:11', [[SUB4, '10.0.0.11']], [
      { opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 },
      { opt_name: '150', opt_value: '10.0.0.9', ip_version: 4 },
      { opt_name: 'bad name', opt_value: 'x', ip_version: 4 },
      { opt_name: 'tftp-server', opt_value: 'a\ntag:x,option:router,6.6.6.6', ip_version: 4 },
    ])],
  });
  assert.equal(renderOptsFile(net, { metadata: false }), [
    `tag:subnet-${SUB4},option:dns-server,8.8.8.8,1.1.1.1`,
    `tag:subnet-${SUB4},option:router,10.0.0.1`,
    `tag:port-${P1},option:bootfile-name,pxelinux.0`,
    `tag:port-${P1},150,10.0.0.9`,
    '',
  ].join('\n'));
  const noGateway = network({ subnets: [subnet({ gateway_ip: null })] });
  assert.equal(renderOptsFile(noGateway, { metadata: false }), `tag:subnet-${SUB4},option:router\n`);
});

test('opts file: classless routes carry host routes, the metadata route and the default route', () => {
  const net = network({
    isolated: true,
    subnets: [subnet({ host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.254' }] })],
  });
  const routes = '192.168.0.0/16,10.0.0.254,169.254.169.254/32,10.0.0.2,0.0.0.0/0,10.0.0.1';
  assert.equal(renderOptsFile(net, { metadata: true }), [
    `tag:subnet-${SUB4},option:classless-static-route,${routes}`,
    `tag:subnet-${SUB4},249,${routes}`,
    `tag:subnet-${SUB4},option:router,10.0.0.1`,
    '',
  ].join('\n'));
  // A 0.0.0.0/0 host route stands in for a missing gateway.
  const viaRoute = network({ subnets: [subnet({ gateway_ip: null, host_routes: [{ destination: '0.0.0.0/0', nexthop: '10.0.0.5' }] })] });
  assert.equal(renderOptsFile(viaRoute, { metadata: false }), `tag:subnet-${SUB4},option:router,10.0.0.5\n`);
});

test('metadata is served from the DHCP namespace only on isolated networks with IPv4 DHCP', () => {
  assert.equal(servesMetadata(network({ isolated: true }), true), true);
  assert.equal(servesMetadata(network({ isolated: true }), false), false);
  assert.equal(servesMetadata(network({ isolated: false }), true), false);
  assert.equal(servesMetadata(network({ isolated: true, subnets: [subnet({ enable_dhcp: false })] }), true), false);
});

test('dnsmasq command line: Neutron flags, one range per DHCP subnet, mtu, lease max', () => {
  const net = network({
    subnets: [
      subnet(),
      subnet({ id: SUB6, ip_version: 6, cidr: '2001:db8::/64', gateway_ip: '2001:db8::1', ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful' }),
      subnet({ id: 'cccccccc-0000-4000-8000-000000000000', cidr: '10.1.0.0/16', enable_dhcp: false }),
      subnet({ id: '00000000-0000-4000-8000-000000000000', cidr: '2001:db8:1::/64', ip_version: 6, ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' }),
    ],
  });
  assert.deepEqual(dnsmasqArgs({ network: net, dir: '/s/dhcp/n', domain: 'openstacklocal' }), [
    '--no-hosts', '--no-resolv', '--keep-in-foreground', '--port=0',
    '--pid-file=/s/dhcp/n/pid', '--dhcp-hostsfile=/s/dhcp/n/host', '--dhcp-optsfile=/s/dhcp/n/opts', '--dhcp-leasefile=/s/dhcp/n/leases',
    '--dhcp-match=set:ipxe,175', '--dhcp-authoritative', '--bind-interfaces', '--interface=ns-d0d0d0d0-11', '--except-interface=lo',
    '--domain=openstacklocal',
    `--dhcp-range=set:subnet-${SUB4},10.0.0.0,static,255.255.255.0,86400s`,
    `--dhcp-range=set:subnet-${SUB6},2001:db8::,static,64,86400s`,
    '--dhcp-option-force=option:mtu,1450',
    `--dhcp-lease-max=${16_777_216}`,
    '--conf-file=/dev/null',
  ]);
  const v4only = dnsmasqArgs({ network: network(), dir: '/d', domain: 'openstacklocal' });
  assert.ok(v4only.includes('--dhcp-lease-max=256'));
  // An isolated SLAAC subnet that asks for RAs gets them from dnsmasq.
  const slaac = network({ isolated: true, subnets: [subnet(), subnet({ id: SUB6, ip_version: 6, cidr: '2001:db8::/64', ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' })] });
  const args = dnsmasqArgs({ network: slaac, dir: '/d', domain: 'openstacklocal' });
  assert.ok(args.includes(`--dhcp-range=set:subnet-${SUB6},2001:db8::,ra-only,64,86400s`));
  assert.ok(args.includes('--enable-ra'));
});

test('DHCP port addresses carry their subnets prefix lengths', () => {
  const net = network({
    subnets: [subnet(), subnet({ id: SUB6, ip_version: 6, cidr: '2001:db8::/64', ipv6_address_mode: 'dhcpv6-stateful' })],
    dhcp_port: port(DHCP_PORT, 'fa:16:3e:00:00:02', [[SUB4, '10.0.0.2'], [SUB6, '2001:DB8::2'], ['unknown', '10.9.9.9']]),
  });
  assert.deepEqual(dhcpPortAddresses(net), ['10.0.0.2/24', '2001:db8::2/64']);
});

test('restart only when the command line changes; a host/opts change is a SIGHUP', () => {
  const dir = '/s';
  const base = renderDnsmasqConfig({ network: network(), dir, domain: 'openstacklocal', metadata: false });
  const morePorts = renderDnsmasqConfig({
    network: network({ ports: [...network().ports, port('33333333-0000-4000-8000-000000000003', 'fa:16:3e:00:00:33', [[SUB4, '10.0.0.33']])] }),
    dir, domain: 'openstacklocal', metadata: false,
  });
  const dns = renderDnsmasqConfig({ network: network({ subnets: [subnet({ dns_nameservers: ['9.9.9.9'] })] }), dir, domain: 'openstacklocal', metadata: false });
  const newSubnet = renderDnsmasqConfig({
    network: network({ subnets: [subnet(), subnet({ id: 'cccccccc-0000-4000-8000-000000000000', cidr: '10.1.0.0/24' })] }),
    dir, domain: 'openstacklocal', metadata: false,
  });
  const mtu = renderDnsmasqConfig({ network: { ...network(), network: { ...network().network, mtu: 1400 } }, dir, domain: 'openstacklocal', metadata: false });

  assert.equal(dnsmasqAction(base, base, { running: true }), 'none');
  assert.equal(dnsmasqAction(base, morePorts, { running: true }), 'reload');
  assert.equal(dnsmasqAction(base, dns, { running: true }), 'reload');
  assert.equal(dnsmasqAction(base, newSubnet, { running: true }), 'restart');
  assert.equal(dnsmasqAction(base, mtu, { running: true }), 'restart');
  assert.equal(dnsmasqAction(undefined, base, { running: true }), 'restart');
  assert.equal(dnsmasqAction(base, base, { running: false }), 'start');
  assert.equal(dnsmasqAction(undefined, base, { running: false }), 'start');
  assert.equal(dnsmasqAction(base, morePorts, { running: true, conflictingLeases: 1 }), 'restart');
});

test('a lease blocking an address from its new owner is found and dropped', () => {
  const leases = [
    '1700000000 fa:16:3e:00:00:11 10.0.0.11 host-10-0-0-11 01:fa:16:3e:00:00:11',
    '1700000000 fa:16:3e:00:00:99 10.0.0.22 host-10-0-0-22 *',
    '1700000000 fa:16:3e:00:00:98 10.0.0.50 gone *',
    'duid 00:01:00:01',
    '',
  ].join('\n');
  const hosts = renderHostsFile(network(), 'openstacklocal');
  const conflicts = conflictingLeases(leases, hosts);
  assert.deepEqual(conflicts, [{ mac: 'fa:16:3e:00:00:99', ip: '10.0.0.22' }]);
  assert.equal(withoutLeases(leases, conflicts), [
    '1700000000 fa:16:3e:00:00:11 10.0.0.11 host-10-0-0-11 01:fa:16:3e:00:00:11',
    '1700000000 fa:16:3e:00:00:98 10.0.0.50 gone *',
    'duid 00:01:00:01',
    '',
  ].join('\n'));
});

test('dnsmasq keeps root only when its files are out of reach for the user it drops to', () => {
  const args = dnsmasqArgs({ network: network(), dir: '/d', domain: 'openstacklocal', runAsRoot: true });
  assert.ok(args.includes('--user=root'));
  assert.equal(dnsmasqArgs({ network: network(), dir: '/d', domain: 'openstacklocal' }).some((a) => a.startsWith('--user')), false);
  const base = mkdtempSync(join(tmpdir(), 'nimbus-dhcp-unit-'));
  try {
    mkdirSync(join(base, 'dhcp', 'n'), { recursive: true });
    chmodSync(base, 0o700);
    assert.equal(reachableByOthers(join(base, 'dhcp', 'n')), false);
    chmodSync(base, 0o755);
    chmodSync(join(base, 'dhcp'), 0o755);
    chmodSync(join(base, 'dhcp', 'n'), 0o755);
    assert.equal(reachableByOthers(join(base, 'dhcp', 'n')), true);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
