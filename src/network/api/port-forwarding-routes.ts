// /v2.0/floatingips/{fip_id}/port_forwardings: port forwardings, a sub-resource of a floating IP.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import {
  createPortForwarding, deletePortForwarding, listPortForwardings, showPortForwarding, updatePortForwarding,
} from '../domain/l3/port-forwarding-ops.js';

export function registerPortForwardingRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'port_forwarding',
    collection: 'port_forwardings',
    path: 'floatingips/:fip_id/port_forwardings',
    create: (d, caller, body, params) => createPortForwarding(d, caller, params.fip_id!, body),
    // Bulk rollback: the created forwarding's floating IP id is not at hand, its own id is.
    undoCreate: async (d, _caller, created) => { await d.db.deleteFrom('net_port_forwarding').where('id', '=', created.id as string).execute(); },
    list: (d, caller, _query, params) => listPortForwardings(d, caller, params.fip_id!),
    show: (d, caller, id, params) => showPortForwarding(d, caller, params.fip_id!, id),
    update: (d, caller, id, body, _ifMatch, params) => updatePortForwarding(d, caller, params.fip_id!, id, body),
    remove: (d, caller, id, _ifMatch, params) => deletePortForwarding(d, caller, params.fip_id!, id),
  });
}
