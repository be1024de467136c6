// Renders assignment refs as Keystone's role_assignments entries: the actor, role and scope, the
// URL of the grant that produced the entry, and with include_names the names of everything.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { baseUrl } from '../../core/http/server.js';
import type { IdentityDb } from '../db/schema.js';
import type { AssignmentRef } from '../domain/role-assignments.js';

type Entry = Record<string, unknown>;

export function formatAssignment(request: FastifyRequest, ref: AssignmentRef): Entry {
  const v3 = `${baseUrl(request)}/v3`;
  const links: Record<string, string> = {};
  let scope: Entry;
  let link: string;
  let inherited = ref.inherited;
  if (ref.projectId !== undefined) {
    scope = { project: { id: ref.projectId } };
    // An entry derived from an inherited grant links to that grant, on the domain or parent.
    if (ref.indirect?.domainId !== undefined) [inherited, link] = [true, `/domains/${ref.indirect.domainId}`];
    else if (ref.indirect?.projectId !== undefined) [inherited, link] = [true, `/projects/${ref.indirect.projectId}`];
    else link = `/projects/${ref.projectId}`;
  } else if (ref.domainId !== undefined) {
    scope = { domain: { id: ref.domainId } };
    link = `/domains/${ref.domainId}`;
  } else {
    scope = { system: { all: true } };
    link = '/system';
  }
  const entry: Entry = { scope, links };
  if (ref.userId !== undefined) {
    entry.user = { id: ref.userId };
    if (ref.indirect?.groupId !== undefined) {
      links.membership = `${v3}/groups/${ref.indirect.groupId}/users/${ref.userId}`;
      link += `/groups/${ref.indirect.groupId}`;
    } else {
      link += `/users/${ref.userId}`;
    }
  } else {
    entry.group = { id: ref.groupId };
    link += `/groups/${ref.groupId}`;
  }
  entry.role = { id: ref.roleId };
  const prior = ref.indirect?.roleId;
  link += `/roles/${prior ?? ref.roleId}`;
  if (prior !== undefined) links.prior_role = `${v3}/roles/${prior}/implies/${ref.roleId}`;
  if (inherited) {
    scope['OS-INHERIT:inherited_to'] = 'projects';
    link = `/OS-INHERIT${link}/inherited_to_projects`;
  }
  links.assignment = `${v3}${link}`;
  return entry;
}

/** include_names: adds names (and owning domains) to every user, group, project, domain and role. */
export async function addNames(db: Kysely<IdentityDb>, entries: readonly Entry[]): Promise<void> {
  const domains = new Map((await db.selectFrom('domain').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
  const withDomain = (row: { name: string; domain_id: string } | undefined) =>
    row ? { name: row.name, domain: { id: row.domain_id, name: domains.get(row.domain_id) ?? '' } } : { name: '', domain: { id: '', name: '' } };
  const cache = new Map<string, unknown>();
  const once = async <T>(key: string, load: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, await load());
    return cache.get(key) as T;
  };
  for (const e of entries) {
    const user = e.user as { id: string } | undefined;
    const group = e.group as { id: string } | undefined;
    const role = e.role as { id: string };
    const scope = e.scope as { project?: { id: string }; domain?: { id: string; name?: string } };
    if (user) Object.assign(user, withDomain(await once(`u:${user.id}`, () => db.selectFrom('identity_user').select(['name', 'domain_id']).where('id', '=', user.id).executeTakeFirst())));
    if (group) Object.assign(group, withDomain(await once(`g:${group.id}`, () => db.selectFrom('identity_group').select(['name', 'domain_id']).where('id', '=', group.id).executeTakeFirst())));
    if (scope.project) {
      const id = scope.project.id;
      Object.assign(scope.project, withDomain(await once(`p:${id}`, () => db.selectFrom('project').select(['name', 'domain_id']).where('id', '=', id).executeTakeFirst())));
    }
    if (scope.domain) scope.domain = { id: scope.domain.id, name: domains.get(scope.domain.id) ?? '' };
    const r = await once(`r:${role.id}`, () => db.selectFrom('role').select(['name', 'domain_id']).where('id', '=', role.id).executeTakeFirst());
    Object.assign(role, { name: r?.name ?? '' }, r?.domain_id ? { domain: { id: r.domain_id, name: domains.get(r.domain_id) ?? '' } } : {});
  }
}
