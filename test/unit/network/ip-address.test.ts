import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, formatIp, isIpv4Mapped, parseIp, tryParseIp } from '../../../src/network/ipam/ip-address.js';
import { cidrContains, formatCidr, isLoopbackCidr, isMulticastCidr, parseSubnetCidr, tryParseCidrLoose } from '../../../src/network/ipam/cidr.js';
import { IpamError } from '../../../src/network/ipam/errors.js';

test('IPv4 parses and formats', () => {
  assert.deepEqual(parseIp('10.0.0.1'), { version: 4, value: 0x0a000001n });
  assert.equal(canonicalIp('255.255.255.255'), '255.255.255.255');
  for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.01', '1.2.3.4.5', ' 1.2.3.4', '', 'abc', '1.2.3.-1']) {
    assert.equal(tryParseIp(bad), undefined, bad);
  }
});

test('IPv6 compression follows RFC 5952 and round-trips', () => {
  const cases: Array<[string, string]> = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a lone zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first run on a tie
    ['fe80::f816:3eff:fe11:2233', 'fe80::f816:3eff:fe11:2233'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(canonicalIp(input), expected, input);
    assert.equal(canonicalIp(expected), expected, `round trip ${expected}`);
  }
  for (const bad of [':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', ':1::', '1:2:3:4:5:6:7::8']) {
    assert.equal(tryParseIp(bad), undefined, bad);
  }
});

test('IPv4-mapped addresses stay IPv6 and print in mixed notation', () => {
  const ip = parseIp('::ffff:10.0.0.1');
  assert.equal(ip.version, 6);
  assert.ok(isIpv4Mapped(ip));
  assert.equal(formatIp(ip), '::ffff:10.0.0.1');
  assert.equal(canonicalIp('0:0:0:0:0:ffff:0a00:0001'), '::ffff:10.0.0.1');
});

test('subnet CIDRs: IPv4 host bits refused with the recommendation, IPv6 normalised', () => {
  assert.equal(formatCidr(parseSubnetCidr('10.0.0.0/24')), '10.0.0.0/24');
  assert.throws(() => parseSubnetCidr('10.0.0.1/24'), (e: unknown) =>
    e instanceof IpamError && e.status === 400 &&
    e.message === "Invalid input for cidr. Reason: '10.0.0.1/24' isn't a recommended CIDR, '10.0.0.0/24' is recommended.");
  assert.throws(() => parseSubnetCidr('10.0.0.0'), /isn't a recommended CIDR, '10.0.0.0\/32' is recommended/);
  assert.equal(formatCidr(parseSubnetCidr('2001:DB8::1/64')), '2001:db8::/64');
  for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/024', 'x/24', '10.0.0.0/']) {
    assert.throws(() => parseSubnetCidr(bad), /is not a valid IP subnet/, bad);
  }
});

test('multicast, loopback and containment', () => {
  const c = (s: string) => tryParseCidrLoose(s)!.cidr;
  assert.ok(isMulticastCidr(c('224.0.0.0/16')));
  assert.ok(isMulticastCidr(c('239.1.0.0/16')));
  assert.ok(!isMulticastCidr(c('223.255.0.0/16')));
  assert.ok(isMulticastCidr(c('ff02::/16')));
  assert.ok(isLoopbackCidr(c('127.0.1.0/24')));
  assert.ok(isLoopbackCidr(c('::1/128')));
  assert.ok(!isLoopbackCidr(c('128.0.0.0/24')));
  assert.ok(cidrContains(c('10.0.0.0/24'), parseIp('10.0.0.255')));
  assert.ok(!cidrContains(c('10.0.0.0/24'), parseIp('10.0.1.0')));
  assert.ok(!cidrContains(c('10.0.0.0/24'), parseIp('::ffff:10.0.0.1')));
});
