// get_l3_state: the routers the L3 agent of one host hosts. Each sync first schedules routers
// with a gateway or an interface that no alive L3 agent hosts (least-loaded alive agent), then
// binds the gateway and interface ports of this agent's routers to its host, so that the host's
// L2 agent plugs their tap devices, and returns each router's addresses, routes and floating IPs.
import type { NetworkDeps } from '../api/deps.js';
import type { AgentRow, IpAllocationRow, PortRow } from '../db/schema.js';
import { inTransaction, type NetworkTx } from '../db/transaction.js';
import { isAgentAlive } from '../domain/agents/agents.js';
import {
  agentOnHost, agentsOfType, bindingStore, L3_AGENT_TYPE, scheduleResources, unscheduled, type ScheduleEvent,
} from '../domain/agents/scheduling.js';
import { ROUTER_INTERFACE_OWNERS } from '../domain/ipam/owners.js';
import { ROUTER_GATEWAY } from '../domain/l3/lookup.js';
import { notify } from '../domain/notify.js';
import type { L3State, RouterInfo, RouterInterface, SubnetInfo } from '../agents/common/state.js';
import { needsBinding, notifyPortUpdates, savePortIfChanged, withBinding } from './port-binding.js';
import { loadNetworkInfos, loadSubnetInfos, unique } from './state-render.js';

const ROUTER_PORT_TYPES: readonly string[] = [ROUTER_GATEWAY, ...ROUTER_INTERFACE_OWNERS];

async function routerNeedsAgent(trx: NetworkTx, routerId: string): Promise<boolean> {
  const router = await trx.selectFrom('net_router').select('gw_port_id').where('id', '=', routerId).executeTakeFirst();
  if (router === undefined) return false;
  if (router.gw_port_id !== null) return true;
  const iface = await trx.selectFrom('net_router_port').select('port_id').where('router_id', '=', routerId)
    .where('port_type', 'in', [...ROUTER_INTERFACE_OWNERS]).executeTakeFirst();
  return iface !== undefined;
}

/** Neutron's l3-agent-scheduler notifications: l3_agent.router.add / .remove. */
export function notifyL3Scheduling(deps: NetworkDeps, events: readonly ScheduleEvent[]): void {
  for (const e of events) {
    if (e.previousAgentId !== undefined) notify(deps, 'l3_agent.router.remove', { agent: { id: e.previousAgentId, router_id: e.resourceId } });
    notify(deps, 'l3_agent.router.add', { agent: { id: e.agent.id, host: e.agent.host, router_id: e.resourceId } });
  }
}

/** Schedules every router with a gateway or an interface that no alive L3 agent hosts. */
export async function scheduleRouters(deps: NetworkDeps, preferred?: AgentRow): Promise<ScheduleEvent[]> {
  const db = deps.db;
  const down = deps.config.network.agentDownTimeSeconds;
  const [gateways, interfaces, bindings, agents] = await Promise.all([
    db.selectFrom('net_router').select('id').where('gw_port_id', 'is not', null).execute(),
    db.selectFrom('net_router_port').select('router_id').distinct().where('port_type', 'in', [...ROUTER_INTERFACE_OWNERS]).execute(),
    bindingStore('l3').all(db),
    agentsOfType(db, L3_AGENT_TYPE),
  ]);
  const wanted = unique([...gateways.map((r) => r.id), ...interfaces.map((r) => r.router_id)]).sort();
  const todo = unscheduled(wanted, bindings, agents, down);
  if (todo.length === 0) return [];
  const events = await scheduleResources(db, 'l3', todo, down, preferred?.id, routerNeedsAgent);
  notifyL3Scheduling(deps, events);
  return events;
}

/** Binds the router's gateway and interface ports to the agent's host (one transaction per router). */
export async function bindRouterPorts(deps: NetworkDeps, agent: AgentRow, routerId: string): Promise<PortRow[]> {
  return inTransaction(deps.db, async (trx) => {
    if (!(await bindingStore('l3').lock(trx, { resourceId: routerId, agentId: agent.id }))) return [];
    const ports = await trx.selectFrom('net_port').selectAll()
      .where('id', 'in', trx.selectFrom('net_router_port').select('port_id').where('router_id', '=', routerId).where('port_type', 'in', [...ROUTER_PORT_TYPES]))
      .orderBy('id').execute();
    const saved: PortRow[] = [];
    for (const port of ports) {
      if (!needsBinding(port, agent.host)) continue;
      const next = await savePortIfChanged(trx, port, await withBinding(trx, deps, port, agent.host));
      if (next !== undefined) saved.push(next);
    }
    return saved;
  });
}

function prefixlenOf(cidr: string): string {
  return cidr.split('/')[1] ?? '';
}

function routerInterface(port: PortRow, ips: readonly IpAllocationRow[], subnets: ReadonlyMap<string, SubnetInfo>, mtu: number): RouterInterface {
  const portSubnets = unique(ips.map((ip) => ip.subnet_id)).flatMap((id) => {
    const s = subnets.get(id);
    return s === undefined ? [] : [s];
  });
  return {
    port_id: port.id,
    network_id: port.network_id,
    mac_address: port.mac_address,
    mtu,
    addresses: ips.flatMap((ip) => {
      const s = subnets.get(ip.subnet_id);
      return s === undefined ? [] : [`${ip.ip_address}/${prefixlenOf(s.cidr)}`];
    }),
    subnets: portSubnets,
  };
}

async function renderRouters(deps: NetworkDeps, routerIds: readonly string[]): Promise<RouterInfo[]> {
  if (routerIds.length === 0) return [];
  const db = deps.db;
  const ids = [...routerIds];
  const [routers, links, routes, fips] = await Promise.all([
    db.selectFrom('net_router').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    db.selectFrom('net_router_port').selectAll().where('router_id', 'in', ids).execute(),
    db.selectFrom('net_router_route').selectAll().where('router_id', 'in', ids).orderBy('destination').orderBy('nexthop').execute(),
    db.selectFrom('net_floating_ip').selectAll().where('router_id', 'in', ids).where('fixed_ip_address', 'is not', null)
      .where('fixed_port_id', 'is not', null).orderBy('floating_ip_address').execute(),
  ]);
  const portIds = unique(links.map((l) => l.port_id));
  const portRows = db.selectFrom('net_router_port').select('port_id').where('router_id', 'in', ids);
  const [ports, ips] = portIds.length === 0 ? [[], []] : await Promise.all([
    db.selectFrom('net_port').selectAll().where('id', 'in', portRows).orderBy('id').execute(),
    db.selectFrom('net_ip_allocation').selectAll().where('port_id', 'in', portRows).orderBy('ip_address').execute(),
  ]);
  const [subnetList, networks] = await Promise.all([
    loadSubnetInfos(db, { subnetIds: unique(ips.map((ip) => ip.subnet_id)) }),
    loadNetworkInfos(db, unique(ports.map((p) => p.network_id))),
  ]);
  const subnets = new Map(subnetList.map((s) => [s.id, s]));
  const portById = new Map(ports.map((p) => [p.id, p]));
  const ipsOf = (portId: string): IpAllocationRow[] => ips.filter((ip) => ip.port_id === portId);

  return routers.map((router): RouterInfo => {
    const gwPort = router.gw_port_id === null ? undefined : portById.get(router.gw_port_id);
    let gateway: RouterInfo['gateway'] = null;
    if (gwPort !== undefined) {
      const base = routerInterface(gwPort, ipsOf(gwPort.id), subnets, networks.get(gwPort.network_id)?.mtu ?? 1500);
      gateway = {
        ...base,
        enable_snat: router.enable_snat === 1,
        gateway_ips: unique(base.subnets.flatMap((s) => (s.gateway_ip === null ? [] : [s.gateway_ip]))),
      };
    }
    const interfaces = links.filter((l) => l.router_id === router.id && ROUTER_INTERFACE_OWNERS.includes(l.port_type))
      .flatMap((l) => {
        const port = portById.get(l.port_id);
        return port === undefined ? [] : [routerInterface(port, ipsOf(port.id), subnets, networks.get(port.network_id)?.mtu ?? 1500)];
      })
      .sort((a, b) => (a.port_id < b.port_id ? -1 : 1));
    return {
      id: router.id,
      project_id: router.project_id,
      admin_state_up: router.admin_state_up === 1,
      gateway,
      interfaces,
      routes: routes.filter((r) => r.router_id === router.id).map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
      floating_ips: fips.filter((f) => f.router_id === router.id).map((f) => ({
        id: f.id, floating_ip_address: f.floating_ip_address, fixed_ip_address: f.fixed_ip_address!, fixed_port_id: f.fixed_port_id!, status: f.status,
      })),
    };
  });
}

export async function getL3State(deps: NetworkDeps, host: string): Promise<L3State> {
  const db = deps.db;
  const agent = await agentOnHost(db, L3_AGENT_TYPE, host);
  if (agent === undefined || !isAgentAlive(agent, deps.config.network.agentDownTimeSeconds)) return { host, routers: [] };
  await scheduleRouters(deps, agent);
  const routerIds = await bindingStore('l3').ofAgent(db, agent.id);
  // Only routers with a port to (re)bind cost a transaction.
  const unboundRouters = routerIds.length === 0 ? [] : await db.selectFrom('net_router_port')
    .innerJoin('net_port', 'net_port.id', 'net_router_port.port_id')
    .select(['net_router_port.router_id', 'net_port.binding_host_id', 'net_port.binding_vif_type'])
    .where('net_router_port.router_id', 'in', routerIds).where('net_router_port.port_type', 'in', [...ROUTER_PORT_TYPES]).execute();
  const toBind = unique(unboundRouters.filter((r) => r.binding_host_id !== host || ['unbound', 'binding_failed'].includes(r.binding_vif_type)).map((r) => r.router_id));
  const changed: PortRow[] = [];
  for (const routerId of toBind) changed.push(...await bindRouterPorts(deps, agent, routerId));
  await notifyPortUpdates(deps, db, changed);
  return { host, routers: await renderRouters(deps, routerIds) };
}
