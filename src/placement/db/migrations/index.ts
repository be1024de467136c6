import type { Migration } from 'kysely';
import { placement } from './0001-placement.js';

/** Applied in key order; the placement service keeps its own migration table. */
export const placementMigrations: Record<string, Migration> = {
  '0001-placement': placement,
};
