// Nova's _poll_unconfirmed_resizes: a resize (or cold migration) left in VERIFY_RESIZE longer than
// resize_confirm_window is confirmed as if its owner had asked — the action is recorded as the
// owner's, the source host drops its copy. Off when the window is 0 (Nova's default).
import { randomUUID } from 'node:crypto';
import { isoSeconds } from '../db/transaction.js';
import { loadInstance } from '../domain/servers/lookup.js';
import { confirmResize } from '../domain/servers/resize.js';
import type { ConductorDeps } from './build.js';

/** Confirms what is overdue; the uuids of the servers confirmed. */
export async function confirmOverdueResizes(deps: ConductorDeps, now = Date.now()): Promise<string[]> {
  const windowS = deps.compute.resizeConfirmWindowSeconds;
  if (windowS <= 0) return [];
  const due = await deps.db.selectFrom('nova_migration').selectAll().where('status', '=', 'finished')
    .where('migration_type', 'in', ['resize', 'migration']).where('updated_at', '<=', isoSeconds(now - windowS * 1000)).where('deleted', '=', 0).execute();
  const confirmed: string[] = [];
  for (const migration of due) {
    const row = await loadInstance(deps.db, migration.instance_uuid);
    if (!row || row.vm_state !== 'resized' || row.task_state !== null) continue;
    await confirmResize(deps, { requestId: `req-${randomUUID()}`, userId: row.user_id, projectId: row.project_id }, row);
    confirmed.push(row.uuid);
  }
  return confirmed;
}

/** How often to look: often enough that nothing waits much past its window. */
export function autoConfirmIntervalMs(windowS: number): number {
  return Math.min(60, Math.max(1, Math.floor(windowS / 2))) * 1000;
}
