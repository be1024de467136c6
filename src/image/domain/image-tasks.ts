// Import tasks (Glance's `api_image_import`), listed by GET /v2/images/{id}/tasks: what was asked,
// by which request, and how it ended.
import type { Kysely } from 'kysely';
import { newUuid } from '../../core/ids.js';
import type { ImageDb, ImageTaskRow } from '../db/schema.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { enforceOnImage, loadVisibleImage } from './image-access.js';

/** Glance's task_time_to_live: a finished task is kept this long. */
const TASK_TTL_MS = 48 * 3600 * 1000;

type Db = Kysely<ImageDb>;

export async function createTask(
  db: Db, caller: Caller, imageId: string, input: Record<string, unknown>, requestId: string,
): Promise<ImageTaskRow> {
  const now = new Date().toISOString();
  const row: ImageTaskRow = {
    id: newUuid(), image_id: imageId, type: 'api_image_import', status: 'processing', owner: caller.project,
    user_id: caller.auth.userId, request_id: requestId, input: JSON.stringify(input), result: null, message: '',
    created_at: now, updated_at: now, expires_at: null,
  };
  await db.insertInto('image_task').values(row).execute();
  return row;
}

export async function finishTask(db: Db, id: string, outcome: { status: 'success' | 'failure'; message?: string; result?: unknown }): Promise<void> {
  const now = Date.now();
  await db.updateTable('image_task').set({
    status: outcome.status, message: outcome.message ?? '',
    result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
    updated_at: new Date(now).toISOString(), expires_at: new Date(now + TASK_TTL_MS).toISOString(),
  }).where('id', '=', id).execute();
}

export async function listImageTasks(deps: ImageDomainDeps, caller: Caller, imageId: string): Promise<ImageTaskRow[]> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'get_image', visible);
  return deps.db.selectFrom('image_task').selectAll().where('image_id', '=', imageId).orderBy('created_at').execute();
}
