// What each ML2 type driver does (neutron_lib.plugins.ml2.api.TypeDriver): validate a provider
// segment an admin asks for, reserve it (or the rest of it: a partial one gets an id from the
// pool), allocate a tenant segment from its configured ranges, and report its MTU.
import type { Kysely } from 'kysely';
import type { NetworkDb, SegmentRow } from '../db/schema.js';
import { ApiError } from '../../core/errors.js';

/** A segment after validation: every field present, null where the type has none. */
export interface SegmentSpec {
  readonly network_type: string;
  readonly physical_network: string | null;
  readonly segmentation_id: number | null;
}

/**
 * The net_segment_allocation row that guards a segment: (type, physnet or '', id). Flat
 * networks claim id 0 on their physnet so a physnet carries one flat network; local claims none.
 */
export interface Claim {
  readonly physical_network: string;
  readonly segmentation_id: number;
}

export interface Reservation {
  readonly segment: SegmentSpec;
  readonly claim: Claim | undefined;
}

export type Db = Kysely<NetworkDb>;

export interface TypeDriver {
  readonly type: string;
  /** Throws 400 InvalidInput with Neutron's message when the request is not acceptable. */
  validateProvider(request: SegmentSpec): void;
  /** Reserves a validated provider segment: 409 when its id/physnet is taken. */
  reserveProvider(trx: Db, request: SegmentSpec): Promise<Reservation>;
  /** A tenant segment from the configured ranges, or undefined when none is free. */
  allocateTenant(trx: Db): Promise<Reservation | undefined>;
  /** The MTU of a network over this segment. */
  mtu(segment: Pick<SegmentRow, 'physical_network'>): number;
}

/** neutron_lib NoNetworkAvailable (ResourceExhausted → ServiceUnavailable). */
export function noNetworkAvailable(): ApiError {
  return new ApiError(503, 'Unable to create the network. No tenant network is available for allocation.', 'NoNetworkAvailable');
}

/** "<key> prohibited for <type> provider network" for attributes a type does not take. */
export function prohibitedKeys(request: SegmentSpec, allowed: readonly (keyof SegmentSpec)[], label: string): string | undefined {
  for (const key of ['physical_network', 'segmentation_id'] as const) {
    const value = request[key];
    // Python truthiness: 0 and '' count as not given.
    if (value !== null && value !== 0 && value !== '' && !allowed.includes(key)) return `${key} prohibited for ${label} provider network`;
  }
  return undefined;
}
