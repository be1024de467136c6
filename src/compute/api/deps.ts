// Everything compute route handlers need, built once by the service bootstrap.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { Enforcer } from '../../core/policy/index.js';
import type { Bus } from '../../bus/index.js';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb } from '../db/schema.js';
import type { ProjectVerifier } from '../domain/projects.js';
import type { VersionRange } from './microversion.js';
import type { ComputeClients } from '../clients.js';

export interface ComputeDeps {
  readonly config: NimbusConfig;
  readonly compute: ComputeConfig;
  readonly db: Kysely<ComputeDb>;
  readonly policy: Enforcer;
  readonly bus: Bus | undefined;
  /** Asks the identity service whether a project exists (Nova's identity.verify_project_id). */
  readonly projects: ProjectVerifier;
  /** The image, network and Placement services (src/compute/clients.ts). */
  readonly clients: ComputeClients;
  /** The microversions served: 2.1 up to compute.maxMicroversion. */
  readonly versions: VersionRange;
}
