// `npm run bench -- network`: the network phases of /work/shared/bench/bench-api.py (same counts,
// same requests, same order) against the network service started in this process, over real
// HTTP on loopback; each phase beside the real neutron-server's figure and the ratio.
import { cpus, loadavg, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchLog } from './bench-log.js';
import { jsonHttp, type JsonHttp } from './network-http.js';
import { startNetworkService } from './network-service.js';
import { loadFigures, type LoadFigures } from './run-clients.js';
import { round2 } from './stats.js';

const NETWORKS = 200;
const PORTS = 500;
const LIST_REPS = 20;
const SAMPLE = 200;
const CONCURRENCY = 8;

/**
 * Neutron 21 (OpenStack Zed, Debian 12, ML2, MariaDB) measured with bench-api.py on a 2-core
 * machine on 2026-11-22: p50 latency and throughput per phase, copied from
 * shared/bench/openstack-zed-reference.json (the project does not read that tree at run time).
 */
export const NEUTRON_ZED_REFERENCE: Readonly<Record<string, { readonly p50_ms: number; readonly ops_per_s: number }>> = {
  network_create_seq: { p50_ms: 150.7, ops_per_s: 6.36 },
  network_list: { p50_ms: 201.24, ops_per_s: 4.58 },
  subnet_create: { p50_ms: 224.06, ops_per_s: 4.46 },
  port_create_seq: { p50_ms: 380.57, ops_per_s: 2.53 },
  port_list: { p50_ms: 372.52, ops_per_s: 2.75 },
  port_show_seq: { p50_ms: 27.27, ops_per_s: 34.27 },
  port_update_seq: { p50_ms: 233.53, ops_per_s: 4.11 },
  port_delete_seq: { p50_ms: 308.45, ops_per_s: 3.16 },
  port_create_conc: { p50_ms: 2411.43, ops_per_s: 3.22 },
  port_delete_conc: { p50_ms: 417.08, ops_per_s: 6.92 },
  subnet_delete: { p50_ms: 110.08, ops_per_s: 9.08 },
  network_delete_seq: { p50_ms: 226.85, ops_per_s: 4.26 },
};

type Phase = LoadFigures & { reference?: { p50_ms: number; ops_per_s: number }; p50_speedup?: number | null; throughput_ratio?: number | null };

/** Runs `op` over every item with `workers` concurrent callers; each call timed; results in order. */
async function runPhase<T, R>(items: readonly T[], workers: number, op: (item: T) => Promise<R>): Promise<{ figures: LoadFigures; results: (R | undefined)[] }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const results: (R | undefined)[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const start = performance.now();
      try {
        results[i] = await op(items[i]!);
        latencies.push(performance.now() - start);
      } catch (err) {
        errors.push((err as Error).message.slice(0, 300));
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, worker));
  return { figures: loadFigures(workers, latencies, errors, (performance.now() - t0) / 1000), results };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function measure(http: JsonHttp, projectId: string, log: BenchLog): Promise<Record<string, Phase>> {
  const phases: Record<string, Phase> = {};
  const phase = async <T, R>(name: string, items: readonly T[], workers: number, op: (item: T) => Promise<R>): Promise<R[]> => {
    log(`${name}: ${items.length} x ${workers} worker(s)`);
    const { figures, results } = await runPhase(items, workers, op);
    const reference = NEUTRON_ZED_REFERENCE[name];
    phases[name] = {
      ...figures,
      ...(reference ? {
        reference,
        p50_speedup: figures.p50_ms ? round2(reference.p50_ms / figures.p50_ms) : null,
        throughput_ratio: figures.ops_per_s !== null ? round2(figures.ops_per_s / reference.ops_per_s) : null,
      } : {}),
    };
    return results.filter((r): r is Awaited<R> => r !== undefined) as R[];
  };
  // bench-api.py raises these so 200 networks and 500 ports fit (the defaults are 100 and 500).
  await http.call('PUT', `/quotas/${projectId}`, [200], { quota: { network: -1, subnet: -1, port: -1 } });

  const nets = await phase('network_create_seq', range(NETWORKS), 1, async (i) =>
    (await http.call('POST', '/networks', [201], { network: { name: `bench-net-${i}` } })).network.id as string);
  await phase('network_list', range(LIST_REPS), 1, async () => (await http.call('GET', '/networks', [200])).networks.length as number);
  const net0 = nets[0]!;
  const [subnet] = await phase('subnet_create', [0], 1, async () => (await http.call('POST', '/subnets', [201], { subnet: {
    name: 'bench-subnet', network_id: net0, ip_version: 4, cidr: '10.128.0.0/16', enable_dhcp: false } })).subnet.id as string);
  const mkport = async (i: number): Promise<string> =>
    (await http.call('POST', '/ports', [201], { port: { name: `bench-port-${i}`, network_id: net0 } })).port.id as string;
  let ports = await phase('port_create_seq', range(PORTS), 1, mkport);
  await phase('port_list', range(LIST_REPS), 1, async () => (await http.call('GET', '/ports', [200])).ports.length as number);
  const sample = ports.slice(0, SAMPLE);
  await phase('port_show_seq', sample, 1, (id) => http.call('GET', `/ports/${id}`, [200]));
  await phase('port_update_seq', sample, 1, (id) => http.call('PUT', `/ports/${id}`, [200], { port: { name: `bench-upd-${id.slice(0, 8)}` } }));
  await phase('port_delete_seq', ports, 1, (id) => http.call('DELETE', `/ports/${id}`, [204]));
  ports = await phase('port_create_conc', range(PORTS), CONCURRENCY, mkport);
  await phase('port_delete_conc', ports, CONCURRENCY, (id) => http.call('DELETE', `/ports/${id}`, [204]));
  if (subnet !== undefined) await phase('subnet_delete', [subnet], 1, (id) => http.call('DELETE', `/subnets/${id}`, [204]));
  await phase('network_delete_seq', nets, 1, (id) => http.call('DELETE', `/networks/${id}`, [204]));
  return phases;
}

export async function runNetworkBench(log: BenchLog): Promise<Record<string, unknown>> {
  const machine = {
    cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, node: process.version, kernel: release(),
    memory_mb: Math.round(totalmem() / 2 ** 20), load_average_1m_at_start: round2(loadavg()[0] ?? null),
  };
  log('starting identity + network in this process (SQLite, loopback HTTP)');
  const service = await startNetworkService();
  const http = jsonHttp(service.networkUrl, service.token);
  try {
    const phases = await measure(http, service.projectId, log);
    return {
      service: 'network', date: new Date().toISOString(), machine,
      params: { networks: NETWORKS, ports: PORTS, list_reps: LIST_REPS, concurrency: CONCURRENCY },
      reference: 'neutron-server 21 (OpenStack Zed), Debian 12, 2 cores: shared/bench/openstack-zed-reference.json',
      phases,
    };
  } finally {
    http.close();
    await service.stop();
  }
}
