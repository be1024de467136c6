// TCP throughput between two instances on two simulated hosts (their network a VXLAN network,
// so the path is tap → bridge → vxlan → underlay → vxlan → bridge → tap, through the security
// groups), next to a bare veth pair between two namespaces: iperf3, one stream, 5 s each.
// A two-host sandbox of its own (startDataplaneEnv(log, 2)), removed before this returns.
import { performance } from 'node:perf_hooks';
import { deleteNetns, ensureNetns, NetnsHost, run } from '../src/hostnet/index.js';
import { sandboxPrefix } from '../src/hostnet/sandbox/index.js';
import type { BenchLog } from './bench-log.js';
import { dhcpLease, prepareInstanceNs, startDataplaneEnv, type DataplaneEnv } from './dataplane-env.js';
import { boundPort, createNetwork, dhcpPortsActive, portStatus } from './dataplane-ops.js';
import { pings, until } from './dataplane-probe.js';
import { round2 } from './stats.js';

const IPERF_SECONDS = 5;
const IPERF_PORT = 5201;
const PREFIXLEN = 24;
const VETH_MTU = 1500;

/** iperf3 server (one test) in `serverNs` on `ip`, client in `clientNs`: received Gbit/s. */
async function iperf(serverNs: string, clientNs: string, ip: string): Promise<number> {
  const server = run('iperf3', ['-s', '-1', '-B', ip, '-p', String(IPERF_PORT)], { netns: serverNs, timeoutMs: 60_000 });
  server.catch(() => undefined); // its failure shows as the client's
  await until('iperf3_listen', performance.now(), async () => (await run('ss', ['-Hltn', `sport = :${IPERF_PORT}`], { netns: serverNs })).stdout.trim() !== '', 10_000);
  const { stdout } = await run('iperf3', ['-c', ip, '-p', String(IPERF_PORT), '-t', String(IPERF_SECONDS), '-J'], { netns: clientNs, timeoutMs: (IPERF_SECONDS + 20) * 1000 });
  await server;
  const bps = (JSON.parse(stdout) as { end?: { sum_received?: { bits_per_second?: number } } }).end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Error('iperf3: no end.sum_received.bits_per_second in its JSON');
  return bps / 1e9;
}

/** Instance `h` on host `h`, its leased address configured with the network's MTU. */
async function instanceOnHost(env: DataplaneEnv, networkId: string, mtu: number, h: number): Promise<string> {
  const port = await boundPort(env, networkId, `tp${h}`, h);
  await prepareInstanceNs(env, h);
  await env.plug(h, port, h);
  await until('api_port_status', performance.now(), async () => (await portStatus(env, port.id)) === 'ACTIVE');
  const ip = await dhcpLease(env, h);
  if (ip !== port.fixed_ips[0]!.ip_address) throw new Error(`instance ${h}: DHCP lease ${ip ?? 'none'}, expected ${port.fixed_ips[0]!.ip_address}`);
  const vm = new NetnsHost(env.instanceNs(h));
  await vm.addAddress('eth0', `${ip}/${PREFIXLEN}`);
  await vm.setLink('eth0', { mtu });
  return ip;
}

/** A veth pair between two fresh namespaces under the sandbox's prefix: Gbit/s at `mtu`. */
async function vethThroughput(env: DataplaneEnv, mtu: number): Promise<number> {
  const [a, b] = [`${sandboxPrefix(env.name)}veth-a`, `${sandboxPrefix(env.name)}veth-b`];
  try {
    await ensureNetns(a);
    await ensureNetns(b);
    const [nsA, nsB] = [new NetnsHost(a), new NetnsHost(b)];
    await nsA.addVeth('va', 'vb', { peerNetns: b, mtu });
    await nsA.addAddress('va', `10.99.0.1/${PREFIXLEN}`);
    await nsB.addAddress('vb', `10.99.0.2/${PREFIXLEN}`);
    await nsA.setLink('va', { up: true, mtu });
    await nsB.setLink('vb', { up: true, mtu });
    await until('ping', performance.now(), () => pings(b, '10.99.0.1'), 10_000);
    return await iperf(a, b, '10.99.0.1');
  } finally {
    for (const ns of [a, b]) await deleteNetns(ns).catch(() => undefined);
  }
}

export async function throughput(log: BenchLog): Promise<Record<string, unknown>> {
  log('throughput: a two-host sandbox, one instance per host on a VXLAN network');
  const env = await startDataplaneEnv(log, 2);
  try {
    const network = await createNetwork(env, 'bench-tp', `10.50.0.0/${PREFIXLEN}`, true);
    const type = (await env.api('GET', `/v2.0/networks/${network.net}`, [200])).network['provider:network_type'] as string;
    await until('api_port_status', performance.now(), () => dhcpPortsActive(env, [network.net]), 60_000);
    await env.settle();
    const server = await instanceOnHost(env, network.net, network.mtu, 0);
    await instanceOnHost(env, network.net, network.mtu, 1);
    await until('ping', performance.now(), () => pings(env.instanceNs(1), server), 30_000);
    const vxlan = await iperf(env.instanceNs(0), env.instanceNs(1), server);
    log(`throughput: ${type} between hosts ${vxlan.toFixed(2)} Gbit/s at MTU ${network.mtu}`);
    const veth = await vethThroughput(env, VETH_MTU);
    const vethSameMtu = await vethThroughput(env, network.mtu);
    log(`throughput: bare veth ${veth.toFixed(2)} Gbit/s at MTU ${VETH_MTU}, ${vethSameMtu.toFixed(2)} Gbit/s at MTU ${network.mtu}`);
    return {
      network_type: type, vxlan_gbit_s: round2(vxlan), veth_gbit_s: round2(veth), ratio: round2(vxlan / veth),
      mtu: network.mtu, veth_mtu: VETH_MTU, veth_same_mtu_gbit_s: round2(vethSameMtu), ratio_same_mtu: round2(vxlan / vethSameMtu),
      iperf3: `one TCP stream, ${IPERF_SECONDS} s, end.sum_received`,
    };
  } finally {
    await env.close();
  }
}
