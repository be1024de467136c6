// Neutron's standard attributes: timestamps, revision numbers and the If-Match constraint.
import { ApiError } from '../../core/errors.js';
import { badAttribute } from './errors.js';
import type { StandardColumns } from '../db/schema.js';

/** Neutron's timestamp format: seconds precision, UTC, a trailing Z. */
export function nowIso(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

/** Columns for a new row. */
export function newStandard(description: unknown): StandardColumns {
  const now = nowIso();
  return { description: typeof description === 'string' ? description : '', created_at: now, updated_at: now, revision_number: 0 };
}

/** Columns to set when a row changes: a fresh updated_at and the next revision. */
export function bumped(row: Pick<StandardColumns, 'revision_number'>): Pick<StandardColumns, 'updated_at' | 'revision_number'> {
  return { updated_at: nowIso(), revision_number: row.revision_number + 1 };
}

export function renderStandard(row: StandardColumns): Record<string, unknown> {
  return { description: row.description, created_at: row.created_at, updated_at: row.updated_at, revision_number: row.revision_number };
}

/**
 * The revision an `If-Match: revision_number=N` header demands, or undefined without one.
 * Other If-Match forms (ETags) are not something Neutron supports: 400.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  let expected: number | undefined;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^revision_number=(-?\d{1,15})$/.exec(part);
    if (match === null) throw badAttribute(`If-Match header must be of the form 'revision_number=<number>', got '${part}'`);
    expected = Number(match[1]);
  }
  return expected;
}

/** 412 when the row moved on since the client read it. */
export function checkRevision(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) {
    throw new ApiError(412, `Constrained to ${expected}, but current revision is ${current}`, 'RevisionNumberConstraintFailed');
  }
}
