// Neutron's revises_on_change: a change to a network's subnets or RBAC grants is a change to
// the network, so its revision_number moves too. Also serialises concurrent writers on the row.
import { sql, type Kysely } from 'kysely';
import type { NetworkDb } from '../../db/schema.js';
import type { NetworkTx } from '../../db/transaction.js';
import { isPlausibleId } from './access.js';
import { nowIso } from '../standard-attrs.js';

export async function bumpNetworkRevision(trx: NetworkTx, networkId: string): Promise<void> {
  await trx.updateTable('net_network').set({ revision_number: sql<number>`revision_number + 1`, updated_at: nowIso() })
    .where('id', '=', networkId).execute();
}

/**
 * Neutron's native bulk creates leave no trace when an item fails — not even the revision
 * bumps of the networks the items revise. Emulated: create in order; on failure undo the
 * created ones in reverse and put back each network's revision and updated_at, unless
 * someone else moved it meanwhile (each created-then-undone item bumped it twice).
 */
export async function bulkCreateRevisingNetworks<T extends Record<string, unknown>>(
  db: Kysely<NetworkDb>, bodies: readonly Record<string, unknown>[], networkOf: (body: Record<string, unknown>) => unknown,
  create: (body: Record<string, unknown>) => Promise<T>, undo: (created: T) => Promise<void>,
): Promise<T[]> {
  const owners = bodies.map((b) => networkOf(b));
  const netIds = [...new Set(owners.filter(isPlausibleId))];
  const saved = bodies.length > 1 && netIds.length > 0
    ? await db.selectFrom('net_network').select(['id', 'revision_number', 'updated_at']).where('id', 'in', netIds).execute()
    : [];
  const created: T[] = [];
  try {
    for (const body of bodies) created.push(await create(body));
    return created;
  } catch (err) {
    for (const done of [...created].reverse()) await undo(done).catch(() => undefined);
    for (const net of saved) {
      const undone = owners.slice(0, created.length).filter((o) => o === net.id).length;
      if (undone === 0) continue;
      await db.updateTable('net_network').set({ revision_number: net.revision_number, updated_at: net.updated_at })
        .where('id', '=', net.id).where('revision_number', '=', net.revision_number + 2 * undone).execute();
    }
    throw err;
  }
}
