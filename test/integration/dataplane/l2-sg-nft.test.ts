// The rendered security-group ruleset is accepted by this kernel's nft: check mode (-c) first, then
// applied for real twice (the atomic table replacement works when the tables already exist).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsHost, deleteNetns, ensureNetns } from '../../../src/hostnet/index.js';
import { renderSecurityGroups, type SgRenderInput } from '../../../src/network/agents/security-groups/render.js';
import type { BoundPort, SecurityGroupInfo, SecurityGroupRule } from '../../../src/network/agents/common/state.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';
const ns = `nimbus-t${process.pid}-sg`;
const NET = '5a5a5a5a-1111-4111-8111-000000000001';
const NET2 = '5b5b5b5b-1111-4111-8111-000000000002';
const SG = 'c0c0c0c0-0000-4000-8000-000000000001';
const SG2 = 'c1c1c1c1-0000-4000-8000-000000000002';
const STATELESS = 'c2c2c2c2-0000-4000-8000-000000000003';
const AG = 'a9a9a9a9-0000-4000-8000-000000000009';

const r = (p: Partial<SecurityGroupRule> & Pick<SecurityGroupRule, 'direction'>): SecurityGroupRule => ({
  id: 'r', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null,
  remote_group_id: null, remote_address_group_id: null, ...p,
});
const groups: SecurityGroupInfo[] = [
  { id: SG, stateful: true, rules: [
    r({ direction: 'egress' }), r({ direction: 'egress', ethertype: 'IPv6' }),
    r({ direction: 'ingress', remote_group_id: SG }), r({ direction: 'ingress', ethertype: 'IPv6', remote_group_id: SG }),
  ] },
  { id: SG2, stateful: true, rules: [
    r({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' }),
    r({ direction: 'ingress', protocol: 'udp', port_range_min: 1000, port_range_max: 2000, remote_ip_prefix: '192.168.0.0/16' }),
    r({ direction: 'ingress', protocol: 'icmp', port_range_min: 8, port_range_max: 0 }),
    r({ direction: 'ingress', ethertype: 'IPv6', protocol: 'ipv6-icmp', port_range_min: 128 }),
    r({ direction: 'ingress', protocol: 'sctp', port_range_min: 5, port_range_max: 6 }),
    r({ direction: 'ingress', protocol: 'dccp', port_range_min: 7, port_range_max: 7 }),
    r({ direction: 'ingress', protocol: 'udplite', port_range_min: 8, port_range_max: 9 }),
    r({ direction: 'ingress', protocol: 'vrrp' }),
    r({ direction: 'ingress', protocol: '47' }),
    r({ direction: 'ingress', ethertype: 'IPv6', protocol: 'tcp', remote_ip_prefix: '2001:db8::/32', remote_address_group_id: AG }),
    r({ direction: 'egress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_address_group_id: AG }),
  ] },
  { id: STATELESS, stateful: false, rules: [r({ direction: 'ingress', protocol: 'udp', port_range_min: 53, port_range_max: 53 })] },
];

const port = (n: number, network: string, extra: Partial<BoundPort> = {}): BoundPort => ({
  id: `${n}${n}${n}${n}0000-0000-4000-8000-00000000000${n}`, network_id: network, mac_address: `fa:16:3e:00:00:0${n}`, admin_state_up: true, status: 'DOWN',
  device_owner: 'compute:nova', device_id: 'vm', fixed_ips: [{ subnet_id: 's', ip_address: `10.0.0.${n}` }, { subnet_id: 's6', ip_address: `2001:db8::${n}` }],
  port_security_enabled: true, security_group_ids: [SG], allowed_address_pairs: [], ...extra,
});
const ports = [
  port(1, NET),
  port(2, NET, { security_group_ids: [SG, SG2], allowed_address_pairs: [{ ip_address: '10.0.0.0/28', mac_address: 'fa:16:3e:00:00:02' }, { ip_address: '10.9.9.9', mac_address: 'fa:16:3e:aa:bb:cc' }] }),
  port(3, NET2, { security_group_ids: [STATELESS] }),
  port(4, NET2, { port_security_enabled: false, security_group_ids: [] }),
  port(5, NET, { device_owner: 'network:dhcp', security_group_ids: [] }),
  port(6, NET), // its tap does not exist
];
const device = (p: BoundPort) => `tap${p.id.slice(0, 11)}`;
const input: SgRenderInput = {
  ports: ports.map((p) => ({ port: p, bridge: `brq${p.network_id.slice(0, 11)}`, device: device(p) })),
  securityGroups: Object.fromEntries(groups.map((g) => [g.id, g])),
  members: { [SG]: ['10.0.0.1', '10.0.0.2', '2001:db8::1', '2001:db8::2', '10.0.0.6'] },
  addressGroups: { [AG]: ['203.0.113.0/24', '203.0.113.7/32', '2001:db8:1::/48'] },
  existingDevices: new Set(ports.slice(0, 5).map(device)),
};

describe('rendered security-group ruleset on this kernel', { skip }, () => {
  const host = new NetnsHost(ns);
  before(async () => {
    await ensureNetns(ns);
    for (const p of ports.slice(0, 5)) await host.addVeth(device(p), `v${p.id.slice(0, 8)}`);
  });
  after(async () => { await deleteNetns(ns); });

  it('passes nft check mode, applies, and re-applies over itself', async () => {
    const text = renderSecurityGroups(input);
    await host.exec('nft', ['-c', '-f', '-'], { input: text });
    await host.nftApply(text);
    await host.nftApply(text);
    const tables = await host.nftTables();
    assert.deepEqual(tables.filter((t) => t.name.startsWith('nimbus-')).map((t) => `${t.family} ${t.name}`).sort(), ['inet nimbus-sg', 'netdev nimbus-spoof']);
    const listed = (await host.exec('nft', ['list', 'ruleset'])).stdout;
    for (const p of ports.slice(0, 3)) assert.ok(listed.includes(`chain spoof-${p.id.slice(0, 11)}`), p.id);
    assert.ok(!listed.includes(`spoof-${ports[3]!.id.slice(0, 11)}`) && !listed.includes(`spoof-${ports[5]!.id.slice(0, 11)}`));
  });

  it('replaces the tables again after a tap vanished (its chain is left out)', async () => {
    const gone = ports[1]!;
    await host.deleteLink(device(gone));
    const existing = new Set([...input.existingDevices].filter((d) => d !== device(gone)));
    await host.nftApply(renderSecurityGroups({ ...input, existingDevices: existing }));
    const listed = (await host.exec('nft', ['list', 'ruleset'])).stdout;
    assert.ok(!listed.includes(`chain spoof-${gone.id.slice(0, 11)}`) && !listed.includes(`chain ingress-${gone.id.slice(0, 11)}`));
    assert.ok(listed.includes(`chain spoof-${ports[0]!.id.slice(0, 11)}`));
  });
});

// A 1,000-rule group with overlapping rules, applied, and packets judged by the port's ingress
// chain: a probe chain in the same table jumps to it for what arrives on a test link (the port's
// own tap would first meet its anti-spoofing chain). Allowed SYNs reach the closed port and get a
// RST (refused); denied ones are dropped (timeout).
const hostNs = `nimbus-t${process.pid}-sgh`;
const clientNs = `nimbus-t${process.pid}-sgc`;
const BIG = 'c3c3c3c3-0000-4000-8000-000000000004';
const bigRules: SecurityGroupRule[] = [
  // Rule i: tcp (1024+3i)-(1025+3i) from 10.(100+i/256).(i%256).0/24, as the dataplane bench's.
  ...Array.from({ length: 1000 }, (_, i) => r({ direction: 'ingress', protocol: 'tcp', port_range_min: 1024 + 3 * i, port_range_max: 1025 + 3 * i, remote_ip_prefix: `10.${100 + (i >> 8)}.${i & 255}.0/24` })),
  r({ direction: 'ingress', protocol: 'tcp', port_range_min: 2000, port_range_max: 3000, remote_ip_prefix: '10.100.0.0/16' }),
  r({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.0.0.0/8' }),
  r({ direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '10.100.5.0/24' }),
  r({ direction: 'ingress', protocol: 'icmp', port_range_min: 8, remote_ip_prefix: '10.100.6.0/24' }),
  r({ direction: 'ingress', ethertype: 'IPv6', protocol: 'tcp', port_range_min: 80, port_range_max: 90, remote_ip_prefix: '2001:db8::/32' }),
  r({ direction: 'ingress', ethertype: 'IPv6', protocol: 'tcp', port_range_min: 85, port_range_max: 95, remote_ip_prefix: '2001:db8:1::/48' }),
];
const bigPort = port(7, NET, { security_group_ids: [BIG] });

/** 'refused' (allowed through to a closed port) or 'timeout' (dropped), from the client namespace. */
const PROBE = `const [host, port, from] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port), localAddress: from, timeout: 1000 });
s.on('timeout', () => { console.log('timeout'); process.exit(0); });
s.on('error', (e) => { console.log(e.code === 'ECONNREFUSED' ? 'refused' : e.code); process.exit(0); });
s.on('connect', () => { console.log('connected'); process.exit(0); });`;

describe('a 1,000-rule group with overlapping rules on this kernel', { skip }, () => {
  const host = new NetnsHost(hostNs);
  const client = new NetnsHost(clientNs);
  const tcp = async (to: string, port: number, from: string) => (await client.exec(process.execPath, ['-e', PROBE, to, String(port), from])).stdout.trim();
  before(async () => {
    await ensureNetns(hostNs);
    await ensureNetns(clientNs);
    await host.addVeth(device(bigPort), 'vbig');
    await host.addVeth('vsgh', 'vsgc', { peerNetns: clientNs });
    // No duplicate address detection: a tentative address cannot be bound to yet.
    await host.sysctl('net.ipv6.conf.vsgh.accept_dad', 0);
    await client.sysctl('net.ipv6.conf.vsgc.accept_dad', 0);
    await host.setLink('vsgh', { up: true });
    await client.setLink('vsgc', { up: true });
    await host.addAddress('vsgh', '198.51.100.1/24');
    await host.addAddress('vsgh', '2001:db8:ff::1/64');
    await host.replaceRoute({ dst: '10.0.0.0/8', dev: 'vsgh' });
    await host.replaceRoute({ dst: '2001:db8::/32', dev: 'vsgh', family: 6 });
    for (const a of ['10.100.5.9/32', '10.100.6.9/32', '10.200.0.9/32']) await client.addAddress('vsgc', a);
    for (const a of ['2001:db8:1::9/128', '2001:db9::9/128']) await client.addAddress('vsgc', a);
    await client.replaceRoute({ dst: '198.51.100.0/24', dev: 'vsgc' });
    await client.replaceRoute({ dst: '2001:db8:ff::/64', dev: 'vsgc', family: 6 });
  });
  after(async () => { await deleteNetns(clientNs); await deleteNetns(hostNs); });

  it('renders few rules, applies, and allows exactly the union of the rules', async () => {
    const text = renderSecurityGroups({
      ports: [{ port: bigPort, bridge: `brq${NET.slice(0, 11)}`, device: device(bigPort) }],
      securityGroups: { [BIG]: { id: BIG, stateful: true, rules: bigRules } }, members: {}, addressGroups: {},
      existingDevices: new Set([device(bigPort)]),
    });
    const chain = `ingress-${bigPort.id.slice(0, 11)}`;
    assert.ok(text.split('\n').length < 100, `${text.split('\n').length} lines`);
    await host.exec('nft', ['-c', '-f', '-'], { input: text });
    await host.nftApply(text);
    await host.exec('nft', ['-f', '-'], { input: `table inet nimbus-sg {\n  chain probe {\n    type filter hook input priority 0; policy accept;\n    iifname "vsgh" jump ${chain}\n  }\n}\n` });
    const cases: [string, number, string, string][] = [
      ['198.51.100.1', 1039, '10.100.5.9', 'refused'], // rule 5
      ['198.51.100.1', 1040, '10.100.5.9', 'refused'],
      ['198.51.100.1', 1042, '10.100.5.9', 'timeout'], // rule 6 is for 10.100.6.0/24
      ['198.51.100.1', 1042, '10.100.6.9', 'refused'],
      ['198.51.100.1', 1041, '10.100.6.9', 'timeout'], // between two rules' ranges
      ['198.51.100.1', 2500, '10.100.6.9', 'refused'], // 2000-3000 from the /16 over many /24 rules
      ['198.51.100.1', 3001, '10.100.6.9', 'timeout'],
      ['198.51.100.1', 22, '10.200.0.9', 'refused'], // 10.0.0.0/8 . 22 over 10.100.5.0/24 . 22
      ['198.51.100.1', 2500, '10.200.0.9', 'timeout'],
      ['2001:db8:ff::1', 92, '2001:db8:1::9', 'refused'], // 80-90 and 85-95 overlap for the /48
      ['2001:db8:ff::1', 92, '2001:db9::9', 'timeout'],
    ];
    for (const [to, dport, from, want] of cases) assert.equal(await tcp(to, dport, from), want, `${from} → ${to} tcp ${dport}`);
    const ping = async (from: string) => client.exec('ping', ['-c', '1', '-W', '1', '-I', from, '198.51.100.1']).then(() => true, () => false);
    assert.equal(await ping('10.100.6.9'), true, 'icmp echo from 10.100.6.0/24');
    assert.equal(await ping('10.100.5.9'), false, 'icmp echo from elsewhere');
  });
});
