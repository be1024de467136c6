import type { Migration } from 'kysely';

/** Applied in key order; the image service keeps its own migration table. */
export const imageMigrations: Record<string, Migration> = {};
