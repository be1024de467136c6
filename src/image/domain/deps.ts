// What the image domain needs from the service bootstrap. The API's ImageDeps is a superset, so
// handlers pass theirs straight through.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Enforcer } from '../../core/policy/index.js';
import type { ImageDb } from '../db/schema.js';
import type { ImageDataStore } from '../store/image-data-store.js';

export interface ImageDomainDeps {
  readonly config: NimbusConfig;
  readonly db: Kysely<ImageDb>;
  readonly store: ImageDataStore;
  readonly policy: Enforcer;
}
