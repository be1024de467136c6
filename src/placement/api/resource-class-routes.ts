// /resource_classes and /resource_classes/{name} (microversion 1.2; PUT creates from 1.7).
import type { FastifyInstance } from 'fastify';
import type { ResourceClassRow } from '../db/schema.js';
import { badRequest } from '../domain/errors.js';
import { bestError, describeError, validateAll } from '../domain/json-schema.js';
import { atLeast, requireVersion } from '../domain/microversion.js';
import {
  createResourceClass, deleteResourceClass, ensureResourceClass, listResourceClasses, renameResourceClass, requireResourceClass,
} from '../domain/resource-classes.js';
import { isCustomName } from '../domain/standard-classes.js';
import { RESOURCE_CLASS_BODY } from '../domain/schemas.js';
import type { PlacementDeps } from './deps.js';
import { authorize, cacheHeaders, checkAccept, location, newest, route, sendEmpty, sendJson, validBody } from './http.js';

const classPath = (name: string): string => `/resource_classes/${name}`;

function render(rc: ResourceClassRow): unknown {
  return { name: rc.name, links: [{ rel: 'self', href: classPath(rc.name) }] };
}

/** Standard classes have no meaningful timestamp: placement answers "now" for them. */
const modified = (rc: ResourceClassRow): string | undefined => (isCustomName(rc.name) ? rc.updated_at : undefined);

export function registerResourceClassRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  route(app, deps, '/resource_classes', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.2');
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_classes:list');
      const rows = await listResourceClasses(ctx.deps.db);
      cacheHeaders(ctx, newest(rows.map(modified)));
      return sendJson(ctx, { resource_classes: rows.map(render) });
    },
    POST: async (ctx) => {
      requireVersion(ctx.version, '1.2');
      await authorize(ctx, 'placement:resource_classes:create');
      const body = validBody<{ name: string }>(ctx, RESOURCE_CLASS_BODY);
      const rc = await createResourceClass(ctx.deps.db, body.name);
      location(ctx, classPath(rc.name));
      return sendEmpty(ctx, 201);
    },
  });

  route(app, deps, '/resource_classes/:name', {
    GET: async (ctx) => {
      requireVersion(ctx.version, '1.2');
      checkAccept(ctx);
      await authorize(ctx, 'placement:resource_classes:show');
      const rc = await requireResourceClass(ctx.deps.db, ctx.params.name!);
      cacheHeaders(ctx, modified(rc));
      return sendJson(ctx, render(rc));
    },
    PUT: async (ctx) => {
      requireVersion(ctx.version, '1.2');
      const name = ctx.params.name!;
      await authorize(ctx, 'placement:resource_classes:update');
      if (!atLeast(ctx.version, '1.7')) {
        const body = validBody<{ name: string }>(ctx, RESOURCE_CLASS_BODY);
        const rc = await renameResourceClass(ctx.deps.db, name, body.name);
        return sendJson(ctx, render(rc));
      }
      const best = bestError(validateAll({ name }, RESOURCE_CLASS_BODY));
      if (best !== undefined) throw badRequest(`JSON does not validate: ${describeError(best)}`);
      const { row, created } = await ensureResourceClass(ctx.deps.db, name);
      location(ctx, classPath(row.name));
      return sendEmpty(ctx, created ? 201 : 204);
    },
    DELETE: async (ctx) => {
      requireVersion(ctx.version, '1.2');
      await authorize(ctx, 'placement:resource_classes:delete');
      await deleteResourceClass(ctx.deps.db, ctx.params.name!);
      return sendEmpty(ctx);
    },
  });
}
