// Resource types and their associations with namespaces (which properties apply to images,
// flavors, volumes, … and under which key prefix).
import { conflict, notFound } from '../../../core/errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../../db/errors.js';
import type { MetadefNamespaceResourceTypeRow, MetadefResourceTypeRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import type { ImageDomainDeps } from '../deps.js';
import { enforce } from '../image-access.js';
import { loadNamespace, namespaceNotFound } from './namespaces.js';

export interface AssociationInput { readonly name: string; readonly prefix?: string | null; readonly properties_target?: string | null }

export async function listResourceTypes(deps: ImageDomainDeps, caller: Caller): Promise<MetadefResourceTypeRow[]> {
  enforce(deps, caller, 'list_metadef_resource_types', { project_id: caller.project });
  return deps.db.selectFrom('metadef_resource_type').selectAll().orderBy('name').execute();
}

export async function listAssociations(deps: ImageDomainDeps, caller: Caller, namespace: string): Promise<MetadefNamespaceResourceTypeRow[]> {
  await loadNamespace(deps, caller, namespace, 'get_metadef_resource_type');
  return deps.db.selectFrom('metadef_namespace_resource_type').selectAll().where('namespace', '=', namespace).orderBy('resource_type').execute();
}

/** Associating an unknown resource type registers it, as Glance does. */
export async function associate(
  deps: ImageDomainDeps, caller: Caller, namespace: string, input: AssociationInput,
): Promise<MetadefNamespaceResourceTypeRow> {
  await loadNamespace(deps, caller, namespace, 'add_metadef_resource_type_association');
  const now = new Date().toISOString();
  const row: MetadefNamespaceResourceTypeRow = {
    namespace, resource_type: input.name, prefix: input.prefix ?? null, properties_target: input.properties_target ?? null,
    created_at: now, updated_at: now,
  };
  try {
    await deps.db.transaction().execute(async (tx) => {
      const known = await tx.selectFrom('metadef_resource_type').select('name').where('name', '=', input.name).executeTakeFirst();
      if (!known) await tx.insertInto('metadef_resource_type').values({ name: input.name, protected: 0, created_at: now, updated_at: now }).execute();
      await tx.insertInto('metadef_namespace_resource_type').values(row).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Resource type association ${input.name} already exists for namespace ${namespace}`);
    if (isForeignKeyViolation(err)) namespaceNotFound(namespace);
    throw err;
  }
  return row;
}

export async function dissociate(deps: ImageDomainDeps, caller: Caller, namespace: string, resourceType: string): Promise<void> {
  await loadNamespace(deps, caller, namespace, 'remove_metadef_resource_type_association');
  const result = await deps.db.deleteFrom('metadef_namespace_resource_type')
    .where('namespace', '=', namespace).where('resource_type', '=', resourceType).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) {
    throw notFound(`The metadata definition resource-type association of resource-type=${resourceType} to namespace=${namespace}, was not found.`);
  }
}
