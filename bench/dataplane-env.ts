// The whole data plane in the bench's process, no RabbitMQ: the network API (test harness, SQLite,
// driven through inject()) on a MemoryBus, its report_state and q-plugin RPC servers on the same
// bus, a sandbox `nimbus-<name>-…` of one or more simulated hosts, and each host's four agents
// (startHostAgents, the production loop settings). Everything it creates is removed by close(), and by a synchronous
// exit hook if the process ends first (Ctrl-C: bench/main.ts exits on SIGINT/SIGTERM).
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createBus, type Bus, type Server } from '../src/bus/index.js';
import { ensureNetns, NetnsHost, run } from '../src/hostnet/index.js';
import { createSandbox, destroySandbox, sandboxNamespaces, sandboxPrefix, type Sandbox, type SandboxHost } from '../src/hostnet/sandbox/index.js';
import { portDeviceName } from '../src/network/agents/common/state.js';
import { loopOptions } from '../src/network/agents/dataplane.js';
import { startHostAgents, type RunningHostAgents } from '../src/network/agents/host-agents.js';
import { serveAgentRpc } from '../src/network/rpc/agent-rpc.js';
import { serveAgentReports } from '../src/network/rpc/report-state.js';
import { startNetwork, type NetworkHarness } from '../test/support/network-harness.js';
import type { BenchLog } from './bench-log.js';
import { cleanNamespacesSync } from './netns-cleanup.js';

/** busybox udhcpc's script: prints the lease (the address is not configured; only the lease is timed). */
const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  bound|renew) echo "lease $ip/$mask" ;;
esac
exit 0
`;

export interface DataplaneEnv {
  /** Sandbox name: every namespace is `nimbus-<name>-…`. */
  readonly name: string;
  readonly sandbox: Sandbox;
  /** The first host, its namespace and its agents (the single-host figures use only these). */
  readonly host: SandboxHost;
  readonly hostNs: NetnsHost;
  readonly agents: RunningHostAgents;
  /** Every host's agents, in sandbox.hosts order. */
  readonly hostAgents: readonly RunningHostAgents[];
  readonly net: NetworkHarness;
  readonly bus: Bus;
  readonly udhcpcScript: string;
  /** process.memoryUsage().rss (bytes) with the API and the sandbox up, just before the agents started. */
  readonly rssBeforeAgents: number;
  /** One API request (admin token); rejects unless the status is one of `expect`; the parsed body. */
  api(method: string, url: string, expect: readonly number[], body?: unknown): Promise<any>;
  /** Reconciles every agent of the host once (errors logged, not thrown). */
  settle(): Promise<void>;
  /** A namespace standing for an instance, its eth0 the peer of a new tap<port[:11]> in a host's namespace. */
  instanceNs(index: number): string;
  /** Plugs instance `index` into host `hostIndex` (0-based, default the first). */
  plug(index: number, port: { id: string; mac_address: string }, hostIndex?: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A sandbox name nobody uses: b<pid%1000>, or the next free number. */
async function freeSandboxName(): Promise<string> {
  for (let k = 0; k < 20; k++) {
    const name = `b${(process.pid + k) % 1000}`;
    if ((await sandboxNamespaces(name)).length === 0) return name;
  }
  throw new Error('no free sandbox name b<n>: remove leftover nimbus-b<n>-… namespaces of an earlier run');
}

/** Last resort on process exit: kill what runs in our namespaces, delete them, remove the work dir. */
function cleanupSync(name: string, work: string): void {
  cleanNamespacesSync(sandboxPrefix(name));
  rmSync(work, { recursive: true, force: true });
}

export async function startDataplaneEnv(log: BenchLog, hosts = 1): Promise<DataplaneEnv> {
  const name = await freeSandboxName();
  const work = mkdtempSync(join(tmpdir(), 'nimbus-bench-dp-'));
  const exitHook = (): void => cleanupSync(name, work);
  process.on('exit', exitHook);
  const udhcpcScript = join(work, 'udhcpc.sh');
  writeFileSync(udhcpcScript, UDHCPC_SCRIPT);
  chmodSync(udhcpcScript, 0o755);

  const bus = await createBus({ driver: 'memory' });
  let net: NetworkHarness | undefined;
  const servers: Server[] = [];
  const hostAgents: RunningHostAgents[] = [];
  const close = async (): Promise<void> => {
    for (const agents of hostAgents) await agents.stop().catch((err: unknown) => log(`stopping agents: ${String(err)}`));
    await destroySandbox(name).catch((err: unknown) => log(`destroying sandbox ${name}: ${String(err)}`));
    for (const server of servers) await server.stop().catch(() => undefined);
    await net?.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    cleanupSync(name, work); // anything destroySandbox missed (nothing, normally) and the work dir
    process.off('exit', exitHook);
  };
  try {
    net = await startNetwork({}, { bus });
    servers.push(await serveAgentReports(bus, net.deps, 'api'), await serveAgentRpc(bus, net.deps, 'api'));
    log(`sandbox ${name}: ${hosts} simulated host(s), no uplink`);
    const sandbox = await createSandbox({ name, hosts, uplink: false });
    // Agent warnings to stderr: stdout carries only the JSON report.
    const rssBeforeAgents = process.memoryUsage().rss;
    const logger = pino({ name: 'bench-agents', level: 'warn' }, pino.destination(2));
    for (const host of sandbox.hosts) {
      hostAgents.push(await startHostAgents(bus, logger, {
        settings: { host: host.name, netns: host.netns, namespacePrefix: host.namespacePrefix, stateDir: join(work, 'agents', host.name) },
        tunnelIp: host.tunnelIp, tunnelDevice: host.tunnelDevice, interfaceMappings: host.bridgeMappings,
        metadata: { novaMetadataUrl: 'http://127.0.0.1:9', sharedSecret: randomUUID() },
        loop: loopOptions(net.identity.config),
      }));
    }
    const host = sandbox.hosts[0]!;
    const hostNs = new NetnsHost(host.netns);
    const harness = net;
    const running = hostAgents[0]!;
    const api: DataplaneEnv['api'] = async (method, url, expect, body) => {
      const res = await harness.request(method, url, body === undefined ? {} : { body });
      if (!expect.includes(res.statusCode)) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.body === '' ? undefined : res.json();
    };
    const instanceNs = (index: number): string => `${sandboxPrefix(name)}vm${index}`;
    const env: DataplaneEnv = {
      name, sandbox, host, hostNs, net: harness, bus, agents: running, hostAgents, udhcpcScript, rssBeforeAgents, api, instanceNs,
      async settle() {
        for (const agents of hostAgents) {
          await agents.reconcileNow().catch((err: unknown) => log(`reconcile: ${err instanceof Error ? err.message : String(err)}`));
        }
      },
      async plug(index, port, hostIndex = 0) {
        const ns = instanceNs(index);
        const tapNs = new NetnsHost(sandbox.hosts[hostIndex]!.netns);
        await tapNs.addVeth(portDeviceName(port.id), 'eth0', { peerNetns: ns, peerMac: port.mac_address });
        await tapNs.setLink(portDeviceName(port.id), { up: true });
        await new NetnsHost(ns).setLink('eth0', { up: true });
      },
      close,
    };
    // The API must see each host's four agents alive before it binds ports or schedules routers.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const list = (await api('GET', '/v2.0/agents', [200])).agents as { host: string; alive: boolean }[];
      if (sandbox.hosts.every((h) => list.filter((a) => a.host === h.name && a.alive).length >= 4)) break;
      if (Date.now() > deadline) throw new Error(`agents of ${name}'s hosts not alive after 60 s`);
      await sleep(100);
    }
    return env;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Creates an instance's namespace (before the timed plug). */
export async function prepareInstanceNs(env: DataplaneEnv, index: number): Promise<void> {
  await ensureNetns(env.instanceNs(index));
}

/** busybox udhcpc in the instance: the leased address, or undefined when no lease came. */
export async function dhcpLease(env: DataplaneEnv, index: number): Promise<string | undefined> {
  const out = await run('busybox', ['udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '5', '-T', '1', '-s', env.udhcpcScript], { netns: env.instanceNs(index), timeoutMs: 15_000 })
    .catch(() => undefined);
  return out ? /lease (\S+)\//.exec(out.stdout)?.[1] : undefined;
}
