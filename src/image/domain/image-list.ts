// GET /v2/images in SQL: the caller's view (Glance's _select_images_query), filters, a stable
// multi-key sort and keyset pagination after a marker image, so a page costs the same however
// many images exist.
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { badRequest } from '../../core/errors.js';
import type { ImageDb } from '../db/schema.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { enforce, imageTarget, isVisible, membershipOf } from './image-access.js';
import { findImageRow, fromRow, withDetails, type ImageRecord } from './image-record.js';

export type SortKey = 'name' | 'status' | 'container_format' | 'disk_format' | 'size' | 'id' | 'created_at' | 'updated_at';
export interface SortSpec { readonly key: SortKey; readonly dir: 'asc' | 'desc' }

/** One filter on an image column, already parsed and typed by the API layer. */
export type Condition =
  | { readonly kind: 'compare'; readonly column: string; readonly op: '=' | '!=' | '<' | '<=' | '>' | '>='; readonly value: string | number }
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly string[] }
  | { readonly kind: 'never' };

export interface ImageListQuery {
  readonly limit: number;
  readonly marker?: string;
  /** Complete sort order, ending with created_at and id so it is total. */
  readonly sort: readonly SortSpec[];
  readonly memberStatus: 'pending' | 'accepted' | 'rejected' | 'all';
  readonly visibility?: 'public' | 'private' | 'shared' | 'community' | 'all';
  readonly conditions: readonly Condition[];
  readonly tags: readonly string[];
  readonly properties: readonly (readonly [string, string])[];
}

type Eb = ExpressionBuilder<ImageDb, 'image'>;

// NULLs sort as these values, the same on SQLite and PostgreSQL (Glance's column defaults).
const NULL_AS: Readonly<Record<SortKey, string | number | undefined>> = {
  name: '', container_format: '', disk_format: '', size: 0, status: undefined, id: undefined, created_at: undefined, updated_at: undefined,
};

function sortExpr(key: SortKey): Expression<unknown> {
  const fallback = NULL_AS[key];
  return fallback === undefined ? sql.ref(`image.${key}`) : sql`coalesce(${sql.ref(`image.${key}`)}, ${fallback})`;
}

function scope(eb: Eb, caller: Caller, memberStatus: ImageListQuery['memberStatus']): Expression<SqlBool> {
  const visible: Expression<SqlBool>[] = [eb('image.visibility', 'in', ['public', 'community'])];
  if (caller.project !== null) {
    let members = eb.selectFrom('image_member').select('image_member.image_id')
      .whereRef('image_member.image_id', '=', 'image.id').where('image_member.member', '=', caller.project);
    if (memberStatus !== 'all') members = members.where('image_member.status', '=', memberStatus);
    visible.push(eb('image.owner', '=', caller.project), eb.and([eb('image.visibility', '=', 'shared'), eb.exists(members)]));
  }
  return eb.or(visible);
}

function condition(eb: Eb, c: Condition): Expression<SqlBool> {
  if (c.kind === 'never') return sql<SqlBool>`1 = 0`;
  if (c.kind === 'in') return c.values.length === 0 ? sql<SqlBool>`1 = 0` : eb(sql.ref(`image.${c.column}`), 'in', c.values);
  return eb(sql.ref(`image.${c.column}`), c.op, c.value);
}

function afterMarker(eb: Eb, sort: readonly SortSpec[], marker: Record<string, unknown>): Expression<SqlBool> {
  const valueOf = (key: SortKey) => (marker[key] ?? NULL_AS[key] ?? null) as string | number;
  const branches = sort.map((spec, i) => eb.and([
    ...sort.slice(0, i).map((prev) => eb(sortExpr(prev.key), '=', valueOf(prev.key))),
    eb(sortExpr(spec.key), spec.dir === 'asc' ? '>' : '<', valueOf(spec.key)),
  ]));
  return eb.or(branches);
}

export async function listImages(deps: ImageDomainDeps, caller: Caller, query: ImageListQuery): Promise<{ images: ImageRecord[]; more: boolean }> {
  enforce(deps, caller, 'get_images', { project_id: caller.project });
  let marker: Record<string, unknown> | undefined;
  if (query.marker !== undefined) {
    const row = await findImageRow(deps.db, query.marker);
    const status = row === undefined ? undefined : await membershipOf(deps.db, row.id, caller.project);
    if (row === undefined || !isVisible(fromRow(row), caller, status)) throw badRequest(`No image found with ID ${query.marker}`);
    marker = row as unknown as Record<string, unknown>;
  }
  let q = deps.db.selectFrom('image').selectAll('image').where('image.status', '!=', 'killed');
  if (!caller.isAdmin) q = q.where((eb) => scope(eb, caller, query.memberStatus));
  if (query.visibility !== undefined) {
    if (query.visibility !== 'all') q = q.where('image.visibility', '=', query.visibility);
  } else if (caller.project === null) {
    q = q.where('image.visibility', '!=', 'community');
  } else {
    // Without a visibility filter, community images show only to their owner.
    q = q.where((eb) => eb.or([eb('image.visibility', '!=', 'community'), eb('image.owner', '=', caller.project)]));
  }
  for (const c of query.conditions) q = q.where((eb) => condition(eb, c));
  for (const tag of query.tags) {
    q = q.where((eb) => eb.exists(eb.selectFrom('image_tag').select('image_tag.image_id')
      .whereRef('image_tag.image_id', '=', 'image.id').where('image_tag.value', '=', tag)));
  }
  for (const [name, value] of query.properties) {
    q = q.where((eb) => eb.exists(eb.selectFrom('image_property').select('image_property.image_id')
      .whereRef('image_property.image_id', '=', 'image.id').where('image_property.name', '=', name).where('image_property.value', '=', value)));
  }
  if (marker !== undefined) q = q.where((eb) => afterMarker(eb, query.sort, marker));
  for (const spec of query.sort) q = q.orderBy(sortExpr(spec.key), spec.dir);
  const rows = await q.limit(query.limit).execute();
  const images = await withDetails(deps.db, rows);
  // As Glance: each image must also pass get_image (the operator's policy may narrow it).
  const allowed = images.filter((image) => deps.policy.authorize('get_image', imageTarget(image, caller, undefined), caller.creds));
  return { images: allowed, more: rows.length > 0 && rows.length === query.limit };
}
