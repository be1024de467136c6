// get_dhcp_state: the networks the DHCP agent of one host serves. Each sync first schedules
// DHCP-enabled networks that no alive DHCP agent serves (least-loaded alive agent), drops the
// networks of this agent that no longer have a DHCP-enabled subnet, then makes sure each served
// network has this host's DHCP port (one address in every DHCP-enabled subnet, bound here).
import { createHash } from 'node:crypto';
import type { NetworkDeps } from '../api/deps.js';
import { ApiError } from '../../core/errors.js';
import type { Kysely } from 'kysely';
import type { AgentRow, NetworkDb, PortRow, SubnetRow } from '../db/schema.js';
import { inTransaction, type NetworkTx } from '../db/transaction.js';
import { isAgentAlive } from '../domain/agents/agents.js';
import {
  agentOnHost, agentsOfType, bindingStore, DHCP_AGENT_TYPE, scheduleResources, unscheduled, type ScheduleEvent,
} from '../domain/agents/scheduling.js';
import { updatePortIps } from '../domain/ipam/allocate.js';
import { isAutoAddressSubnet } from '../domain/ipam/ipam-subnets.js';
import { DEVICE_OWNER_DHCP, ROUTER_INTERFACE_OWNERS } from '../domain/ipam/owners.js';
import { notify } from '../domain/notify.js';
import { loadPortChildren } from '../domain/ports/children.js';
import { createPortInTx, deletePortInTx } from '../domain/ports/internal.js';
import { renderPort } from '../domain/ports/render.js';
import type { DhcpNetwork, DhcpState } from '../agents/common/state.js';
import { notifyPortUpdates, savePortIfChanged, withBinding } from './port-binding.js';
import { boundPort, loadNetworkInfos, loadSubnetInfos } from './state-render.js';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** RFC 4122 name-based (SHA-1) UUID, Python's uuid.uuid5. */
export function uuid5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Neutron's get_dhcp_agent_device_id: dhcp<uuid5(DNS, short host name)>-<network id>. */
export function dhcpDeviceId(networkId: string, host: string): string {
  return `dhcp${uuid5(DNS_NAMESPACE, host.split('.')[0] ?? host)}-${networkId}`;
}

/** Networks with at least one DHCP-enabled subnet. */
async function dhcpNetworkIds(db: Kysely<NetworkDb>): Promise<Set<string>> {
  const rows = await db.selectFrom('net_subnet').select('network_id').distinct().where('enable_dhcp', '=', 1).execute();
  return new Set(rows.map((r) => r.network_id));
}

async function hasDhcpSubnet(trx: NetworkTx, networkId: string): Promise<boolean> {
  const row = await trx.selectFrom('net_subnet').select('id').where('network_id', '=', networkId).where('enable_dhcp', '=', 1).executeTakeFirst();
  return row !== undefined;
}

interface PortChanges { created: PortRow[]; updated: PortRow[]; deleted: PortRow[] }

function noChanges(): PortChanges {
  return { created: [], updated: [], deleted: [] };
}

/** The DHCP port's fixed_ips request: its addresses on DHCP subnets plus one on each subnet it misses. */
async function reconcileDhcpPortIps(trx: NetworkTx, port: PortRow, subnets: readonly SubnetRow[]): Promise<boolean> {
  const ips = await trx.selectFrom('net_ip_allocation').selectAll().where('port_id', '=', port.id).execute();
  const dhcp = new Set(subnets.filter((s) => s.enable_dhcp === 1).map((s) => s.id));
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const missing = [...dhcp].filter((id) => !ips.some((ip) => ip.subnet_id === id));
  const extra = ips.filter((ip) => {
    const s = byId.get(ip.subnet_id);
    return s !== undefined && s.enable_dhcp !== 1 && !isAutoAddressSubnet(s);
  });
  if (missing.length === 0 && extra.length === 0) return false;
  const network = await trx.selectFrom('net_network').selectAll().where('id', '=', port.network_id).executeTakeFirstOrThrow();
  await updatePortIps(trx, {
    network, portId: port.id, mac: port.mac_address, deviceOwner: DEVICE_OWNER_DHCP, isAdmin: true, current: ips,
    requested: [
      ...ips.filter((ip) => dhcp.has(ip.subnet_id)).map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
      ...missing.map((id) => ({ subnet_id: id })),
    ],
  });
  return true;
}

/**
 * Makes `host`'s DHCP port of the network exist, bound here, with an address in every
 * DHCP-enabled subnet. A DHCP port left by the network's previous agent is taken over (its
 * addresses stay, so clients keep their DHCP server); any further ones are deleted.
 */
export async function ensureDhcpPort(deps: NetworkDeps, agent: AgentRow, networkId: string): Promise<{ portId?: string; changes: PortChanges }> {
  const host = agent.host;
  const deviceId = dhcpDeviceId(networkId, host);
  return inTransaction(deps.db, async (trx) => {
    const changes = noChanges();
    // Still ours? (The lock also serialises two overlapping syncs of this agent.)
    if (!(await bindingStore('dhcp').lock(trx, { resourceId: networkId, agentId: agent.id }))) return { changes };
    const network = await trx.selectFrom('net_network').selectAll().where('id', '=', networkId).executeTakeFirst();
    if (network === undefined) return { changes };
    const subnets = await trx.selectFrom('net_subnet').selectAll().where('network_id', '=', networkId).execute();
    const dhcpSubnets = subnets.filter((s) => s.enable_dhcp === 1);
    if (dhcpSubnets.length === 0) return { changes };
    const existing = await trx.selectFrom('net_port').selectAll().where('network_id', '=', networkId)
      .where('device_owner', '=', DEVICE_OWNER_DHCP).orderBy('created_at').orderBy('id').execute();
    const mine = existing.find((p) => p.device_id === deviceId) ?? existing.find((p) => p.binding_host_id === host) ?? existing[0];
    for (const other of existing) {
      if (other === mine) continue;
      const gone = await deletePortInTx(trx, deps, other.id);
      if (gone !== undefined) changes.deleted.push(gone);
    }
    if (mine === undefined) {
      const created = await createPortInTx(trx, deps, {
        projectId: network.project_id, networkId, network, deviceOwner: DEVICE_OWNER_DHCP, deviceId,
        fixedIps: dhcpSubnets.map((s) => ({ subnet_id: s.id })), hostId: host, adminStateUp: true, name: '',
      });
      changes.created.push(created.row);
      return { portId: created.row.id, changes };
    }
    const ipsChanged = await reconcileDhcpPortIps(trx, mine, subnets);
    const saved = await savePortIfChanged(trx, mine, await withBinding(trx, deps, mine, host, { device_id: deviceId }), ipsChanged);
    if (saved !== undefined) changes.updated.push(saved);
    return { portId: mine.id, changes };
  });
}

/**
 * A network that lost its last DHCP-enabled subnet: its DHCP ports go, its binding stays (as in
 * Neutron, an agent keeps a network an admin gave it; it just has nothing to serve).
 */
async function retireDhcpPorts(deps: NetworkDeps, networkId: string): Promise<{ changes: PortChanges }> {
  return inTransaction(deps.db, async (trx) => {
    const changes = noChanges();
    if (await hasDhcpSubnet(trx, networkId)) return { changes };
    const ports = await trx.selectFrom('net_port').select('id').where('network_id', '=', networkId).where('device_owner', '=', DEVICE_OWNER_DHCP).execute();
    for (const p of ports) {
      const gone = await deletePortInTx(trx, deps, p.id);
      if (gone !== undefined) changes.deleted.push(gone);
    }
    return { changes };
  });
}

export async function publish(deps: NetworkDeps, changes: readonly PortChanges[]): Promise<void> {
  const created = changes.flatMap((c) => c.created);
  const children = created.length === 0 || deps.bus === undefined ? new Map() : await loadPortChildren(deps.db, created.map((r) => r.id));
  for (const row of created) {
    const c = children.get(row.id);
    if (c !== undefined) notify(deps, 'port.create.end', { port: renderPort(row, c) });
  }
  await notifyPortUpdates(deps, deps.db, changes.flatMap((c) => c.updated));
  for (const row of changes.flatMap((c) => c.deleted)) notify(deps, 'port.delete.end', { port_id: row.id, network_id: row.network_id });
}

/** Neutron's dhcp-agent-scheduler notifications: dhcp_agent.network.add / .remove. */
export function notifyDhcpScheduling(deps: NetworkDeps, events: readonly ScheduleEvent[]): void {
  for (const e of events) {
    if (e.previousAgentId !== undefined) {
      notify(deps, 'dhcp_agent.network.remove', { agent: { id: e.previousAgentId, network_id: e.resourceId } });
    }
    notify(deps, 'dhcp_agent.network.add', { agent: { id: e.agent.id, host: e.agent.host, network_id: e.resourceId } });
  }
}

/** Schedules every DHCP-enabled network no alive agent serves; the new bindings. */
export async function scheduleDhcpNetworks(deps: NetworkDeps, preferred?: AgentRow): Promise<ScheduleEvent[]> {
  const down = deps.config.network.agentDownTimeSeconds;
  const [wanted, bindings, agents] = await Promise.all([
    dhcpNetworkIds(deps.db), bindingStore('dhcp').all(deps.db), agentsOfType(deps.db, DHCP_AGENT_TYPE),
  ]);
  const todo = unscheduled([...wanted].sort(), bindings, agents, down);
  if (todo.length === 0) return [];
  const events = await scheduleResources(deps.db, 'dhcp', todo, down, preferred?.id, hasDhcpSubnet);
  notifyDhcpScheduling(deps, events);
  return events;
}

export async function getDhcpState(deps: NetworkDeps, host: string): Promise<DhcpState> {
  const db = deps.db;
  const agent = await agentOnHost(db, DHCP_AGENT_TYPE, host);
  if (agent === undefined || !isAgentAlive(agent, deps.config.network.agentDownTimeSeconds)) return { host, networks: [] };
  await scheduleDhcpNetworks(deps, agent);

  const changes: PortChanges[] = [];
  const served: { networkId: string; portId: string }[] = [];
  const withDhcp = await dhcpNetworkIds(db);
  for (const networkId of await bindingStore('dhcp').ofAgent(db, agent.id)) {
    if (!withDhcp.has(networkId)) {
      changes.push((await retireDhcpPorts(deps, networkId)).changes);
      continue;
    }
    try {
      const ensured = await ensureDhcpPort(deps, agent, networkId);
      changes.push(ensured.changes);
      if (ensured.portId !== undefined) served.push({ networkId, portId: ensured.portId });
    } catch (err) {
      // A network whose DHCP port cannot get its addresses (a full subnet) is left out of this
      // sync; the others are still served. Anything but an API-level refusal is a real failure.
      if (!(err instanceof ApiError)) throw err;
    }
  }
  await publish(deps, changes);
  return { host, networks: await renderDhcpNetworks(deps, served) };
}

function hostnameOf(row: PortRow, firstIp: string | undefined): string {
  if (row.dns_name !== '') return row.dns_name;
  return firstIp === undefined ? `host-${row.id.slice(0, 8)}` : `host-${firstIp.replace(/[.:]/g, '-')}`;
}

async function renderDhcpNetworks(deps: NetworkDeps, served: readonly { networkId: string; portId: string }[]): Promise<DhcpNetwork[]> {
  if (served.length === 0) return [];
  const db = deps.db;
  const networkIds = served.map((s) => s.networkId);
  const [networks, subnets, ports] = await Promise.all([
    loadNetworkInfos(db, networkIds),
    loadSubnetInfos(db, { networkIds }),
    db.selectFrom('net_port').selectAll().where('network_id', 'in', networkIds).orderBy('id').execute(),
  ]);
  const children = await loadPortChildren(db, ports.map((p) => p.id), db.selectFrom('net_port').select('id').where('network_id', 'in', networkIds));
  const out: DhcpNetwork[] = [];
  for (const { networkId, portId } of served) {
    const network = networks.get(networkId);
    const own = ports.find((p) => p.id === portId);
    if (network === undefined || own === undefined) continue;
    const netPorts = ports.filter((p) => p.network_id === networkId);
    const netSubnets = subnets.filter((s) => s.network_id === networkId);
    const subnetIds = new Set(netSubnets.map((s) => s.id));
    const routed = netPorts.some((p) => ROUTER_INTERFACE_OWNERS.includes(p.device_owner)
      && (children.get(p.id)?.fixedIps ?? []).some((ip) => subnetIds.has(ip.subnet_id)));
    out.push({
      network,
      subnets: netSubnets,
      dhcp_port: boundPort(own, children.get(own.id)!),
      ports: netPorts.filter((p) => p.id !== portId && (children.get(p.id)?.fixedIps.length ?? 0) > 0).map((p) => {
        const c = children.get(p.id)!;
        return {
          ...boundPort(p, c),
          hostname: hostnameOf(p, c.fixedIps[0]?.ip_address),
          extra_dhcp_opts: c.dhcpOpts.map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: o.ip_version })),
        };
      }),
      isolated: !routed,
    });
  }
  return out;
}
