// ML2: the type manager (segments and segmentation-id allocation per network type) and the
// mechanism manager (pre/post-commit hooks and port binding). OWNER: ml2 helper — this file
// holds the contract other modules code against; bodies are filled in by the ml2 work.
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../../core/config.js';
import type { NetworkDb, PortRow, SegmentRow } from '../db/schema.js';

/** What a network create asks for: provider attributes, a `segments` list, or nothing. */
export interface SegmentRequest {
  readonly network_type?: string;
  readonly physical_network?: string | null;
  readonly segmentation_id?: number | null;
}

export interface PortBinding {
  readonly vifType: string;
  readonly vifDetails: Record<string, unknown>;
}

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
  networkMtu(segments: readonly SegmentRow[]): number;
  /**
   * Binds a port to its binding:host_id: 'unbound' without a host, the mechanism driver's
   * vif_type (linuxbridge: 'bridge') when an alive agent on that host can reach one of the
   * segments, else 'binding_failed'.
   */
  bindPort(db: Kysely<NetworkDb>, port: PortRow, segments: readonly SegmentRow[]): Promise<PortBinding>;
}

/** PLACEHOLDER until the ML2 work lands: one 'local' segment per network, nothing bound. */
export function createMl2(config: NimbusConfig): Ml2 {
  void config;
  return {
    async createSegments(trx, networkId) {
      const now = `${new Date().toISOString().slice(0, 19)}Z`;
      const row: SegmentRow = {
        id: crypto.randomUUID(), network_id: networkId, name: null, network_type: 'local', physical_network: null,
        segmentation_id: null, segment_index: 0, is_dynamic: 0, description: '', created_at: now, updated_at: now, revision_number: 0,
      };
      await trx.insertInto('net_segment').values(row).execute();
      return [row];
    },
    async releaseSegments(trx, networkId) {
      await trx.deleteFrom('net_segment').where('network_id', '=', networkId).execute();
    },
    networkMtu: () => 1500,
    async bindPort(_db, port) {
      return { vifType: port.binding_host_id === '' ? 'unbound' : 'binding_failed', vifDetails: {} };
    },
  };
}
