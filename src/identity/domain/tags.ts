// Tags of projects and domains: Keystone's rules (the API-WG tags guideline) and their storage.
import type { Kysely } from 'kysely';
import { badRequest } from '../../core/errors.js';
import type { Check } from '../../core/validate.js';
import type { IdentityDb } from '../db/schema.js';

export const MAX_TAGS = 80;
const MAX_TAG_LENGTH = 255;

/** The kind of resource that owns tags and options: a domain is a project acting as a domain. */
export type ResourceKind = 'project' | 'domain';

export const isTag: Check<string> = (value, field) => {
  if (typeof value !== 'string') throw badRequest(`Invalid input for field '${field}': tags must be strings.`);
  if (value.length < 1 || value.length > MAX_TAG_LENGTH) {
    throw badRequest(`Invalid input for field '${field}': a tag must be 1 to ${MAX_TAG_LENGTH} characters long.`);
  }
  if (/[,/]/.test(value)) throw badRequest(`Invalid input for field '${field}': '${value.slice(0, 40)}' does not match '^[^,/]*$'.`);
  return value.trim();
};

/** A whole tag list: at most 80 unique tags (duplicates are refused, not merged, as Keystone does). */
export const isTagList: Check<string[]> = (value, field) => {
  if (!Array.isArray(value)) throw badRequest(`Invalid input for field '${field}': tags must be a list.`);
  if (value.length > MAX_TAGS) throw badRequest(`Invalid input for field '${field}': at most ${MAX_TAGS} tags are allowed.`);
  const tags = value.map((v, i) => isTag(v, `${field}[${i}]`));
  if (new Set(tags).size !== tags.length) throw badRequest(`Invalid input for field '${field}': tags must be unique.`);
  return tags;
};

/** Tags of each given resource, in insertion-independent (sorted) order. */
export async function loadTags(db: Kysely<IdentityDb>, kind: ResourceKind, ids: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const rows = kind === 'project'
    ? await db.selectFrom('project_tag').select(['project_id as owner', 'name']).where('project_id', 'in', [...ids]).orderBy('name').execute()
    : await db.selectFrom('domain_tag').select(['domain_id as owner', 'name']).where('domain_id', 'in', [...ids]).orderBy('name').execute();
  for (const row of rows) result.get(row.owner)?.push(row.name);
  return result;
}

/** Replaces every tag of one resource; run it inside the caller's transaction. */
export async function replaceTags(tx: Kysely<IdentityDb>, kind: ResourceKind, id: string, tags: readonly string[]): Promise<void> {
  if (kind === 'project') {
    await tx.deleteFrom('project_tag').where('project_id', '=', id).execute();
    if (tags.length > 0) await tx.insertInto('project_tag').values(tags.map((name) => ({ project_id: id, name }))).execute();
  } else {
    await tx.deleteFrom('domain_tag').where('domain_id', '=', id).execute();
    if (tags.length > 0) await tx.insertInto('domain_tag').values(tags.map((name) => ({ domain_id: id, name }))).execute();
  }
}
