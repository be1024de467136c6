// ML2's mechanism manager: every configured mechanism driver sees each network/subnet/port
// change inside the transaction (precommit: may veto by throwing) and after it (postcommit:
// must not fail the request), and the drivers are asked in order to bind a port.
import type { Kysely } from 'kysely';
import type { NetworkDb, PortRow, SegmentRow } from '../db/schema.js';

export type Ml2Resource = 'network' | 'subnet' | 'port';
export type Ml2Event = 'create' | 'update' | 'delete';

export interface Ml2Change {
  readonly resource: Ml2Resource;
  readonly event: Ml2Event;
  /** The resource as rendered after the change (before it, for delete). */
  readonly current: Readonly<Record<string, unknown>>;
  readonly original?: Readonly<Record<string, unknown>>;
}

export interface PortBinding {
  readonly vifType: string;
  readonly vifDetails: Record<string, unknown>;
  /** The segment the port was bound to, when bound. */
  readonly segmentId?: string;
}

export interface MechanismDriver {
  readonly name: string;
  precommit?(trx: Kysely<NetworkDb>, change: Ml2Change): Promise<void>;
  postcommit?(change: Ml2Change): Promise<void>;
  /** A binding, or undefined when this driver cannot bind the port on its host. */
  bindPort?(db: Kysely<NetworkDb>, port: PortRow, segments: readonly SegmentRow[]): Promise<PortBinding | undefined>;
}

export const UNBOUND: PortBinding = { vifType: 'unbound', vifDetails: {} };
export const BINDING_FAILED: PortBinding = { vifType: 'binding_failed', vifDetails: {} };

export class MechanismManager {
  constructor(private readonly drivers: readonly MechanismDriver[]) {}

  async precommit(trx: Kysely<NetworkDb>, change: Ml2Change): Promise<void> {
    for (const driver of this.drivers) await driver.precommit?.(trx, change);
  }

  /** Errors are swallowed: the change is committed and must stand (Neutron logs them). */
  async postcommit(change: Ml2Change): Promise<void> {
    for (const driver of this.drivers) await driver.postcommit?.(change).catch(() => undefined);
  }

  async bindPort(db: Kysely<NetworkDb>, port: PortRow, segments: readonly SegmentRow[]): Promise<PortBinding> {
    if (port.binding_host_id === '') return UNBOUND;
    for (const driver of this.drivers) {
      const binding = await driver.bindPort?.(db, port, segments);
      if (binding !== undefined) return binding;
    }
    return BINDING_FAILED;
  }
}
