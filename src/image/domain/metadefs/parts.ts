// The named things inside a namespace — objects, property definitions and tags — share one life
// cycle: list, create (unique name per namespace), show, replace (possibly renaming), delete one,
// delete all. Each kind keeps its own columns; `data` carries them as plain JSON values.
import { conflict, notFound } from '../../../core/errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../../db/errors.js';
import type { Caller } from '../caller.js';
import type { ImageDomainDeps } from '../deps.js';
import { loadNamespace, namespaceNotFound } from './namespaces.js';

export type PartKind = 'object' | 'property' | 'tag';

export interface Part {
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
}

const TABLE = { object: 'metadef_object', property: 'metadef_property', tag: 'metadef_tag' } as const;
const RULES = {
  object: { list: 'get_metadef_objects', get: 'get_metadef_object', add: 'add_metadef_object', modify: 'modify_metadef_object', delete: 'delete_metadef_object' },
  property: { list: 'get_metadef_properties', get: 'get_metadef_property', add: 'add_metadef_property', modify: 'modify_metadef_property', delete: 'remove_metadef_property' },
  tag: { list: 'get_metadef_tags', get: 'get_metadef_tag', add: 'add_metadef_tag', modify: 'modify_metadef_tag', delete: 'delete_metadef_tag' },
} as const;

export function toColumns(kind: PartKind, data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (kind === 'object') {
    return { description: (data.description as string | undefined) ?? null, required: JSON.stringify(data.required ?? []), properties: JSON.stringify(data.properties ?? {}) };
  }
  if (kind === 'property') return { body: JSON.stringify(data) };
  return {};
}

function fromRow(kind: PartKind, row: Record<string, unknown>): Part {
  let data: Record<string, unknown> = {};
  if (kind === 'object') {
    data = { description: row.description ?? undefined, required: JSON.parse(row.required as string), properties: JSON.parse(row.properties as string) };
  } else if (kind === 'property') {
    data = JSON.parse(row.body as string) as Record<string, unknown>;
  }
  return { name: row.name as string, data, created_at: row.created_at as string, updated_at: row.updated_at as string };
}

function partNotFound(kind: PartKind, namespace: string, name: string): never {
  throw notFound(`The metadata definition ${kind} with name=${name} was not found in namespace=${namespace}.`);
}

function duplicate(kind: PartKind, namespace: string, name: string): never {
  throw conflict(`A metadata definition ${kind} with name=${name} already exists in namespace=${namespace}.`);
}

export async function listParts(deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string): Promise<Part[]> {
  await loadNamespace(deps, caller, namespace, RULES[kind].list);
  const rows = await deps.db.selectFrom(TABLE[kind]).selectAll().where('namespace', '=', namespace).orderBy('created_at').orderBy('name').execute();
  return rows.map((r) => fromRow(kind, r as unknown as Record<string, unknown>));
}

export async function getPart(deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string, name: string): Promise<Part> {
  await loadNamespace(deps, caller, namespace, RULES[kind].get);
  const row = name.length > 255 ? undefined
    : await deps.db.selectFrom(TABLE[kind]).selectAll().where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
  if (row === undefined) return partNotFound(kind, namespace, name);
  return fromRow(kind, row as unknown as Record<string, unknown>);
}

export async function createParts(
  deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string, parts: readonly { name: string; data: Record<string, unknown> }[],
  options: { replaceAll?: boolean } = {},
): Promise<Part[]> {
  await loadNamespace(deps, caller, namespace, RULES[kind].add);
  const now = new Date().toISOString();
  const seen = new Set<string>();
  for (const p of parts) {
    if (seen.has(p.name)) duplicate(kind, namespace, p.name);
    seen.add(p.name);
  }
  const rows = parts.map((p) => ({ namespace, name: p.name, ...toColumns(kind, p.data), created_at: now, updated_at: now }));
  try {
    await deps.db.transaction().execute(async (tx) => {
      if (options.replaceAll) await tx.deleteFrom(TABLE[kind]).where('namespace', '=', namespace).execute();
      for (const row of rows) await tx.insertInto(TABLE[kind]).values(row as never).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) duplicate(kind, namespace, parts.map((p) => p.name).join(', '));
    if (isForeignKeyViolation(err)) namespaceNotFound(namespace);
    throw err;
  }
  return parts.map((p) => ({ name: p.name, data: p.data, created_at: now, updated_at: now }));
}

export async function updatePart(
  deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string, name: string, next: { name: string; data: Record<string, unknown> },
): Promise<Part> {
  await loadNamespace(deps, caller, namespace, RULES[kind].modify);
  const current = await getPart(deps, caller, kind, namespace, name);
  const updated_at = new Date().toISOString();
  try {
    await deps.db.updateTable(TABLE[kind]).set({ name: next.name, ...toColumns(kind, next.data), updated_at } as never)
      .where('namespace', '=', namespace).where('name', '=', name).execute();
  } catch (err) {
    if (isUniqueViolation(err)) duplicate(kind, namespace, next.name);
    throw err;
  }
  return { name: next.name, data: next.data, created_at: current.created_at, updated_at };
}

export async function deletePart(deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string, name: string): Promise<void> {
  await loadNamespace(deps, caller, namespace, RULES[kind].delete);
  const result = await deps.db.deleteFrom(TABLE[kind]).where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) partNotFound(kind, namespace, name);
}

export async function deleteAllParts(deps: ImageDomainDeps, caller: Caller, kind: PartKind, namespace: string): Promise<void> {
  await loadNamespace(deps, caller, namespace, kind === 'tag' ? 'delete_metadef_tags' : 'modify_metadef_namespace');
  await deps.db.deleteFrom(TABLE[kind]).where('namespace', '=', namespace).execute();
}
