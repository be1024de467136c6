import type { Migration } from 'kysely';
import { computeApi } from './0001-api.js';
import { serversDraft } from './0002-servers-draft.js';
import { consoleAuthTokens } from './0003-console-auth-tokens.js';
import { migrationsTable } from './0004-migrations.js';

/** Applied in key order; the compute service keeps its own migration table. */
export const computeMigrations: Record<string, Migration> = {
  '0001-api': computeApi,
  '0002-servers-draft': serversDraft,
  '0003-console-auth-tokens': consoleAuthTokens,
  '0004-migrations': migrationsTable,
};
