// The segments extension (/v2.0/segments): a network's L2 segments as their own resource.
// Admin-only by policy; creating one reserves its segmentation id through ML2.
import type { NetworkDeps } from '../../api/deps.js';
import { parseCreate, parseUpdate, type AttrMap } from '../../api/attributes.js';
import type { Query } from '../../api/list.js';
import { nullable, integer, string, uuid } from '../../api/validators.js';
import type { SegmentRow } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import type { Caller } from '../caller.js';
import { inUse, networkNotFound, resourceNotFound } from '../errors.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { bumped, checkRevision, newStandard, renderStandard } from '../standard-attrs.js';
import { isPlausibleId } from './access.js';

export const SEGMENT_ATTRS: AttrMap = {
  id: {},
  network_id: { post: true, required: true, validate: uuid },
  name: { post: true, put: true, default: null, validate: nullable(string(255)) },
  description: { post: true, put: true, default: '', validate: string(255) },
  network_type: { post: true, required: true, validate: string(32) },
  physical_network: { post: true, default: null, validate: nullable(string(64)) },
  segmentation_id: { post: true, default: null, validate: nullable(integer(0, 2 ** 32 - 1)) },
  created_at: {},
  updated_at: {},
  revision_number: {},
};

export const segmentNotFound = (id: string) => resourceNotFound('SegmentNotFound', 'Segment', id);

export function renderSegment(row: SegmentRow): Record<string, unknown> {
  return {
    id: row.id, network_id: row.network_id, name: row.name, network_type: row.network_type,
    physical_network: row.physical_network, segmentation_id: row.segmentation_id, ...renderStandard(row),
  };
}

async function findSegment(deps: NetworkDeps, id: string): Promise<SegmentRow> {
  const row = isPlausibleId(id) ? await deps.db.selectFrom('net_segment').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined) throw segmentNotFound(id);
  return row;
}

/** Admin-only rules: a caller failing get_segment gets 404, as if it did not exist. */
function authorize(deps: NetworkDeps, caller: Caller, action: string, row: Record<string, unknown>, id: string): void {
  const target = { ...row, project_id: caller.projectId, tenant_id: caller.projectId };
  if (action !== 'create_segment' && !deps.policy.authorize('get_segment', target, caller.creds)) throw segmentNotFound(id);
  enforce(deps, caller, action, target);
}

export async function createSegment(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { attrs } = parseCreate(body, SEGMENT_ATTRS, caller);
  authorize(deps, caller, 'create_segment', attrs, '');
  const networkId = attrs.network_id as string;
  const row = await inTransaction(deps.db, async (trx) => {
    const network = await trx.selectFrom('net_network').select('id').where('id', '=', networkId).executeTakeFirst();
    if (network === undefined) throw networkNotFound(networkId);
    const standard = newStandard(attrs.description);
    return deps.ml2.addSegment(trx, networkId, {
      network_type: attrs.network_type as string,
      physical_network: attrs.physical_network as string | null,
      segmentation_id: attrs.segmentation_id as number | null,
    }, { name: attrs.name as string | null, description: standard.description });
  });
  const item = renderSegment(row);
  notify(deps, 'segment.create.end', { segment: item });
  return item;
}

export async function listSegments(deps: NetworkDeps, caller: Caller, query: Query): Promise<Record<string, unknown>[]> {
  if (!deps.policy.authorize('get_segment', { project_id: caller.projectId, tenant_id: caller.projectId }, caller.creds)) return [];
  void query;
  const rows = await deps.db.selectFrom('net_segment').selectAll().orderBy('network_id').orderBy('segment_index').execute();
  return rows.map(renderSegment);
}

export async function showSegment(deps: NetworkDeps, caller: Caller, id: string): Promise<Record<string, unknown>> {
  const row = await findSegment(deps, id);
  authorize(deps, caller, 'get_segment', { ...row }, id);
  return renderSegment(row);
}

export async function updateSegment(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined): Promise<Record<string, unknown>> {
  const attrs = parseUpdate(body, SEGMENT_ATTRS);
  const row = await findSegment(deps, id);
  authorize(deps, caller, 'update_segment', { ...row }, id);
  const updated = await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_segment').selectAll().where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw segmentNotFound(id);
    checkRevision(ifMatch, current.revision_number);
    const changes: Partial<SegmentRow> = { ...bumped(current) };
    if ('name' in attrs) changes.name = attrs.name as string | null;
    if (typeof attrs.description === 'string') changes.description = attrs.description;
    await trx.updateTable('net_segment').set(changes).where('id', '=', id).execute();
    return { ...current, ...changes };
  });
  const item = renderSegment(updated);
  notify(deps, 'segment.update.end', { segment: item });
  return item;
}

export async function deleteSegment(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined): Promise<void> {
  const row = await findSegment(deps, id);
  authorize(deps, caller, 'delete_segment', { ...row }, id);
  await inTransaction(deps.db, async (trx) => {
    const current = await trx.selectFrom('net_segment').select('revision_number').where('id', '=', id).executeTakeFirst();
    if (current === undefined) throw segmentNotFound(id);
    checkRevision(ifMatch, current.revision_number);
    const subnets = await trx.selectFrom('net_subnet').select('id').where('segment_id', '=', id).execute();
    if (subnets.length > 0) {
      throw inUse('SegmentInUse', `Segment '${id}' cannot be deleted: The segment is still associated with subnet(s) ${subnets.map((s) => s.id).join(', ')}.`);
    }
    await deps.ml2.releaseSegment(trx, id);
  });
  notify(deps, 'segment.delete.end', { segment_id: id, segment: renderSegment(row) });
}
