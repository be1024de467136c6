// GET /v3/projects filters: plain attribute filters in SQL, Keystone's four tag filters on the result.
import type { Kysely } from 'kysely';
import type { IdentityDb, ProjectRow } from '../db/schema.js';
import { loadTags, type ResourceKind } from './tags.js';

export interface TagFilters {
  /** Has every one of these tags. */
  readonly tags?: readonly string[];
  /** Has at least one of these tags. */
  readonly tagsAny?: readonly string[];
  /** Lacks at least one of these tags. */
  readonly notTags?: readonly string[];
  /** Has none of these tags. */
  readonly notTagsAny?: readonly string[];
}

export interface ProjectFilters extends TagFilters {
  readonly domainId?: string;
  readonly name?: string;
  readonly enabled?: boolean;
  /** A project id, or a domain id for its top-level projects. */
  readonly parentId?: string;
}

export function matchesTags(tags: readonly string[], f: TagFilters): boolean {
  const has = new Set(tags);
  if (f.tags && !f.tags.every((t) => has.has(t))) return false;
  if (f.tagsAny && !f.tagsAny.some((t) => has.has(t))) return false;
  if (f.notTags && f.notTags.every((t) => has.has(t))) return false;
  if (f.notTagsAny && f.notTagsAny.some((t) => has.has(t))) return false;
  return true;
}

export function hasTagFilters(f: TagFilters): boolean {
  return f.tags !== undefined || f.tagsAny !== undefined || f.notTags !== undefined || f.notTagsAny !== undefined;
}

/** Keeps the rows whose tags pass the filters; returns every row's tags for rendering. */
export async function filterByTags<T extends { id: string }>(db: Kysely<IdentityDb>, kind: ResourceKind, rows: T[], f: TagFilters): Promise<{ rows: T[]; tags: Map<string, string[]> }> {
  const tags = await loadTags(db, kind, rows.map((r) => r.id));
  const kept = hasTagFilters(f) ? rows.filter((r) => matchesTags(tags.get(r.id) ?? [], f)) : rows;
  return { rows: kept, tags };
}

export async function listProjects(db: Kysely<IdentityDb>, f: ProjectFilters): Promise<{ rows: ProjectRow[]; tags: Map<string, string[]> }> {
  let q = db.selectFrom('project').selectAll().orderBy('name').orderBy('id');
  if (f.domainId !== undefined) q = q.where('domain_id', '=', f.domainId);
  if (f.name !== undefined) q = q.where('name', '=', f.name);
  if (f.enabled !== undefined) q = q.where('enabled', '=', f.enabled ? 1 : 0);
  const parentId = f.parentId;
  if (parentId !== undefined) {
    q = q.where((eb) => eb.or([
      eb('parent_id', '=', parentId),
      eb.and([eb('parent_id', 'is', null), eb('domain_id', '=', parentId)]),
    ]));
  }
  return filterByTags(db, 'project', await q.execute(), f);
}
