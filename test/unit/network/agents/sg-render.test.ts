import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoundPort, SecurityGroupInfo, SecurityGroupRule } from '../../../../src/network/agents/common/state.js';
import { assignZones, renderSecurityGroups, type SgRenderInput } from '../../../../src/network/agents/security-groups/render.js';


const NET = '11111111-aaaa-4aaa-8aaa-000000000001';
const SG_DEFAULT = 'dddddddd-0000-4000-8000-000000000001';
const SG_WEB = 'eeeeeeee-0000-4000-8000-000000000002';

function rule(partial: Partial<SecurityGroupRule> & Pick<SecurityGroupRule, 'direction'>): SecurityGroupRule {
  return {
    id: `r-${Math.random().toString(16).slice(2)}`, ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null,
    remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, ...partial,
  };
}

/** Neutron's default group: egress anything (v4/v6), ingress from members of the same group. */
function defaultGroup(id = SG_DEFAULT): SecurityGroupInfo {
  return {
    id, stateful: true, rules: [
      rule({ direction: 'egress', ethertype: 'IPv4' }),
      rule({ direction: 'egress', ethertype: 'IPv6' }),
      rule({ direction: 'ingress', ethertype: 'IPv4', remote_group_id: id }),
      rule({ direction: 'ingress', ethertype: 'IPv6', remote_group_id: id }),
    ],
  };
}

function port(id: string, ip: string | string[], partial: Partial<BoundPort> = {}): BoundPort {
  const ips = Array.isArray(ip) ? ip : [ip];
  return {
    id, network_id: NET, mac_address: `fa:16:3e:00:00:${id.slice(0, 2)}`, admin_state_up: true, status: 'DOWN',
    device_owner: 'compute:nova', device_id: 'vm', fixed_ips: ips.map((a) => ({ subnet_id: 's', ip_address: a })),
    port_security_enabled: true, security_group_ids: [SG_DEFAULT], allowed_address_pairs: [], ...partial,
  };
}

function input(ports: BoundPort[], groups: SecurityGroupInfo[], extra: Partial<SgRenderInput> = {}): SgRenderInput {
  const sgPorts = ports.map((p) => ({ port: p, bridge: `brq${p.network_id.slice(0, 11)}`, device: `tap${p.id.slice(0, 11)}` }));
  const members: Record<string, string[]> = {};
  for (const g of groups) members[g.id] = ports.filter((p) => p.security_group_ids.includes(g.id)).flatMap((p) => p.fixed_ips.map((f) => f.ip_address));
  return {
    ports: sgPorts, securityGroups: Object.fromEntries(groups.map((g) => [g.id, g])), members, addressGroups: {},
    existingDevices: new Set(sgPorts.map((p) => p.device)), ...extra,
  };
}

/** The lines of one chain (between `chain <name> {` and its closing brace), trimmed. */
function chainLines(text: string, name: string): string[] | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `chain ${name} {`);
  if (start < 0) return undefined;
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i]!.trim() !== '}'; i++) out.push(lines[i]!.trim());
  return out;
}

const P1 = 'aa000000-1111-4111-8111-000000000001';
const P2 = 'bb000000-2222-4222-8222-000000000002';
const T1 = `tap${P1.slice(0, 11)}`;
const E1 = `egress-${P1.slice(0, 11)}`;
const I1 = `ingress-${P1.slice(0, 11)}`;
const S1 = `spoof-${P1.slice(0, 11)}`;
const BRQ = `brq${NET.slice(0, 11)}`;

test('default group: egress anything, ingress from the group members, stateful', () => {
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5'), port(P2, '10.0.0.6')], [defaultGroup()]));
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 3), ['table inet nimbus-sg', 'delete table inet nimbus-sg', 'table inet nimbus-sg {']);
  assert.ok(lines.includes('table netdev nimbus-spoof') && lines.includes('delete table netdev nimbus-spoof'));
  assert.ok(lines.includes(`  set rg-dddddddd-4 { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.5, 10.0.0.6 } }`), text);
  assert.ok(lines.includes('  set rg-dddddddd-6 { type ipv6_addr; flags interval; auto-merge; }'));
  assert.deepEqual(chainLines(text, 'sg-zones'), ['type filter hook prerouting priority -300; policy accept;', `iifname "${BRQ}" ct zone set 1`]);
  assert.deepEqual(chainLines(text, 'sg-forward'), [
    'type filter hook forward priority 0; policy accept;',
    `meta mark 0x1000 jump ${E1}`,
    `meta mark 0x1001 jump egress-${P2.slice(0, 11)}`,
    `oifname "${BRQ}" ether daddr fa:16:3e:00:00:aa jump ${I1}`,
    `oifname "${BRQ}" ether daddr fa:16:3e:00:00:bb jump ingress-${P2.slice(0, 11)}`,
  ]);
  assert.deepEqual(chainLines(text, E1), [
    'ct state invalid drop',
    'ct state established,related return',
    'udp sport 68 udp dport 67 return',
    'udp sport 546 udp dport 547 return',
    'icmpv6 type { 130, 131, 132, 133, 135, 136, 143 } return',
    'meta nfproto ipv4 return',
    'meta nfproto ipv6 return',
    'drop',
  ]);
  assert.deepEqual(chainLines(text, I1), [
    'ct state invalid drop',
    'ct state established,related return',
    'udp sport 67 udp dport 68 return',
    'udp sport 547 udp dport 546 return',
    'icmpv6 type { 130, 131, 132, 133, 134, 135, 136, 143 } return',
    'meta nfproto ipv4 ip saddr @rg-dddddddd-4 return',
    'meta nfproto ipv6 ip6 saddr @rg-dddddddd-6 return',
    'drop',
  ]);
  const spoof = chainLines(text, S1)!;
  assert.equal(spoof[0], `type filter hook ingress device "${T1}" priority 0; policy drop;`);
  assert.ok(spoof.includes('udp sport 67 udp dport 68 drop'));
  assert.ok(spoof.includes('icmpv6 type nd-router-advert drop'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip saddr 10.0.0.5 meta mark set 0x1000 accept'), spoof.join('\n'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa arp saddr ether fa:16:3e:00:00:aa arp saddr ip { 0.0.0.0, 10.0.0.5 } meta mark set 0x1000 accept'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 meta mark set 0x1000 accept'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip6 saddr fe80::/64 meta mark set 0x1000 accept'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip6 saddr :: meta l4proto icmpv6 meta mark set 0x1000 accept'));
  // Drops come before any accept, and nothing else is accepted (policy drop).
  assert.ok(spoof.findIndex((l) => l.endsWith('accept')) > spoof.indexOf('icmpv6 type nd-router-advert drop'));
  assert.equal(renderSecurityGroups(input([port(P1, '10.0.0.5'), port(P2, '10.0.0.6')], [defaultGroup()])), text, 'deterministic');
});

test('tcp/22 from 0.0.0.0/0, port ranges, icmp type/code and other protocols', () => {
  const web: SecurityGroupInfo = { id: SG_WEB, stateful: true, rules: [
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' }),
    rule({ direction: 'ingress', protocol: 'udp', port_range_min: 5000, port_range_max: 5100, remote_ip_prefix: '192.168.1.7/24' }),
    rule({ direction: 'ingress', protocol: 'icmp', port_range_min: 8, port_range_max: 0, remote_ip_prefix: '10.1.0.0/16' }),
    rule({ direction: 'ingress', protocol: 'icmp', port_range_min: 3 }),
    rule({ direction: 'ingress', protocol: 'icmp' }),
    rule({ direction: 'ingress', protocol: 'sctp', port_range_min: 9, port_range_max: 9 }),
    rule({ direction: 'ingress', protocol: '47' }),
    rule({ direction: 'ingress', protocol: 'vrrp' }),
    rule({ direction: 'egress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_ip_prefix: '203.0.113.0/24' }),
  ] };
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5', { security_group_ids: [SG_WEB] })], [web]));
  const ingress = chainLines(text, I1)!;
  assert.deepEqual(ingress.slice(5), [
    // One rule per shape, sorted; protocol-only rules share one set of protocol numbers.
    'meta nfproto ipv4 meta l4proto 132 th dport 9 return',
    'meta nfproto ipv4 meta l4proto icmp icmp type 3 return',
    'meta nfproto ipv4 meta l4proto icmp ip saddr . icmp type . icmp code { 10.1.0.0/16 . 8 . 0 } return',
    'meta nfproto ipv4 meta l4proto tcp tcp dport 22 return',
    'meta nfproto ipv4 meta l4proto udp ip saddr . udp dport { 192.168.1.0/24 . 5000-5100 } return',
    'meta nfproto ipv4 meta l4proto { 1, 47, 112 } return',
    'drop',
  ]);
  assert.deepEqual(chainLines(text, E1)!.slice(5), ['meta nfproto ipv4 meta l4proto tcp ip daddr . tcp dport { 203.0.113.0/24 . 443 } return', 'drop']);
  assert.ok(!text.includes('set rg-'), 'no remote-group sets when no rule uses one');
});

test('port security disabled and trusted ports get no chains; their bridges still get zones', () => {
  const p1 = port(P1, '10.0.0.5', { port_security_enabled: false, security_group_ids: [] });
  const dhcp = port(P2, '10.0.0.2', { device_owner: 'network:dhcp', security_group_ids: [], network_id: '22222222-bbbb-4bbb-8bbb-000000000002' });
  const text = renderSecurityGroups(input([p1, dhcp], [defaultGroup()]));
  assert.equal(chainLines(text, E1), undefined);
  assert.equal(chainLines(text, I1), undefined);
  assert.equal(chainLines(text, S1), undefined);
  assert.ok(!text.includes('spoof-'));
  assert.deepEqual(chainLines(text, 'sg-forward'), ['type filter hook forward priority 0; policy accept;']);
  assert.deepEqual(chainLines(text, 'sg-zones')!.slice(1), [`iifname "${BRQ}" ct zone set 1`, 'iifname "brq22222222-bb" ct zone set 2']);
  assert.ok(text.includes('table netdev nimbus-spoof {\n}'), 'empty netdev table still replaces the old one');
});

test('only existing taps get chains (before Linux 6.16 a netdev chain on a missing device fails the transaction)', () => {
  const base = input([port(P1, '10.0.0.5'), port(P2, '10.0.0.6')], [defaultGroup()]);
  const text = renderSecurityGroups({ ...base, existingDevices: new Set([`tap${P2.slice(0, 11)}`]) });
  assert.equal(chainLines(text, S1), undefined);
  assert.equal(chainLines(text, E1), undefined);
  assert.ok(chainLines(text, `spoof-${P2.slice(0, 11)}`));
  assert.deepEqual(chainLines(text, 'sg-forward')!.slice(1, 2), [`meta mark 0x1000 jump egress-${P2.slice(0, 11)}`]);
});

test('allowed address pairs: extra MAC/IP combinations, prefixes, ingress to the pair MAC', () => {
  const p1 = port(P1, '10.0.0.5', { allowed_address_pairs: [
    { ip_address: '10.0.0.100', mac_address: 'fa:16:3e:00:00:aa' },
    { ip_address: '10.0.9.0/24', mac_address: 'FA:16:3E:99:99:99' },
    { ip_address: '10.0.0.5/32', mac_address: '' },
  ] });
  const text = renderSecurityGroups(input([p1], [defaultGroup()]));
  const spoof = chainLines(text, S1)!;
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip saddr { 10.0.0.100, 10.0.0.5 } meta mark set 0x1000 accept'), spoof.join('\n'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:99:99:99 ip saddr 10.0.9.0/24 meta mark set 0x1000 accept'));
  assert.ok(spoof.includes('ether saddr fa:16:3e:99:99:99 arp saddr ether fa:16:3e:99:99:99 arp saddr ip { 0.0.0.0, 10.0.9.0/24 } meta mark set 0x1000 accept'));
  assert.ok(!spoof.some((l) => l.includes('fa:16:3e:99:99:99 ip saddr 10.0.0.5')), 'a pair MAC does not get the port\'s own IP');
  assert.ok(chainLines(text, 'sg-forward')!.includes(`oifname "${BRQ}" ether daddr { fa:16:3e:00:00:aa, fa:16:3e:99:99:99 } jump ${I1}`));
});

test('IPv6: fixed addresses, link-local, remote prefixes and ICMPv6 types', () => {
  const g: SecurityGroupInfo = { id: SG_WEB, stateful: true, rules: [
    rule({ direction: 'ingress', ethertype: 'IPv6', protocol: 'ipv6-icmp', port_range_min: 128, remote_ip_prefix: '2001:DB8:0:0::/64' }),
    rule({ direction: 'ingress', ethertype: 'IPv6', protocol: 'tcp', port_range_min: 80, port_range_max: 81, remote_ip_prefix: '::/0' }),
    rule({ direction: 'ingress', ethertype: 'IPv6', protocol: '58', port_range_min: 1, port_range_max: 4 }),
    rule({ direction: 'egress', ethertype: 'IPv6', remote_ip_prefix: '2001:db8::1/128' }),
  ] };
  const text = renderSecurityGroups(input([port(P1, ['10.0.0.5', '2001:db8::5'], { security_group_ids: [SG_WEB] })], [g]));
  assert.deepEqual(chainLines(text, I1)!.slice(5), [
    'meta nfproto ipv6 meta l4proto icmpv6 icmpv6 type . icmpv6 code { 1 . 4 } return',
    'meta nfproto ipv6 meta l4proto icmpv6 ip6 saddr . icmpv6 type { 2001:db8::/64 . 128 } return',
    'meta nfproto ipv6 meta l4proto tcp tcp dport 80-81 return',
    'drop',
  ]);
  assert.deepEqual(chainLines(text, E1)!.slice(5), ['meta nfproto ipv6 ip6 daddr 2001:db8::1 return', 'drop']);
  const spoof = chainLines(text, S1)!;
  assert.ok(spoof.includes('ether saddr fa:16:3e:00:00:aa ip6 saddr { 2001:db8::5, fe80::/64 } meta mark set 0x1000 accept'), spoof.join('\n'));
  assert.ok(spoof.includes('udp sport 547 udp dport 546 drop'));
});

test('stateless groups skip conntrack; address groups become sets', () => {
  const AG = 'abcdef01-0000-4000-8000-000000000009';
  const g: SecurityGroupInfo = { id: SG_WEB, stateful: false, rules: [
    rule({ direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53, remote_address_group_id: AG }),
    rule({ direction: 'egress', ethertype: 'IPv6', remote_address_group_id: AG }),
  ] };
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5', { security_group_ids: [SG_WEB] })], [g],
    { addressGroups: { [AG]: ['10.9.0.0/16', '10.9.1.0/24', '2001:db8::/48'] } }));
  const ingress = chainLines(text, I1)!;
  assert.ok(!ingress.some((l) => l.startsWith('ct ')));
  assert.ok(ingress.includes('meta nfproto ipv4 meta l4proto udp ip saddr @ag-abcdef01-4 udp dport 53 return'));
  assert.ok(chainLines(text, E1)!.includes('meta nfproto ipv6 ip6 daddr @ag-abcdef01-6 return'));
  assert.ok(text.includes('  set ag-abcdef01-4 { type ipv4_addr; flags interval; auto-merge; elements = { 10.9.0.0/16 } }'));
  assert.ok(text.includes('  set ag-abcdef01-6 { type ipv6_addr; flags interval; auto-merge; elements = { 2001:db8::/48 } }'));
});

test('zones stay stable for known bridges; new bridges get the lowest free number', () => {
  assert.deepEqual([...assignZones(['brqb', 'brqa'])], [['brqa', 1], ['brqb', 2]]);
  assert.deepEqual([...assignZones(['brqa', 'brqc', 'brqd'], new Map([['brqc', 1], ['brqd', 7]]))], [['brqc', 1], ['brqd', 7], ['brqa', 2]]);
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5')], [defaultGroup()], { zones: new Map([[BRQ, 42]]) }));
  assert.ok(text.includes(`iifname "${BRQ}" ct zone set 42`));
});

test('names that would reach the ruleset are validated', () => {
  assert.throws(() => renderSecurityGroups(input([port('aa"; flush ruleset', '10.0.0.5')], [defaultGroup()])), /invalid/);
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5', { allowed_address_pairs: [{ ip_address: '1.2.3.4 } accept', mac_address: 'zz' }] })], [defaultGroup()]));
  assert.ok(!text.includes('accept }') && !text.includes('1.2.3.4'), 'invalid pair addresses are left out');
});

/** Rule i of a large group: its own tcp range and its own /24 (as the dataplane bench's). */
const scaleRule = (i: number, ethertype: 'IPv4' | 'IPv6' = 'IPv4') => rule({
  direction: 'ingress', ethertype, protocol: i % 2 ? 'udp' : 'tcp', port_range_min: 1024 + 3 * i, port_range_max: 1025 + 3 * i,
  remote_ip_prefix: ethertype === 'IPv4' ? `10.${100 + (i >> 8)}.${i & 255}.0/24` : `2001:db8:${i.toString(16)}::/48`,
});

test('1,000 rules collapse into one nft rule per shape; port security off still gets nothing', () => {
  const big: SecurityGroupInfo = { id: SG_WEB, stateful: true, rules: [
    ...Array.from({ length: 1000 }, (_, i) => scaleRule(i)),
    ...Array.from({ length: 1000 }, (_, i) => scaleRule(i, 'IPv6')),
    ...Array.from({ length: 100 }, (_, i) => rule({ direction: 'ingress', protocol: 'icmp', port_range_min: i % 20, remote_ip_prefix: `192.0.2.${i}` })),
    rule({ direction: 'egress' }),
  ] };
  const off = port(P2, '10.0.0.6', { port_security_enabled: false, security_group_ids: [SG_WEB] });
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5', { security_group_ids: [SG_WEB] }), off], [big]));
  const ingress = chainLines(text, I1)!.slice(5, -1);
  assert.deepEqual(ingress.map((l) => l.slice(0, l.indexOf('{'))), [
    'meta nfproto ipv4 meta l4proto icmp ip saddr . icmp type ',
    'meta nfproto ipv4 meta l4proto tcp ip saddr . tcp dport ',
    'meta nfproto ipv4 meta l4proto udp ip saddr . udp dport ',
    'meta nfproto ipv6 meta l4proto tcp ip6 saddr . tcp dport ',
    'meta nfproto ipv6 meta l4proto udp ip6 saddr . udp dport ',
  ]);
  assert.equal(ingress[1]!.split(', ').length, 500);
  assert.ok(ingress[1]!.includes('{ 10.100.0.0/24 . 1024-1025, 10.100.2.0/24 . 1030-1031,'), ingress[1]!.slice(0, 120));
  assert.ok(ingress[4]!.includes(' 2001:db8:3e7::/48 . 4021-4022 }'));
  assert.ok(ingress[0]!.includes('192.0.2.0 . 0, 192.0.2.1 . 1,'));
  assert.deepEqual(chainLines(text, E1)!.slice(5), ['meta nfproto ipv4 return', 'drop']);
  assert.equal(chainLines(text, `ingress-${P2.slice(0, 11)}`), undefined);
  assert.ok(!text.includes(`spoof-${P2.slice(0, 11)}`));
});

test('overlapping prefixes and port ranges become disjoint elements with the same union', () => {
  const g: SecurityGroupInfo = { id: SG_WEB, stateful: true, rules: [
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.0.0.0/8' }),
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.1.0.0/16' }),
    rule({ direction: 'ingress', protocol: 'udp', port_range_min: 20, port_range_max: 30, remote_ip_prefix: '10.0.0.0/8' }),
    rule({ direction: 'ingress', protocol: 'udp', port_range_min: 25, port_range_max: 35, remote_ip_prefix: '10.1.0.0/16' }),
    rule({ direction: 'ingress', protocol: 'udp', port_range_min: 31, port_range_max: 40, remote_ip_prefix: '10.0.0.0/8' }),
    rule({ direction: 'ingress', protocol: 'gre', remote_ip_prefix: '172.16.0.0/12' }),
    rule({ direction: 'ingress', remote_ip_prefix: '172.16.0.0/16' }),
    rule({ direction: 'egress', protocol: 'tcp', port_range_min: 443, port_range_max: 443 }),
    rule({ direction: 'egress', protocol: 'tcp' }),
    rule({ direction: 'egress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 }),
  ] };
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5', { security_group_ids: [SG_WEB] })], [g]));
  assert.deepEqual(chainLines(text, I1)!.slice(5), [
    'meta nfproto ipv4 ip saddr . meta l4proto { 172.16.0.0/16 . 0-255, 172.17.0.0-172.31.255.255 . 47 } return',
    'meta nfproto ipv4 meta l4proto tcp ip saddr . tcp dport { 10.0.0.0/8 . 22 } return',
    // 20-30 and 31-40 join; the /16 adds nothing that the /8 does not already allow.
    'meta nfproto ipv4 meta l4proto udp ip saddr . udp dport { 10.0.0.0/8 . 20-40 } return',
    'drop',
  ]);
  // Protocol-only and port rules keep their own shapes (a port rule reads the transport header).
  assert.deepEqual(chainLines(text, E1)!.slice(5), ['meta nfproto ipv4 meta l4proto 6 return', 'meta nfproto ipv4 meta l4proto tcp tcp dport { 80, 443 } return', 'drop']);
});

test('rules with a remote group or address group keep the set reference and collapse the rest', () => {
  const AG = 'abcdef01-0000-4000-8000-000000000009';
  const g: SecurityGroupInfo = { id: SG_DEFAULT, stateful: true, rules: [
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: SG_DEFAULT }),
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 90, remote_group_id: SG_DEFAULT }),
    rule({ direction: 'ingress', protocol: 'tcp', port_range_min: 85, port_range_max: 99, remote_group_id: SG_DEFAULT }),
    rule({ direction: 'ingress', ethertype: 'IPv6', protocol: 'icmp', remote_address_group_id: AG }),
    rule({ direction: 'ingress', ethertype: 'IPv6', protocol: 'udp', remote_address_group_id: AG }),
  ] };
  const text = renderSecurityGroups(input([port(P1, '10.0.0.5'), port(P2, '10.0.0.6')], [g], { addressGroups: { [AG]: ['2001:db8::/48'] } }));
  assert.deepEqual(chainLines(text, I1)!.slice(5), [
    'meta nfproto ipv4 meta l4proto tcp ip saddr @rg-dddddddd-4 tcp dport { 22, 80-99 } return',
    'meta nfproto ipv6 ip6 saddr @ag-abcdef01-6 meta l4proto { 17, 58 } return',
    'drop',
  ]);
  assert.deepEqual(chainLines(text, `ingress-${P2.slice(0, 11)}`), chainLines(text, I1), 'ports with the same groups get the same rules');
});
