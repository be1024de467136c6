// Everything network route handlers need, built once by the service bootstrap.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Enforcer } from '../../core/policy/index.js';
import type { Bus } from '../../bus/index.js';
import type { NetworkDb } from '../db/schema.js';
import type { Ml2 } from '../ml2/ml2.js';
import type { NovaNotifier } from '../nova-notifier.js';

export interface NetworkDeps {
  readonly config: NimbusConfig;
  readonly db: Kysely<NetworkDb>;
  readonly policy: Enforcer;
  readonly bus: Bus | undefined;
  /** Type drivers (segment allocation) and mechanism drivers (port binding). */
  readonly ml2: Ml2;
  /** Port events for the compute service (network/nova-notifier.ts); none when switched off. */
  readonly novaNotifier?: NovaNotifier | undefined;
}
