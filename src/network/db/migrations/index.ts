import type { Migration } from 'kysely';
import { network } from './0001-network.js';

/** Applied in key order; the network service keeps its own migration table. */
export const networkMigrations: Record<string, Migration> = {
  '0001-network': network,
};
