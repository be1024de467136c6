import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { resources } from './0002-resources.js';
import { catalogDelegation } from './0004-catalog-delegation.js';
import { securityCompliance } from './0005-security-compliance.js';

/** Applied in key order. */
export const identityMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-resources': resources,
  '0004-catalog-delegation': catalogDelegation,
  '0005-security-compliance': securityCompliance,
};
