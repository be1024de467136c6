// Group membership: /v3/groups/{group_id}/users[/{user_id}] and /v3/users/{user_id}/groups.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserRow } from '../db/schema.js';
import { findGroup } from '../domain/groups.js';
import {
  addUserToGroup, checkUserInGroup, listGroupsForUser, listUsersInGroup, removeUserFromGroup,
} from '../domain/group-membership.js';
import type { IdentityDeps } from './deps.js';
import { groupTarget, renderGroup } from './group-routes.js';
import { authorize, collection, queryBool, queryValue, type Params, type Query } from './helpers.js';
import { renderUser } from './user-routes.js';

function userTarget(u: UserRow | undefined): Record<string, unknown> {
  return u ? { id: u.id, name: u.name, domain_id: u.domain_id } : {};
}

export function registerGroupMemberRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const findUser = (id: string) => deps.db.selectFrom('identity_user').selectAll().where('id', '=', id).executeTakeFirst();

  /** Keystone's target for membership rules: the group and the user, each empty when missing. */
  async function authorizeMembership(request: FastifyRequest, rule: string): Promise<{ groupId: string; userId: string }> {
    const { group_id, user_id } = request.params as Params;
    await request.requireAuth();
    const [group, user] = [await findGroup(deps.db, group_id!), await findUser(user_id!)];
    await authorize(deps, request, rule, { group_id, user_id, target: { group: groupTarget(group), user: userTarget(user) } });
    return { groupId: group_id!, userId: user_id! };
  }

  app.get('/v3/groups/:group_id/users', async (request) => {
    const { group_id } = request.params as Params;
    const query = request.query as Query;
    await request.requireAuth();
    await authorize(deps, request, 'identity:list_users_in_group', { group_id, target: { group: groupTarget(await findGroup(deps.db, group_id!)) } });
    const users = await listUsersInGroup(deps.db, group_id!, {
      name: queryValue(query, 'name'), domainId: queryValue(query, 'domain_id'), enabled: queryBool(query, 'enabled'),
    });
    return collection(request, 'users', users.map((u) => renderUser(request, u)));
  });

  // GET and its automatic HEAD both answer 204, as Keystone does.
  app.get('/v3/groups/:group_id/users/:user_id', async (request, reply) => {
    const { groupId, userId } = await authorizeMembership(request, 'identity:check_user_in_group');
    await checkUserInGroup(deps.db, groupId, userId);
    reply.code(204).send();
  });

  app.put('/v3/groups/:group_id/users/:user_id', async (request, reply) => {
    const { groupId, userId } = await authorizeMembership(request, 'identity:add_user_to_group');
    await addUserToGroup(deps, groupId, userId);
    reply.code(204).send();
  });

  app.delete('/v3/groups/:group_id/users/:user_id', async (request, reply) => {
    const { groupId, userId } = await authorizeMembership(request, 'identity:remove_user_from_group');
    await removeUserFromGroup(deps, groupId, userId);
    reply.code(204).send();
  });

  app.get('/v3/users/:user_id/groups', async (request) => {
    const { user_id } = request.params as Params;
    await request.requireAuth();
    const user = await findUser(user_id!);
    await authorize(deps, request, 'identity:list_groups_for_user', { user_id, target: { user: userTarget(user) } });
    const groups = await listGroupsForUser(deps.db, user_id!);
    return collection(request, 'groups', groups.map((g) => ({ ...renderGroup(request, g), membership_expires_at: null })));
  });
}
