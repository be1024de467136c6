// Keystone's resource options for domains and projects. The only registered one is `immutable`:
// an immutable resource refuses every update except the one that clears the flag, and deletion.
import type { Kysely } from 'kysely';
import { badRequest, forbidden } from '../../core/errors.js';
import type { Check } from '../../core/validate.js';
import type { IdentityDb } from '../db/schema.js';
import type { ResourceKind } from './tags.js';

/** Option values as sent: null removes the option. */
export type OptionChanges = Readonly<Record<string, boolean | null>>;
export type ResourceOptions = Readonly<Record<string, unknown>>;

const REGISTERED = new Set(['immutable']);

export const isOptionChanges: Check<OptionChanges> = (value, field) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`Invalid input for field '${field}': options must be an object.`);
  }
  for (const [name, v] of Object.entries(value)) {
    if (!REGISTERED.has(name)) throw badRequest(`Invalid input for field '${field}': additional property '${name.slice(0, 40)}' is not allowed.`);
    if (v !== null && typeof v !== 'boolean') throw badRequest(`Invalid input for field '${field}.${name}': must be a boolean or null.`);
  }
  return value as OptionChanges;
};

export async function loadOptions(db: Kysely<IdentityDb>, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const result = new Map<string, Record<string, unknown>>(ids.map((id) => [id, {}]));
  if (ids.length === 0) return result;
  const rows = await db.selectFrom('resource_option').selectAll().where('resource_id', 'in', [...ids]).execute();
  for (const row of rows) {
    const options = result.get(row.resource_id);
    if (options) options[row.option_name] = JSON.parse(row.option_value) as unknown;
  }
  return result;
}

export async function optionsOf(db: Kysely<IdentityDb>, id: string): Promise<Record<string, unknown>> {
  return (await loadOptions(db, [id])).get(id) ?? {};
}

/** Applies option changes; run it inside the caller's transaction. */
export async function saveOptions(tx: Kysely<IdentityDb>, id: string, changes: OptionChanges): Promise<void> {
  for (const [name, value] of Object.entries(changes)) {
    await tx.deleteFrom('resource_option').where('resource_id', '=', id).where('option_name', '=', name).execute();
    if (value !== null) await tx.insertInto('resource_option').values({ resource_id: id, option_name: name, option_value: JSON.stringify(value) }).execute();
  }
}

export async function deleteOptions(tx: Kysely<IdentityDb>, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await tx.deleteFrom('resource_option').where('resource_id', 'in', [...ids]).execute();
}

/**
 * Keystone's check_immutable_update: on an immutable resource the only accepted update is one
 * that carries nothing but `options.immutable` set to false or null.
 */
export function assertMutable(current: ResourceOptions, update: Readonly<Record<string, unknown>>, kind: ResourceKind, id: string): void {
  if (current.immutable !== true) return;
  const isEmptyExtra = (k: string) => k === 'extra' && Object.keys(update.extra as object).length === 0;
  const keys = Object.keys(update).filter((k) => update[k] !== undefined && !isEmptyExtra(k));
  const options = update.options as OptionChanges | undefined;
  const clearing = keys.length === 1 && options !== undefined && 'immutable' in options && options.immutable !== true;
  if (!clearing) {
    throw forbidden(`Unable to update immutable ${kind} resource: \`${id}. Immutable flag must be set to "False" to make this resource mutable.`);
  }
}

export function assertDeletable(current: ResourceOptions, kind: ResourceKind, id: string): void {
  if (current.immutable === true) {
    throw forbidden(`Unable to delete immutable ${kind} resource: \`${id}. Immutable flag must be set to "False" to delete this resource.`);
  }
}
