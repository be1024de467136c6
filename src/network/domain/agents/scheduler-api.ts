// The dhcp_agent_scheduler and l3_agent_scheduler extensions (admin only): which agent serves a
// network / hosts a router, and manual (re)assignment. The bindings are the automatic
// scheduler's own tables (scheduling.ts), whose primary key (network_id / router_id) allows one
// agent per network or router, as Neutron's dhcp_agents_per_network = 1 and legacy routers.
//
// Neutron's behaviour kept here: an agent of the wrong type, or administratively down, is a 404
// (InvalidDHCPAgent / InvalidL3Agent are AgentNotFound); adding a network to the agent that
// already serves it is 409 NetworkHostedByDHCPAgent, adding a router to its own agent succeeds
// without change; a router (or network) on another agent is 409 RouterHostedByL3Agent
// (NetworkHostedByDHCPAgent) unless that agent is dead, in which case it moves, as the
// scheduler would move it on the next agent sync; removing a network that agent does not serve
// is 409 NetworkNotHostedByDhcpAgent, removing an unhosted router is a silent 204. The lists of
// agents hosting an unknown network or router are empty, not 404s.
//
// The automatic scheduler still rules: a removed network with a DHCP-enabled subnet, or a removed
// router with a gateway or an interface, is scheduled again by the next agent sync (Neutron's
// auto-scheduling on agent sync does the same), and asking which agents serve a network
// schedules it at once when it needs an agent and has none.
//
// After a change the agents are told (dhcp_agent.network.add/remove, l3_agent.router.add/remove)
// and, for an alive agent, the DHCP port or the router's ports are bound to its host at once,
// with the same functions the agents' syncs use.
import type { NetworkDeps } from '../../api/deps.js';
import type { Item, Query } from '../../api/list.js';
import { badAttribute, networkNotFound, routerNotFound } from '../errors.js';
import { ApiError } from '../../../core/errors.js';
import type { AgentRow, PortRow } from '../../db/schema.js';
import { inTransaction, type NetworkTx } from '../../db/transaction.js';
import { uuid } from '../../api/validators.js';
import type { Caller } from '../caller.js';
import { notify } from '../notify.js';
import { enforce } from '../policy.js';
import { findNetwork, isPlausibleId } from '../networks/access.js';
import { listNetworks } from '../networks/list.js';
import { findRouter } from '../l3/lookup.js';
import { renderRouters } from '../l3/router-render.js';
import { DEVICE_OWNER_DHCP } from '../ipam/owners.js';
import { isAgentAlive } from './agents.js';
import { agentNotFound, renderAgent } from './api.js';
import {
  agentsOfType, bindingStore, DHCP_AGENT_TYPE, L3_AGENT_TYPE, scheduleResources, unscheduled, type SchedulerKind, type ScheduleEvent,
} from './scheduling.js';
import { dhcpDeviceId, ensureDhcpPort, notifyDhcpScheduling, publish as publishDhcpPorts } from '../../rpc/dhcp-state.js';
import { bindRouterPorts, notifyL3Scheduling } from '../../rpc/l3-state.js';
import { notifyPortUpdates, savePortIfChanged } from '../../rpc/port-binding.js';

/** Neutron's constants.DEVICE_ID_RESERVED_DHCP_PORT: a removed agent's DHCP port, kept for reuse. */
export const RESERVED_DHCP_PORT = 'reserved_dhcp_port';

const TARGET = (caller: Caller) => ({ project_id: caller.projectId, tenant_id: caller.projectId });

// --- Neutron's exceptions (neutron_lib.exceptions.dhcpagentscheduler, neutron.extensions.l3agentscheduler)

const invalidDhcpAgent = (id: string): ApiError =>
  new ApiError(404, `Agent ${id} is not a valid DHCP Agent or has been disabled.`, 'InvalidDHCPAgent');
const invalidL3Agent = (id: string): ApiError =>
  new ApiError(404, `Agent ${id} is not a L3 Agent or has been disabled`, 'InvalidL3Agent');
const networkHosted = (networkId: string, agentId: string, extra = ''): ApiError =>
  new ApiError(409, `The network ${networkId} has been already hosted by the DHCP Agent ${agentId}.${extra}`, 'NetworkHostedByDHCPAgent');
const networkNotHosted = (networkId: string, agentId: string): ApiError =>
  new ApiError(409, `The network ${networkId} is not hosted by the DHCP agent ${agentId}.`, 'NetworkNotHostedByDhcpAgent');
const routerHosted = (routerId: string, agentId: string): ApiError =>
  new ApiError(409, `The router ${routerId} has been already hosted by the L3 Agent ${agentId}.`, 'RouterHostedByL3Agent');

const ONE_DHCP_AGENT = ' A network is served by one DHCP agent (dhcp_agents_per_network = 1): remove it from that agent first.';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The id in `{"network_id": …}` / `{"router_id": …}`, with Neutron's attribute messages. */
export function parseIdBody(body: unknown, attr: 'network_id' | 'router_id'): string {
  if (body === undefined || body === null) throw badAttribute('Resource body required');
  if (!isObject(body)) throw badAttribute('Body contains invalid data');
  if (body[attr] === undefined) throw badAttribute(`Failed to parse request. Required attribute '${attr}' not specified`);
  return uuid(body[attr], attr);
}

async function findAgent(deps: NetworkDeps, id: string): Promise<AgentRow> {
  const row = isPlausibleId(id) ? await deps.db.selectFrom('net_agent').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined) throw agentNotFound(id);
  return row;
}

function downTime(deps: NetworkDeps): number {
  return deps.config.network.agentDownTimeSeconds;
}

async function agentsHosting(deps: NetworkDeps, kind: SchedulerKind, resourceId: string): Promise<Item[]> {
  if (!isPlausibleId(resourceId)) return [];
  const binding = await bindingStore(kind).get(deps.db, resourceId);
  if (binding === undefined) return [];
  const row = await deps.db.selectFrom('net_agent').selectAll().where('id', '=', binding.agentId).executeTakeFirst();
  return row === undefined ? [] : [renderAgent(row, downTime(deps))];
}

type Claim = { readonly kind: 'added'; readonly event: ScheduleEvent } | { readonly kind: 'already' };

/**
 * Binds `resourceId` to `agent` in one transaction. A binding to another alive agent is refused
 * with `hostedElsewhere`; one to a dead agent is taken over (the scheduler's own rule).
 */
async function claim(
  deps: NetworkDeps, kind: SchedulerKind, agent: AgentRow, resourceId: string, hostedElsewhere: (currentAgentId: string) => ApiError,
): Promise<Claim> {
  const store = bindingStore(kind);
  return inTransaction(deps.db, async (trx): Promise<Claim> => {
    const current = await store.get(trx, resourceId);
    if (current?.agentId === agent.id) return { kind: 'already' };
    if (current !== undefined) {
      const holder = await trx.selectFrom('net_agent').selectAll().where('id', '=', current.agentId).executeTakeFirst();
      if (holder !== undefined && isAgentAlive(holder, downTime(deps))) throw hostedElsewhere(current.agentId);
      // A racing scheduler moved it meanwhile: retried, and then judged again.
      if ((await store.remove(trx, current)) === 0) throw Object.assign(new Error('binding moved'), { code: '40001' });
    }
    // A racer inserting the same resource hits the primary key; the retry sees its binding.
    await store.insert(trx, { resourceId, agentId: agent.id });
    return { kind: 'added', event: { resourceId, agent, ...(current !== undefined ? { previousAgentId: current.agentId } : {}) } };
  });
}

// --- dhcp_agent_scheduler

/** GET /v2.0/agents/{agent_id}/dhcp-networks */
export async function listDhcpAgentNetworks(deps: NetworkDeps, caller: Caller, agentId: string, query: Query): Promise<Item[]> {
  enforce(deps, caller, 'get_dhcp-networks', TARGET(caller));
  const agent = await findAgent(deps, agentId);
  const ids = await bindingStore('dhcp').ofAgent(deps.db, agent.id);
  if (ids.length === 0) return [];
  return listNetworks(deps, caller, { ...query, id: ids });
}

/**
 * GET /v2.0/networks/{network_id}/dhcp-agents. Neutron schedules a network as soon as it gets a
 * DHCP subnet or port; here the agents' syncs do, a moment later. So that the answer does not
 * depend on that moment, a network with a DHCP-enabled subnet and no alive agent is scheduled
 * first (the least-loaded alive agent, exactly as the next sync would choose).
 */
export async function listNetworkDhcpAgents(deps: NetworkDeps, caller: Caller, networkId: string): Promise<Item[]> {
  enforce(deps, caller, 'get_dhcp-agents', TARGET(caller));
  if (isPlausibleId(networkId)) await scheduleIfWanted(deps, networkId);
  return agentsHosting(deps, 'dhcp', networkId);
}

async function scheduleIfWanted(deps: NetworkDeps, networkId: string): Promise<void> {
  const down = downTime(deps);
  const [binding, agents] = await Promise.all([bindingStore('dhcp').get(deps.db, networkId), agentsOfType(deps.db, DHCP_AGENT_TYPE)]);
  if (unscheduled([networkId], binding === undefined ? [] : [binding], agents, down).length === 0) return;
  const wantsDhcp = async (trx: NetworkTx, id: string): Promise<boolean> =>
    (await trx.selectFrom('net_subnet').select('id').where('network_id', '=', id).where('enable_dhcp', '=', 1).executeTakeFirst()) !== undefined;
  notifyDhcpScheduling(deps, await scheduleResources(deps.db, 'dhcp', [networkId], down, undefined, wantsDhcp));
}

/** POST /v2.0/agents/{agent_id}/dhcp-networks {"network_id": …} */
export async function addNetworkToDhcpAgent(deps: NetworkDeps, caller: Caller, agentId: string, body: unknown): Promise<void> {
  enforce(deps, caller, 'create_dhcp-network', TARGET(caller));
  const networkId = parseIdBody(body, 'network_id');
  if ((await findNetwork(deps.db, networkId)) === undefined) throw networkNotFound(networkId);
  const agent = await findAgent(deps, agentId);
  if (agent.agent_type !== DHCP_AGENT_TYPE || agent.admin_state_up !== 1) throw invalidDhcpAgent(agentId);
  const result = await claim(deps, 'dhcp', agent, networkId, (current) => networkHosted(networkId, current, ONE_DHCP_AGENT));
  if (result.kind === 'already') throw networkHosted(networkId, agent.id);
  notifyDhcpScheduling(deps, [result.event]);
  if (!isAgentAlive(agent, downTime(deps))) return;
  // The DHCP port on the agent's host now, as its next sync would make it.
  try {
    const ensured = await ensureDhcpPort(deps, agent, networkId);
    await publishDhcpPorts(deps, [ensured.changes]);
  } catch (err) {
    // A subnet without a free address: the binding stands, the agent's syncs keep trying.
    if (!(err instanceof ApiError)) throw err;
  }
}

/** DELETE /v2.0/agents/{agent_id}/dhcp-networks/{network_id} */
export async function removeNetworkFromDhcpAgent(deps: NetworkDeps, caller: Caller, agentId: string, networkId: string): Promise<void> {
  enforce(deps, caller, 'delete_dhcp-network', TARGET(caller));
  const agent = await findAgent(deps, agentId);
  const reserved = await inTransaction(deps.db, async (trx): Promise<PortRow[]> => {
    const removed = isPlausibleId(networkId) ? await bindingStore('dhcp').remove(trx, { resourceId: networkId, agentId: agent.id }) : 0;
    if (removed === 0) throw networkNotHosted(networkId, agent.id);
    // Neutron keeps the agent's DHCP port, reserved, so that its addresses serve the next agent.
    const ports = await trx.selectFrom('net_port').selectAll().where('network_id', '=', networkId)
      .where('device_owner', '=', DEVICE_OWNER_DHCP).where('device_id', '=', dhcpDeviceId(networkId, agent.host)).execute();
    const saved: PortRow[] = [];
    for (const port of ports) {
      const next = await savePortIfChanged(trx, port, { ...port, device_id: RESERVED_DHCP_PORT });
      if (next !== undefined) saved.push(next);
    }
    return saved;
  });
  notify(deps, 'dhcp_agent.network.remove', { agent: { id: agent.id, host: agent.host, network_id: networkId } });
  await notifyPortUpdates(deps, deps.db, reserved);
}

// --- l3_agent_scheduler

/** GET /v2.0/agents/{agent_id}/l3-routers */
export async function listL3AgentRouters(deps: NetworkDeps, caller: Caller, agentId: string): Promise<Item[]> {
  enforce(deps, caller, 'get_l3-routers', TARGET(caller));
  const agent = await findAgent(deps, agentId);
  const ids = await bindingStore('l3').ofAgent(deps.db, agent.id);
  if (ids.length === 0) return [];
  const rows = await deps.db.selectFrom('net_router').selectAll().where('id', 'in', ids).orderBy('id').execute();
  return renderRouters(deps, caller, rows);
}

/** GET /v2.0/routers/{router_id}/l3-agents */
export async function listRouterL3Agents(deps: NetworkDeps, caller: Caller, routerId: string): Promise<Item[]> {
  enforce(deps, caller, 'get_l3-agents', TARGET(caller));
  return agentsHosting(deps, 'l3', routerId);
}

/** POST /v2.0/agents/{agent_id}/l3-routers {"router_id": …} */
export async function addRouterToL3Agent(deps: NetworkDeps, caller: Caller, agentId: string, body: unknown): Promise<void> {
  enforce(deps, caller, 'create_l3-router', TARGET(caller));
  const routerId = parseIdBody(body, 'router_id');
  if ((await findRouter(deps.db, routerId)) === undefined) throw routerNotFound(routerId);
  const agent = await findAgent(deps, agentId);
  if (agent.agent_type !== L3_AGENT_TYPE || agent.admin_state_up !== 1) throw invalidL3Agent(agentId);
  const result = await claim(deps, 'l3', agent, routerId, (current) => routerHosted(routerId, current));
  // Already there: Neutron's check_agent_router_scheduling_needed answers "nothing to do".
  if (result.kind === 'already') return;
  notifyL3Scheduling(deps, [result.event]);
  if (!isAgentAlive(agent, downTime(deps))) return;
  // The gateway and interface ports on the agent's host now, as its next sync would bind them.
  await notifyPortUpdates(deps, deps.db, await bindRouterPorts(deps, agent, routerId));
}

/** DELETE /v2.0/agents/{agent_id}/l3-routers/{router_id} */
export async function removeRouterFromL3Agent(deps: NetworkDeps, caller: Caller, agentId: string, routerId: string): Promise<void> {
  enforce(deps, caller, 'delete_l3-router', TARGET(caller));
  const agent = await findAgent(deps, agentId);
  if ((await findRouter(deps.db, routerId)) === undefined) throw routerNotFound(routerId);
  const removed = await inTransaction(deps.db, (trx) => bindingStore('l3').remove(trx, { resourceId: routerId, agentId: agent.id }));
  // Neutron's _unbind_router deletes whatever matches: a router the agent does not host is no error.
  if (removed > 0) notify(deps, 'l3_agent.router.remove', { agent: { id: agent.id, host: agent.host, router_id: routerId } });
}
