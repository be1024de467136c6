// The dhcp_agent_scheduler and l3_agent_scheduler extensions (admin only):
//   /v2.0/agents/{agent_id}/dhcp-networks[/{network_id}]   GET, POST {"network_id"}, DELETE
//   /v2.0/networks/{network_id}/dhcp-agents                GET
//   /v2.0/agents/{agent_id}/l3-routers[/{router_id}]       GET, POST {"router_id"}, DELETE
//   /v2.0/routers/{router_id}/l3-agents                    GET
// A POST answers 201 with the JSON `null` Neutron's controller returns (clients parse the body).
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { callerFor, registerResource } from './resource-routes.js';
import type { Caller } from '../domain/caller.js';
import {
  addNetworkToDhcpAgent, addRouterToL3Agent, listDhcpAgentNetworks, listL3AgentRouters, listNetworkDhcpAgents,
  listRouterL3Agents, removeNetworkFromDhcpAgent, removeRouterFromL3Agent,
} from '../domain/agents/scheduler-api.js';

type AddOp = (deps: NetworkDeps, caller: Caller, agentId: string, body: unknown) => Promise<void>;

function registerAdd(app: FastifyInstance, deps: NetworkDeps, path: string, add: AddOp): void {
  app.post(path, async (request, reply) => {
    const caller = await callerFor(deps, request);
    await add(deps, caller, (request.params as { agent_id: string }).agent_id, request.body);
    reply.code(201).type('application/json; charset=UTF-8').send('null');
  });
}

export function registerAgentSchedulerRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  // dhcp_agent_scheduler
  registerResource(app, deps, {
    resource: 'network',
    collection: 'networks',
    path: 'agents/:agent_id/dhcp-networks',
    list: (d, caller, query, params) => listDhcpAgentNetworks(d, caller, params.agent_id!, query),
    remove: (d, caller, id, _ifMatch, params) => removeNetworkFromDhcpAgent(d, caller, params.agent_id!, id),
  });
  registerAdd(app, deps, '/v2.0/agents/:agent_id/dhcp-networks', addNetworkToDhcpAgent);
  registerResource(app, deps, {
    resource: 'agent',
    collection: 'agents',
    path: 'networks/:network_id/dhcp-agents',
    list: (d, caller, _query, params) => listNetworkDhcpAgents(d, caller, params.network_id!),
  });

  // l3_agent_scheduler
  registerResource(app, deps, {
    resource: 'router',
    collection: 'routers',
    path: 'agents/:agent_id/l3-routers',
    list: (d, caller, _query, params) => listL3AgentRouters(d, caller, params.agent_id!),
    remove: (d, caller, id, _ifMatch, params) => removeRouterFromL3Agent(d, caller, params.agent_id!, id),
  });
  registerAdd(app, deps, '/v2.0/agents/:agent_id/l3-routers', addRouterToL3Agent);
  registerResource(app, deps, {
    resource: 'agent',
    collection: 'agents',
    path: 'routers/:router_id/l3-agents',
    list: (d, caller, _query, params) => listRouterL3Agents(d, caller, params.router_id!),
  });
}
