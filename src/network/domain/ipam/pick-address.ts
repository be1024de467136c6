// Choosing a free address of one subnet without reading every allocation: a few random
// candidates among the first free-looking addresses of the pools are checked in one query;
// only when they are all taken (a nearly full subnet) are the used addresses loaded. The
// (subnet_id, ip_address) primary key settles races: a loser's insert fails and its whole
// transaction is retried, and the retry sees the winner's row.
import type { Kysely } from 'kysely';
import type { NetworkDb } from '../../db/schema.js';
import { randomFree, RANDOM_WINDOW } from '../../ipam/allocator.js';
import { formatIp, tryParseIp } from '../../ipam/ip-address.js';
import { normalizeRanges, rangeSize } from '../../ipam/ip-range.js';
import type { IpRange } from '../../ipam/ip-range.js';
import type { IpamSubnet } from './ipam-subnets.js';

const PROBES = 4;

/** The index-th address of the pools (in order), ignoring allocations. */
function addressAt(ranges: readonly IpRange[], index: bigint): bigint | undefined {
  let i = index;
  for (const r of ranges) {
    const size = rangeSize(r);
    if (i < size) return r.first + i;
    i -= size;
  }
  return undefined;
}

/** Addresses this request already took in the subnet (not yet inserted) and the gateway. */
function reserved(subnet: IpamSubnet, taken: ReadonlySet<string>): Set<string> {
  const out = new Set(taken);
  if (subnet.gateway !== null) out.add(formatIp({ version: subnet.cidr.version, value: subnet.gateway }));
  return out;
}

async function probe(db: Kysely<NetworkDb>, subnet: IpamSubnet, skip: ReadonlySet<string>): Promise<string | undefined> {
  const ranges = normalizeRanges(subnet.pools);
  const total = ranges.reduce((n, r) => n + rangeSize(r), 0n);
  if (total === 0n) return undefined;
  const span = Number(total < BigInt(RANDOM_WINDOW) ? total : BigInt(RANDOM_WINDOW));
  const candidates = new Set<string>();
  for (let i = 0; i < PROBES * 2 && candidates.size < Math.min(PROBES, span); i++) {
    const value = addressAt(ranges, BigInt(Math.floor(Math.random() * span)));
    if (value === undefined) continue;
    const text = formatIp({ version: subnet.cidr.version, value });
    if (!skip.has(text)) candidates.add(text);
  }
  if (candidates.size === 0) return undefined;
  const used = await db.selectFrom('net_ip_allocation').select('ip_address')
    .where('subnet_id', '=', subnet.row.id).where('ip_address', 'in', [...candidates]).execute();
  const usedSet = new Set(used.map((u) => u.ip_address));
  return [...candidates].find((c) => !usedSet.has(c));
}

/** A free address of the subnet's pools (never its gateway), or undefined when it is full. */
export async function pickFreeAddress(db: Kysely<NetworkDb>, subnet: IpamSubnet, taken: ReadonlySet<string> = new Set()): Promise<string | undefined> {
  const skip = reserved(subnet, taken);
  const quick = await probe(db, subnet, skip);
  if (quick !== undefined) return quick;
  const rows = await db.selectFrom('net_ip_allocation').select('ip_address').where('subnet_id', '=', subnet.row.id).execute();
  const used: bigint[] = [];
  for (const text of [...rows.map((r) => r.ip_address), ...skip]) {
    const ip = tryParseIp(text);
    if (ip !== undefined) used.push(ip.value);
  }
  const ip = randomFree(subnet.pools, used);
  return ip === undefined ? undefined : formatIp(ip);
}

/** Is this exact address allocated in the subnet? One primary-key look-up. */
export async function isAllocated(db: Kysely<NetworkDb>, subnetId: string, ipAddress: string): Promise<boolean> {
  const row = await db.selectFrom('net_ip_allocation').select('port_id')
    .where('subnet_id', '=', subnetId).where('ip_address', '=', ipAddress).executeTakeFirst();
  return row !== undefined;
}
