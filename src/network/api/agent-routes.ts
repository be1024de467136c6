// /v2.0/agents: the agent extension (admin only).
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { deleteAgent, listAgents, showAgent, updateAgent } from '../domain/agents/api.js';

export function registerAgentRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'agent',
    collection: 'agents',
    list: (d, caller) => listAgents(d, caller),
    show: (d, caller, id) => showAgent(d, caller, id),
    update: (d, caller, id, body) => updateAgent(d, caller, id, body),
    remove: (d, caller, id) => deleteAgent(d, caller, id),
  });
}
