// Deactivate/reactivate: an active image's data can be withheld from non-admins and restored.
// Each is idempotent in its target state and refused (403, as Glance) in any other state; the
// transition is a conditional UPDATE so it cannot race an upload.
import { forbidden } from '../../core/errors.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, loadVisibleImage } from './image-access.js';

const TRANSITIONS = {
  deactivate: { from: 'active', to: 'deactivated' },
  reactivate: { from: 'deactivated', to: 'active' },
} as const;

export type ImageAction = keyof typeof TRANSITIONS;

export async function changeActivation(deps: ImageDomainDeps, caller: Caller, id: string, action: ImageAction): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, id);
  enforceOnImage(deps, caller, action, visible);
  assertMutable(visible.image, caller);
  const { from, to } = TRANSITIONS[action];
  if (visible.image.status === to) return;
  const result = await deps.db.updateTable('image').set({ status: to, updated_at: new Date().toISOString() })
    .where('id', '=', id).where('status', '=', from).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const now = await deps.db.selectFrom('image').select('status').where('id', '=', id).executeTakeFirst();
    if (now?.status === to) return;
    throw forbidden(`Not allowed to ${action} image in status '${now?.status ?? visible.image.status}'`);
  }
}
