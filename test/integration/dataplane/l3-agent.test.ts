// The L3 agent against the real kernel (root only): a simulated host namespace with three bridges
// (two private subnets and the external network) that this test wires itself in place of the L2
// agent, two instance namespaces, an external client namespace, and one router with SNAT and a
// floating IP. Every namespace is named nimbus-t<pid>-… and removed in after().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, listNetns, run } from '../../../src/hostnet/index.js';
import { L3Agent, metadataProxyId } from '../../../src/network/agents/l3/index.js';
import type { L3State, RouterInfo, SubnetInfo } from '../../../src/network/agents/common/state.js';

const isRoot = process.getuid?.() === 0;
const PFX = `nimbus-t${process.pid}-`;
const HOST_NS = `${PFX}host`;
const VM_A = `${PFX}vma`;
const VM_B = `${PFX}vmb`;
const EXT = `${PFX}ext`;
const STALE_ROUTER_NS = `${PFX}qrouter-0badc0de-0000-4000-8000-000000000000`;

const ROUTER_ID = '7d3f0c52-5e1a-4b7c-9a41-2f6b8c1d0e99';
const PORT_A = 'a1a1a1a1-0000-4000-8000-000000000001';
const PORT_B = 'b2b2b2b2-0000-4000-8000-000000000002';
const PORT_GW = 'c3c3c3c3-0000-4000-8000-000000000003';
const ROUTER_NS = `${PFX}qrouter-${ROUTER_ID}`;
const TAP = (port: string) => `tap${port.slice(0, 11)}`;

const subnet = (id: string, cidr: string, gateway_ip: string): SubnetInfo => ({
  id, network_id: `net-${id}`, ip_version: 4, cidr, gateway_ip, enable_dhcp: false, dns_nameservers: [], host_routes: [],
  ipv6_ra_mode: null, ipv6_address_mode: null,
});

const FIP = { id: 'f0000000-0000-4000-8000-000000000020', floating_ip_address: '172.24.99.20', fixed_ip_address: '10.20.1.5', fixed_port_id: 'vm-a-port', status: 'DOWN' };

function routerInfo(overrides: Partial<RouterInfo> = {}): RouterInfo {
  return {
    id: ROUTER_ID, project_id: 'p1', admin_state_up: true,
    gateway: {
      port_id: PORT_GW, network_id: 'ext', mac_address: 'fa:16:3e:00:99:10', mtu: 1500, addresses: ['172.24.99.10/24'],
      subnets: [subnet('ext', '172.24.99.0/24', '172.24.99.1')], enable_snat: true, gateway_ips: ['172.24.99.1'],
    },
    interfaces: [
      { port_id: PORT_A, network_id: 'net-a', mac_address: 'fa:16:3e:00:01:01', mtu: 1450, addresses: ['10.20.1.1/24'], subnets: [subnet('a', '10.20.1.0/24', '10.20.1.1')] },
      { port_id: PORT_B, network_id: 'net-b', mac_address: 'fa:16:3e:00:02:01', mtu: 1450, addresses: ['10.20.2.1/24'], subnets: [subnet('b', '10.20.2.0/24', '10.20.2.1')] },
    ],
    routes: [],
    floating_ips: [FIP],
    ...overrides,
  };
}

class StubClient {
  state: L3State = { host: 'h1', routers: [] };
  statusCalls: Record<string, string>[] = [];
  async l3State(): Promise<L3State> { return this.state; }
  async updateFloatingIpStatuses(statuses: Readonly<Record<string, 'ACTIVE' | 'DOWN' | 'ERROR'>>): Promise<void> {
    this.statusCalls.push({ ...statuses });
  }
}

const host = new NetnsHost(HOST_NS);

async function ping(ns: string, ip: string): Promise<boolean> {
  try {
    await run('ping', ['-c', '3', '-i', '0.2', '-W', '1', '-w', '4', ip], { netns: ns, timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** An input-chain counter per source address, in an observer table of `ns`. */
async function watchSources(ns: string, sources: string[]): Promise<void> {
  const rules = sources.map((s) => `    ip saddr ${s} counter`);
  await new NetnsHost(ns).nftApply(['table ip observe', 'delete table ip observe', 'table ip observe {', '  chain input-watch {', '    type filter hook input priority 0; policy accept;', ...rules, '  }', '}'].join('\n'));
}

async function packetsFrom(ns: string, source: string): Promise<number> {
  const { stdout } = await run('nft', ['-j', 'list', 'table', 'ip', 'observe'], { netns: ns });
  const doc = JSON.parse(stdout) as { nftables: { rule?: { expr: Record<string, unknown>[] } }[] };
  for (const item of doc.nftables) {
    const exprs = item.rule?.expr ?? [];
    const match = exprs.find((e) => 'match' in e) as { match: { right: unknown } } | undefined;
    const counter = exprs.find((e) => 'counter' in e) as { counter: { packets: number } } | undefined;
    if (match?.match.right === source && counter) return counter.counter.packets;
  }
  throw new Error(`no counter for ${source} in ${ns}`);
}

/** An endpoint namespace: veth into a host bridge, one address, optional default route. */
async function endpoint(ns: string, hostDev: string, bridge: string, cidr: string, gateway?: string): Promise<void> {
  await ensureNetns(ns);
  await host.addVeth(hostDev, 'eth0', { peerNetns: ns });
  await host.setLink(hostDev, { master: bridge, up: true });
  const inner = new NetnsHost(ns);
  await inner.addAddress('eth0', cidr);
  await inner.setLink('eth0', { up: true });
  if (gateway) await inner.replaceRoute({ dst: 'default', via: gateway });
}

/** The test's stand-in for the L2 agent: plug the router's taps into their bridges. */
async function plugRouterTaps(): Promise<void> {
  for (const [port, bridge] of [[PORT_A, 'br-a'], [PORT_B, 'br-b'], [PORT_GW, 'br-ext']] as const) {
    const tap = await host.link(TAP(port));
    if (tap && tap.master !== bridge) await host.setLink(TAP(port), { master: bridge, up: true });
  }
}

describe('L3 agent data plane', { skip: isRoot ? false : 'needs root (real namespaces)' }, () => {
  let stateDir = '';
  let daemons: Daemons;
  let client: StubClient;
  let agent: L3Agent;
  let metadata: Server | undefined;
  const metadataRequests: Record<string, string | string[] | undefined>[] = [];

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-l3-'));
    daemons = new Daemons(stateDir);
    const socketPath = join(stateDir, 'metadata.sock');
    metadata = createServer((req, res) => {
      metadataRequests.push(req.headers);
      res.end('metadata-ok\n');
    });
    await new Promise<void>((resolve) => metadata!.listen(socketPath, resolve));

    await ensureNetns(HOST_NS);
    for (const br of ['br-a', 'br-b', 'br-ext']) {
      await host.addBridge(br);
      await host.setLink(br, { up: true });
    }
    await endpoint(VM_A, 'vma', 'br-a', '10.20.1.5/24', '10.20.1.1');
    await endpoint(VM_B, 'vmb', 'br-b', '10.20.2.5/24', '10.20.2.1');
    await endpoint(EXT, 'ext', 'br-ext', '172.24.99.1/24');
    await ensureNetns(STALE_ROUTER_NS);

    client = new StubClient();
    agent = new L3Agent({ host: 'h1', netns: HOST_NS, namespacePrefix: PFX, stateDir }, client,
      { daemons, metadataSocket: socketPath, enableMetadataProxy: true });
  });

  after(async () => {
    for (const id of await daemons.running().catch(() => [])) await daemons.stop(id).catch(() => undefined);
    for (const ns of await listNetns().catch(() => [] as string[])) {
      if (ns.startsWith(PFX)) await deleteNetns(ns).catch(() => undefined);
    }
    await new Promise<void>((resolve) => (metadata ? metadata.close(() => resolve()) : resolve()));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('builds the router: namespace, ports, NAT, metadata proxy; cleans a stale router namespace', async () => {
    client.state = { host: 'h1', routers: [routerInfo()] };
    await agent.reconcile();
    await plugRouterTaps();

    const namespaces = await listNetns();
    assert.ok(namespaces.includes(ROUTER_NS));
    assert.ok(!namespaces.includes(STALE_ROUTER_NS), 'stale qrouter namespace with our prefix removed');
    assert.ok(namespaces.includes(VM_A) && namespaces.includes(HOST_NS), 'other namespaces untouched');

    const ns = new NetnsHost(ROUTER_NS);
    const links = new Map((await ns.links()).map((l) => [l.name, l]));
    assert.equal(links.get('qr-a1a1a1a1-00')?.mac, 'fa:16:3e:00:01:01');
    assert.equal(links.get('qr-a1a1a1a1-00')?.mtu, 1450);
    assert.equal(links.get('qg-c3c3c3c3-00')?.up, true);
    const gwAddresses = (await ns.addresses('qg-c3c3c3c3-00')).filter((a) => a.family === 4).map((a) => a.cidr).sort();
    assert.deepEqual(gwAddresses, ['172.24.99.10/24', '172.24.99.20/32']);
    const defaults = (await ns.routes(4)).filter((r) => r.dst === 'default');
    assert.deepEqual(defaults.map((r) => [r.via, r.dev]), [['172.24.99.1', 'qg-c3c3c3c3-00']]);
    assert.equal((await host.link(TAP(PORT_A)))?.mtu, 1450);
    assert.ok((await daemons.running()).includes(metadataProxyId(ROUTER_ID)), 'metadata proxy runs');
    assert.deepEqual(client.statusCalls, [{ [FIP.id]: 'ACTIVE' }]);
    assert.deepEqual(agent.configurations(), {
      routers: 1, ex_gw_ports: 1, interfaces: 2, floating_ips: 1, agent_mode: 'legacy', handle_internal_only_routers: true,
    });
  });

  it('a second reconcile with the same state runs no mutating command', async () => {
    client.state = { host: 'h1', routers: [routerInfo({ floating_ips: [{ ...FIP, status: 'ACTIVE' }] })] };
    const before = await run('nft', ['list', 'table', 'ip', 'nimbus-l3'], { netns: ROUTER_NS });
    await agent.reconcile();
    assert.equal(agent.lastMutations, 0);
    const afterList = await run('nft', ['list', 'table', 'ip', 'nimbus-l3'], { netns: ROUTER_NS });
    assert.equal(afterList.stdout, before.stdout);
    assert.equal(client.statusCalls.length, 1, 'no status update for an ACTIVE floating IP');
  });

  it('a restarted agent adopts everything as it is', async () => {
    const ns = new NetnsHost(ROUTER_NS);
    const snapshot = async () => ({
      links: (await ns.links()).map((l) => `${l.index} ${l.name} ${l.mac} ${l.mtu} ${l.up}`).sort(),
      nft: (await run('nft', ['-a', 'list', 'table', 'ip', 'nimbus-l3'], { netns: ROUTER_NS })).stdout,
      pids: (await run('ip', ['netns', 'pids', ROUTER_NS])).stdout,
    });
    const before = await snapshot();
    const restarted = new L3Agent({ host: 'h1', netns: HOST_NS, namespacePrefix: PFX, stateDir }, client,
      { daemons: new Daemons(stateDir), metadataSocket: join(stateDir, 'metadata.sock') });
    await restarted.reconcile();
    assert.equal(restarted.lastMutations, 0);
    assert.deepEqual(await snapshot(), before);
  });

  it('repairs drift: a lost address, route and NAT table come back', async () => {
    const ns = new NetnsHost(ROUTER_NS);
    await ns.deleteAddress('qg-c3c3c3c3-00', '172.24.99.20/32');
    await ns.deleteRoute({ dst: 'default', via: '172.24.99.1' });
    await ns.nftDeleteTable('ip', 'nimbus-l3');
    await ns.addAddress('qr-a1a1a1a1-00', '10.20.1.99/24');
    await agent.reconcile();
    assert.ok(agent.lastMutations >= 4);
    const qg = (await ns.addresses('qg-c3c3c3c3-00')).filter((a) => a.family === 4).map((a) => a.cidr).sort();
    assert.deepEqual(qg, ['172.24.99.10/24', '172.24.99.20/32']);
    const qr = (await ns.addresses('qr-a1a1a1a1-00')).filter((a) => a.family === 4).map((a) => a.cidr);
    assert.deepEqual(qr, ['10.20.1.1/24']);
    assert.ok((await ns.routes(4)).some((r) => r.dst === 'default' && r.via === '172.24.99.1'));
    assert.match((await run('nft', ['list', 'table', 'ip', 'nimbus-l3'], { netns: ROUTER_NS })).stdout, /dnat to 10\.20\.1\.5/);
    await agent.reconcile();
    assert.equal(agent.lastMutations, 0);
  });

  it('applies and removes extra routes, leaving connected routes alone', async () => {
    const ns = new NetnsHost(ROUTER_NS);
    const withRoutes = (routes: RouterInfo['routes']) => ({ host: 'h1', routers: [routerInfo({ routes, floating_ips: [{ ...FIP, status: 'ACTIVE' }] })] });
    client.state = withRoutes([{ destination: '192.168.50.0/24', nexthop: '10.20.2.5' }, { destination: '192.168.60.7/32', nexthop: '10.20.1.5' }]);
    await agent.reconcile();
    let routes = await ns.routes(4);
    assert.ok(routes.some((r) => r.dst === '192.168.50.0/24' && r.via === '10.20.2.5'));
    assert.ok(routes.some((r) => r.dst === '192.168.60.7' && r.via === '10.20.1.5'));
    await agent.reconcile();
    assert.equal(agent.lastMutations, 0);
    client.state = withRoutes([{ destination: '192.168.50.0/24', nexthop: '10.20.1.5' }]);
    await agent.reconcile();
    routes = await ns.routes(4);
    assert.ok(routes.some((r) => r.dst === '192.168.50.0/24' && r.via === '10.20.1.5'));
    assert.ok(!routes.some((r) => r.dst === '192.168.60.7'));
    client.state = withRoutes([]);
    await agent.reconcile();
    routes = await ns.routes(4);
    assert.deepEqual(routes.filter((r) => r.via !== undefined).map((r) => r.dst), ['default']);
    assert.ok(routes.some((r) => r.dst === '10.20.1.0/24' && r.via === undefined), 'connected routes stay');
  });

  it('routes between the internal subnets without NAT', async () => {
    await watchSources(VM_B, ['10.20.1.5', '10.20.2.1']);
    assert.ok(await ping(VM_A, '10.20.2.5'), 'A reaches B across the router');
    assert.ok((await packetsFrom(VM_B, '10.20.1.5')) > 0, 'B sees A\'s own address');
    assert.equal(await packetsFrom(VM_B, '10.20.2.1'), 0, 'never the router\'s');
  });

  it('SNATs to the gateway address, and the floating IP both ways', async () => {
    await watchSources(EXT, ['172.24.99.10', '172.24.99.20', '10.20.2.5', '10.20.1.5']);
    assert.ok(await ping(VM_B, '172.24.99.1'), 'B reaches the external client');
    assert.ok((await packetsFrom(EXT, '172.24.99.10')) > 0, 'B is SNATed to the gateway address');
    assert.equal(await packetsFrom(EXT, '10.20.2.5'), 0);

    await watchSources(VM_A, ['172.24.99.1']);
    assert.ok(await ping(EXT, '172.24.99.20'), 'the client reaches A through its floating IP');
    assert.ok((await packetsFrom(VM_A, '172.24.99.1')) > 0, 'A sees the client\'s address (DNAT only)');

    await watchSources(EXT, ['172.24.99.10', '172.24.99.20', '10.20.2.5', '10.20.1.5']);
    assert.ok(await ping(VM_A, '172.24.99.1'), 'A reaches the client');
    assert.ok((await packetsFrom(EXT, '172.24.99.20')) > 0, 'A\'s new connections leave with its floating IP');
    assert.equal(await packetsFrom(EXT, '172.24.99.10'), 0);
    assert.equal(await packetsFrom(EXT, '10.20.1.5'), 0);

    // Hairpin: B reaches A's floating IP from inside.
    assert.ok(await ping(VM_B, '172.24.99.20'), 'B reaches A through A\'s floating IP');
  });

  it('redirects 169.254.169.254:80 to the router\'s metadata proxy', async () => {
    const { stdout } = await run('curl', ['-sS', '-m', '5', 'http://169.254.169.254/latest/meta-data/'], { netns: VM_A, timeoutMs: 15_000 });
    assert.equal(stdout, 'metadata-ok\n');
    const last = metadataRequests.at(-1)!;
    assert.equal(last['x-neutron-router-id'], ROUTER_ID);
    assert.equal(last['x-forwarded-for'], '10.20.1.5');
  });

  it('removing the floating IP removes its DNAT, address and SNAT', async () => {
    client.state = { host: 'h1', routers: [routerInfo({ floating_ips: [] })] };
    await agent.reconcile();
    const ns = new NetnsHost(ROUTER_NS);
    const gwAddresses = (await ns.addresses('qg-c3c3c3c3-00')).filter((a) => a.family === 4).map((a) => a.cidr);
    assert.deepEqual(gwAddresses, ['172.24.99.10/24']);
    const { stdout } = await run('nft', ['list', 'table', 'ip', 'nimbus-l3'], { netns: ROUTER_NS });
    assert.doesNotMatch(stdout, /172\.24\.99\.20/);
    await run('conntrack', ['-F'], { netns: ROUTER_NS }).catch(() => undefined);
    assert.equal(await ping(EXT, '172.24.99.20'), false, 'the floating IP no longer answers');
    await watchSources(EXT, ['172.24.99.10', '172.24.99.20']);
    assert.ok(await ping(VM_A, '172.24.99.1'));
    assert.ok((await packetsFrom(EXT, '172.24.99.10')) > 0, 'A is now SNATed to the gateway address');
    assert.equal(await packetsFrom(EXT, '172.24.99.20'), 0);
    await agent.reconcile();
    assert.equal(agent.lastMutations, 0);
  });

  it('admin-down marks floating IPs DOWN and removes the router; removal from the state too', async () => {
    client.statusCalls = [];
    client.state = { host: 'h1', routers: [routerInfo({ admin_state_up: false, floating_ips: [{ ...FIP, status: 'ACTIVE' }] })] };
    await agent.reconcile();
    assert.deepEqual(client.statusCalls, [{ [FIP.id]: 'DOWN' }]);
    assert.ok(!(await listNetns()).includes(ROUTER_NS));

    client.state = { host: 'h1', routers: [routerInfo()] };
    await agent.reconcile();
    await plugRouterTaps();
    assert.ok((await listNetns()).includes(ROUTER_NS));
    assert.ok(await ping(EXT, '172.24.99.20'), 'rebuilt router serves the floating IP again');

    client.state = { host: 'h1', routers: [] };
    await agent.reconcile();
    const namespaces = await listNetns();
    assert.ok(!namespaces.includes(ROUTER_NS), 'router namespace removed');
    const hostLinks = (await host.links()).map((l) => l.name);
    for (const port of [PORT_A, PORT_B, PORT_GW]) assert.ok(!hostLinks.includes(TAP(port)), `${TAP(port)} gone`);
    assert.ok(!(await daemons.running()).includes(metadataProxyId(ROUTER_ID)), 'metadata proxy stopped');
    assert.deepEqual(agent.configurations(), {
      routers: 0, ex_gw_ports: 0, interfaces: 0, floating_ips: 0, agent_mode: 'legacy', handle_internal_only_routers: true,
    });
    await agent.reconcile();
    assert.equal(agent.lastMutations, 0);
  });
});
