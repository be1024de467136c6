// Metadata-definition namespaces: a named catalogue of properties, objects and tags that UIs
// offer for resource types (OS::Glance::Image, OS::Nova::Flavor, …). Private namespaces are seen
// by their owner and admins only; protected ones cannot be deleted; writes are admin's (policy).
import { conflict, forbidden, notFound } from '../../../core/errors.js';
import { isUniqueViolation } from '../../../db/errors.js';
import type { MetadefNamespaceRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import type { ImageDomainDeps } from '../deps.js';
import { enforce } from '../image-access.js';

export interface NamespaceInput {
  readonly namespace: string;
  readonly display_name?: string | null;
  readonly description?: string | null;
  readonly visibility?: string;
  readonly protected?: boolean;
  readonly owner?: string | null;
}

export function namespaceNotFound(name: string): never {
  throw notFound(`Metadata definition namespace=${name} was not found.`);
}

export function canSeeNamespace(row: MetadefNamespaceRow, caller: Caller): boolean {
  return caller.isAdmin || row.visibility === 'public' || (row.owner !== null && row.owner === caller.project);
}

/** The namespace, if the caller may see it (404 otherwise), after the named policy check. */
export async function loadNamespace(deps: ImageDomainDeps, caller: Caller, name: string, rule: string): Promise<MetadefNamespaceRow> {
  enforce(deps, caller, rule, { namespace: name, project_id: caller.project });
  const row = name.length > 80 ? undefined
    : await deps.db.selectFrom('metadef_namespace').selectAll().where('namespace', '=', name).executeTakeFirst();
  if (row === undefined || !canSeeNamespace(row, caller)) return namespaceNotFound(name);
  return row;
}

export async function listNamespaces(
  deps: ImageDomainDeps, caller: Caller, filter: { visibility?: string; resourceTypes?: readonly string[] },
): Promise<MetadefNamespaceRow[]> {
  enforce(deps, caller, 'get_metadef_namespaces', { project_id: caller.project });
  let q = deps.db.selectFrom('metadef_namespace').selectAll().orderBy('created_at').orderBy('namespace');
  if (filter.visibility !== undefined) q = q.where('visibility', '=', filter.visibility);
  if (filter.resourceTypes !== undefined && filter.resourceTypes.length > 0) {
    const types = filter.resourceTypes;
    q = q.where((eb) => eb.exists(eb.selectFrom('metadef_namespace_resource_type').select('namespace')
      .whereRef('metadef_namespace_resource_type.namespace', '=', 'metadef_namespace.namespace')
      .where('resource_type', 'in', types)));
  }
  return (await q.execute()).filter((row) => canSeeNamespace(row, caller));
}

const CHILD_TABLES = ['metadef_namespace_resource_type', 'metadef_object', 'metadef_property', 'metadef_tag'] as const;

/** PUT replaces the namespace's fields; a new `namespace` renames it, children included. */
export async function updateNamespace(deps: ImageDomainDeps, caller: Caller, name: string, input: NamespaceInput): Promise<MetadefNamespaceRow> {
  const current = await loadNamespace(deps, caller, name, 'modify_metadef_namespace');
  const next: MetadefNamespaceRow = {
    ...current,
    namespace: input.namespace,
    display_name: input.display_name !== undefined ? input.display_name : current.display_name,
    description: input.description !== undefined ? input.description : current.description,
    visibility: input.visibility ?? current.visibility,
    protected: input.protected === undefined ? current.protected : input.protected ? 1 : 0,
    owner: input.owner !== undefined ? input.owner : current.owner,
    updated_at: new Date().toISOString(),
  };
  try {
    await deps.db.transaction().execute(async (tx) => {
      if (next.namespace === name) {
        await tx.updateTable('metadef_namespace').set(next).where('namespace', '=', name).execute();
        return;
      }
      await tx.insertInto('metadef_namespace').values(next).execute();
      for (const table of CHILD_TABLES) await tx.updateTable(table).set({ namespace: next.namespace }).where('namespace', '=', name).execute();
      await tx.deleteFrom('metadef_namespace').where('namespace', '=', name).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Namespace ${input.namespace} already exists`);
    throw err;
  }
  return next;
}

export async function deleteNamespace(deps: ImageDomainDeps, caller: Caller, name: string): Promise<void> {
  const row = await loadNamespace(deps, caller, name, 'delete_metadef_namespace');
  if (Number(row.protected) === 1) throw forbidden(`Namespace ${name} is protected and cannot be deleted.`);
  await deps.db.deleteFrom('metadef_namespace').where('namespace', '=', name).where('protected', '=', 0).execute();
}
