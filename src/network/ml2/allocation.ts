// Segmentation id bookkeeping in net_segment_allocation. Its primary key (type, physnet, id) is
// the race guard: two transactions choosing the same id cannot both commit; the loser's
// transaction is retried by inTransaction and its fresh look sees the winner's row.
import { ConfigError } from '../../core/config.js';
import type { Claim, Db } from './type-driver.js';

export type Range = readonly [number, number];

/** How many of the lowest free ids a racer chooses among: spreads concurrent creates apart. */
const SPREAD = 8;

/** "min:max" (ML2 vni_ranges / tunnel_id_ranges); reversed bounds are swapped as Neutron does. */
export function parseRange(text: string, path: string, max: number): Range {
  const parts = text.split(':').map((p) => p.trim());
  const [a, b] = parts.map(Number);
  if (parts.length !== 2 || a === undefined || b === undefined || !Number.isInteger(a) || !Number.isInteger(b)) {
    throw new ConfigError(path, `'${text}' is not a valid min:max range`);
  }
  const low = Math.min(a, b);
  const high = Math.max(a, b);
  if (low < 1 || high > max) throw new ConfigError(path, `'${text}' is outside 1..${max}`);
  return [low, high];
}

export async function isClaimed(trx: Db, type: string, claim: Claim): Promise<boolean> {
  const row = await trx.selectFrom('net_segment_allocation').select('segment_id')
    .where('network_type', '=', type).where('physical_network', '=', claim.physical_network)
    .where('segmentation_id', '=', claim.segmentation_id).executeTakeFirst();
  return row !== undefined;
}

/**
 * A random id among the lowest free ones of `ranges` for (type, physnet), or undefined when
 * every id is taken. Only the taken ids are loaded, so huge VNI ranges cost nothing extra.
 */
export async function pickFreeId(trx: Db, type: string, physnet: string, ranges: readonly Range[]): Promise<number | undefined> {
  if (ranges.length === 0) return undefined;
  const rows = await trx.selectFrom('net_segment_allocation').select('segmentation_id')
    .where('network_type', '=', type).where('physical_network', '=', physnet).execute();
  const used = new Set(rows.map((r) => r.segmentation_id));
  const free: number[] = [];
  for (const [low, high] of [...ranges].sort((x, y) => x[0] - y[0])) {
    for (let id = low; id <= high && free.length < SPREAD; id += 1) if (!used.has(id) && !free.includes(id)) free.push(id);
    if (free.length >= SPREAD) break;
  }
  if (free.length === 0) return undefined;
  return free[Math.floor(Math.random() * free.length)];
}

export async function insertClaim(trx: Db, type: string, claim: Claim, segmentId: string): Promise<void> {
  await trx.insertInto('net_segment_allocation').values({
    network_type: type, physical_network: claim.physical_network, segmentation_id: claim.segmentation_id, segment_id: segmentId,
  }).execute();
}
