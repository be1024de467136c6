// A network as Neutron shows it to one caller: `shared` is whether an access_as_shared grant
// reaches the caller (or '*'), provider attributes (or `segments` when there are several) only
// where policy allows, and the ids of its subnets. Child rows come in one query per kind.
import type { Kysely } from 'kysely';
import type { NetworkDeps } from '../../api/deps.js';
import type { NetworkDb, NetworkRow, SegmentRow } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { allowed } from '../policy.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';
import { loadSegmentsByNetwork, networkVisibility, type NetworkVisibility } from './access.js';

export interface NetworkExtras {
  readonly segments: readonly SegmentRow[];
  readonly subnetIds: readonly string[];
  readonly tags: readonly string[];
}

function parseList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function providerView(segments: readonly SegmentRow[]): Record<string, unknown> {
  if (segments.length > 1) {
    return {
      segments: segments.map((s) => ({
        'provider:network_type': s.network_type, 'provider:physical_network': s.physical_network, 'provider:segmentation_id': s.segmentation_id,
      })),
    };
  }
  const s = segments[0];
  return {
    'provider:network_type': s?.network_type ?? null,
    'provider:physical_network': s?.physical_network ?? null,
    'provider:segmentation_id': s?.segmentation_id ?? null,
  };
}

/** The attributes every caller sees, before per-attribute policy. */
export function networkView(row: NetworkRow, extras: NetworkExtras, shared: boolean, defaultZones: readonly string[]): Record<string, unknown> {
  const hints = parseList(row.availability_zone_hints);
  return {
    id: row.id,
    name: row.name,
    tenant_id: row.project_id,
    project_id: row.project_id,
    admin_state_up: row.admin_state_up === 1,
    status: row.status,
    subnets: [...extras.subnetIds],
    shared,
    'router:external': row.is_external === 1,
    mtu: row.mtu,
    port_security_enabled: row.port_security_enabled === 1,
    availability_zone_hints: hints,
    availability_zones: hints.length > 0 ? hints : [...defaultZones],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    dns_domain: row.dns_domain,
    l2_adjacency: true,
    is_default: row.is_default === 1,
    qos_policy_id: null,
    vlan_transparent: row.vlan_transparent === null ? null : row.vlan_transparent === 1,
    ...providerView(extras.segments),
    ...renderStandard(row),
    tags: [...extras.tags],
  };
}

const POLICED = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id', 'segments', 'router:external'];

/**
 * Drops attributes whose `get_network:<attr>` rule the caller fails (provider attributes).
 * Neutron's rules look at the owner and the sharing flags only, so one list memoises the
 * outcome per (owner, shared, external).
 */
export function policed(deps: NetworkDeps, caller: Caller, item: Record<string, unknown>, memo?: Map<string, string[]>): Record<string, unknown> {
  if (caller.isAdmin) return item;
  const key = `${String(item.project_id)}|${String(item.shared)}|${String(item['router:external'])}|${'segments' in item}`;
  let hidden = memo?.get(key);
  if (hidden === undefined) {
    const target = { ...item, tenant_id: item.project_id };
    hidden = POLICED.filter((attr) => attr in item && !allowed(deps, caller, `get_network:${attr}`, target));
    memo?.set(key, hidden);
  }
  for (const attr of hidden) delete item[attr];
  return item;
}

async function subnetIdsByNetwork(db: Kysely<NetworkDb>, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const query = db.selectFrom('net_subnet').select(['id', 'network_id', 'created_at']).orderBy('created_at').orderBy('id');
  const rows = ids.length <= 500 ? await query.where('network_id', 'in', ids).execute() : await query.execute();
  for (const row of rows) {
    const list = out.get(row.network_id);
    if (list === undefined) out.set(row.network_id, [row.id]);
    else list.push(row.id);
  }
  return out;
}

/** Renders networks for the caller: three queries however many networks. */
export async function renderNetworks(deps: NetworkDeps, caller: Caller, rows: readonly NetworkRow[], vis?: NetworkVisibility): Promise<Record<string, unknown>[]> {
  const ids = rows.map((r) => r.id);
  const [segments, subnets, tags, visibility] = await Promise.all([
    loadSegmentsByNetwork(deps.db, ids), subnetIdsByNetwork(deps.db, ids), loadTags(deps.db, 'networks', ids),
    vis === undefined ? networkVisibility(deps.db, caller) : Promise.resolve(vis),
  ]);
  const zones = deps.config.network.defaultAvailabilityZones;
  const memo = new Map<string, string[]>();
  return rows.map((row) => policed(deps, caller, networkView(row, {
    segments: segments.get(row.id) ?? [], subnetIds: subnets.get(row.id) ?? [], tags: tags.get(row.id) ?? [],
  }, visibility.sharedIds.has(row.id), zones), memo));
}
