// Role grants with Keystone's URLs: /v3/{projects,domains}/{id}/{users,groups}/{id}/roles[/{role}],
// the OS-INHERIT forms ending in /inherited_to_projects, and /v3/system/{users,groups}/{id}/roles.
// Checks answer 204 to GET and HEAD alike; grants and revokes answer 204.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  SYSTEM_TARGET, checkGrant, createGrant, deleteGrant, listGrants, loadParties, requireParties,
  type ActorKind, type GrantParties, type GrantRef, type TargetKind,
} from '../domain/grants.js';
import type { IdentityDeps } from './deps.js';
import { groupTarget } from './group-routes.js';
import { authorize, collection, type Params } from './helpers.js';
import { renderRole, roleTarget } from './role-routes.js';

interface GrantKind { readonly actor: ActorKind; readonly target: TargetKind; readonly inherited: boolean }

const KINDS: readonly GrantKind[] = (['project', 'domain', 'system'] as const).flatMap((target) =>
  (['user', 'group'] as const).flatMap((actor) =>
    (target === 'system' ? [false] : [false, true]).map((inherited) => ({ actor, target, inherited }))));

function basePath(k: GrantKind): string {
  const actor = k.actor === 'user' ? 'users/:user_id' : 'groups/:group_id';
  if (k.target === 'system') return `/v3/system/${actor}/roles`;
  const target = k.target === 'project' ? 'projects/:project_id' : 'domains/:domain_id';
  return `/v3/${k.inherited ? 'OS-INHERIT/' : ''}${target}/${actor}/roles`;
}

type Op = 'check' | 'create' | 'revoke' | 'list';

function ruleFor(k: GrantKind, op: Op): string {
  if (k.target !== 'system') return op === 'list' ? 'identity:list_grants' : `identity:${op}_grant`;
  return op === 'list' ? `identity:list_system_grants_for_${k.actor}` : `identity:${op}_system_grant_for_${k.actor}`;
}

function refOf(k: GrantKind, p: Params): GrantRef {
  const actorId = (k.actor === 'user' ? p.user_id : p.group_id)!;
  const targetId = k.target === 'project' ? p.project_id! : k.target === 'domain' ? p.domain_id! : SYSTEM_TARGET;
  return { actor: k.actor, actorId, target: k.target, targetId, inherited: k.inherited };
}

/** The policy target Keystone builds: each party's attributes, {} for one that does not exist. */
function policyTarget(k: GrantKind, params: Params, p: GrantParties, withRole: boolean): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  if (withRole) target.role = roleTarget(p.role);
  if (k.actor === 'user') target.user = p.user ? { id: p.user.id, name: p.user.name, domain_id: p.user.domain_id } : {};
  else target.group = groupTarget(p.group);
  if (k.target === 'project') target.project = p.project ? { id: p.project.id, name: p.project.name, domain_id: p.project.domain_id, parent_id: p.project.parent_id } : {};
  if (k.target === 'domain') target.domain = p.domain ? { id: p.domain.id, name: p.domain.name } : {};
  return { ...params, target };
}

export function registerGrantRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  /** Policy first (so ids cannot be probed), then Keystone's 404s for whatever is missing. */
  async function prepare(request: FastifyRequest, k: GrantKind, op: Op): Promise<{ ref: GrantRef; parties: GrantParties }> {
    const params = request.params as Params;
    await request.requireAuth();
    const ref = refOf(k, params);
    const roleId = op === 'list' ? undefined : params.role_id;
    const parties = await loadParties(deps.db, ref, roleId);
    await authorize(deps, request, ruleFor(k, op), policyTarget(k, params, parties, op !== 'list'));
    requireParties(ref, parties, roleId, op === 'revoke');
    return { ref, parties };
  }

  for (const k of KINDS) {
    const member = `${basePath(k)}/:role_id${k.inherited ? '/inherited_to_projects' : ''}`;

    app.get(member, async (request, reply) => {
      const { ref } = await prepare(request, k, 'check');
      await checkGrant(deps.db, ref, (request.params as Params).role_id!);
      reply.code(204).send();
    });

    app.put(member, async (request, reply) => {
      const { ref, parties } = await prepare(request, k, 'create');
      await createGrant(deps, ref, parties.role!, parties.project);
      reply.code(204).send();
    });

    app.delete(member, async (request, reply) => {
      const { ref } = await prepare(request, k, 'revoke');
      await deleteGrant(deps, ref, (request.params as Params).role_id!);
      reply.code(204).send();
    });

    // Keystone lists inherited grants on domains only; OS-INHERIT project grants have no list.
    if (k.inherited && k.target === 'project') continue;
    const list = k.inherited ? `${basePath(k)}/inherited_to_projects` : basePath(k);
    app.get(list, async (request) => {
      const { ref } = await prepare(request, k, 'list');
      const roles = await listGrants(deps.db, ref);
      return collection(request, 'roles', roles.map((r) => renderRole(request, r)));
    });
  }
}
