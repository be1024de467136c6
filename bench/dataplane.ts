// `npm run bench -- dataplane`: how fast API changes reach the kernel, and what a steady-state
// resync costs, with the network API and one simulated host's four agents in this process on a
// MemoryBus (bench/dataplane-env.ts); security groups of 10–1,000 rules (dataplane-sg-scale.ts);
// then, in a two-host sandbox, VXLAN throughput against a bare veth (dataplane-throughput.ts).
// Needs root, a real kernel and iperf3; touches only nimbus-b<n>-….
// Latencies start when the API call returned (or, for port_active, just before the tap is
// created) and end when a probe of the kernel (or of the API), repeated every POLL_MS, first sees
// the change: each is an upper bound that includes up to one probe's duration (see `probe_ms`).
// Before each timed change the agents are idle (quiesce()). docs/benchmarks.md, "Data plane".
import { randomInt } from 'node:crypto';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { netnsPids, NetnsHost } from '../src/hostnet/index.js';
import { sandboxNamespaces } from '../src/hostnet/sandbox/index.js';
import { PluginClient } from '../src/network/agents/common/plugin-client.js';
import { SG_TABLE } from '../src/network/agents/security-groups/render.js';
import { NAT_TABLE_FAMILY, NAT_TABLE_NAME } from '../src/network/agents/l3/nat-rules.js';
import type { BenchLog } from './bench-log.js';
import { dhcpLease, prepareInstanceNs, startDataplaneEnv, type DataplaneEnv } from './dataplane-env.js';
import { boundPort, createNetwork, dhcpPorts, dhcpPortsActive, portStatus } from './dataplane-ops.js';
import { nftList, pings, POLL_MS, probeTimes, quiesce, sleep, summarize, until } from './dataplane-probe.js';
import { sgScale, SG_SCALE_RULES } from './dataplane-sg-scale.js';
import { throughput } from './dataplane-throughput.js';
import { readProcMemory } from './proc-memory.js';
import { percentile, round2 } from './stats.js';

const INSTANCES = 8;
const INSTANCE_PREFIXLEN = 24; // the instances' subnet 10.30.0.0/24
const SG_RULES = 10;
const ROUTER_NETWORKS = 5; // the instances' network + 4 more
const RESYNC_NETWORKS = 5;
const RESYNC_PORTS_PER_NETWORK = 10;
const RESYNC_RUNS = 10;
const SG_TARGET_MS = 1000;
const DEVICE_POLL_MS = 1000; // loopOptions(): the L2 agent's device polling interval

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

interface Setup { publicNet: string; net: string; subnet: string; gateway: string; sg: string; dhcpIp: string }

async function setup(env: DataplaneEnv, log: BenchLog): Promise<Setup> {
  const publicNet = (await env.api('POST', '/v2.0/networks', [201], { network: {
    name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' } })).network.id as string;
  await env.api('POST', '/v2.0/subnets', [201], { subnet: {
    network_id: publicNet, cidr: env.sandbox.publicCidr, ip_version: 4, gateway_ip: env.sandbox.publicGateway, enable_dhcp: false } });
  const { net, subnet, gateway } = await createNetwork(env, 'bench-dp-0', `10.30.0.0/${INSTANCE_PREFIXLEN}`, true);
  log('waiting for the DHCP port of the instances\' network');
  await until('api_port_status', performance.now(), () => dhcpPortsActive(env, [net]), 60_000);
  await env.settle();
  const groups = (await env.api('GET', `/v2.0/security-groups?name=default&project_id=${env.net.adminProjectId}`, [200])).security_groups as { id: string }[];
  const sg = groups[0]?.id;
  if (sg === undefined) throw new Error('no default security group for the admin project');
  const dhcpIp = (await dhcpPorts(env, net))[0]?.fixed_ips[0]?.ip_address;
  if (dhcpIp === undefined) throw new Error('the instances\' network has no DHCP port address');
  return { publicNet, net, subnet, gateway, sg, dhcpIp };
}

/** 2. and 3.: plug → ACTIVE, ACTIVE → lease, plug → first ping to the DHCP port answered, per instance. */
async function instances(env: DataplaneEnv, s: Setup, log: BenchLog): Promise<{ active: number[]; lease: number[]; leaseFailures: number; pingable: number[]; ports: { id: string; ip: string }[] }> {
  const active: number[] = [];
  const lease: number[] = [];
  const pingable: number[] = [];
  let leaseFailures = 0;
  const ports: { id: string; ip: string }[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const port = await boundPort(env, s.net, `vm${i}`);
    ports.push({ id: port.id, ip: port.fixed_ips[0]!.ip_address });
    await prepareInstanceNs(env, i);
    await env.settle(); // the binding's reconciles are done: only the plug is timed
    await quiesce(env);
    // The L2 agent notices a new tap at its next device poll (every 1 s): a random delay spreads
    // the plugs uniformly over the poll's phase, as a hypervisor's plugs are.
    await sleep(randomInt(DEVICE_POLL_MS));
    const t0 = performance.now();
    await env.plug(i, port);
    const activeMs = await until('api_port_status', t0, async () => (await portStatus(env, port.id)) === 'ACTIVE');
    const t1 = performance.now();
    const ip = await dhcpLease(env, i);
    const leaseMs = performance.now() - t1;
    active.push(activeMs);
    if (ip !== port.fixed_ips[0]!.ip_address) {
      leaseFailures += 1;
      log(`instance ${i}: ACTIVE after ${activeMs.toFixed(0)} ms, no lease (${ip ?? 'none'})`);
      continue;
    }
    lease.push(leaseMs);
    // The guest configures its lease, then talks: the first answered ping ends "usable".
    await new NetnsHost(env.instanceNs(i)).addAddress('eth0', `${ip}/${INSTANCE_PREFIXLEN}`);
    pingable.push(await until('ping', t0, () => pings(env.instanceNs(i), s.dhcpIp), 10_000));
    log(`instance ${i}: ACTIVE after ${activeMs.toFixed(0)} ms, lease ${ip} after ${leaseMs.toFixed(0)} ms, pingable after ${pingable.at(-1)!.toFixed(0)} ms`);
  }
  return { active, lease, leaseFailures, pingable, ports };
}

/** 1.: security-group rule create/delete → present/absent in the host's `inet nimbus-sg`. */
async function sgRules(env: DataplaneEnv, s: Setup, log: BenchLog): Promise<{ create: number[]; remove: number[] }> {
  const create: number[] = [];
  const remove: number[] = [];
  const hostNs = env.host.netns;
  for (let i = 0; i < SG_RULES; i++) {
    const min = 32000 + 2 * i;
    const needle = `dport ${min}-${min + 1}`;
    await quiesce(env);
    const rule = (await env.api('POST', '/v2.0/security-group-rules', [201], { security_group_rule: {
      security_group_id: s.sg, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: min, port_range_max: min + 1, remote_ip_prefix: '0.0.0.0/0' } })).security_group_rule;
    const t0 = performance.now();
    create.push(await until('nft_list_sg', t0, async () => (await nftList(hostNs, 'inet', SG_TABLE)).includes(needle), 10_000));
    await quiesce(env);
    await env.api('DELETE', `/v2.0/security-group-rules/${rule.id}`, [204]);
    const t1 = performance.now();
    remove.push(await until('nft_list_sg', t1, async () => !(await nftList(hostNs, 'inet', SG_TABLE)).includes(needle), 10_000));
    log(`sg rule ${i}: in the kernel after ${create.at(-1)!.toFixed(0)} ms, gone after ${remove.at(-1)!.toFixed(0)} ms`);
  }
  return { create, remove };
}

/** 4.: router interface → qr- address in the qrouter namespace; floating IP → DNAT rule there. */
async function routerAndFips(env: DataplaneEnv, s: Setup, ports: readonly { id: string; ip: string }[], log: BenchLog): Promise<{ gateway: number; iface: number[]; fip: number[] }> {
  const router = (await env.api('POST', '/v2.0/routers', [201], { router: { name: 'bench-router', external_gateway_info: { network_id: s.publicNet } } })).router;
  const t0 = performance.now();
  const ns = `${env.host.namespacePrefix}qrouter-${router.id}`;
  const routerNs = new NetnsHost(ns);
  const gateway = await until('ip_addr', t0, async () => (await routerNs.addresses()).some((a) => a.dev.startsWith('qg-') && a.family === 4), 30_000);
  log(`router gateway ready after ${gateway.toFixed(0)} ms`);
  const subnets = [{ subnet: s.subnet, gateway: s.gateway }];
  for (let i = 1; i < ROUTER_NETWORKS; i++) {
    const n = await createNetwork(env, `bench-dp-r${i}`, `10.31.${i}.0/24`, false);
    subnets.push({ subnet: n.subnet, gateway: n.gateway });
  }
  await env.settle();
  const iface: number[] = [];
  for (const { subnet, gateway: gw } of subnets) {
    await quiesce(env);
    await env.api('PUT', `/v2.0/routers/${router.id}/add_router_interface`, [200], { subnet_id: subnet });
    const t1 = performance.now();
    iface.push(await until('ip_addr', t1, async () => (await routerNs.addresses()).some((a) => a.dev.startsWith('qr-') && a.cidr.startsWith(`${gw}/`)), 30_000));
    log(`router interface ${gw}: address in the namespace after ${iface.at(-1)!.toFixed(0)} ms`);
  }
  await env.settle();
  const fip: number[] = [];
  for (const port of ports) {
    await quiesce(env);
    const created = (await env.api('POST', '/v2.0/floatingips', [201], { floatingip: { floating_network_id: s.publicNet, port_id: port.id } })).floatingip;
    const t2 = performance.now();
    const rule = new RegExp(`ip daddr ${created.floating_ip_address.replace(/\./g, '\\.')} dnat (ip )?to ${port.ip.replace(/\./g, '\\.')}\\b`);
    fip.push(await until('nft_list_l3', t2, async () => rule.test(await nftList(ns, NAT_TABLE_FAMILY, NAT_TABLE_NAME)), 30_000));
    log(`floating IP ${created.floating_ip_address}: DNAT in the router after ${fip.at(-1)!.toFixed(0)} ms`);
  }
  return { gateway, iface, fip };
}

/** Times `loop.reconcileNow()`; a sample that overlapped a reconcile the loop ran on its own is dropped. */
async function timeReconciles(loop: DataplaneEnv['agents']['loops'][number], runs: number): Promise<{ samples: number[]; dropped: number }> {
  const samples: number[] = [];
  let dropped = 0;
  while (samples.length < runs && dropped < runs) {
    const before = loop.reconciles;
    const t0 = performance.now();
    await loop.reconcileNow();
    const ms = performance.now() - t0;
    if (loop.reconciles === before + 1) samples.push(ms); else dropped += 1;
    await sleep(20);
  }
  return { samples, dropped };
}

async function timeCalls(runs: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Resident memory of the helper processes (dnsmasq, haproxy) in the sandbox's namespaces. */
async function helperMemory(env: DataplaneEnv): Promise<{ processes: number; rss_mb: number }> {
  let processes = 0;
  let rss = 0;
  for (const ns of await sandboxNamespaces(env.name)) {
    for (const pid of await netnsPids(ns).catch(() => [] as number[])) {
      try { rss += readProcMemory(pid).rssMb; processes += 1; } catch { /* exited */ }
    }
  }
  return { processes, rss_mb: Math.round(rss * 10) / 10 };
}

/** 5.: N ports bound to the host on several networks (no taps), then steady-state reconciles. */
async function resync(env: DataplaneEnv, log: BenchLog): Promise<Record<string, unknown>> {
  const nets: string[] = [];
  for (let n = 0; n < RESYNC_NETWORKS; n++) {
    const { net } = await createNetwork(env, `bench-dp-res${n}`, `10.40.${n}.0/24`, true);
    nets.push(net);
    for (let p = 0; p < RESYNC_PORTS_PER_NETWORK; p++) await boundPort(env, net, `res-${n}-${p}`);
  }
  log(`resync: ${RESYNC_NETWORKS * RESYNC_PORTS_PER_NETWORK} more ports bound on ${RESYNC_NETWORKS} networks; waiting for convergence`);
  const t0 = performance.now();
  await until('api_port_status', t0, () => dhcpPortsActive(env, nets), 120_000);
  const convergeMs = performance.now() - t0;
  await env.settle();
  await env.settle();
  const client = new PluginClient(env.bus, env.host.name);
  const [l2, dhcp, l3] = [await client.l2State(), await client.dhcpState(), await client.l3State()];
  const [l2Loop, dhcpLoop, l3Loop] = env.agents.loops; // startHostAgents' order: L2, DHCP, L3, metadata
  log('resync: timing steady-state reconciles');
  const l2Runs = await timeReconciles(l2Loop!, RESYNC_RUNS);
  const dhcpRuns = await timeReconciles(dhcpLoop!, RESYNC_RUNS);
  const l3Runs = await timeReconciles(l3Loop!, RESYNC_RUNS);
  return {
    host: {
      l2_ports: l2.ports.length, l2_networks: l2.networks.length, dhcp_networks: dhcp.networks.length,
      dhcp_ports: dhcp.networks.reduce((n, x) => n + x.ports.length, 0), routers: l3.routers.length,
      taps: (await env.hostNs.links()).filter((l) => l.name.startsWith('tap')).length,
    },
    converge_ms: round2(convergeMs),
    l2_reconcile: { ...summarize(l2Runs.samples), dropped_overlapping: l2Runs.dropped },
    dhcp_reconcile: { ...summarize(dhcpRuns.samples), dropped_overlapping: dhcpRuns.dropped },
    l3_reconcile: { ...summarize(l3Runs.samples), dropped_overlapping: l3Runs.dropped },
    rpc_only: {
      l2_state: summarize(await timeCalls(RESYNC_RUNS, () => client.l2State())),
      dhcp_state: summarize(await timeCalls(RESYNC_RUNS, () => client.dhcpState())),
      l3_state: summarize(await timeCalls(RESYNC_RUNS, () => client.l3State())),
    },
  };
}

export async function runDataplaneBench(log: BenchLog): Promise<Record<string, unknown>> {
  if (process.getuid?.() !== 0) throw new Error('the dataplane benchmark needs root (network namespaces, nftables)');
  const machine = {
    cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, node: process.version, kernel: release(),
    memory_mb: Math.round(totalmem() / 2 ** 20), load_average_1m_at_start: round2(loadavg()[0] ?? null),
    load_average_at_start: loadavg().map(round2), load_average_at_end: [] as (number | null)[],
  };
  const started = performance.now();
  const rss: Record<string, number> = { bench_start: mb(process.memoryUsage().rss) };
  log('starting the network API, a one-host sandbox and its agents in this process (MemoryBus)');
  const env = await startDataplaneEnv(log);
  let report: Record<string, unknown>;
  let figures: Record<string, unknown>;
  try {
    rss.api_and_sandbox_up = mb(env.rssBeforeAgents);
    rss.agents_started = mb(process.memoryUsage().rss);
    const s = await setup(env, log);
    const inst = await instances(env, s, log);
    const sg = await sgRules(env, s, log);
    const scale = await sgScale(env, inst.ports[0]!.id, s.sg, log);
    const l3 = await routerAndFips(env, s, inst.ports, log);
    rss.before_resync_ports = mb(process.memoryUsage().rss);
    const resyncFigures = await resync(env, log);
    rss.after_resync = mb(process.memoryUsage().rss);
    const helpers = await helperMemory(env);
    const sgCreate = summarize(sg.create);
    const sgDelete = summarize(sg.remove);
    figures = {
      sg_rule_to_kernel_ms: { create: sgCreate, delete: sgDelete },
      sg_apply_ms: scale.apply,
      sg_rule_with_n_present_ms: scale.extraRule,
      sg_apply_cost_ms: scale.cost,
      port_active_ms: summarize(inst.active),
      dhcp_lease_ms: summarize(inst.lease, inst.leaseFailures),
      port_pingable_ms: summarize(inst.pingable),
      router_gateway_ready_ms: round2(l3.gateway),
      router_ready_ms: summarize(l3.iface),
      fip_ready_ms: summarize(l3.fip),
      resync_ms: resyncFigures,
    };
    report = {
      service: 'dataplane', date: new Date().toISOString(), machine,
      params: {
        instances: INSTANCES, sg_rules: SG_RULES, sg_scale_rules: SG_SCALE_RULES, router_interfaces: ROUTER_NETWORKS, floating_ips: INSTANCES,
        resync_networks: RESYNC_NETWORKS, resync_ports: RESYNC_NETWORKS * RESYNC_PORTS_PER_NETWORK, resync_runs: RESYNC_RUNS, poll_ms: POLL_MS,
        agents: 'in this process on a MemoryBus, one simulated host (two for throughput, in a sandbox of their own); loop settings = production defaults (resync 30 s, report 10 s, debounce 100 ms, device poll 1 s)',
      },
      figures,
      memory_mb: {
        what: 'process.memoryUsage().rss of the bench process, which holds the API (SQLite), the bus AND the four agents: a rough upper figure for the agents, not theirs alone',
        bench_process_rss: rss,
        helper_daemons: { ...helpers, what: 'dnsmasq/haproxy processes in the sandbox namespaces, VmRSS summed (shared pages counted in each)' },
      },
      targets: {
        sg_rule_to_kernel_p95_ms: { goal: `< ${SG_TARGET_MS}`, create: sgCreate.p95_ms, delete: sgDelete.p95_ms,
          met: sgCreate.max_ms !== null && sgDelete.max_ms !== null && Math.max(sgCreate.p95_ms ?? Infinity, sgDelete.p95_ms ?? Infinity) < SG_TARGET_MS },
      },
    };
  } finally {
    log('cleaning up');
    await env.close();
  }
  figures.throughput = await throughput(log);
  machine.load_average_at_end = loadavg().map(round2);
  const probes = Object.fromEntries(Object.entries(probeTimes).map(([k, v]) => [k, { n: v.length, p50_ms: round2(percentile([...v].sort((a, b) => a - b), 50)) }]));
  return { ...report, probe_ms: probes, wall_s: round2((performance.now() - started) / 1000) };
}
