// /v3/users/{user_id}/access_rules: the access rules a user's application credentials refer to.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessRuleRow } from '../db/schema.js';
import { deleteAccessRule, getAccessRule, listAccessRules, toAccessRule } from '../domain/access-rules.js';
import { getUser } from '../domain/users.js';
import type { IdentityDeps } from './deps.js';
import { authorize, collection, queryValue, selfLink, type Params, type Query } from './helpers.js';

export function renderAccessRule(request: FastifyRequest, r: AccessRuleRow): Record<string, unknown> {
  return { ...toAccessRule(r), links: selfLink(request, `users/${r.user_id}/access_rules/${r.external_id}`) };
}

export function registerAccessRuleRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = '/v3/users/:user_id/access_rules';

  async function userTarget(userId: string): Promise<Record<string, unknown>> {
    const user = await deps.db.selectFrom('identity_user').select(['id', 'domain_id']).where('id', '=', userId).executeTakeFirst();
    return { user_id: userId, target: { user: user ?? { id: userId } } };
  }

  app.get(base, async (request) => {
    const { user_id } = request.params as Params;
    await authorize(deps, request, 'identity:list_access_rules', await userTarget(user_id!));
    await getUser(deps.db, user_id!);
    const query = request.query as Query;
    const rows = await listAccessRules(deps.db, user_id!, {
      service: queryValue(query, 'service'), path: queryValue(query, 'path'), method: queryValue(query, 'method'),
    });
    return collection(request, 'access_rules', rows.map((r) => renderAccessRule(request, r)));
  });

  app.get(`${base}/:access_rule_id`, async (request) => {
    const { user_id, access_rule_id } = request.params as Params;
    await authorize(deps, request, 'identity:get_access_rule', await userTarget(user_id!));
    return { access_rule: renderAccessRule(request, await getAccessRule(deps.db, user_id!, access_rule_id!)) };
  });

  app.delete(`${base}/:access_rule_id`, async (request, reply) => {
    const { user_id, access_rule_id } = request.params as Params;
    await authorize(deps, request, 'identity:delete_access_rule', await userTarget(user_id!));
    await deleteAccessRule(deps, user_id!, access_rule_id!);
    reply.code(204).send();
  });
}
