// A namespace created together with its associations, objects, properties and tags (POST
// /v2/metadefs/namespaces may carry them all): one transaction, so a bad child leaves nothing.
import { conflict } from '../../../core/errors.js';
import { isUniqueViolation } from '../../../db/errors.js';
import type { MetadefNamespaceRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import type { ImageDomainDeps } from '../deps.js';
import { enforce } from '../image-access.js';
import type { NamespaceInput } from './namespaces.js';
import { toColumns } from './parts.js';
import type { AssociationInput } from './resource-types.js';

export interface NamespaceTree extends NamespaceInput {
  readonly resource_type_associations: readonly AssociationInput[];
  readonly objects: readonly { name: string; data: Record<string, unknown> }[];
  readonly properties: readonly { name: string; data: Record<string, unknown> }[];
  readonly tags: readonly string[];
}

export async function createNamespaceTree(deps: ImageDomainDeps, caller: Caller, input: NamespaceTree): Promise<MetadefNamespaceRow> {
  enforce(deps, caller, 'add_metadef_namespace', { namespace: input.namespace, project_id: caller.project });
  const now = new Date().toISOString();
  const stamps = { created_at: now, updated_at: now };
  const namespace = input.namespace;
  const row: MetadefNamespaceRow = {
    namespace, display_name: input.display_name ?? null, description: input.description ?? null,
    visibility: input.visibility ?? 'private', protected: input.protected ? 1 : 0,
    owner: input.owner !== undefined ? input.owner : caller.project, ...stamps,
  };
  try {
    await deps.db.transaction().execute(async (tx) => {
      await tx.insertInto('metadef_namespace').values(row).execute();
      for (const a of input.resource_type_associations) {
        const known = await tx.selectFrom('metadef_resource_type').select('name').where('name', '=', a.name).executeTakeFirst();
        if (!known) await tx.insertInto('metadef_resource_type').values({ name: a.name, protected: 0, ...stamps }).execute();
        await tx.insertInto('metadef_namespace_resource_type').values({
          namespace, resource_type: a.name, prefix: a.prefix ?? null, properties_target: a.properties_target ?? null, ...stamps,
        }).execute();
      }
      for (const o of input.objects) {
        await tx.insertInto('metadef_object').values({ namespace, name: o.name, ...toColumns('object', o.data), ...stamps } as never).execute();
      }
      for (const p of input.properties) {
        await tx.insertInto('metadef_property').values({ namespace, name: p.name, body: JSON.stringify(p.data), ...stamps }).execute();
      }
      for (const name of new Set(input.tags)) await tx.insertInto('metadef_tag').values({ namespace, name, ...stamps }).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Namespace ${namespace} already exists, or holds two definitions with the same name`);
    throw err;
  }
  return row;
}
