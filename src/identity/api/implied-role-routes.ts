// Role inference rules: /v3/roles/{prior}/implies[/{implied}] and /v3/role_inferences.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RoleRow } from '../db/schema.js';
import {
  createImpliedRole, deleteImpliedRole, getImpliedRole, listAllInferences, listImpliedRoles,
} from '../domain/implied-roles.js';
import { getRole } from '../domain/roles.js';
import type { IdentityDeps } from './deps.js';
import { authorize, selfLink, type Params } from './helpers.js';
import { roleTarget } from './role-routes.js';

function brief(request: FastifyRequest, r: RoleRow): Record<string, unknown> {
  return { id: r.id, name: r.name, links: selfLink(request, `roles/${r.id}`) };
}

export function registerImpliedRoleRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  /** Keystone loads both roles for the policy target, so a missing one is a 404 first. */
  async function authorizeRule(request: FastifyRequest, ...rules: string[]): Promise<{ prior: string; implied: string }> {
    const { prior_role_id, implied_role_id } = request.params as Params;
    await request.requireAuth();
    const prior = await getRole(deps.db, prior_role_id!);
    const implied = await getRole(deps.db, implied_role_id!);
    const target = { target: { prior_role: roleTarget(prior), implied_role: roleTarget(implied) } };
    for (const rule of rules) await authorize(deps, request, rule, target);
    return { prior: prior.id, implied: implied.id };
  }

  async function inferenceBody(request: FastifyRequest, priorId: string, impliedId: string): Promise<Record<string, unknown>> {
    const { prior, implied } = await getImpliedRole(deps.db, priorId, impliedId);
    return {
      role_inference: { prior_role: brief(request, prior), implies: brief(request, implied) },
      links: selfLink(request, `roles/${prior.id}/implies/${implied.id}`),
    };
  }

  app.get('/v3/roles/:prior_role_id/implies', async (request) => {
    const { prior_role_id } = request.params as Params;
    await request.requireAuth();
    const prior = await getRole(deps.db, prior_role_id!);
    await authorize(deps, request, 'identity:list_implied_roles', { target: { prior_role: roleTarget(prior) } });
    const { implies } = await listImpliedRoles(deps.db, prior.id);
    return {
      role_inference: { prior_role: brief(request, prior), implies: implies.map((r) => brief(request, r)) },
      links: selfLink(request, `roles/${prior.id}/implies`),
    };
  });

  // Declared before the GET so Fastify does not derive a HEAD from it: HEAD answers 204.
  app.head('/v3/roles/:prior_role_id/implies/:implied_role_id', async (request, reply) => {
    // Keystone enforces both rules on HEAD.
    const { prior, implied } = await authorizeRule(request, 'identity:check_implied_role', 'identity:get_implied_role');
    await getImpliedRole(deps.db, prior, implied);
    reply.code(204).send();
  });

  app.get('/v3/roles/:prior_role_id/implies/:implied_role_id', async (request) => {
    const { prior, implied } = await authorizeRule(request, 'identity:get_implied_role');
    return inferenceBody(request, prior, implied);
  });

  app.put('/v3/roles/:prior_role_id/implies/:implied_role_id', async (request, reply) => {
    const { prior, implied } = await authorizeRule(request, 'identity:create_implied_role');
    await createImpliedRole(deps, prior, implied);
    reply.code(201);
    return inferenceBody(request, prior, implied);
  });

  app.delete('/v3/roles/:prior_role_id/implies/:implied_role_id', async (request, reply) => {
    const { prior, implied } = await authorizeRule(request, 'identity:delete_implied_role');
    await deleteImpliedRole(deps, prior, implied);
    reply.code(204).send();
  });

  app.get('/v3/role_inferences', async (request) => {
    await authorize(deps, request, 'identity:list_role_inference_rules');
    const rules = await listAllInferences(deps.db);
    return {
      role_inferences: rules.map((r) => ({ prior_role: brief(request, r.prior), implies: r.implies.map((i) => brief(request, i)) })),
    };
  });
}
