// A whole data plane for end-to-end packet tests: the network API (in this process, on a real
// RabbitMQ bus), a sandbox of simulated hosts, and the network agents of every host in a child
// process (`nimbus agents`), so a test can kill -9 them. "Instances" are namespaces plugged as a
// VM's tap would be: a veth whose host end is tap<port[:11]> in the host's namespace, its address
// from DHCP (busybox udhcpc). Everything is named nimbus-<sandbox>-… and removed by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../../src/bus/index.js';
import { deleteNetns, ensureNetns, run, NetnsHost } from '../../src/hostnet/index.js';
import { createSandbox, destroySandbox, type Sandbox } from '../../src/hostnet/sandbox/index.js';
import { portDeviceName } from '../../src/network/agents/common/state.js';
import { serveAgentRpc } from '../../src/network/rpc/agent-rpc.js';
import { serveAgentReports } from '../../src/network/rpc/report-state.js';
import { startNetwork, type NetworkHarness } from './network-harness.js';

export const METADATA_SECRET = 'dataplane-test-secret';

export interface MetadataRequest { readonly path: string; readonly headers: IncomingHttpHeaders }

export interface Instance {
  readonly name: string;
  readonly netns: string;
  readonly port: Record<string, any>;
  readonly ip: string;
  /** Runs a command inside the instance. */
  exec(cmd: string, args: readonly string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** True when `count` pings to `ip` all answer (busybox-free: iputils ping). */
  pings(ip: string, count?: number, extraArgs?: readonly string[]): Promise<boolean>;
}

export interface Dataplane {
  readonly net: NetworkHarness;
  readonly sandbox: Sandbox;
  readonly bus: Bus;
  readonly metadataRequests: MetadataRequest[];
  readonly metadataSignature: (instanceId: string) => string;
  /** Starts (again) the agents' process. */
  startAgents(): Promise<void>;
  /** kill -9 of the agents' process. */
  killAgents(): Promise<void>;
  waitForAgents(count: number): Promise<Record<string, any>[]>;
  /** Creates a port on `networkId` bound to host `hostIndex` (1-based) and plugs an instance into it. */
  boot(name: string, hostIndex: number, networkId: string, token: string, portBody?: Record<string, unknown>): Promise<Instance>;
  unplug(instance: Instance): Promise<void>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const UDHCPC_SCRIPT = `#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    if [ -n "$staticroutes" ]; then
      set -- $staticroutes
      while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
    elif [ -n "$router" ]; then
      for r in $router; do ip route replace default via "$r" dev "$interface"; break; done
    fi
    echo "lease $ip/$mask router=$router mtu=$mtu routes=$staticroutes"
    ;;
  deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
`;

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

export async function startDataplane(hosts = 2): Promise<Dataplane> {
  const amqpUrl = process.env.NIMBUS_TEST_AMQP_URL;
  if (!amqpUrl) throw new Error('NIMBUS_TEST_AMQP_URL is not set');
  const name = `d${process.pid % 100000}`;
  const work = mkdtempSync(join(tmpdir(), 'nimbus-dataplane-'));
  const script = join(work, 'udhcpc.sh');
  writeFileSync(script, UDHCPC_SCRIPT);
  chmodSync(script, 0o755);
  await destroySandbox(name);

  const metadataRequests: MetadataRequest[] = [];
  const metadataServer: Server = createServer((req, res) => {
    metadataRequests.push({ path: req.url ?? '', headers: req.headers });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ uuid: req.headers['x-instance-id'] ?? null }));
  });
  await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
  const metadataPort = (metadataServer.address() as { port: number }).port;

  const bus = await createBus({ driver: 'amqp', url: amqpUrl, onError: () => undefined });
  const net = await startNetwork({ network: { agentDownTimeSeconds: 15 } }, { bus });
  const servers = [await serveAgentReports(bus, net.deps, 'api'), await serveAgentRpc(bus, net.deps, 'api')];
  const sandbox = await createSandbox({ name, hosts, uplink: false });
  const configFile = join(work, 'agents.json');
  writeFileSync(configFile, JSON.stringify({
    dataDir: join(work, 'agents-data'), logLevel: 'warn',
    bus: { driver: 'amqp', url: amqpUrl },
    network: { dataplane: {
      mode: 'sandbox', sandboxName: name, sandboxHosts: hosts, uplink: false,
      metadataSharedSecret: METADATA_SECRET, novaMetadataUrl: `http://127.0.0.1:${metadataPort}`,
      resyncIntervalSeconds: 10, reportIntervalSeconds: 2,
    } },
  }));

  let agents: ChildProcess | undefined;
  let agentsLog = '';
  const instances = new Map<string, Instance>();

  const waitFor: Dataplane['waitFor'] = async (what, probe, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined && value !== false) return value as never;
      } catch (err) { last = err; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\nagents log tail:\n${agentsLog.slice(-3000)}`);
      await sleep(250);
    }
  };

  const dp: Dataplane = {
    net, sandbox, bus, metadataRequests,
    metadataSignature: (id) => createHmac('sha256', METADATA_SECRET).update(id).digest('hex'),
    async startAgents() {
      agents = spawn(process.execPath, ['dist/src/cli/main.js', 'agents'], {
        env: { ...process.env, NIMBUS_CONFIG: configFile, NIMBUS_COMPUTE_AGENT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (d: Buffer) => { agentsLog = (agentsLog + d.toString()).slice(-20_000); };
      agents.stdout!.on('data', keep);
      agents.stderr!.on('data', keep);
      await waitFor('the agents process to start', async () => agentsLog.includes('Nimbus is running') || (agents!.exitCode !== null ? Promise.reject(new Error(`agents exited ${agents!.exitCode}`)) : false), 60_000);
    },
    async killAgents() {
      const child = agents;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      agents = undefined;
    },
    async waitForAgents(count) {
      return waitFor(`${count} alive agents`, async () => {
        const res = await net.request('GET', '/v2.0/agents');
        const list = (res.json() as { agents: Record<string, any>[] }).agents.filter((a) => a.alive === true && a.host.startsWith(`${name}-`));
        return list.length >= count ? list : undefined;
      }, 60_000);
    },
    async boot(vmName, hostIndex, networkId, token, portBody = {}) {
      const host = sandbox.hosts[hostIndex - 1];
      if (!host) throw new Error(`no host ${hostIndex}`);
      const port = await net.create('port', 'ports', {
        network_id: networkId, name: vmName, device_owner: 'compute:nova', device_id: crypto.randomUUID(), ...portBody,
      }, token);
      // binding:host_id is admin-only, as in Neutron: Nova sets it.
      const bound = await net.request('PUT', `/v2.0/ports/${port.id}`, { body: { port: { 'binding:host_id': host.name } } });
      if (bound.statusCode !== 200) throw new Error(`binding ${vmName}: ${bound.statusCode} ${bound.body}`);
      const netns = `nimbus-${name}-vm-${vmName}`;
      await ensureNetns(netns);
      const hostNs = new NetnsHost(host.netns);
      await hostNs.addVeth(portDeviceName(port.id), 'eth0', { peerNetns: netns, peerMac: port.mac_address });
      await hostNs.setLink(portDeviceName(port.id), { up: true });
      const vm = new NetnsHost(netns);
      await vm.setLink('eth0', { up: true });
      const exec: Instance['exec'] = (cmd, args, timeoutMs = 15_000) => run(cmd, args, { netns, timeoutMs });
      const lease = await waitFor(`a DHCP lease for ${vmName}`, async () => {
        const out = await exec('busybox', ['udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '3', '-T', '1', '-s', script], 20_000).catch(() => undefined);
        return out && /lease (\S+)\//.exec(out.stdout)?.[1];
      }, 60_000);
      const instance: Instance = {
        name: vmName, netns, port, ip: lease, exec,
        async pings(ip, count = 1, extraArgs = []) {
          try {
            await exec('ping', ['-c', String(count), '-W', '1', '-i', '0.2', ...extraArgs, ip]);
            return true;
          } catch {
            return false;
          }
        },
      };
      instances.set(vmName, instance);
      return instance;
    },
    async unplug(instance) {
      instances.delete(instance.name);
      await deleteNetns(instance.netns);
    },
    waitFor,
    async close() {
      await dp.killAgents().catch(() => undefined);
      for (const instance of instances.values()) await deleteNetns(instance.netns).catch(() => undefined);
      await destroySandbox(name).catch(() => undefined);
      for (const server of servers) await server.stop().catch(() => undefined);
      await net.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await new Promise((resolve) => metadataServer.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    await dp.startAgents();
  } catch (err) {
    await dp.close();
    throw err;
  }
  return dp;
}
