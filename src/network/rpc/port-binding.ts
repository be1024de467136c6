// Port writes the agent RPC makes: binding a system port (DHCP, router) to the host whose agent
// serves it, and status changes. Binding goes through ML2 exactly as a port update with a new
// binding:host_id does (domain/ports/update.ts): the mechanism drivers decide vif_type, the
// revision is bumped, and a port.update.end notification follows the commit.
import type { Kysely } from 'kysely';
import type { NetworkDeps } from '../api/deps.js';
import type { NetworkDb, PortRow } from '../db/schema.js';
import type { NetworkTx } from '../db/transaction.js';
import { loadSegments } from '../domain/networks/access.js';
import { notify } from '../domain/notify.js';
import { loadPortChildren } from '../domain/ports/children.js';
import { renderPort } from '../domain/ports/render.js';
import { bumped } from '../domain/standard-attrs.js';

const UNBOUND_VIF_TYPES = ['unbound', 'binding_failed'];

/** Bound elsewhere, or never successfully bound: binding again may change it. */
export function needsBinding(row: PortRow, host: string): boolean {
  return row.binding_host_id !== host || UNBOUND_VIF_TYPES.includes(row.binding_vif_type);
}

/**
 * `row` bound to `host` (plus `changes`), as ML2 binds it; nothing is written. A port whose
 * binding on that host failed before is tried again (Neutron's get_bound_port_context); a port
 * that moves from another host is DOWN until the new host's agent reports it.
 */
export async function withBinding(trx: NetworkTx, deps: NetworkDeps, row: PortRow, host: string, changes: Partial<PortRow> = {}): Promise<PortRow> {
  const merged: PortRow = { ...row, ...changes, binding_host_id: host };
  if (!needsBinding(row, host)) return merged;
  // Moving to another host: down until that host's agent reports it plugged.
  if (row.binding_host_id !== host && row.status === 'ACTIVE') merged.status = 'DOWN';
  const binding = await deps.ml2.bindPort(trx, merged, await loadSegments(trx, row.network_id));
  merged.binding_vif_type = binding.vifType;
  merged.binding_vif_details = JSON.stringify(binding.vifDetails);
  return merged;
}

const COMPARED: readonly (keyof PortRow)[] = [
  'binding_host_id', 'binding_vif_type', 'binding_vif_details', 'device_id', 'status', 'admin_state_up',
];

/**
 * Writes `next` when it differs from `current` (or `force`, e.g. its fixed IPs changed), with a
 * fresh updated_at and the next revision; the written row, or undefined when nothing changed.
 */
export async function savePortIfChanged(trx: NetworkTx, current: PortRow, next: PortRow, force = false): Promise<PortRow | undefined> {
  if (!force && COMPARED.every((k) => current[k] === next[k])) return undefined;
  const saved: PortRow = { ...next, ...bumped(current) };
  const { id, ...columns } = saved;
  await trx.updateTable('net_port').set(columns).where('id', '=', id).execute();
  return saved;
}

/** port.update.end for each changed port, rendered after the commit with its children. */
export async function notifyPortUpdates(deps: NetworkDeps, db: Kysely<NetworkDb>, rows: readonly PortRow[]): Promise<void> {
  if (rows.length === 0 || deps.bus === undefined) return;
  const children = await loadPortChildren(db, rows.map((r) => r.id));
  for (const row of rows) {
    const c = children.get(row.id);
    if (c !== undefined) notify(deps, 'port.update.end', { port: renderPort(row, c) });
  }
}
