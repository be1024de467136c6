// ML2's type manager: turns a network's provider request into segments (validated by the type
// driver of each segment's network_type), allocates a tenant segment when nothing was asked for,
// records the segmentation-id claims and releases them again.
import type { NetworkConfig } from '../../core/config.js';
import { ApiError } from '../../core/errors.js';
import type { SegmentRow } from '../db/schema.js';
import { invalidInput } from '../domain/errors.js';
import { nowIso } from '../domain/standard-attrs.js';
import { insertClaim } from './allocation.js';
import { flatTypeDriver } from './type-flat.js';
import { localTypeDriver } from './type-local.js';
import { TUNNEL_KINDS, tunnelTypeDriver } from './type-tunnel.js';
import { vlanTypeDriver } from './type-vlan.js';
import { noNetworkAvailable, type Db, type Reservation, type SegmentSpec, type TypeDriver } from './type-driver.js';

export interface SegmentRequest {
  readonly network_type?: string;
  readonly physical_network?: string | null;
  readonly segmentation_id?: number | null;
}

export interface NewSegmentOptions {
  readonly name?: string | null;
  readonly description?: string;
  readonly segmentIndex?: number;
}

export function buildTypeDrivers(net: NetworkConfig): Map<string, TypeDriver> {
  const mtu = net.globalPhysnetMtu;
  const all: Record<string, () => TypeDriver> = {
    local: () => localTypeDriver(mtu),
    flat: () => flatTypeDriver(net.flatNetworks, mtu),
    vlan: () => vlanTypeDriver(net.networkVlanRanges, mtu),
    vxlan: () => tunnelTypeDriver(TUNNEL_KINDS.vxlan, net.vniRanges, 'network.vniRanges', mtu),
    geneve: () => tunnelTypeDriver(TUNNEL_KINDS.geneve, net.geneveVniRanges, 'network.geneveVniRanges', mtu),
    // Neutron's tunnel_id_ranges for GRE; Nimbus uses the VXLAN ranges for it.
    gre: () => tunnelTypeDriver(TUNNEL_KINDS.gre, net.vniRanges, 'network.vniRanges', mtu),
  };
  const drivers = new Map<string, TypeDriver>();
  for (const type of net.typeDrivers) {
    const make = all[type];
    if (make !== undefined) drivers.set(type, make());
  }
  return drivers;
}

export class TypeManager {
  constructor(private readonly drivers: Map<string, TypeDriver>, private readonly tenantTypes: readonly string[], private readonly globalMtu: number) {}

  /** ML2 _process_provider_segment + validate_provider_segment. */
  validate(request: SegmentRequest): SegmentSpec {
    const type = request.network_type;
    if (type === undefined || type === null || type === '') throw invalidInput('network_type required');
    const driver = this.drivers.get(type);
    if (driver === undefined) throw invalidInput(`network_type value '${type}' not supported`);
    const spec = { network_type: type, physical_network: request.physical_network ?? null, segmentation_id: request.segmentation_id ?? null };
    driver.validateProvider(spec);
    return spec;
  }

  /** The requested segments (validated, no duplicates) or one tenant segment. */
  async createSegments(trx: Db, networkId: string, requested: readonly SegmentRequest[] | undefined): Promise<SegmentRow[]> {
    if (requested === undefined || requested.length === 0) {
      return [await this.insert(trx, networkId, await this.allocateTenant(trx), { segmentIndex: 0 })];
    }
    const specs = requested.map((r) => this.validate(r));
    const keys = specs.map((s) => `${s.network_type}|${s.physical_network ?? ''}|${s.segmentation_id ?? ''}`);
    // Partial segments (no id yet) may repeat: each gets its own id.
    const full = keys.filter((_k, i) => specs[i]!.segmentation_id !== null || specs[i]!.network_type === 'flat');
    if (new Set(full).size !== full.length) throw new ApiError(400, 'Duplicate segment entry in request.', 'SegmentsContainDuplicateEntry');
    const rows: SegmentRow[] = [];
    for (const [index, spec] of specs.entries()) {
      rows.push(await this.insert(trx, networkId, await this.driver(spec.network_type).reserveProvider(trx, spec), { segmentIndex: index }));
    }
    return rows;
  }

  /** One more segment on an existing network (the segments API). */
  async addSegment(trx: Db, networkId: string, request: SegmentRequest, options: NewSegmentOptions): Promise<SegmentRow> {
    const spec = this.validate(request);
    return this.insert(trx, networkId, await this.driver(spec.network_type).reserveProvider(trx, spec), options);
  }

  async releaseSegments(trx: Db, networkId: string): Promise<void> {
    const ids = (await trx.selectFrom('net_segment').select('id').where('network_id', '=', networkId).execute()).map((r) => r.id);
    if (ids.length === 0) return;
    await trx.deleteFrom('net_segment_allocation').where('segment_id', 'in', ids).execute();
    await trx.deleteFrom('net_segment').where('network_id', '=', networkId).execute();
  }

  async releaseSegment(trx: Db, segmentId: string): Promise<void> {
    await trx.deleteFrom('net_segment_allocation').where('segment_id', '=', segmentId).execute();
    await trx.deleteFrom('net_segment').where('id', '=', segmentId).execute();
  }

  /** ML2 _get_network_mtu: the smallest MTU any segment allows. */
  networkMtu(segments: readonly Pick<SegmentRow, 'network_type' | 'physical_network'>[]): number {
    const mtus = segments.map((s) => this.drivers.get(s.network_type)?.mtu(s) ?? this.globalMtu).filter((m) => m > 0);
    return mtus.length === 0 ? this.globalMtu : Math.min(...mtus);
  }

  private driver(type: string): TypeDriver {
    const driver = this.drivers.get(type);
    if (driver === undefined) throw invalidInput(`network_type value '${type}' not supported`);
    return driver;
  }

  private async allocateTenant(trx: Db): Promise<Reservation> {
    for (const type of this.tenantTypes) {
      const got = await this.drivers.get(type)?.allocateTenant(trx);
      if (got !== undefined) return got;
    }
    throw noNetworkAvailable();
  }

  private async insert(trx: Db, networkId: string, reservation: Reservation, options: NewSegmentOptions): Promise<SegmentRow> {
    const now = nowIso();
    let index = options.segmentIndex;
    if (index === undefined) {
      const last = await trx.selectFrom('net_segment').select('segment_index').where('network_id', '=', networkId)
        .orderBy('segment_index', 'desc').limit(1).executeTakeFirst();
      index = last === undefined ? 0 : last.segment_index + 1;
    }
    const row: SegmentRow = {
      id: crypto.randomUUID(), network_id: networkId, name: options.name ?? null, ...reservation.segment,
      segment_index: index, is_dynamic: 0, description: options.description ?? '', created_at: now, updated_at: now, revision_number: 0,
    };
    await trx.insertInto('net_segment').values(row).execute();
    if (reservation.claim !== undefined) await insertClaim(trx, row.network_type, reservation.claim, row.id);
    return row;
  }
}
