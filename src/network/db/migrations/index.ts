import type { Migration } from 'kysely';
import { network } from './0001-network.js';
import { agentBindings } from './0002-agent-bindings.js';

/** Applied in key order; the network service keeps its own migration table. */
export const networkMigrations: Record<string, Migration> = {
  '0001-network': network,
  '0002-agent-bindings': agentBindings,
};
