// Tags on standard-attribute resources, loaded in one query per list.
import type { Kysely } from 'kysely';
import type { NetworkDb } from '../db/schema.js';

/**
 * net_tag.resource_type: the URL collection of the tagged resource (Neutron's standard-attr
 * resources that support tags). api/tag-routes.ts writes these; renderers read them.
 */
export type TagResourceType = 'networks' | 'subnets' | 'ports' | 'routers' | 'floatingips' | 'security-groups' | 'subnetpools';

/** Tags of many resources of one type, one query. */
export async function loadTags(db: Kysely<NetworkDb>, resourceType: TagResourceType, ids: readonly string[]): Promise<Map<string, string[]>> {
  const byId = new Map<string, string[]>();
  if (ids.length === 0) return byId;
  const rows = ids.length <= 500
    ? await db.selectFrom('net_tag').select(['resource_id', 'tag']).where('resource_type', '=', resourceType).where('resource_id', 'in', ids).execute()
    : await db.selectFrom('net_tag').select(['resource_id', 'tag']).where('resource_type', '=', resourceType).execute();
  for (const row of rows) {
    const list = byId.get(row.resource_id);
    if (list === undefined) byId.set(row.resource_id, [row.tag]);
    else list.push(row.tag);
  }
  for (const list of byId.values()) list.sort();
  return byId;
}

export async function deleteTags(db: Kysely<NetworkDb>, resourceType: TagResourceType, id: string): Promise<void> {
  await db.deleteFrom('net_tag').where('resource_type', '=', resourceType).where('resource_id', '=', id).execute();
}
