// Everything placement route handlers need, built once by the service bootstrap.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Enforcer } from '../../core/policy/index.js';
import type { PlacementDb } from '../db/schema.js';

export interface PlacementDeps {
  readonly config: NimbusConfig;
  readonly db: Kysely<PlacementDb>;
  readonly policy: Enforcer;
}
