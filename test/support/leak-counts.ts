// What a cloud's servers can leave behind, counted: QEMU processes of this cloud, tap devices in
// the sandbox's namespaces, files under the hosts' instances/ directories, ports in the network
// API, Placement usages over every resource provider, and the sandbox's namespaces.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listNetns } from '../../src/hostnet/index.js';
import type { CloudApi } from './cloud-api.js';

const run = promisify(execFile);

export interface LeakCounts {
  readonly qemuProcesses: number;
  /** `<namespace> <tap>` of every tap device, so a leak names its port (tap<port id[:11]>). */
  readonly taps: readonly string[];
  readonly instanceFiles: readonly string[];
  readonly ports: number;
  readonly usages: Readonly<Record<string, number>>;
  readonly namespaces: readonly string[];
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** QEMU processes whose command line names this cloud's data directory. */
function qemuProcesses(dataDir: string): number {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)
    && readText(`/proc/${pid}/comm`).startsWith('qemu-system')
    && readText(`/proc/${pid}/cmdline`).includes(dataDir)).length;
}

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    (e.isDirectory() ? [`${prefix}${e.name}/`, ...filesUnder(join(dir, e.name), `${prefix}${e.name}/`)] : [`${prefix}${e.name}`]));
}

function instanceFiles(dataDir: string): string[] {
  const computeDir = join(dataDir, 'compute');
  return (existsSync(computeDir) ? readdirSync(computeDir) : []).flatMap((host) => filesUnder(join(computeDir, host, 'instances'), `${host}/`)).sort();
}

/** Guests' NICs: tun/tap devices (the DHCP agent's ports are veths also named tap…, and come and go with networks). */
async function taps(namespaces: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const ns of namespaces) {
    const { stdout } = await run('ip', ['-n', ns, '-j', '-d', 'link', 'show']);
    for (const link of JSON.parse(stdout) as { ifname: string; linkinfo?: { info_kind?: string } }[]) {
      if (link.linkinfo?.info_kind === 'tun') found.push(`${ns} ${link.ifname}`);
    }
  }
  return found.sort();
}

async function usages(api: CloudApi): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  const providers = (await api.request('placement', 'GET', '/resource_providers', [200])).resource_providers as { uuid: string }[];
  for (const rp of providers) {
    const u = (await api.request('placement', 'GET', `/resource_providers/${rp.uuid}/usages`, [200])).usages as Record<string, number>;
    for (const [rc, n] of Object.entries(u)) total[rc] = (total[rc] ?? 0) + n;
  }
  return total;
}

export async function countLeaks(api: CloudApi, dataDir: string, sandbox: string): Promise<LeakCounts> {
  const namespaces = (await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`)).sort();
  const ports = ((await api.request('network', 'GET', '/v2.0/ports', [200])).ports as unknown[]).length;
  return { qemuProcesses: qemuProcesses(dataDir), taps: await taps(namespaces), instanceFiles: instanceFiles(dataDir), ports, usages: await usages(api), namespaces };
}

/** Allocations Placement still holds for these consumers (servers, migrations): consumer → resources. */
export async function heldAllocations(api: CloudApi, consumers: readonly string[]): Promise<Record<string, unknown>> {
  const held: Record<string, unknown> = {};
  for (const consumer of consumers) {
    const allocations = (await api.request('placement', 'GET', `/allocations/${consumer}`, [200])).allocations as Record<string, unknown>;
    if (Object.keys(allocations).length > 0) held[consumer] = allocations;
  }
  return held;
}
