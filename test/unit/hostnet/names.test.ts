import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemons, HostnetError, HostnetInputError, NetnsHost, assertIfName, assertNetnsName } from '../../../src/hostnet/index.js';
import { commandLine } from '../../../src/hostnet/exec.js';
import {
  assertArgs, assertCidr, assertCommand, assertIp, assertMac, assertNftFamily, assertNftName, assertRouteDst,
  assertSysctlKey, assertSysctlValue, cidrFamily,
} from '../../../src/hostnet/values.js';

const refused = (e: unknown) => e instanceof HostnetInputError && e instanceof HostnetError && /invalid/.test(e.message);

test('interface names: Neutron-style names pass, 15 characters at most', () => {
  for (const ok of ['tap1234567890a', 'brq0123456789a', 'vxlan-100', 'qr-abc.def_1', 'lo', 'a'.repeat(15)]) {
    assert.equal(assertIfName(ok), ok);
  }
  for (const bad of ['', 'a'.repeat(16), '-foo', 'a b', '../x', 'x/y', '.', '..', 'tap;rm', 'eth0\n', 'näme', '$(id)']) {
    assert.throws(() => assertIfName(bad), refused, bad);
  }
  assert.throws(() => assertIfName(undefined as unknown as string), refused);
});

test('namespace names: long prefixed names pass, injection attempts do not', () => {
  for (const ok of ['nimbus-t123-a', 'host1-qrouter-8f1c0a2e-1b2c-4d5e-8f90-0123456789ab', 'n'.repeat(200)]) {
    assert.equal(assertNetnsName(ok), ok);
  }
  for (const bad of ['', 'n'.repeat(201), '-n', '--help', 'a b', '../etc', 'a/b', '..', 'x;y', 'x\0y']) {
    assert.throws(() => assertNetnsName(bad), refused, bad);
  }
});

test('addresses, CIDRs and MACs are checked strictly', () => {
  assert.equal(assertIp('10.0.0.1'), '10.0.0.1');
  assert.equal(assertIp('2001:db8::1'), '2001:db8::1');
  for (const bad of ['10.0.0.256', '10.0.0.1/24', '-1', 'fe80::1%eth0', '', 'localhost']) assert.throws(() => assertIp(bad), refused, bad);
  assert.equal(assertCidr('10.0.0.1/24'), '10.0.0.1/24');
  assert.equal(assertCidr('2001:db8::/64'), '2001:db8::/64');
  assert.equal(cidrFamily('2001:db8::/64'), 6);
  assert.equal(cidrFamily('10.0.0.0/8'), 4);
  for (const bad of ['10.0.0.1/33', '10.0.0.1', '2001:db8::/129', '10.0.0.1/24 dev x', 'x/8', '10.0.0.1/-1']) {
    assert.throws(() => assertCidr(bad), refused, bad);
  }
  assert.equal(assertRouteDst('default'), 'default');
  assert.equal(assertRouteDst('10.1.0.0/16'), '10.1.0.0/16');
  assert.equal(assertRouteDst('10.1.0.7'), '10.1.0.7');
  assert.throws(() => assertRouteDst('all'), refused);
  assert.equal(assertMac('FA:16:3E:00:00:01'), 'fa:16:3e:00:00:01');
  for (const bad of ['fa:16:3e:00:00', 'fa-16-3e-00-00-01', 'fa:16:3e:00:00:01:02', 'zz:16:3e:00:00:01']) {
    assert.throws(() => assertMac(bad), refused, bad);
  }
});

test('sysctl keys, nft identifiers, commands and argv', () => {
  for (const ok of ['net.ipv4.ip_forward', 'net.ipv4.conf.qr-abc.forwarding', 'net/ipv4/conf/eth0.5/rp_filter', 'net.bridge.bridge-nf-call-iptables']) {
    assert.equal(assertSysctlKey(ok), ok);
  }
  for (const bad of ['', '-w', 'net.ipv4.ip_forward=1', 'net/../../etc', 'a b', '/proc/sys/x']) assert.throws(() => assertSysctlKey(bad), refused, bad);
  assert.equal(assertSysctlValue('0 2147483647'), '0 2147483647');
  assert.throws(() => assertSysctlValue('1\nnet.x=2'), refused);
  assert.equal(assertNftFamily('inet'), 'inet');
  assert.throws(() => assertNftFamily('inet; flush ruleset'), refused);
  assert.equal(assertNftName('nimbus-sg'), 'nimbus-sg');
  for (const bad of ['t; flush ruleset', '', '-t', '1abc', 'a b', 'a'.repeat(65)]) assert.throws(() => assertNftName(bad), refused, bad);
  assert.equal(assertCommand('/usr/sbin/dnsmasq'), '/usr/sbin/dnsmasq');
  assert.throws(() => assertCommand('-c'), refused);
  assert.throws(() => assertCommand('sh -c x'), refused);
  assert.deepEqual(assertArgs(['--port=0', 'a b', '']), ['--port=0', 'a b', '']);
  assert.throws(() => assertArgs(['a\0b']), refused);
});

test('commands run in a namespace via ip -n or ip netns exec', () => {
  assert.deepEqual(commandLine('ip', ['link', 'show'], undefined), ['ip', ['link', 'show']]);
  assert.deepEqual(commandLine('ip', ['link', 'show'], 'nimbus-x'), ['ip', ['-n', 'nimbus-x', 'link', 'show']]);
  assert.deepEqual(commandLine('bridge', ['fdb', 'show'], 'nimbus-x'), ['bridge', ['-n', 'nimbus-x', 'fdb', 'show']]);
  assert.deepEqual(commandLine('nft', ['-f', '-'], 'nimbus-x'), ['ip', ['netns', 'exec', 'nimbus-x', 'nft', '-f', '-']]);
});

test('input errors carry the refused value and no exit code', () => {
  try {
    assertIfName('a b');
    assert.fail('expected a throw');
  } catch (e) {
    assert.ok(e instanceof HostnetInputError);
    assert.equal(e.message, 'invalid interface name "a b": only letters, digits, "_", "." and "-" are allowed');
    assert.deepEqual(e.args, ['a b']);
    assert.equal(e.exitCode, null);
  }
});

test('every NetnsHost and Daemons entry point rejects bad input before running anything', async () => {
  const host = new NetnsHost('nimbus-unit-never-created');
  const bad = 'x;reboot';
  const calls: [string, () => Promise<unknown>][] = [
    ['link', () => host.link(bad)],
    ['addBridge', () => host.addBridge(bad)],
    ['addBridge mtu', () => host.addBridge('br0', { mtu: 10 })],
    ['addVeth', () => host.addVeth('v0', bad)],
    ['addVeth peerNetns', () => host.addVeth('v0', 'v1', { peerNetns: '../x' })],
    ['addVxlan vni', () => host.addVxlan('vx', { vni: 0, local: '10.0.0.1' })],
    ['addVxlan local', () => host.addVxlan('vx', { vni: 5, local: 'any' })],
    ['setLink master', () => host.setLink('v0', { master: bad })],
    ['setLink mac', () => host.setLink('v0', { mac: 'nope' })],
    ['deleteLink', () => host.deleteLink('-all')],
    ['addresses', () => host.addresses(bad)],
    ['addAddress', () => host.addAddress('v0', '10.0.0.1')],
    ['deleteAddress', () => host.deleteAddress(bad, '10.0.0.1/24')],
    ['replaceRoute', () => host.replaceRoute({ dst: '10.0.0.0/8 table 5' })],
    ['deleteRoute', () => host.deleteRoute({ dst: 'default', via: 'x' })],
    ['fdb', () => host.fdb(bad)],
    ['fdbAppend', () => host.fdbAppend('vx', '00:00:00:00:00:00', '10.0.0.1 self')],
    ['fdbReplace', () => host.fdbReplace('vx', 'ff', '10.0.0.1')],
    ['fdbDelete', () => host.fdbDelete(bad, '00:00:00:00:00:00')],
    ['neighbours', () => host.neighbours(bad)],
    ['neighReplace', () => host.neighReplace('v0', '10.0.0.1', 'x')],
    ['neighDelete', () => host.neighDelete('v0', 'x')],
    ['sysctl', () => host.sysctl('kernel/../../x', 1)],
    ['nftDeleteTable', () => host.nftDeleteTable('inet', bad)],
    ['exec', () => host.exec('-rf', [])],
    ['Daemons.ensure', () => new Daemons('/nonexistent').ensure({ id: bad, command: 'sleep', args: [] })],
    ['Daemons.stop', () => new Daemons('/nonexistent').stop('../x')],
    ['Daemons.signal', () => new Daemons('/nonexistent').signal('../x', 'SIGTERM')],
  ];
  for (const [name, call] of calls) {
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => { promise = call(); }, `${name} must reject, not throw`);
    await assert.rejects(promise!, refused, name);
  }
  await host.gratuitousArp(bad, '10.0.0.1'); // best effort: never rejects
});
