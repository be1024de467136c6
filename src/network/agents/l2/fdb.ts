// l2population on a vxlan device: the desired forwarding entries (a flood entry
// `00:00:00:00:00:00 dst <tunnel ip>` per remote host for broadcast/unknown traffic, `<mac> dst
// <tunnel ip>` per remote port) and permanent neighbour entries (`<ip> lladdr <mac>`, used only
// when the device answers ARP itself — proxy mode, off by default), diffed against what the kernel has.
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import type { FdbEntry, NeighEntry } from '../../../hostnet/index.js';
import type { FdbHost } from '../common/state.js';
import type { L2Host } from './wiring.js';

export const FLOOD_MAC = '00:00:00:00:00:00';
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export interface L2popDesired {
  /** Remote tunnel endpoints that get flooded traffic. */
  readonly flood: ReadonlySet<string>;
  /** Remote port MAC → its host's tunnel IP. */
  readonly unicast: ReadonlyMap<string, string>;
  /** Remote port address → MAC. */
  readonly neighbours: ReadonlyMap<string, string>;
}

export interface L2popDiff {
  readonly floodAdd: string[];
  readonly floodDelete: string[];
  readonly unicastSet: { mac: string; dst: string }[];
  readonly unicastDelete: { mac: string; dst: string }[];
  readonly neighSet: { ip: string; mac: string }[];
  readonly neighDelete: string[];
}

function ip(text: string | undefined): string | undefined {
  const parsed = typeof text === 'string' ? tryParseIp(text) : undefined;
  return parsed ? formatIp(parsed) : undefined;
}

function mac(text: string | undefined): string | undefined {
  const m = typeof text === 'string' ? text.toLowerCase() : undefined;
  return m !== undefined && MAC_RE.test(m) ? m : undefined;
}

/** Pure: what a vxlan device should hold for a network's remote hosts (malformed entries skipped). */
export function desiredL2pop(hosts: readonly FdbHost[], localTunnelIp?: string): L2popDesired {
  const local = ip(localTunnelIp);
  const flood = new Set<string>();
  const unicast = new Map<string, string>();
  const neighbours = new Map<string, string>();
  for (const h of [...hosts].sort((a, b) => a.host.localeCompare(b.host))) {
    const dst = ip(h.tunnel_ip);
    if (dst === undefined || dst === local) continue;
    flood.add(dst);
    for (const p of h.ports) {
      const m = mac(p.mac_address);
      if (m === undefined || m === FLOOD_MAC) continue;
      unicast.set(m, dst);
      for (const a of p.ip_addresses) {
        const addr = ip(a);
        if (addr !== undefined) neighbours.set(addr, m);
      }
    }
  }
  return { flood, unicast, neighbours };
}

/**
 * Pure: the changes that turn the device's entries into the desired ones. Only entries with a
 * remote (`dst`) are vxlan FDB entries; the rest (the bridge's learned and own `self` entries,
 * multicast) are the kernel's and ignored. Only permanent neighbours are ours.
 */
export function diffL2pop(desired: L2popDesired, fdb: readonly FdbEntry[], neighbours: readonly NeighEntry[]): L2popDiff {
  const actualFlood = new Set<string>();
  const actualUnicast = new Map<string, Set<string>>();
  for (const e of fdb) {
    const dst = ip(e.dst);
    const m = mac(e.mac);
    if (dst === undefined || m === undefined) continue;
    if (m === FLOOD_MAC) { actualFlood.add(dst); continue; }
    const set = actualUnicast.get(m) ?? new Set<string>();
    set.add(dst);
    actualUnicast.set(m, set);
  }
  const floodAdd = [...desired.flood].filter((d) => !actualFlood.has(d)).sort();
  const floodDelete = [...actualFlood].filter((d) => !desired.flood.has(d)).sort();
  const unicastSet: { mac: string; dst: string }[] = [];
  const unicastDelete: { mac: string; dst: string }[] = [];
  for (const [m, dst] of desired.unicast) {
    const have = actualUnicast.get(m);
    if (have?.has(dst) && have.size === 1) continue;
    for (const d of have ?? []) if (d !== dst) unicastDelete.push({ mac: m, dst: d });
    if (!have?.has(dst)) unicastSet.push({ mac: m, dst });
  }
  for (const [m, have] of actualUnicast) {
    if (desired.unicast.has(m)) continue;
    for (const d of have) unicastDelete.push({ mac: m, dst: d });
  }

  const actualNeigh = new Map<string, { mac?: string; permanent: boolean }>();
  for (const n of neighbours) {
    const addr = ip(n.ip);
    if (addr === undefined) continue;
    const entry: { mac?: string; permanent: boolean } = { permanent: n.states.some((s) => s.toUpperCase() === 'PERMANENT') };
    const m = mac(n.mac);
    if (m !== undefined) entry.mac = m;
    actualNeigh.set(addr, entry);
  }
  const neighSet: { ip: string; mac: string }[] = [];
  for (const [addr, m] of desired.neighbours) {
    const have = actualNeigh.get(addr);
    if (have?.permanent && have.mac === m) continue;
    neighSet.push({ ip: addr, mac: m });
  }
  const neighDelete = [...actualNeigh].filter(([addr, n]) => n.permanent && !desired.neighbours.has(addr)).map(([addr]) => addr).sort();
  return { floodAdd, floodDelete, unicastSet, unicastDelete, neighSet, neighDelete };
}

export function diffIsEmpty(d: L2popDiff): boolean {
  return d.floodAdd.length + d.floodDelete.length + d.unicastSet.length + d.unicastDelete.length + d.neighSet.length + d.neighDelete.length === 0;
}

/** Reads the device's entries and applies the difference; returns the diff applied. */
export async function syncL2pop(host: L2Host, dev: string, desired: L2popDesired): Promise<L2popDiff> {
  const diff = diffL2pop(desired, await host.fdb(dev), await host.neighbours(dev));
  // Stale entries go first so a MAC that moved to another host never has two remotes.
  for (const e of diff.unicastDelete) await host.fdbDelete(dev, e.mac, e.dst);
  for (const d of diff.floodDelete) await host.fdbDelete(dev, FLOOD_MAC, d);
  for (const d of diff.floodAdd) await host.fdbAppend(dev, FLOOD_MAC, d);
  for (const e of diff.unicastSet) await host.fdbReplace(dev, e.mac, e.dst);
  for (const a of diff.neighDelete) await host.neighDelete(dev, a);
  for (const n of diff.neighSet) await host.neighReplace(dev, n.ip, n.mac);
  return diff;
}
