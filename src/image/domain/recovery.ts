// Start-up recovery, run before the API listens: the store removes its temporary files, then
// every image caught mid-transfer by a crash goes back to the state a client can retry from, and
// bytes that no image owns are deleted. Nothing a crash leaves behind outlives the next start.
// Run it on the node that owns the data directory, before any upload can be in flight there.
import type { ImageDomainDeps } from './deps.js';
import { STATUSES_WITH_DATA } from './constants.js';

export interface RecoveryReport {
  /** Images put back to queued (interrupted upload or import without staged data). */
  readonly requeued: number;
  /** Images put back to uploading (interrupted import with staged data intact). */
  readonly restaged: number;
  /** Data files removed because no image owned them. */
  readonly orphansRemoved: number;
}

export async function recoverImageData(deps: ImageDomainDeps): Promise<RecoveryReport> {
  const { db, store } = deps;
  await store.open();
  const now = new Date().toISOString();
  let requeued = 0;
  let restaged = 0;

  // An upload in flight never committed its row: whatever file it left is unverified.
  const saving = await db.selectFrom('image').select('id').where('status', '=', 'saving').execute();
  for (const { id } of saving) {
    await store.delete('images', id);
    await db.updateTable('image').set({ status: 'queued', updated_at: now }).where('id', '=', id).where('status', '=', 'saving').execute();
    requeued++;
  }
  const inFlight = await db.selectFrom('image').select(['id', 'status']).where('status', 'in', ['uploading', 'importing']).execute();
  for (const { id, status } of inFlight) {
    const staged = await db.selectFrom('image_staged').select('image_id').where('image_id', '=', id).executeTakeFirst();
    if (staged !== undefined && (await store.exists('staging', id))) {
      if (status === 'importing') {
        await db.updateTable('image').set({ status: 'uploading', updated_at: now }).where('id', '=', id).where('status', '=', status).execute();
        restaged++;
      }
      continue;
    }
    await db.deleteFrom('image_staged').where('image_id', '=', id).execute();
    await store.delete('staging', id);
    await db.updateTable('image').set({ status: 'queued', updated_at: now }).where('id', '=', id).where('status', '=', status).execute();
    requeued++;
  }
  await db.updateTable('image_task').set({ status: 'failure', message: 'Interrupted by a service restart', updated_at: now })
    .where('status', 'in', ['pending', 'processing']).execute();

  return { requeued, restaged, orphansRemoved: await removeOrphans(deps) };
}

async function removeOrphans(deps: ImageDomainDeps): Promise<number> {
  const { db, store } = deps;
  let removed = 0;
  for (const area of ['images', 'staging'] as const) {
    const files = [...(await store.list(area)).keys()];
    for (let i = 0; i < files.length; i += 500) {
      const ids = files.slice(i, i + 500);
      const rows = await db.selectFrom('image').select(['id', 'status']).where('id', 'in', ids).execute();
      const owners = new Map(rows.map((r) => [r.id, r.status]));
      for (const id of ids) {
        const status = owners.get(id);
        const owned = area === 'images' ? status !== undefined && STATUSES_WITH_DATA.has(status) : status === 'uploading';
        if (!owned) {
          await store.delete(area, id);
          removed++;
        }
      }
    }
  }
  return removed;
}
