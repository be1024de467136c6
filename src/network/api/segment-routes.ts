// /v2.0/segments: the segments extension (admin only).
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';
import { registerResource } from './resource-routes.js';
import { createSegment, deleteSegment, listSegments, showSegment, updateSegment } from '../domain/networks/segments.js';

export function registerSegmentRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  registerResource(app, deps, {
    resource: 'segment',
    collection: 'segments',
    create: (d, caller, body) => createSegment(d, caller, body),
    undoCreate: async (d, caller, created) => { await deleteSegment(d, caller, String(created.id), undefined); },
    list: (d, caller, query) => listSegments(d, caller, query),
    show: (d, caller, id) => showSegment(d, caller, id),
    update: (d, caller, id, body, ifMatch) => updateSegment(d, caller, id, body, ifMatch),
    remove: (d, caller, id, ifMatch) => deleteSegment(d, caller, id, ifMatch),
  });
}
