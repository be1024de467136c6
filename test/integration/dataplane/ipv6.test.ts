// IPv6 end to end with real packets: a dual-stack network (IPv4 by DHCP, IPv6 by SLAAC from the
// router's advertisements) on two simulated hosts, every network agent in a child process. The
// steps build on each other, so they run in order in one suite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/hostnet/index.js';
import { parseSubnetCidr } from '../../../src/network/ipam/cidr.js';
import { eui64String } from '../../../src/network/ipam/eui64.js';
import { startDataplane, type Dataplane, type Instance } from '../../support/dataplane-harness.js';

const root = process.getuid?.() === 0;
const skip = !root ? 'needs root' : !process.env.NIMBUS_TEST_AMQP_URL ? 'needs NIMBUS_TEST_AMQP_URL (RabbitMQ)' : false;

const V4_CIDR = '10.60.1.0/24';
const V6_CIDR = '2001:db8:60::/64';
const V6_GATEWAY = '2001:db8:60::1';

/** The instance's IPv6 address of `subnetId` as the API allocated it (EUI-64 of its MAC on a SLAAC subnet). */
function fixedIpv6(instance: Instance, subnetId: string): string {
  const fixed = (instance.port.fixed_ips as { subnet_id: string; ip_address: string }[]).find((f) => f.subnet_id === subnetId);
  if (!fixed) throw new Error(`${instance.name} has no address on ${subnetId}`);
  return fixed.ip_address;
}

/** Turns on router advertisements in the instance and makes it solicit the router now (IPv4 untouched). */
async function enableSlaac(instance: Instance): Promise<void> {
  for (const [key, value] of [['accept_ra', 2], ['autoconf', 1], ['use_tempaddr', 0]] as const) {
    await instance.exec('sysctl', ['-q', '-w', `net.ipv6.conf.eth0.${key}=${value}`]);
  }
  // Restarting IPv6 on eth0 sends a fresh router solicitation.
  await instance.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.eth0.disable_ipv6=1']);
  await instance.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.eth0.disable_ipv6=0']);
}

/** Global IPv6 addresses on eth0 that passed duplicate address detection. */
async function globalIpv6(instance: Instance): Promise<string[]> {
  const { stdout } = await instance.exec('ip', ['-j', '-6', 'addr', 'show', 'dev', 'eth0']);
  const doc = JSON.parse(stdout) as { addr_info?: { local: string; scope: string; tentative?: boolean }[] }[];
  return (doc[0]?.addr_info ?? []).filter((a) => a.scope === 'global' && !a.tentative).map((a) => a.local);
}

async function ipv6DefaultRoutes(instance: Instance): Promise<{ gateway?: string; dev?: string; protocol?: string }[]> {
  const { stdout } = await instance.exec('ip', ['-j', '-6', 'route', 'show', 'default']);
  return JSON.parse(stdout) as { gateway?: string; dev?: string; protocol?: string }[];
}

describe('data plane: IPv6 by router advertisements (SLAAC)', { skip, timeout: 600_000 }, () => {
  let dp: Dataplane;
  const ids: Record<string, string> = {};
  const vms: Record<string, Instance> = {};

  before(async () => {
    dp = await startDataplane(2);
  });

  after(async () => { await dp?.close(); });

  it('the agents of both hosts are alive', async () => {
    await dp.waitForAgents(8);
  });

  it('a dual-stack network attached to a router: the router advertises the IPv6 prefix', async () => {
    const { net } = dp;
    const alice = net.alice;
    const network = await net.create('network', 'networks', { name: 'dual' }, alice.token);
    ids.net = network.id;
    const v4 = await net.create('subnet', 'subnets', { network_id: network.id, cidr: V4_CIDR, ip_version: 4 }, alice.token);
    ids.v4 = v4.id;
    const router = await net.create('router', 'routers', { name: 'dual-router' }, alice.token);
    ids.router = router.id;
    // The IPv4 interface first: the network is never isolated, so only the router advertises.
    const add4 = await net.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { body: { subnet_id: v4.id }, token: alice.token });
    assert.equal(add4.statusCode, 200, add4.body);
    const v6 = await net.create('subnet', 'subnets', {
      network_id: network.id, cidr: V6_CIDR, ip_version: 6, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac',
    }, alice.token);
    ids.v6 = v6.id;
    assert.equal(v6.gateway_ip, V6_GATEWAY);
    const add6 = await net.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { body: { subnet_id: v6.id }, token: alice.token });
    assert.equal(add6.statusCode, 200, add6.body);
    const portId = add6.json().port_id as string;
    const port = (await net.request('GET', `/v2.0/ports/${portId}`)).json().port;
    ids.routerLinkLocal = eui64String(parseSubnetCidr('fe80::/64'), port.mac_address as string);

    // The router's host runs dnsmasq in RA-only duty in the router's namespace.
    await dp.waitFor('the router\'s advertisement daemon', async () => {
      const { stdout } = await run('ps', ['-eo', 'args']);
      return stdout.split('\n').some((l) => l.startsWith('dnsmasq') && l.includes('--enable-ra') && l.includes(`qr-${portId.slice(0, 11)}`)
        && l.includes('2001:db8:60::,ra-only,64'));
    }, 60_000);
  });

  it('instances on two hosts get their API-allocated IPv6 addresses by SLAAC and a default route via the router', async () => {
    const alice = dp.net.alice;
    vms.a = await dp.boot('v6a', 1, ids.net!, alice.token);
    vms.b = await dp.boot('v6b', 2, ids.net!, alice.token);
    for (const vm of [vms.a, vms.b]) {
      const expected = fixedIpv6(vm, ids.v6!);
      assert.equal(expected, eui64String(parseSubnetCidr(V6_CIDR), vm.port.mac_address as string), 'the API allocates the EUI-64 address');
      await enableSlaac(vm);
      const addresses = await dp.waitFor(`${vm.name}: SLAAC address ${expected}`, async () => {
        const list = await globalIpv6(vm);
        return list.includes(expected) ? list : undefined;
      }, 60_000);
      assert.deepEqual(addresses, [expected]);
      const routes = await dp.waitFor(`${vm.name}: IPv6 default route`, async () => {
        const list = await ipv6DefaultRoutes(vm);
        return list.length > 0 ? list : undefined;
      });
      assert.deepEqual(routes.map((r) => [r.gateway, r.dev, r.protocol]), [[ids.routerLinkLocal, 'eth0', 'ra']]);
      assert.equal(vm.ip, vm.port.fixed_ips.find((f: { subnet_id: string }) => f.subnet_id === ids.v4).ip_address, 'IPv4 from DHCP as before');
    }
  });

  it('the instances ping each other over IPv6 across VXLAN, and the router\'s IPv6 gateway', async () => {
    const a = vms.a!;
    const b = vms.b!;
    const aIp = fixedIpv6(a, ids.v6!);
    const bIp = fixedIpv6(b, ids.v6!);
    // The default security group admits members of the group, IPv6 included.
    assert.ok(await dp.waitFor(`${a.name} → ${b.name} (${bIp})`, () => a.pings(bIp)));
    assert.ok(await b.pings(aIp, 3));
    assert.ok(await dp.waitFor(`${a.name} → gateway ${V6_GATEWAY}`, () => a.pings(V6_GATEWAY)));
    assert.ok(await a.pings(b.ip, 2), 'IPv4 still works');
  });

  it('a forged IPv6 source is dropped by the port\'s anti-spoofing', async () => {
    const a = vms.a!;
    const forged = '2001:db8:60::bad';
    await a.exec('ip', ['-6', 'addr', 'add', `${forged}/64`, 'dev', 'eth0', 'nodad']);
    try {
      // The router has no security group: only the instance port's anti-spoofing can drop this.
      assert.ok(await a.pings(V6_GATEWAY, 1, ['-I', fixedIpv6(a, ids.v6!)]), 'the real address reaches the gateway');
      assert.equal(await a.pings(V6_GATEWAY, 2, ['-I', forged]), false);
    } finally {
      await a.exec('ip', ['-6', 'addr', 'del', `${forged}/64`, 'dev', 'eth0']);
    }
  });
});
