// Neutron's tag extension (standard-attr-tag) over every taggable table: who may see a resource's
// tags, and the four changes (replace all, add some, add one, remove one/all). Every change bumps
// the resource's revision_number and updated_at, as Neutron's revision plugin does.
import { sql, type Kysely } from 'kysely';
import { ApiError } from '../../core/errors.js';
import type { NetworkDb } from '../db/schema.js';
import { inTransaction, type NetworkTx } from '../db/transaction.js';
import type { Caller } from './caller.js';
import { invalidInput } from './errors.js';
import { isPlausibleId } from './networks/access.js';
import { nowIso } from './standard-attrs.js';
import type { TagResourceType } from './tags.js';

interface TagTarget {
  readonly table: keyof NetworkDb;
  /** Neutron's parent resource name: in messages and policy rule names (`get_networks_tags`). */
  readonly parent: string;
  /** RBAC object_type that can share the resource with other projects. */
  readonly rbac?: string;
  /** Visible through its network's RBAC grants (subnets of a shared network). */
  readonly viaNetwork?: boolean;
}

export const TAG_TARGETS: Readonly<Record<TagResourceType, TagTarget>> = {
  networks: { table: 'net_network', parent: 'networks', rbac: 'network' },
  subnets: { table: 'net_subnet', parent: 'subnets', viaNetwork: true },
  ports: { table: 'net_port', parent: 'ports' },
  routers: { table: 'net_router', parent: 'routers' },
  floatingips: { table: 'net_floating_ip', parent: 'floatingips' },
  'security-groups': { table: 'net_security_group', parent: 'security_groups', rbac: 'security_group' },
  subnetpools: { table: 'net_subnetpool', parent: 'subnetpools', rbac: 'subnetpool' },
};

/** Neutron has no limit; a bound keeps one resource from holding unbounded rows. */
export const MAX_TAGS = 50;
const MAX_TAG_LEN = 255;

export interface TaggedResource {
  readonly type: TagResourceType;
  readonly id: string;
  readonly projectId: string;
  /** The caller sees it only because it is shared with them (not owner, not admin). */
  readonly sharedOnly: boolean;
}

type Db = Kysely<NetworkDb>;

function resourceNotFound(parent: string, id: string): ApiError {
  return new ApiError(404, `Resource ${parent} ${id} could not be found.`, 'TagResourceNotFound');
}

export function tagNotFound(tag: string): ApiError {
  return new ApiError(404, `Tag ${tag} could not be found.`, 'TagNotFound');
}

/** neutron_lib validate_string(tag, 255), raised as InvalidInput. */
export function validateTag(tag: unknown): string {
  if (typeof tag !== 'string') throw invalidInput(`'${String(tag)}' is not a valid string`);
  if (tag.includes('\u0000')) throw invalidInput(`'${tag.slice(0, 64)}' contains a NUL character`);
  if (tag.length > MAX_TAG_LEN) throw invalidInput(`'${tag.slice(0, 64)}…' exceeds maximum length of ${MAX_TAG_LEN}`);
  return tag;
}

/** neutron's validate_tags: {"tags": [unique strings]}. */
export function validateTagsBody(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('tags' in body)) throw invalidInput('Invalid tags body');
  const tags = (body as { tags: unknown }).tags;
  if (!Array.isArray(tags)) throw invalidInput(`'${JSON.stringify(tags)?.slice(0, 64)}' is not a list`);
  if (tags.length > MAX_TAGS) throw invalidInput(`Too many tags (at most ${MAX_TAGS})`);
  const list = tags.map(validateTag);
  const dup = list.find((t, i) => list.indexOf(t) !== i);
  if (dup !== undefined) throw invalidInput(`Duplicate items in the list: '${dup}'`);
  return list;
}

async function grantedTo(db: Db, objectType: string, objectId: string, projectId: string): Promise<boolean> {
  const row = await db.selectFrom('net_rbac_policy').select('id')
    .where('object_type', '=', objectType).where('object_id', '=', objectId)
    .where('target_project', 'in', projectId === '' ? ['*'] : ['*', projectId]).executeTakeFirst();
  return row !== undefined;
}

/** The resource as the caller may see it: 404 TagResourceNotFound when it does not exist for them. */
export async function findTaggedResource(db: Db, caller: Caller, type: TagResourceType, id: string): Promise<TaggedResource> {
  const target = TAG_TARGETS[type];
  if (!isPlausibleId(id)) throw resourceNotFound(target.parent, id);
  // Every taggable table has id and project_id; one representative table types the query.
  const row = await db.selectFrom(target.table as 'net_router').select(['id', 'project_id']).where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw resourceNotFound(target.parent, id);
  if (caller.isAdmin || row.project_id === caller.projectId) return { type, id, projectId: row.project_id, sharedOnly: false };
  let shared = false;
  if (target.rbac !== undefined) shared = await grantedTo(db, target.rbac, id, caller.projectId);
  if (!shared && type === 'subnetpools') {
    shared = (await db.selectFrom('net_subnetpool').select('shared').where('id', '=', id).executeTakeFirst())?.shared === 1;
  }
  if (!shared && target.viaNetwork) {
    const subnet = await db.selectFrom('net_subnet').select('network_id').where('id', '=', id).executeTakeFirst();
    shared = subnet !== undefined && await grantedTo(db, 'network', subnet.network_id, caller.projectId);
  }
  if (!shared) throw resourceNotFound(target.parent, id);
  return { type, id, projectId: row.project_id, sharedOnly: true };
}

export async function listTags(db: Db, res: TaggedResource): Promise<string[]> {
  const rows = await db.selectFrom('net_tag').select('tag').where('resource_type', '=', res.type).where('resource_id', '=', res.id).execute();
  return rows.map((r) => r.tag).sort();
}

async function bump(trx: NetworkTx, res: TaggedResource): Promise<void> {
  await trx.updateTable(TAG_TARGETS[res.type].table as 'net_router')
    .set({ revision_number: sql<number>`revision_number + 1`, updated_at: nowIso() })
    .where('id', '=', res.id).execute();
}

async function currentTags(trx: NetworkTx, res: TaggedResource): Promise<string[]> {
  return (await trx.selectFrom('net_tag').select('tag').where('resource_type', '=', res.type).where('resource_id', '=', res.id).execute()).map((r) => r.tag);
}

/** PUT …/tags: the resource's tags become exactly `tags`. */
export async function replaceTags(db: Db, res: TaggedResource, tags: readonly string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await currentTags(trx, res);
    await trx.deleteFrom('net_tag').where('resource_type', '=', res.type).where('resource_id', '=', res.id).execute();
    if (tags.length > 0) await trx.insertInto('net_tag').values(tags.map((tag) => ({ resource_type: res.type, resource_id: res.id, tag }))).execute();
    const same = before.length === tags.length && tags.every((t) => before.includes(t));
    if (!same) await bump(trx, res);
  });
}

/** PUT …/tags/{tag} and POST …/tags: adds what is missing; an existing tag is no change. */
export async function addTags(db: Db, res: TaggedResource, tags: readonly string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await currentTags(trx, res);
    const fresh = tags.filter((t) => !before.includes(t));
    if (fresh.length === 0) return;
    if (before.length + fresh.length > MAX_TAGS) throw invalidInput(`Too many tags (at most ${MAX_TAGS})`);
    await trx.insertInto('net_tag').values(fresh.map((tag) => ({ resource_type: res.type, resource_id: res.id, tag }))).execute();
    await bump(trx, res);
  });
}

/** DELETE …/tags/{tag} (404 when absent) or, with `tag` undefined, DELETE …/tags. */
export async function removeTags(db: Db, res: TaggedResource, tag: string | undefined): Promise<void> {
  await inTransaction(db, async (trx) => {
    let query = trx.deleteFrom('net_tag').where('resource_type', '=', res.type).where('resource_id', '=', res.id);
    if (tag !== undefined) query = query.where('tag', '=', tag);
    const result = await query.executeTakeFirst();
    const removed = Number(result.numDeletedRows);
    if (removed === 0 && tag !== undefined) throw tagNotFound(tag);
    if (removed > 0) await bump(trx, res);
  });
}
