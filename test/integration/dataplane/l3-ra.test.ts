// IPv6 router advertisements of the L3 agent against the real kernel (root only): a simulated host
// namespace with one bridge that this test wires itself in place of the L2 agent, a router whose
// internal port carries an IPv6 subnet, and an instance namespace on the bridge that configures
// itself from the router's advertisements (SLAAC). Every namespace is named nimbus-t<pid>-ra… and
// removed in after(), every daemon stopped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, listNetns, run } from '../../../src/hostnet/index.js';
import { L3Agent } from '../../../src/network/agents/l3/index.js';
import { radvdDaemonId } from '../../../src/network/agents/l3/router-advertisements.js';
import type { L3State, RouterInfo, SubnetInfo } from '../../../src/network/agents/common/state.js';
import { eui64String } from '../../../src/network/ipam/eui64.js';
import { parseSubnetCidr } from '../../../src/network/ipam/cidr.js';

const isRoot = process.getuid?.() === 0;
const hasSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
const PFX = `nimbus-t${process.pid}-ra`;
const HOST_NS = `${PFX}host`;
const VM = `${PFX}vm`;

const ROUTER_ID = '5a6b7c8d-1111-4222-8333-444455556666';
const PORT = 'e1e1e1e1-0000-4000-8000-000000000001';
const ROUTER_NS = `${PFX}qrouter-${ROUTER_ID}`;
const QR = `qr-${PORT.slice(0, 11)}`;
const TAP = `tap${PORT.slice(0, 11)}`;
const ROUTER_MAC = 'fa:16:3e:00:61:01';
const ROUTER_LL = 'fe80::f816:3eff:fe00:6101';
const VM_MAC = 'fa:16:3e:00:61:55';
const PREFIX = '2001:db8:1::/64';
const GATEWAY = '2001:db8:1::1';
const VM_SLAAC = eui64String(parseSubnetCidr(PREFIX), VM_MAC);
const DAEMON = radvdDaemonId(ROUTER_ID);

const subnet = (ra: string | null, extra: Partial<SubnetInfo> = {}): SubnetInfo => ({
  id: 'sub-v6', network_id: 'net-v6', ip_version: 6, cidr: PREFIX, gateway_ip: GATEWAY, enable_dhcp: true,
  dns_nameservers: [], host_routes: [], ipv6_ra_mode: ra, ipv6_address_mode: ra, ...extra,
});

function routerInfo(sub: SubnetInfo = subnet('slaac')): RouterInfo {
  return {
    id: ROUTER_ID, project_id: 'p1', admin_state_up: true, gateway: null,
    interfaces: [{ port_id: PORT, network_id: 'net-v6', mac_address: ROUTER_MAC, mtu: 1450, addresses: [`${GATEWAY}/64`], subnets: [sub] }],
    routes: [], floating_ips: [],
  };
}

class StubClient {
  state: L3State = { host: 'h1', routers: [] };
  async l3State(): Promise<L3State> { return this.state; }
  async updateFloatingIpStatuses(): Promise<void> { /* no floating IPs here */ }
}

const host = new NetnsHost(HOST_NS);
const vm = new NetnsHost(VM);

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(200);
  }
}

/** The instance's global IPv6 addresses on eth0 that finished duplicate address detection. */
async function globalAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', '-6', 'addr', 'show', 'dev', 'eth0'], { netns: VM });
  const doc = JSON.parse(stdout) as { addr_info?: { local: string; scope: string; tentative?: boolean }[] }[];
  return (doc[0]?.addr_info ?? []).filter((a) => a.scope === 'global' && !a.tentative).map((a) => a.local);
}

async function defaultRoutes(): Promise<{ gateway?: string; dev?: string; protocol?: string }[]> {
  const { stdout } = await run('ip', ['-j', '-6', 'route', 'show', 'default'], { netns: VM });
  return JSON.parse(stdout) as { gateway?: string; dev?: string; protocol?: string }[];
}

/** Restarts IPv6 on the instance's eth0: addresses go, and it solicits the router again. */
async function resolicit(): Promise<void> {
  await vm.sysctl('net.ipv6.conf.eth0.disable_ipv6', 1);
  await vm.sysctl('net.ipv6.conf.eth0.disable_ipv6', 0);
}

async function ping6(ip: string): Promise<boolean> {
  try {
    await run('ping', ['-6', '-c', '2', '-i', '0.2', '-W', '1', ip], { netns: VM, timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

interface Ra {
  readonly managed: boolean;
  readonly other: boolean;
  readonly lifetime: number;
  readonly prefixes: { prefix: string; len: number; onLink: boolean; autonomous: boolean }[];
  readonly mtu?: number;
  readonly rdnss: string[];
}

function ipv6Text(bytes: number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

/** An ICMPv6 router advertisement (RFC 4861 4.2) from the raw bytes socat printed. */
function parseRa(bytes: number[]): Ra | undefined {
  if (bytes[0] !== 134 || bytes.length < 16) return undefined;
  const flags = bytes[5] ?? 0;
  const ra: Ra = { managed: (flags & 0x80) !== 0, other: (flags & 0x40) !== 0, lifetime: ((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0), prefixes: [], rdnss: [] };
  for (let at = 16; at + 2 <= bytes.length;) {
    const type = bytes[at]!;
    const len = (bytes[at + 1] ?? 0) * 8;
    if (len === 0) break;
    const opt = bytes.slice(at, at + len);
    if (type === 3) {
      const f = opt[3] ?? 0;
      ra.prefixes.push({ prefix: ipv6Text(opt.slice(16, 32)), len: opt[2] ?? 0, onLink: (f & 0x80) !== 0, autonomous: (f & 0x40) !== 0 });
    } else if (type === 5) {
      (ra as { mtu?: number }).mtu = opt.slice(4, 8).reduce((n, b) => n * 256 + b, 0);
    } else if (type === 25) {
      for (let i = 8; i + 16 <= opt.length; i += 16) ra.rdnss.push(ipv6Text(opt.slice(i, i + 16)));
    }
    at += len;
  }
  return ra;
}

/** Captures ICMPv6 in the instance (socat on a raw socket) while it solicits; the first RA seen. */
async function captureRa(timeoutMs = 10_000): Promise<Ra> {
  const child = spawn('ip', ['netns', 'exec', VM, 'socat', '-x', '-u', 'IP6-RECV:58', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
  try {
    await sleep(300);
    await resolicit();
    return await waitFor('a router advertisement', async () => {
      // socat -x: a "> date length=… from=… to=…" line, then the bytes in hex.
      for (const block of text.split(/^[<>] .*$/m).slice(1)) {
        const bytes = block.trim().split(/\s+/).filter((h) => /^[0-9a-f]{2}$/.test(h)).map((h) => parseInt(h, 16));
        const ra = parseRa(bytes);
        if (ra && ra.prefixes.length > 0) return ra;
      }
      return undefined;
    }, timeoutMs);
  } finally {
    child.kill('SIGKILL');
  }
}

/** A DHCPv6 Information-request from the instance; true if any server answered. */
async function dhcpv6Answers(dir: string): Promise<boolean> {
  const request = join(dir, 'information-request.bin');
  const mac = VM_MAC.split(':').map((h) => parseInt(h, 16));
  // type 11, xid; client id (DUID-LL, Ethernet); elapsed time 0; option request: DNS servers (23).
  // Sent from the link-local address: wait until it has passed duplicate address detection.
  await waitFor('a usable link-local address', async () => {
    const { stdout } = await run('ip', ['-j', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'], { netns: VM });
    const doc = JSON.parse(stdout) as { addr_info?: { tentative?: boolean }[] }[];
    return (doc[0]?.addr_info ?? []).some((a) => !a.tentative);
  });
  writeFileSync(request, Buffer.from([11, 1, 2, 3, 0, 1, 0, 10, 0, 3, 0, 1, ...mac, 0, 8, 0, 2, 0, 0, 0, 6, 0, 2, 0, 23]));
  const { stderr } = await run('socat', ['-x', '-t', '2', '-T', '3', `OPEN:${request},rdonly!!/dev/null`, 'UDP6-DATAGRAM:[ff02::1:2%eth0]:547,bind=[::]:546'],
    { netns: VM, timeoutMs: 10_000 });
  return /^< /m.test(stderr);
}

async function daemonPid(stateDir: string): Promise<number | undefined> {
  // Daemons' pidfile: the pid on line 1.
  const text = await readFile(join(stateDir, 'pids', `${DAEMON}.pid`), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('L3 agent: IPv6 router advertisements', { skip: isRoot ? false : 'needs root (real namespaces)', timeout: 300_000 }, () => {
  let stateDir = '';
  let daemons: Daemons;
  let client: StubClient;
  let agent: L3Agent;
  let firstPid = 0;

  const reconcile = async (state: RouterInfo[]): Promise<void> => {
    client.state = { host: 'h1', routers: state };
    await agent.reconcile();
    // The test's stand-in for the L2 agent: the router's tap joins the bridge.
    const tap = await host.link(TAP);
    if (tap && tap.master !== 'br-v6') await host.setLink(TAP, { master: 'br-v6', up: true });
  };

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-l3-ra-'));
    daemons = new Daemons(stateDir);
    await ensureNetns(HOST_NS);
    await host.addBridge('br-v6');
    await host.setLink('br-v6', { up: true });
    await ensureNetns(VM);
    // The instance: IPv6 from router advertisements, EUI-64 interface ids, no privacy addresses.
    for (const [key, value] of [['accept_ra', 2], ['autoconf', 1], ['use_tempaddr', 0], ['addr_gen_mode', 0]] as const) {
      await vm.sysctl(`net.ipv6.conf.default.${key}`, value);
    }
    await host.addVeth('vm6', 'eth0', { peerNetns: VM, peerMac: VM_MAC });
    await host.setLink('vm6', { master: 'br-v6', up: true });
    for (const [key, value] of [['accept_ra', 2], ['autoconf', 1], ['use_tempaddr', 0]] as const) {
      await vm.sysctl(`net.ipv6.conf.eth0.${key}`, value);
    }
    await vm.setLink('eth0', { up: true });
    client = new StubClient();
    agent = new L3Agent({ host: 'h1', netns: HOST_NS, namespacePrefix: PFX, stateDir }, client,
      { daemons, metadataSocket: join(stateDir, 'metadata.sock'), enableMetadataProxy: false });
  });

  after(async () => {
    for (const id of await daemons.running().catch(() => [])) await daemons.stop(id).catch(() => undefined);
    for (const ns of await listNetns().catch(() => [] as string[])) {
      if (ns.startsWith(PFX)) await deleteNetns(ns).catch(() => undefined);
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('slaac: the instance gets its EUI-64 address and a default route via the router, and reaches the gateway', async () => {
    await reconcile([routerInfo()]);
    assert.ok((await daemons.running()).includes(DAEMON), 'advertisement daemon runs');
    firstPid = (await daemonPid(stateDir))!;
    assert.ok(firstPid > 0 && alive(firstPid));

    const ns = new NetnsHost(ROUTER_NS);
    const { stdout } = await ns.exec('sysctl', ['-n', 'net.ipv6.conf.all.forwarding', `net.ipv6.conf.${QR}.forwarding`]);
    assert.deepEqual(stdout.trim().split('\n'), ['1', '1'], 'the router forwards IPv6 (and so ignores advertisements)');
    assert.ok((await ns.addresses(QR)).some((a) => a.cidr === `${GATEWAY}/64`));

    await resolicit();
    const addresses = await waitFor(`SLAAC address ${VM_SLAAC}`, async () => {
      const list = await globalAddresses();
      return list.includes(VM_SLAAC) ? list : undefined;
    });
    assert.deepEqual(addresses, [VM_SLAAC], 'exactly the EUI-64 address (no privacy address)');
    const routes = await waitFor('a default route learnt from the advertisement', async () => {
      const list = await defaultRoutes();
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(routes.map((r) => [r.gateway, r.dev, r.protocol]), [[ROUTER_LL, 'eth0', 'ra']]);
    const { stdout: mtu } = await vm.exec('cat', ['/proc/sys/net/ipv6/conf/eth0/mtu']);
    assert.equal(mtu.trim(), '1450', 'the MTU option lowered the instance\'s IPv6 MTU to the network\'s');
    assert.ok(await waitFor(`ping6 ${GATEWAY}`, () => ping6(GATEWAY)));
  });

  it('a second reconcile keeps the same daemon and runs nothing; so does a restarted agent', async () => {
    await reconcile([routerInfo()]);
    assert.equal(agent.lastMutations, 0);
    assert.equal(await daemonPid(stateDir), firstPid);
    const restarted = new L3Agent({ host: 'h1', netns: HOST_NS, namespacePrefix: PFX, stateDir }, client,
      { daemons: new Daemons(stateDir), metadataSocket: join(stateDir, 'metadata.sock'), enableMetadataProxy: false });
    await restarted.reconcile();
    assert.equal(restarted.lastMutations, 0);
    assert.equal(await daemonPid(stateDir), firstPid);
    assert.ok(alive(firstPid));
  });

  it('advertisement contents: prefix L+A without M/O for slaac, MTU, router lifetime, RDNSS', { skip: hasSocat ? false : 'needs socat' }, async () => {
    await reconcile([routerInfo(subnet('slaac', { dns_nameservers: ['2001:db8::53', '192.0.2.53'] }))]);
    assert.ok(agent.lastMutations > 0, 'new DNS servers: new command line, restarted daemon');
    assert.notEqual(await daemonPid(stateDir), firstPid);
    const ra = await captureRa();
    assert.equal(ra.managed, false);
    assert.equal(ra.other, false);
    assert.equal(ra.lifetime, 300);
    assert.deepEqual(ra.prefixes, [{ prefix: '2001:db8:1::', len: 64, onLink: true, autonomous: true }]);
    assert.equal(ra.mtu, 1450);
    assert.deepEqual(ra.rdnss, ['2001:db8::53']);
  });

  it('dhcpv6-stateful: M flag, no autonomous prefix (no SLAAC address), and the router answers no DHCPv6', { skip: hasSocat ? false : 'needs socat' }, async () => {
    await reconcile([routerInfo(subnet('dhcpv6-stateful'))]);
    const ra = await captureRa();
    assert.equal(ra.managed, true);
    assert.deepEqual(ra.prefixes, [{ prefix: '2001:db8:1::', len: 64, onLink: true, autonomous: false }]);
    await waitFor('a default route', async () => (await defaultRoutes()).some((r) => r.gateway === ROUTER_LL));
    assert.deepEqual(await globalAddresses(), [], 'no SLAAC address from a managed prefix');
    assert.equal(await dhcpv6Answers(stateDir), false, 'DHCPv6 is the DHCP agent\'s job');
  });

  it('dhcpv6-stateless: O flag, autonomous prefix (SLAAC address), no DHCPv6 answer from the router', { skip: hasSocat ? false : 'needs socat' }, async () => {
    await reconcile([routerInfo(subnet('dhcpv6-stateless', { dns_nameservers: ['2001:db8::53'] }))]);
    const ra = await captureRa();
    assert.equal(ra.managed, false);
    assert.equal(ra.other, true);
    assert.deepEqual(ra.prefixes, [{ prefix: '2001:db8:1::', len: 64, onLink: true, autonomous: true }]);
    assert.deepEqual(ra.rdnss, ['2001:db8::53']);
    await waitFor('SLAAC address', async () => (await globalAddresses()).includes(VM_SLAAC));
    assert.equal(await dhcpv6Answers(stateDir), false);

    // Control: the probe does see a DHCPv6 server that answers (a plain range: no advertisements).
    await host.addAddress('br-v6', '2001:db8:1::2/64');
    const server = spawn('ip', ['netns', 'exec', HOST_NS, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0',
      '--no-hosts', '--no-resolv', `--pid-file=${join(stateDir, 'control.pid')}`, '--leasefile-ro', '--bind-interfaces',
      '--interface=br-v6', '--dhcp-range=2001:db8:1::,static,64'], { stdio: 'ignore' });
    try {
      assert.ok(await waitFor('an answer from the control server', () => dhcpv6Answers(stateDir), 15_000));
    } finally {
      server.kill('SIGKILL');
      await host.deleteAddress('br-v6', '2001:db8:1::2/64');
    }
  });

  it('a subnet without ipv6_ra_mode stops the daemon; setting it again starts one', async () => {
    await reconcile([routerInfo(subnet(null))]);
    assert.ok(agent.lastMutations > 0);
    assert.ok(!(await daemons.running()).includes(DAEMON));
    await reconcile([routerInfo(subnet(null))]);
    assert.equal(agent.lastMutations, 0);
    await reconcile([routerInfo()]);
    assert.ok((await daemons.running()).includes(DAEMON));
    await resolicit();
    await waitFor('SLAAC address again', async () => (await globalAddresses()).includes(VM_SLAAC));
  });

  it('a recreated qr- device is advertised on again', async () => {
    const pid = await daemonPid(stateDir);
    await new NetnsHost(ROUTER_NS).deleteLink(QR);
    await reconcile([routerInfo()]);
    assert.ok((await new NetnsHost(ROUTER_NS).link(QR)) !== undefined, 'qr- device back');
    assert.ok((await daemons.running()).includes(DAEMON));
    await resolicit();
    await waitFor('SLAAC address after the device came back', async () => (await globalAddresses()).includes(VM_SLAAC));
    await waitFor('default route after the device came back', async () => (await defaultRoutes()).some((r) => r.gateway === ROUTER_LL));
    assert.ok(await waitFor(`ping6 ${GATEWAY}`, () => ping6(GATEWAY)));
    assert.ok(pid !== undefined);
  });

  it('removing the router stops its daemon and removes its namespace', async () => {
    const pid = (await daemonPid(stateDir))!;
    assert.ok(alive(pid));
    await reconcile([]);
    assert.ok(!(await daemons.running()).includes(DAEMON));
    await waitFor('the daemon process to exit', async () => !alive(pid), 10_000);
    assert.ok(!(await listNetns()).includes(ROUTER_NS));
    await reconcile([]);
    assert.equal(agent.lastMutations, 0);
  });
});
