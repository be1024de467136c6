// ML2: the type manager (segments and segmentation-id allocation per network type) and the
// mechanism manager (pre/post-commit hooks and port binding), behind one contract the network,
// segment and port modules use.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { NetworkDb, PortRow, SegmentRow } from '../db/schema.js';
import { linuxbridgeDriver } from './linuxbridge.js';
import { MechanismManager, type MechanismDriver, type Ml2Change, type PortBinding } from './mechanism.js';
import { buildTypeDrivers, TypeManager, type NewSegmentOptions, type SegmentRequest } from './type-manager.js';
import type { SegmentSpec } from './type-driver.js';

export type { SegmentRequest, NewSegmentOptions } from './type-manager.js';
export type { PortBinding, Ml2Change, MechanismDriver } from './mechanism.js';

export interface Ml2 {
  /**
   * Creates the network's segments inside the caller's transaction: the requested ones
   * (validated; admins only — the API checks policy) or one tenant segment allocated from the
   * configured ranges in tenantNetworkTypes order. 409/400 with Neutron's messages on failure.
   */
  createSegments(trx: Kysely<NetworkDb>, networkId: string, requested: readonly SegmentRequest[] | undefined): Promise<SegmentRow[]>;
  /** Releases the segmentation ids and deletes the segments of a network being deleted. */
  releaseSegments(trx: Kysely<NetworkDb>, networkId: string): Promise<void>;
  /** The MTU a network over these segments gets. */
  networkMtu(segments: readonly Pick<SegmentRow, 'network_type' | 'physical_network'>[]): number;
  /**
   * Binds a port to its binding:host_id: 'unbound' without a host, the mechanism driver's
   * vif_type (linuxbridge: 'bridge') when an alive agent on that host can reach one of the
   * segments, else 'binding_failed'.
   */
  bindPort(db: Kysely<NetworkDb>, port: PortRow, segments: readonly SegmentRow[]): Promise<PortBinding>;
  /** Validates a provider segment request without reserving it (400 InvalidInput). */
  validateSegment(request: SegmentRequest): SegmentSpec;
  /** Adds one segment to an existing network (segments API), reserving its id. */
  addSegment(trx: Kysely<NetworkDb>, networkId: string, request: SegmentRequest, options: NewSegmentOptions): Promise<SegmentRow>;
  /** Releases one segment's id and deletes it. */
  releaseSegment(trx: Kysely<NetworkDb>, segmentId: string): Promise<void>;
  /** Mechanism drivers' precommit hooks, inside the change's transaction (may throw to veto). */
  precommit(trx: Kysely<NetworkDb>, change: Ml2Change): Promise<void>;
  /** Mechanism drivers' postcommit hooks, after commit; never throws. */
  postcommit(change: Ml2Change): Promise<void>;
}

const MECHANISM_DRIVERS: Readonly<Record<string, (config: NimbusConfig) => MechanismDriver>> = {
  linuxbridge: (config) => linuxbridgeDriver(config.network.agentDownTimeSeconds),
};

export function createMl2(config: NimbusConfig): Ml2 {
  const net = config.network;
  const types = new TypeManager(buildTypeDrivers(net), net.tenantNetworkTypes, net.globalPhysnetMtu);
  const mechanisms = new MechanismManager(net.mechanismDrivers.flatMap((name) => {
    const make = MECHANISM_DRIVERS[name];
    return make === undefined ? [] : [make(config)];
  }));
  return {
    createSegments: (trx, networkId, requested) => types.createSegments(trx, networkId, requested),
    releaseSegments: (trx, networkId) => types.releaseSegments(trx, networkId),
    networkMtu: (segments) => types.networkMtu(segments),
    bindPort: (db, port, segments) => mechanisms.bindPort(db, port, segments),
    validateSegment: (request) => types.validate(request),
    addSegment: (trx, networkId, request, options) => types.addSegment(trx, networkId, request, options),
    releaseSegment: (trx, segmentId) => types.releaseSegment(trx, segmentId),
    precommit: (trx, change) => mechanisms.precommit(trx, change),
    postcommit: (change) => mechanisms.postcommit(change),
  };
}
