// What domains and projects share when written: the same common columns, and the row, its tags
// and its options stored in one transaction, with a name clash turned into that kind's 409.
import type { Kysely } from 'kysely';
import type { ApiError } from '../../core/errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { IdentityDb } from '../db/schema.js';
import { saveOptions, type OptionChanges } from './resource-options.js';
import { replaceTags, type ResourceKind } from './tags.js';

export interface CommonResourceInput {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  tags?: string[];
  options?: OptionChanges;
  extra?: Record<string, unknown>;
}

export interface CommonColumns { name?: string; description?: string; enabled?: number; extra?: string }

/** The column changes an update asks for; extra attributes merge into the stored ones. */
export function commonChanges(currentExtra: string, input: CommonResourceInput): CommonColumns {
  const changes: CommonColumns = {};
  if (input.name !== undefined) changes.name = input.name.trim();
  if (input.description !== undefined) changes.description = input.description ?? '';
  if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
  if (input.extra !== undefined && Object.keys(input.extra).length > 0) {
    changes.extra = JSON.stringify({ ...JSON.parse(currentExtra), ...input.extra });
  }
  return changes;
}

export async function writeResource(
  db: Kysely<IdentityDb>, kind: ResourceKind, id: string, input: CommonResourceInput,
  writeRow: (tx: Kysely<IdentityDb>) => Promise<unknown>, duplicate: () => ApiError,
): Promise<void> {
  try {
    await db.transaction().execute(async (tx) => {
      await writeRow(tx);
      if (input.tags !== undefined) await replaceTags(tx, kind, id, input.tags);
      if (input.options !== undefined) await saveOptions(tx, id, input.options);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate();
    throw err;
  }
}
