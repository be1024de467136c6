// update_port_status and update_floatingip_statuses: agents report what they plugged (Neutron's
// update_device_up/down) and which floating IPs they configured. Only ports bound to the
// reporting host and floating IPs of routers its L3 agent hosts are touched; a changed status
// bumps the revision and sends the usual update notification.
import type { NetworkDeps } from '../api/deps.js';
import type { FloatingIpRow, PortRow } from '../db/schema.js';
import { inTransaction } from '../db/transaction.js';
import { L3_AGENT_TYPE } from '../domain/agents/scheduling.js';
import { renderFloatingIps } from '../domain/l3/floatingip-render.js';
import { notify } from '../domain/notify.js';
import { bumped } from '../domain/standard-attrs.js';
import type { FloatingIpStatus, PortStatus } from './agent-args.js';
import { notifyPortUpdates } from './port-binding.js';

const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

/** Sets `status` on those of `portIds` bound to `host`; returns their ids (changed or already so). */
export async function updatePortStatus(deps: NetworkDeps, host: string, portIds: readonly string[], status: PortStatus): Promise<{ updated: string[] }> {
  if (portIds.length === 0) return { updated: [] };
  const { accepted, changed } = await inTransaction(deps.db, async (trx) => {
    const accepted: string[] = [];
    const changed: PortRow[] = [];
    for (const ids of chunks(portIds)) {
      const rows = await trx.selectFrom('net_port').selectAll().where('id', 'in', ids).where('binding_host_id', '=', host).execute();
      for (const row of rows) {
        accepted.push(row.id);
        if (row.status === status) continue;
        const next: PortRow = { ...row, status, ...bumped(row) };
        // Guarded by the status read: a racing report of the same change updates nothing.
        const res = await trx.updateTable('net_port').set({ status, updated_at: next.updated_at, revision_number: next.revision_number })
          .where('id', '=', row.id).where('revision_number', '=', row.revision_number).executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) changed.push(next);
      }
    }
    return { accepted, changed };
  });
  await notifyPortUpdates(deps, deps.db, changed);
  deps.novaNotifier?.agentReported(changed, status);
  const order = new Map(portIds.map((id, i) => [id, i]));
  return { updated: accepted.sort((a, b) => order.get(a)! - order.get(b)!) };
}

/** Sets the statuses of floating IPs on routers hosted by `host`'s L3 agent; others are ignored. */
export async function updateFloatingIpStatuses(deps: NetworkDeps, host: string, statuses: ReadonlyMap<string, FloatingIpStatus>): Promise<Record<string, never>> {
  if (statuses.size === 0) return {};
  const changed = await inTransaction(deps.db, async (trx) => {
    const out: FloatingIpRow[] = [];
    for (const ids of chunks([...statuses.keys()])) {
      const rows = await trx.selectFrom('net_floating_ip').selectAll('net_floating_ip')
        .innerJoin('net_router_l3_agent', 'net_router_l3_agent.router_id', 'net_floating_ip.router_id')
        .innerJoin('net_agent', 'net_agent.id', 'net_router_l3_agent.agent_id')
        .where('net_agent.agent_type', '=', L3_AGENT_TYPE).where('net_agent.host', '=', host)
        .where('net_floating_ip.id', 'in', ids).execute();
      for (const row of rows) {
        const status = statuses.get(row.id)!;
        if (row.status === status) continue;
        const next: FloatingIpRow = { ...row, status, ...bumped(row) };
        const res = await trx.updateTable('net_floating_ip').set({ status, updated_at: next.updated_at, revision_number: next.revision_number })
          .where('id', '=', row.id).where('revision_number', '=', row.revision_number).executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) out.push(next);
      }
    }
    return out;
  });
  if (changed.length > 0 && deps.bus !== undefined) {
    for (const floatingip of await renderFloatingIps(deps.db, changed)) notify(deps, 'floatingip.update.end', { floatingip });
  }
  return {};
}
