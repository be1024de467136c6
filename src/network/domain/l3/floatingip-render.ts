// Floating IPs as Neutron's API shows them (l3, fip-port-details, expose-port-forwarding-in-fip,
// standard attributes), rendered in batches: the associated ports, port forwardings and tags of
// a whole list come from one query each.
import type { Kysely } from 'kysely';
import type { FloatingIpRow, NetworkDb, PortForwardingRow, PortRow } from '../../db/schema.js';
import { renderStandard } from '../standard-attrs.js';
import { loadTags } from '../tags.js';

const MAX_IN_LIST = 500;

export function fipTarget(row: Pick<FloatingIpRow, 'project_id'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, project_id: row.project_id, tenant_id: row.project_id };
}

function portDetails(port: PortRow | undefined): Record<string, unknown> | null {
  if (port === undefined) return null;
  return {
    name: port.name, network_id: port.network_id, mac_address: port.mac_address, admin_state_up: port.admin_state_up === 1,
    status: port.status, device_id: port.device_id, device_owner: port.device_owner,
  };
}

function forwardingSummary(pf: PortForwardingRow): Record<string, unknown> {
  const single = pf.internal_port === pf.internal_port_end && pf.external_port === pf.external_port_end;
  return single
    ? { protocol: pf.protocol, internal_ip_address: pf.internal_ip_address, internal_port: pf.internal_port, external_port: pf.external_port }
    : { protocol: pf.protocol, internal_ip_address: pf.internal_ip_address, internal_port_range: `${pf.internal_port}:${pf.internal_port_end}`, external_port_range: `${pf.external_port}:${pf.external_port_end}` };
}

export async function renderFloatingIps(db: Kysely<NetworkDb>, rows: readonly FloatingIpRow[]): Promise<Record<string, unknown>[]> {
  const ids = rows.map((r) => r.id);
  const portIds = [...new Set(rows.map((r) => r.fixed_port_id).filter((id): id is string => id !== null))];
  const [ports, pfs, tags] = await Promise.all([
    portIds.length === 0 ? [] : db.selectFrom('net_port').selectAll().where('id', 'in', portIds).execute(),
    ids.length === 0 ? [] : (ids.length > MAX_IN_LIST
      ? db.selectFrom('net_port_forwarding').selectAll().execute()
      : db.selectFrom('net_port_forwarding').selectAll().where('floatingip_id', 'in', ids).execute()),
    loadTags(db, 'floatingips', ids),
  ]);
  const portById = new Map(ports.map((p) => [p.id, p]));
  const pfsByFip = new Map<string, PortForwardingRow[]>();
  for (const pf of pfs) pfsByFip.set(pf.floatingip_id, [...(pfsByFip.get(pf.floatingip_id) ?? []), pf]);
  return rows.map((row) => ({
    id: row.id,
    tenant_id: row.project_id,
    project_id: row.project_id,
    floating_ip_address: row.floating_ip_address,
    floating_network_id: row.floating_network_id,
    router_id: row.router_id,
    port_id: row.fixed_port_id,
    fixed_ip_address: row.fixed_ip_address,
    status: row.status,
    port_details: row.fixed_port_id === null ? null : portDetails(portById.get(row.fixed_port_id)),
    port_forwardings: (pfsByFip.get(row.id) ?? []).map(forwardingSummary),
    ...renderStandard(row),
    tags: tags.get(row.id) ?? [],
  }));
}

export async function renderFloatingIp(db: Kysely<NetworkDb>, row: FloatingIpRow): Promise<Record<string, unknown>> {
  const [fip] = await renderFloatingIps(db, [row]);
  return fip!;
}
