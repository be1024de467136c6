// Forwarding database and neighbour (ARP/ND) entries, as l2population programs them.
import { run, runTolerating, stderrMatches } from './exec.js';
import { assertIfName } from './names.js';
import { assertIp, assertMac } from './values.js';
import { parseFdb, parseNeighbours, type FdbEntry, type NeighEntry } from './ip-json.js';

type Ns = string | undefined;
const NO_DEVICE = [/Cannot find device/, /does not exist/];
const NO_ENTRY = [...NO_DEVICE, /No such file or directory/];

export async function fdb(ns: Ns, dev: string): Promise<FdbEntry[]> {
  assertIfName(dev);
  try {
    return parseFdb((await run('bridge', ['-json', 'fdb', 'show', 'dev', dev], { netns: ns })).stdout, dev);
  } catch (error) {
    if (stderrMatches(error, NO_DEVICE)) return [];
    throw error;
  }
}

/** `append` adds another remote for the same MAC (the all-zero flood entry); re-appending is a no-op. */
export async function fdbAppend(ns: Ns, dev: string, mac: string, dst: string): Promise<void> {
  await run('bridge', ['fdb', 'append', assertMac(mac), 'dev', assertIfName(dev), 'dst', assertIp(dst)], { netns: ns });
}

/** Unicast MACs only: the kernel refuses `replace` of the all-zero flood entry. */
export async function fdbReplace(ns: Ns, dev: string, mac: string, dst: string): Promise<void> {
  await run('bridge', ['fdb', 'replace', assertMac(mac), 'dev', assertIfName(dev), 'dst', assertIp(dst)], { netns: ns });
}

/** Without dst, removes the MAC's entry (all its remotes on a vxlan device). */
export async function fdbDelete(ns: Ns, dev: string, mac: string, dst?: string): Promise<void> {
  const args = ['fdb', 'delete', assertMac(mac), 'dev', assertIfName(dev)];
  if (dst !== undefined) args.push('dst', assertIp(dst));
  await runTolerating('bridge', args, { netns: ns }, NO_ENTRY);
}

export async function neighbours(ns: Ns, dev: string): Promise<NeighEntry[]> {
  assertIfName(dev);
  try {
    return parseNeighbours((await run('ip', ['-json', 'neigh', 'show', 'dev', dev], { netns: ns })).stdout, dev);
  } catch (error) {
    if (stderrMatches(error, NO_DEVICE)) return [];
    throw error;
  }
}

export async function neighReplace(ns: Ns, dev: string, ip: string, mac: string): Promise<void> {
  await run('ip', ['neigh', 'replace', assertIp(ip), 'lladdr', assertMac(mac), 'dev', assertIfName(dev), 'nud', 'permanent'], { netns: ns });
}

export async function neighDelete(ns: Ns, dev: string, ip: string): Promise<void> {
  await runTolerating('ip', ['neigh', 'delete', assertIp(ip), 'dev', assertIfName(dev)], { netns: ns }, NO_ENTRY);
}
