// /v3/auth/*: issue, validate, check and revoke tokens; the caller's catalog, projects, domains, system.
import type { FastifyInstance } from 'fastify';
import { notFound, unauthorized } from '../../core/errors.js';
import { authenticate } from '../domain/authenticate.js';
import { effectiveRoles } from '../domain/effective-roles.js';
import { renderToken } from '../domain/render-token.js';
import type { ValidatedToken } from '../domain/token-service.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, selfLink } from './helpers.js';

export function registerAuthRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const authDeps = { db: deps.db, hasher: deps.hasher, tokens: deps.tokens, tokenLifetimeMs: deps.config.identity.tokenExpirationSeconds * 1000,
    compliance: deps.config.identity.securityCompliance };
  const wantsCatalog = (query: unknown): boolean => (query as Record<string, unknown>).nocatalog === undefined;

  app.post('/v3/auth/tokens', async (request, reply) => {
    const validated = await authenticate(authDeps, request.body);
    const catalog = wantsCatalog(request.query) ? await deps.catalog.get() : undefined;
    reply.code(201).header('x-subject-token', validated.token);
    return renderToken(validated, catalog);
  });

  /** The subject token, validated; Keystone answers 404 for an invalid one. */
  async function subject(headers: Record<string, unknown>): Promise<ValidatedToken> {
    const token = headers['x-subject-token'];
    if (typeof token !== 'string' || token === '') throw notFound('Could not find token: missing X-Subject-Token.');
    try {
      return await deps.tokens.validateFull(token);
    } catch {
      throw notFound(`Could not find token: ${token.slice(0, 64)}.`);
    }
  }

  const tokenTarget = (s: ValidatedToken) => ({ target: { token: { user_id: s.user.id } }, 'target.token.user_id': s.user.id });

  // HEAD has its own policy (check_token), so GET must not also answer it.
  app.get('/v3/auth/tokens', { exposeHeadRoute: false }, async (request, reply) => {
    await request.requireAuth();
    const s = await subject(request.headers);
    await authorize(deps, request, 'identity:validate_token', tokenTarget(s));
    reply.header('x-subject-token', s.token);
    return renderToken(s, wantsCatalog(request.query) ? await deps.catalog.get() : undefined);
  });

  app.head('/v3/auth/tokens', async (request, reply) => {
    await request.requireAuth();
    const s = await subject(request.headers);
    await authorize(deps, request, 'identity:check_token', tokenTarget(s));
    reply.code(200).header('x-subject-token', s.token).send();
  });

  app.delete('/v3/auth/tokens', async (request, reply) => {
    await request.requireAuth();
    const s = await subject(request.headers);
    await authorize(deps, request, 'identity:revoke_token', tokenTarget(s));
    await deps.revocations.revoke({ auditId: s.payload.auditIds[0]! });
    deps.changes.bump();
    reply.code(204).send();
  });

  app.get('/v3/auth/catalog', async (request) => {
    const ctx = await authorize(deps, request, 'identity:get_auth_catalog');
    if (!ctx.projectId && !ctx.domainId && !ctx.system) throw unauthorized('The catalog requires a scoped token.');
    return { catalog: await deps.catalog.get(), links: selfLink(request, 'auth/catalog') };
  });

  app.get('/v3/auth/projects', async (request) => {
    const ctx = await authorize(deps, request, 'identity:get_auth_projects');
    const projects = await deps.db.selectFrom('project').selectAll().where('enabled', '=', 1).orderBy('name').execute();
    const mine = [];
    for (const p of projects) {
      if ((await effectiveRoles(deps.db, ctx.userId, { kind: 'project', id: p.id })).length > 0) mine.push(p);
    }
    return collection(request, 'projects', mine.map((p) => ({
      id: p.id, name: p.name, domain_id: p.domain_id, parent_id: p.parent_id ?? p.domain_id, description: p.description,
      enabled: true, is_domain: false, links: selfLink(request, `projects/${p.id}`),
    })));
  });

  app.get('/v3/auth/domains', async (request) => {
    const ctx = await authorize(deps, request, 'identity:get_auth_domains');
    const domains = await deps.db.selectFrom('domain').selectAll().where('enabled', '=', 1).orderBy('name').execute();
    const mine = [];
    for (const d of domains) {
      if ((await effectiveRoles(deps.db, ctx.userId, { kind: 'domain', id: d.id })).length > 0) mine.push(d);
    }
    return collection(request, 'domains', mine.map((d) => ({
      id: d.id, name: d.name, description: d.description, enabled: true, links: selfLink(request, `domains/${d.id}`),
    })));
  });

  app.get('/v3/auth/system', async (request) => {
    const ctx = await authorize(deps, request, 'identity:get_auth_system');
    const roles = await effectiveRoles(deps.db, ctx.userId, { kind: 'system' });
    return { system: roles.length > 0 ? [{ all: true }] : [], links: selfLink(request, 'auth/system') };
  });
}
