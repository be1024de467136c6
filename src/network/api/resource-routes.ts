// One way to expose a Neutron resource: POST (single or bulk) / GET list / GET one / PUT /
// DELETE under /v2.0/<collection>, with authentication, the body envelope, `fields`, list
// filtering and pagination, If-Match and status codes handled here once. Resource modules
// supply the domain operations; they receive validated ids and unwrapped bodies.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseUrl } from '../../core/http/server.js';
import { callerOf, type Caller } from '../domain/caller.js';
import { parseIfMatch } from '../domain/standard-attrs.js';
import type { NetworkDeps } from './deps.js';
import { createItems, resourceBody } from './attributes.js';
import { listBody, selectFields, type CustomFilters, type Item, type Query } from './list.js';

export interface ResourceOps {
  /** Singular and plural names: 'network' / 'networks'. */
  readonly resource: string;
  readonly collection: string;
  /** URL prefix when not the collection itself, e.g. 'fip/port_forwardings' style nesting. */
  readonly path?: string;
  create?(deps: NetworkDeps, caller: Caller, body: Record<string, unknown>, params: Record<string, string>): Promise<Item>;
  /** Creates every item of a (bulk) POST in one transaction; preferred over create when given. */
  createAll?(deps: NetworkDeps, caller: Caller, bodies: Record<string, unknown>[], params: Record<string, string>): Promise<Item[]>;
  /** Undoes one create when a later item of a bulk request fails (Neutron's emulated bulk). */
  undoCreate?(deps: NetworkDeps, caller: Caller, created: Item): Promise<void>;
  /** Every item the caller may see, rendered for them. `query` allows pushing filters down. */
  list?(deps: NetworkDeps, caller: Caller, query: Query, params: Record<string, string>): Promise<Item[]>;
  show?(deps: NetworkDeps, caller: Caller, id: string, params: Record<string, string>): Promise<Item>;
  update?(deps: NetworkDeps, caller: Caller, id: string, body: Record<string, unknown>, ifMatch: number | undefined, params: Record<string, string>): Promise<Item>;
  remove?(deps: NetworkDeps, caller: Caller, id: string, ifMatch: number | undefined, params: Record<string, string>): Promise<void>;
  readonly customFilters?: CustomFilters;
}

export async function callerFor(deps: NetworkDeps, request: FastifyRequest): Promise<Caller> {
  return callerOf(await request.requireAuth(), deps.policy);
}

export function registerResource(app: FastifyInstance, deps: NetworkDeps, ops: ResourceOps): void {
  const base = `/v2.0/${ops.path ?? ops.collection}`;
  const { resource, collection } = ops;
  const params = (request: FastifyRequest): Record<string, string> => (request.params ?? {}) as Record<string, string>;

  if (ops.createAll !== undefined) {
    const createAll = ops.createAll;
    app.post(base, async (request, reply) => {
      const caller = await callerFor(deps, request);
      const { items, bulk } = createItems(request.body, resource, collection);
      const created = await createAll(deps, caller, items, params(request));
      reply.code(201);
      return bulk ? { [collection]: created } : { [resource]: created[0] };
    });
  } else if (ops.create !== undefined) {
    const create = ops.create;
    app.post(base, async (request, reply) => {
      const caller = await callerFor(deps, request);
      const { items, bulk } = createItems(request.body, resource, collection);
      const created: Item[] = [];
      try {
        for (const item of items) created.push(await create(deps, caller, item, params(request)));
      } catch (err) {
        // Neutron's emulated bulk: all or nothing.
        if (ops.undoCreate !== undefined) for (const done of created.reverse()) await ops.undoCreate(deps, caller, done).catch(() => undefined);
        throw err;
      }
      reply.code(201);
      return bulk ? { [collection]: created } : { [resource]: created[0] };
    });
  }
  if (ops.list !== undefined) {
    const list = ops.list;
    app.get(base, async (request) => {
      const caller = await callerFor(deps, request);
      const query = request.query as Query;
      const items = await list(deps, caller, query, params(request));
      const url = `${baseUrl(request)}${request.url.split('?')[0]}`;
      return listBody(collection, items, query, { baseUrl: url, ...(ops.customFilters ? { custom: ops.customFilters } : {}) });
    });
  }
  if (ops.show !== undefined) {
    const show = ops.show;
    app.get(`${base}/:id`, async (request) => {
      const caller = await callerFor(deps, request);
      const item = await show(deps, caller, params(request).id!, params(request));
      return { [resource]: selectFields(item, request.query as Query) };
    });
  }
  if (ops.update !== undefined) {
    const update = ops.update;
    app.put(`${base}/:id`, async (request) => {
      const caller = await callerFor(deps, request);
      const body = resourceBody(request.body, resource);
      const ifMatch = parseIfMatch(request.headers['if-match']);
      return { [resource]: await update(deps, caller, params(request).id!, body, ifMatch, params(request)) };
    });
  }
  if (ops.remove !== undefined) {
    const remove = ops.remove;
    app.delete(`${base}/:id`, async (request, reply) => {
      const caller = await callerFor(deps, request);
      await remove(deps, caller, params(request).id!, parseIfMatch(request.headers['if-match']), params(request));
      reply.code(204).send();
    });
  }
}
