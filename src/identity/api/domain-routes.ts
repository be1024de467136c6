// /v3/domains: parse, authorize, hand to the domain logic, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainRow } from '../db/schema.js';
import { createDomain, deleteDomain, findDomain, getDomain, updateDomain } from '../domain/domains.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, queryBool, queryValue, type Params, type Query } from './helpers.js';
import { loadDetails, renderDomain } from './resource-render.js';
import { parseDomain } from './resource-schemas.js';

export function registerDomainRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const domainTarget = (d: Pick<DomainRow, 'id' | 'name' | 'enabled'>) =>
    ({ domain_id: d.id, target: { domain: { id: d.id, name: d.name, enabled: d.enabled === 1 } } });

  async function render(request: FastifyRequest, d: DomainRow): Promise<Record<string, unknown>> {
    return renderDomain(request, d, (await loadDetails(deps.db, 'domain', [d.id]))(d.id));
  }

  app.get('/v3/domains', async (request) => {
    const query = request.query as Query;
    const ctx = await request.requireAuth();
    await authorize(deps, request, 'identity:list_domains', ctx.domainId ? { target: { domain: { id: ctx.domainId } } } : {});
    let q = deps.db.selectFrom('domain').selectAll().orderBy('name');
    // A domain-scoped caller only ever sees its own domain.
    if (ctx.domainId) q = q.where('id', '=', ctx.domainId);
    const name = queryValue(query, 'name');
    if (name !== undefined) q = q.where('name', '=', name);
    const enabled = queryBool(query, 'enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', enabled ? 1 : 0);
    const rows = await q.execute();
    const details = await loadDetails(deps.db, 'domain', rows.map((d) => d.id));
    return collection(request, 'domains', rows.map((d) => renderDomain(request, d, details(d.id))));
  });

  app.post('/v3/domains', async (request, reply) => {
    const { input, explicitId } = parseDomain(request.body, true);
    await authorize(deps, request, 'identity:create_domain', { target: { domain: { name: input.name } } });
    const domain = await createDomain(deps, { ...input, name: input.name! }, explicitId);
    reply.code(201);
    return { domain: await render(request, domain) };
  });

  app.get('/v3/domains/:domain_id', async (request) => {
    const { domain_id } = request.params as Params;
    await request.requireAuth();
    // Authorize before admitting whether the domain exists.
    const found = await findDomain(deps.db, domain_id!);
    await authorize(deps, request, 'identity:get_domain', found ? domainTarget(found) : { domain_id });
    return { domain: await render(request, await getDomain(deps.db, domain_id!)) };
  });

  app.patch('/v3/domains/:domain_id', async (request) => {
    const { domain_id } = request.params as Params;
    const { input } = parseDomain(request.body, false);
    await request.requireAuth();
    const domain = await getDomain(deps.db, domain_id!);
    await authorize(deps, request, 'identity:update_domain', domainTarget(domain));
    return { domain: await render(request, await updateDomain(deps, domain.id, input)) };
  });

  app.delete('/v3/domains/:domain_id', async (request, reply) => {
    const { domain_id } = request.params as Params;
    await request.requireAuth();
    const domain = await getDomain(deps.db, domain_id!);
    await authorize(deps, request, 'identity:delete_domain', domainTarget(domain));
    await deleteDomain(deps, domain.id);
    reply.code(204).send();
  });
}
