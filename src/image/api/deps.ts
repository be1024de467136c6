// Everything image route handlers need, built once by the service bootstrap.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Enforcer } from '../../core/policy/index.js';
import type { Bus } from '../../bus/index.js';
import type { ImageDb } from '../db/schema.js';
import type { ImageDataStore } from '../store/image-data-store.js';

export interface ImageDeps {
  readonly config: NimbusConfig;
  readonly db: Kysely<ImageDb>;
  readonly store: ImageDataStore;
  readonly policy: Enforcer;
  readonly bus: Bus | undefined;
}
