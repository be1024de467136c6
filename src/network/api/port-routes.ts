// /v2.0/ports: Neutron's port resource (create incl. bulk, list, show, update, delete).
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createPort } from '../domain/ports/create.js';
import { deletePort, undoPortCreate } from '../domain/ports/delete.js';
import { PORT_FILTERS } from '../domain/ports/filters.js';
import { listPorts, showPort } from '../domain/ports/query.js';
import { updatePort } from '../domain/ports/update.js';

export function registerPortRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'port',
    collection: 'ports',
    create: (d, caller, body) => createPort(d, caller, body),
    undoCreate: (d, _caller, created) => undoPortCreate(d, String(created.id)),
    list: (d, caller, query) => listPorts(d, caller, query),
    show: (d, caller, id) => showPort(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updatePort(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deletePort(d, caller, id, ifMatch),
    customFilters: PORT_FILTERS,
  });
}
