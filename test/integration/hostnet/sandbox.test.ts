// The simulated-hosts sandbox on the real kernel (root only): hosts reach each other over the
// underlay, the external client reaches the provider gateway and an address on the public
// network (as a floating IP would be), re-creating is a no-op that keeps traffic flowing, a
// missing host is repaired, and destroySandbox ends processes and removes every namespace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { run } from '../../../src/hostnet/exec.js';
import { NetnsHost } from '../../../src/hostnet/host.js';
import { deleteNetns, ensureNetns, listNetns, netnsPids } from '../../../src/hostnet/netns.js';
import { createSandbox, destroySandbox, planSandbox, sandboxNamespaces, type Sandbox, type SandboxOptions } from '../../../src/hostnet/sandbox/index.js';

const isRoot = process.getuid?.() === 0;
const name = `t${process.pid % 100000}`;
const prefix = `nimbus-${name}-`;
const options: SandboxOptions = { name, hosts: 2 };
// A stand-in for a router's gateway port on the provider network, plugged the way the L2 agent
// plugs a flat network: host h1 bridges its pub0 with the router namespace's veth.
const routerNetns = `${prefix}h1-qrouter-test`;
const routerAddress = '172.24.4.50';
// Another sandbox's namespace whose name shares our prefix without the dash: must survive.
const decoyNetns = `nimbus-${name}z-decoy`;

async function ping(netns: string, address: string): Promise<void> {
  await run('ping', ['-c', '1', '-W', '1', address], { netns, timeoutMs: 5000 });
}

/** Everything that identifies the kernel state of the sandbox: links by ifindex, addresses, routes. */
async function snapshot(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const ns of await sandboxNamespaces(name)) {
    const host = new NetnsHost(ns);
    out[ns] = {
      links: (await host.links()).map((l) => `${l.name}#${l.index} ${l.mac} ${l.kind ?? '-'} master=${l.master ?? '-'} up=${l.up}`).sort(),
      addresses: (await host.addresses()).filter((a) => a.family === 4).map((a) => `${a.dev} ${a.cidr}`).sort(),
      routes: (await host.routes(4)).map((r) => `${r.dst} via ${r.via ?? '-'} dev ${r.dev ?? '-'}`).sort(),
    };
  }
  return out;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

describe('simulated-hosts sandbox', { skip: isRoot ? false : 'needs root (network namespaces)' }, () => {
  let sandbox: Sandbox;
  let stubborn: ChildProcess | undefined;
  let rootLinksBefore: string[] = [];

  before(async () => {
    await destroySandbox(name); // leftovers of an earlier crashed run with the same pid
    rootLinksBefore = (await new NetnsHost(undefined).links()).map((l) => l.name);
    sandbox = await createSandbox(options);
  });

  after(async () => {
    try {
      await destroySandbox(name);
    } finally {
      if (stubborn && stubborn.exitCode === null && stubborn.signalCode === null) stubborn.kill('SIGKILL');
      await deleteNetns(decoyNetns);
    }
  });

  it('describes the hosts the agents will run on', () => {
    assert.equal(sandbox.name, name);
    assert.equal(sandbox.fabricNetns, `${prefix}fabric`);
    assert.equal(sandbox.publicCidr, '172.24.4.0/24');
    assert.equal(sandbox.publicGateway, '172.24.4.1');
    assert.deepEqual(sandbox.externalClient, { netns: `${prefix}ext`, address: '203.0.113.10' });
    assert.equal(sandbox.uplinkDevice, undefined);
    assert.deepEqual(sandbox.hosts, [1, 2].map((i) => ({
      name: `${name}-host${i}`, netns: `${prefix}h${i}`, tunnelIp: `10.254.0.${10 + i}`, tunnelDevice: 'ul0',
      publicDevice: 'pub0', bridgeMappings: { public: 'pub0' }, namespacePrefix: `${prefix}h${i}-`,
    })));
  });

  it('builds the namespaces, bridges and veths, and gives the root namespace nothing', async () => {
    assert.deepEqual(await sandboxNamespaces(name), [`${prefix}ext`, `${prefix}fabric`, `${prefix}h1`, `${prefix}h2`]);
    const fabric = new NetnsHost(sandbox.fabricNetns);
    const links = new Map((await fabric.links()).map((l) => [l.name, l]));
    assert.equal(links.get('br-underlay')?.kind, 'bridge');
    assert.equal(links.get('br-public')?.kind, 'bridge');
    for (const port of ['ul-h1', 'ul-h2']) assert.equal(links.get(port)?.master, 'br-underlay', port);
    for (const port of ['pub-h1', 'pub-h2']) assert.equal(links.get(port)?.master, 'br-public', port);
    assert.deepEqual((await fabric.addresses('br-public')).filter((a) => a.family === 4).map((a) => a.cidr), ['172.24.4.1/24']);
    assert.deepEqual((await fabric.addresses('br-underlay')).filter((a) => a.family === 4), []);
    assert.equal((await fabric.exec('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim(), '1');
    const plan = planSandbox(options);
    assert.equal(links.get('br-public')?.mac, plan.publicBridgeMac);
    for (const [i, host] of sandbox.hosts.entries()) {
      const h = new NetnsHost(host.netns);
      assert.equal((await h.link('ul0'))?.mac, plan.hosts[i]!.tunnelMac);
      assert.equal((await h.link('ul0'))?.up, true);
      assert.equal((await h.link('pub0'))?.up, true);
      assert.deepEqual((await h.addresses('ul0')).filter((a) => a.family === 4).map((a) => a.cidr), [`${host.tunnelIp}/24`]);
      assert.deepEqual((await h.addresses('pub0')).filter((a) => a.family === 4), []);
    }
    const client = new NetnsHost(`${prefix}ext`);
    assert.ok((await client.routes(4)).some((r) => r.dst === 'default' && r.via === '203.0.113.1' && r.dev === 'eth0'));
    const rootLinks = (await new NetnsHost(undefined).links()).map((l) => l.name);
    assert.ok(!rootLinks.includes(`nimbus-${name}`), 'no uplink without uplink: true');
    assert.deepEqual(rootLinks.filter((l) => !rootLinksBefore.includes(l) && l.includes(name)), []);
  });

  it('connects the hosts over the underlay', async () => {
    const [h1, h2] = sandbox.hosts as [Sandbox['hosts'][number], Sandbox['hosts'][number]];
    await ping(h1.netns, h2.tunnelIp);
    await ping(h2.netns, h1.tunnelIp);
  });

  it('lets the external client reach the provider gateway and the public network', async () => {
    const client = sandbox.externalClient!.netns;
    await ping(client, '172.24.4.1');
    // Plug a "router gateway port" on host 1's provider bridge, as the L2/L3 agents will.
    await ensureNetns(routerNetns);
    const h1 = new NetnsHost(`${prefix}h1`);
    const router = new NetnsHost(routerNetns);
    await h1.addBridge('brqtest');
    await h1.addVeth('taptest', 'qg-test', { peerNetns: routerNetns });
    await h1.setLink('pub0', { master: 'brqtest' });
    await h1.setLink('taptest', { master: 'brqtest', up: true });
    await h1.setLink('brqtest', { up: true });
    await router.setLink('qg-test', { up: true });
    await router.addAddress('qg-test', `${routerAddress}/24`);
    await router.replaceRoute({ dst: 'default', via: '172.24.4.1' });
    await ping(client, routerAddress); // inbound, as to a floating IP
    await ping(routerNetns, sandbox.externalClient!.address); // outbound, as SNAT'd traffic
  });

  it('re-creating with the same options changes nothing and keeps traffic flowing', async () => {
    const before = await snapshot();
    const client = sandbox.externalClient!.netns;
    const pinging = run('ping', ['-c', '20', '-i', '0.05', '-W', '1', routerAddress], { netns: client, timeoutMs: 15_000 });
    const again = await createSandbox(options);
    const { stdout } = await pinging;
    assert.match(stdout, /20 packets transmitted, 20 received/);
    assert.deepEqual(JSON.parse(JSON.stringify(again)), JSON.parse(JSON.stringify(sandbox)));
    assert.deepEqual(await snapshot(), before);
  });

  it('repairs a missing host without disturbing the others', async () => {
    const h1Before = (await snapshot())[`${prefix}h1`];
    await deleteNetns(`${prefix}h2`);
    await createSandbox(options);
    assert.deepEqual((await snapshot())[`${prefix}h1`], h1Before);
    // The new host has the old host's MACs, so h1's ARP entry for it is still right.
    await ping(`${prefix}h1`, '10.254.0.12');
    await ping(`${prefix}h2`, '10.254.0.11');
    await ping(sandbox.externalClient!.netns, routerAddress);
  });

  it('destroys every namespace of the sandbox (agents\' included), ending their processes', async () => {
    await ensureNetns(decoyNetns);
    // A process that ignores SIGTERM, living in an agent-style namespace: needs the SIGKILL.
    stubborn = spawn('ip', ['netns', 'exec', routerNetns, process.execPath, '-e',
      "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      stubborn!.stdout!.once('data', () => resolve());
      stubborn!.once('exit', (code) => reject(new Error(`helper exited early (${code})`)));
    });
    assert.deepEqual(await netnsPids(routerNetns), [stubborn.pid]);
    const started = Date.now();
    await sandbox.destroy();
    assert.ok(Date.now() - started >= 1500, 'SIGTERM was given its grace period before SIGKILL');
    assert.equal(await exited(stubborn, 5000), true);
    assert.equal(stubborn.signalCode, 'SIGKILL');
    assert.deepEqual((await listNetns()).filter((ns) => ns.startsWith(prefix)), []);
    assert.ok((await listNetns()).includes(decoyNetns), 'a namespace of another sandbox is left alone');
    await destroySandbox(name); // idempotent
    assert.deepEqual(await sandboxNamespaces(name), []);
  });
});
