import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateOrFail, checkRequestedIp, countAvailable, firstFree, randomFree } from '../../../src/network/ipam/allocator.js';
import { defaultAllocationPools } from '../../../src/network/ipam/allocation-pools.js';
import { parseSubnetCidr } from '../../../src/network/ipam/cidr.js';
import { formatIp, parseIp } from '../../../src/network/ipam/ip-address.js';
import { IpamError } from '../../../src/network/ipam/errors.js';
import { eui64String } from '../../../src/network/ipam/eui64.js';
import { generateMac, parseMac } from '../../../src/network/ipam/mac-address.js';

const pools = (cidr: string, gw: string | null) => {
  const c = parseSubnetCidr(cidr);
  return defaultAllocationPools(c, gw === null ? null : parseIp(gw));
};
const v = (s: string) => parseIp(s).value;

test('available-address counts for /24, /30, /31, /32 and /64', () => {
  assert.equal(countAvailable(pools('10.0.0.0/24', '10.0.0.1'), []), 253n);
  assert.equal(countAvailable(pools('10.0.0.0/24', null), []), 254n);
  assert.equal(countAvailable(pools('10.0.0.0/30', '10.0.0.1'), []), 1n);
  assert.equal(countAvailable(pools('10.0.0.0/31', null), []), 2n); // RFC 3021: both usable
  assert.equal(countAvailable(pools('10.0.0.0/32', null), []), 1n);
  assert.equal(countAvailable(pools('2001:db8::/64', '2001:db8::1'), []), (1n << 64n) - 2n);
  assert.equal(countAvailable(pools('2001:db8::/64', '2001:db8::1'), [v('2001:db8::2'), v('2001:db8::5'), v('2001:db8::5')]), (1n << 64n) - 4n);
  assert.equal(countAvailable(pools('10.0.0.0/24', '10.0.0.1'), [v('10.0.0.2'), v('10.0.0.1'), v('10.1.0.1')]), 252n);
});

test('first free skips used addresses; exhausted pools fail like Neutron', () => {
  const p = pools('10.0.0.0/29', '10.0.0.1');
  assert.equal(formatIp(firstFree(p, [])!), '10.0.0.2');
  assert.equal(formatIp(firstFree(p, [v('10.0.0.2'), v('10.0.0.3')])!), '10.0.0.4');
  const all = [2, 3, 4, 5, 6].map((n) => v(`10.0.0.${n}`));
  assert.equal(firstFree(p, all), undefined);
  assert.throws(() => allocateOrFail(p, all, 'net-1'), (e: unknown) =>
    e instanceof IpamError && e.type === 'IpAddressGenerationFailure' && e.status === 409 &&
    e.message === 'No more IP addresses available on network net-1.');
});

test('random free stays in the free set and the first window, even on a /64', () => {
  const p = pools('10.0.0.0/24', '10.0.0.1');
  const used = [v('10.0.0.2'), v('10.0.0.3')];
  assert.equal(formatIp(randomFree(p, used, () => 0)!), '10.0.0.4');
  assert.equal(formatIp(randomFree(p, used, () => 0.999999)!), '10.0.0.254');
  for (let i = 0; i < 200; i++) {
    const ip = randomFree(p, used)!;
    assert.ok(ip.value >= v('10.0.0.4') && ip.value <= v('10.0.0.254'));
  }
  const big = randomFree(pools('2001:db8::/64', '2001:db8::1'), [], () => 0.999999)!;
  assert.equal(formatIp(big), '2001:db8::3e9'); // 2 + 999: last of the 1000-address window
});

test('a requested address must be in the subnet, not network/broadcast, not in use; pools do not matter', () => {
  const c = parseSubnetCidr('10.0.0.0/24');
  const used = new Set([v('10.0.0.5')]);
  assert.equal(formatIp(checkRequestedIp(c, '10.0.0.1', used, 's1')), '10.0.0.1'); // the gateway, outside any pool
  const invalid = (ip: string) => `IP address ${ip} is not a valid IP for the specified subnet.`;
  for (const bad of ['10.0.1.1', '10.0.0.0', '10.0.0.255', 'garbage']) {
    assert.throws(() => checkRequestedIp(c, bad, used, 's1'), { message: invalid(bad) });
  }
  assert.throws(() => checkRequestedIp(c, '10.0.0.5', used, 's1'), { message: 'IP address 10.0.0.5 already allocated in subnet s1' });
  const c6 = parseSubnetCidr('2001:db8::/64');
  assert.throws(() => checkRequestedIp(c6, '2001:db8::', new Set(), 's6'), { message: invalid('2001:db8::') });
  assert.equal(formatIp(checkRequestedIp(c6, '2001:db8::', new Set(), 's6', { routerPort: true })), '2001:db8::');
  assert.throws(() => checkRequestedIp(c6, '2001:db8::10', new Set(), 's6', { autoAddress: true }),
    /IPv6 address 2001:db8::10 cannot be directly assigned to a port on subnet s6 as the subnet is configured for automatic addresses/);
});

test('EUI-64 from a /64 and a fa:16:3e MAC', () => {
  assert.equal(eui64String(parseSubnetCidr('2001:db8::/64'), 'fa:16:3e:11:22:33'), '2001:db8::f816:3eff:fe11:2233');
  assert.equal(eui64String(parseSubnetCidr('fe80::/64'), '00:00:00:00:00:01'), 'fe80::200:ff:fe00:1');
  assert.equal(eui64String(parseSubnetCidr('2001:db8:1:2::/64'), 'FA-16-3E-AA-BB-CC'), '2001:db8:1:2:f816:3eff:feaa:bbcc');
  assert.throws(() => eui64String(parseSubnetCidr('2001:db8::/80'), 'fa:16:3e:11:22:33'));
});

test('MAC generation keeps the fa:16:3e prefix; validation refuses garbage and multicast', () => {
  let n = 0;
  assert.equal(generateMac(undefined, () => [0x01, 0xab, 0xff][n++] ?? 0), 'fa:16:3e:01:ab:ff');
  for (let i = 0; i < 50; i++) assert.match(generateMac(), /^fa:16:3e(:[0-9a-f]{2}){3}$/);
  assert.equal(parseMac('FA:16:3E:00:00:0A'), 'fa:16:3e:00:00:0a');
  for (const bad of ['fa:16:3e:00:00', '01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', 'zz:16:3e:00:00:01']) {
    assert.throws(() => parseMac(bad), { message: `Invalid input for mac_address. Reason: '${bad}' is not a valid MAC address.` });
  }
});
