import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseNatTableHash, renderNatChains, renderNatTable, routerNatSpec, type RouterNatSpec,
} from '../../../../src/network/agents/l3/nat-rules.js';
import type { RouterInfo, SubnetInfo } from '../../../../src/network/agents/common/state.js';

const subnet = (id: string, cidr: string, gateway_ip: string | null, ip_version: 4 | 6 = 4): SubnetInfo => ({
  id, network_id: `net-${id}`, ip_version, cidr, gateway_ip, enable_dhcp: true, dns_nameservers: [], host_routes: [],
  ipv6_ra_mode: null, ipv6_address_mode: null,
});

const PORT_A = 'aaaaaaaa-1111-4111-8111-000000000001';
const PORT_B = 'bbbbbbbb-2222-4222-8222-000000000002';
const PORT_GW = 'cccccccc-3333-4333-8333-000000000003';

function router(overrides: Partial<RouterInfo> = {}, snat = true): RouterInfo {
  return {
    id: 'r1', project_id: 'p', admin_state_up: true,
    gateway: {
      port_id: PORT_GW, network_id: 'ext', mac_address: 'fa:16:3e:00:00:03', mtu: 1500,
      addresses: ['172.24.99.10/24', '2001:db8:99::10/64'], subnets: [subnet('ext4', '172.24.99.0/24', '172.24.99.1')],
      enable_snat: snat, gateway_ips: ['172.24.99.1'],
    },
    interfaces: [
      { port_id: PORT_A, network_id: 'a', mac_address: 'fa:16:3e:00:00:01', mtu: 1450, addresses: ['10.20.1.1/24', 'fd00:1::1/64'],
        subnets: [subnet('a4', '10.20.1.0/24', '10.20.1.1'), subnet('a6', 'fd00:1::/64', 'fd00:1::1', 6)] },
      { port_id: PORT_B, network_id: 'b', mac_address: 'fa:16:3e:00:00:02', mtu: 1450, addresses: ['10.20.2.1/24'],
        subnets: [subnet('b4', '10.20.2.0/24', '10.20.2.1')] },
    ],
    routes: [],
    floating_ips: [
      { id: 'f2', floating_ip_address: '172.24.99.30', fixed_ip_address: '10.20.2.5', fixed_port_id: 'p2', status: 'DOWN' },
      { id: 'f1', floating_ip_address: '172.24.99.20', fixed_ip_address: '10.20.1.5', fixed_port_id: 'p1', status: 'ACTIVE' },
    ],
    ...overrides,
  };
}

const QG = 'qg-cccccccc-33';

test('spec: gateway device, first IPv4 gateway address, IPv4 internal CIDRs only, FIPs sorted', () => {
  const spec = routerNatSpec(router(), { metadataPort: 9697 });
  assert.deepEqual(spec, {
    gatewayDevice: QG, gatewayIp: '172.24.99.10', enableSnat: true,
    internalCidrs: ['10.20.1.0/24', '10.20.2.0/24'],
    floatingIps: [{ floatingIp: '172.24.99.20', fixedIp: '10.20.1.5' }, { floatingIp: '172.24.99.30', fixedIp: '10.20.2.5' }],
    metadataPort: 9697,
  });
});

test('SNAT on: FIP DNAT in prerouting and output, FIP SNAT before the gateway SNAT of internal subnets', () => {
  const chains = renderNatChains(routerNatSpec(router(), { metadataPort: 9697 }))!;
  assert.deepEqual(chains.prerouting, [
    'iifname "qr-*" ip daddr 169.254.169.254 tcp dport 80 redirect to :9697',
    'ip daddr 172.24.99.20 dnat to 10.20.1.5',
    'ip daddr 172.24.99.30 dnat to 10.20.2.5',
  ]);
  assert.deepEqual(chains.output, ['ip daddr 172.24.99.20 dnat to 10.20.1.5', 'ip daddr 172.24.99.30 dnat to 10.20.2.5']);
  assert.deepEqual(chains.postrouting, [
    `ip saddr 10.20.1.5 oifname "${QG}" snat to 172.24.99.20`,
    `ip saddr 10.20.2.5 oifname "${QG}" snat to 172.24.99.30`,
    'iifname "qr-*" ct status dnat ip saddr 10.20.1.5 snat to 172.24.99.20',
    'iifname "qr-*" ct status dnat ip saddr 10.20.2.5 snat to 172.24.99.30',
    'iifname "qr-*" ct status dnat snat to 172.24.99.10',
    `oifname "${QG}" ip saddr { 10.20.1.0/24, 10.20.2.0/24 } snat to 172.24.99.10`,
  ]);
});

test('SNAT off: floating IPs still DNAT/SNAT, no gateway SNAT at all', () => {
  const chains = renderNatChains(routerNatSpec(router({}, false), { metadataPort: null }))!;
  assert.deepEqual(chains.prerouting, ['ip daddr 172.24.99.20 dnat to 10.20.1.5', 'ip daddr 172.24.99.30 dnat to 10.20.2.5']);
  assert.ok(chains.postrouting.every((r) => !r.includes('172.24.99.10')), chains.postrouting.join('\n'));
  assert.equal(chains.postrouting.length, 4);
});

test('SNAT off and no floating IPs: only the metadata redirect; nothing at all without it', () => {
  const r = router({ floating_ips: [] }, false);
  const chains = renderNatChains(routerNatSpec(r, { metadataPort: 9697 }))!;
  assert.deepEqual(chains, { prerouting: ['iifname "qr-*" ip daddr 169.254.169.254 tcp dport 80 redirect to :9697'], output: [], postrouting: [] });
  assert.equal(renderNatTable(routerNatSpec(r, { metadataPort: null })), null);
});

test('no NAT between internal subnets: every SNAT rule is bound to the gateway device or to DNATed traffic', () => {
  const chains = renderNatChains(routerNatSpec(router(), { metadataPort: 9697 }))!;
  for (const rule of chains.postrouting) {
    assert.ok(rule.includes(`oifname "${QG}"`) || rule.includes('ct status dnat'), rule);
  }
  // The only rules that can match qr→qr traffic need conntrack's DNAT flag (a floating IP was the destination).
  const unbound = chains.postrouting.filter((r) => !r.includes(`oifname "${QG}"`));
  assert.ok(unbound.every((r) => r.startsWith('iifname "qr-*" ct status dnat')));
});

test('metadata redirect only for routers with internal interfaces', () => {
  const r = router({ interfaces: [], floating_ips: [] });
  assert.equal(routerNatSpec(r, { metadataPort: 9697 }).metadataPort, null);
  // SNAT without internal subnets has nothing to match: no table at all.
  assert.equal(renderNatChains(routerNatSpec(r, { metadataPort: 9697 })), null);
});

test('a router without a gateway has no floating IPs nor SNAT; IPv6-only gateways do no NAT', () => {
  const noGw = routerNatSpec(router({ gateway: null }), { metadataPort: 9697 });
  assert.equal(noGw.gatewayDevice, null);
  assert.deepEqual(noGw.floatingIps, []);
  const base = router();
  const v6only = router({ gateway: { ...base.gateway!, addresses: ['2001:db8:99::10/64'], gateway_ips: ['2001:db8:99::1'] } });
  const spec = routerNatSpec(v6only, { metadataPort: null });
  assert.equal(spec.gatewayIp, null);
  assert.deepEqual(spec.floatingIps, []);
  assert.equal(renderNatTable(spec), null);
});

test('FIPs with a non-IPv4 side are skipped; duplicates collapse', () => {
  const r = router({ floating_ips: [
    { id: 'x', floating_ip_address: '172.24.99.40', fixed_ip_address: 'fd00:1::5', fixed_port_id: 'p', status: 'DOWN' },
    { id: 'y', floating_ip_address: '172.24.99.20', fixed_ip_address: '10.20.1.5', fixed_port_id: 'p', status: 'DOWN' },
    { id: 'z', floating_ip_address: '172.24.99.20', fixed_ip_address: '10.20.1.5', fixed_port_id: 'p', status: 'DOWN' },
  ] });
  assert.deepEqual(routerNatSpec(r, { metadataPort: null }).floatingIps, [{ floatingIp: '172.24.99.20', fixedIp: '10.20.1.5' }]);
});

test('table text: atomic replace, hash comment, stable for the same input, different for another', () => {
  const a = renderNatTable(routerNatSpec(router(), { metadataPort: 9697 }))!;
  const again = renderNatTable(routerNatSpec(router(), { metadataPort: 9697 }))!;
  const other = renderNatTable(routerNatSpec(router({}, false), { metadataPort: 9697 }))!;
  assert.equal(a.ruleset, again.ruleset);
  assert.notEqual(a.hash, other.hash);
  const lines = a.ruleset.split('\n');
  assert.deepEqual(lines.slice(0, 4), ['table ip nimbus-l3', 'delete table ip nimbus-l3', 'table ip nimbus-l3 {', `  comment "nimbus-l3 sha256:${a.hash}"`]);
  assert.match(a.ruleset, /chain prerouting \{\n {4}type nat hook prerouting priority dstnat; policy accept;/);
  assert.match(a.ruleset, /chain output \{\n {4}type nat hook output priority -100; policy accept;/);
  assert.match(a.ruleset, /chain postrouting \{\n {4}type nat hook postrouting priority srcnat; policy accept;/);
  // What `nft list table` prints back carries the same hash.
  const listing = `table ip nimbus-l3 {\n\tcomment "nimbus-l3 sha256:${a.hash}"\n\tchain prerouting {\n\t}\n}\n`;
  assert.equal(parseNatTableHash(listing), a.hash);
  assert.equal(parseNatTableHash('table ip nimbus-l3 {\n}\n'), null);
});

test('refuses to render unsafe values', () => {
  const base = routerNatSpec(router(), { metadataPort: 9697 });
  const bad: RouterNatSpec[] = [
    { ...base, gatewayDevice: 'qg-x" accept' },
    { ...base, gatewayIp: '172.24.99.10; flush ruleset' },
    { ...base, internalCidrs: ['10.20.1.1/24'] },
    { ...base, floatingIps: [{ floatingIp: '1.2.3.4', fixedIp: '1.2.3.4 counter' }] },
    { ...base, metadataPort: 70000 },
  ];
  for (const spec of bad) assert.throws(() => renderNatChains(spec));
});
