import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { grant, makeDomain, makeGroup, makeProject, makeRole, makeUser, roleIdByName } from '../../support/assignment-fixtures.js';

interface Entry {
  role: { id: string; name?: string; domain?: { id: string } };
  user?: { id: string; name?: string; domain?: { id: string; name: string } };
  group?: { id: string };
  scope: { project?: { id: string; name?: string; domain?: { id: string; name: string } }; domain?: { id: string; name?: string }; system?: { all: boolean }; 'OS-INHERIT:inherited_to'?: string };
  links: { assignment: string; membership?: string; prior_role?: string };
}

describe('identity role assignments', () => {
  let h: Harness;
  let d: string;
  let p: string;
  let child: string;
  before(async () => {
    h = await startIdentity();
    d = await makeDomain(h);
    p = await makeProject(h, d);
    child = await makeProject(h, d, p);
  });
  after(async () => h.close());

  async function list(query: string, token?: string): Promise<Entry[]> {
    const res = await h.request('GET', `/v3/role_assignments?${query}`, token ? { token } : {});
    assert.equal(res.statusCode, 200, res.body);
    return res.json().role_assignments as Entry[];
  }
  const path = (link: string) => link.replace(/^https?:\/\/[^/]+/, '');

  test('direct assignments on a project, a domain and the system, with their grant links', async () => {
    const u = await makeUser(h, d);
    const r = await makeRole(h);
    await grant(h, `/v3/projects/${p}/users/${u.id}/roles/${r}`);
    await grant(h, `/v3/domains/${d}/users/${u.id}/roles/${r}`);
    await grant(h, `/v3/system/users/${u.id}/roles/${r}`);
    const all = await list(`user.id=${u.id}`);
    assert.equal(all.length, 3);
    const byScope = (k: 'project' | 'domain' | 'system') => all.find((e) => e.scope[k] !== undefined)!;
    assert.deepEqual(byScope('project').scope, { project: { id: p } });
    assert.deepEqual(byScope('project').user, { id: u.id });
    assert.deepEqual(byScope('project').role, { id: r });
    assert.equal(path(byScope('project').links.assignment), `/v3/projects/${p}/users/${u.id}/roles/${r}`);
    assert.equal(path(byScope('domain').links.assignment), `/v3/domains/${d}/users/${u.id}/roles/${r}`);
    assert.deepEqual(byScope('system').scope, { system: { all: true } });
    assert.equal(path(byScope('system').links.assignment), `/v3/system/users/${u.id}/roles/${r}`);

    assert.equal((await list(`user.id=${u.id}&scope.project.id=${p}`)).length, 1);
    assert.equal((await list(`user.id=${u.id}&scope.domain.id=${d}`)).length, 1);
    assert.deepEqual((await list(`user.id=${u.id}&scope.system=all`)).map((e) => e.scope), [{ system: { all: true } }]);
    assert.equal((await list(`role.id=${r}`)).length, 3);
    assert.deepEqual(await list(`user.id=${u.id}&scope.OS-INHERIT:inherited_to=projects`), [], 'none of them is inherited');
    assert.equal((await h.request('HEAD', `/v3/role_assignments?role.id=${r}`)).statusCode, 200);
  });

  test('group and inherited assignments, listed directly', async () => {
    const g = await makeGroup(h, d);
    const r = await makeRole(h);
    await grant(h, `/v3/projects/${p}/groups/${g}/roles/${r}`);
    await grant(h, `/v3/OS-INHERIT/domains/${d}/groups/${g}/roles/${r}/inherited_to_projects`);
    const all = await list(`group.id=${g}`);
    assert.equal(all.length, 2);
    assert.ok(all.every((e) => e.group?.id === g && e.user === undefined));
    const inherited = await list(`group.id=${g}&scope.OS-INHERIT:inherited_to=projects`);
    assert.equal(inherited.length, 1);
    assert.deepEqual(inherited[0]!.scope, { domain: { id: d }, 'OS-INHERIT:inherited_to': 'projects' });
    assert.equal(path(inherited[0]!.links.assignment), `/v3/OS-INHERIT/domains/${d}/groups/${g}/roles/${r}/inherited_to_projects`);
  });

  test('effective: group grants become the members\' own, with a membership link', async () => {
    const u = await makeUser(h, d);
    const g = await makeGroup(h, d);
    const r = await makeRole(h);
    await h.request('PUT', `/v3/groups/${g}/users/${u.id}`);
    await grant(h, `/v3/projects/${p}/groups/${g}/roles/${r}`);
    const eff = await list(`effective&user.id=${u.id}&scope.project.id=${p}`);
    assert.equal(eff.length, 1);
    assert.deepEqual(eff[0]!.user, { id: u.id });
    assert.equal(eff[0]!.group, undefined);
    assert.equal(path(eff[0]!.links.membership!), `/v3/groups/${g}/users/${u.id}`);
    assert.equal(path(eff[0]!.links.assignment), `/v3/projects/${p}/groups/${g}/roles/${r}`);
    const byProject = await list(`effective&scope.project.id=${p}&role.id=${r}`);
    assert.deepEqual(byProject.map((e) => e.user?.id), [u.id], 'without a user filter groups expand to their members');
    assert.deepEqual(await list(`user.id=${u.id}&scope.project.id=${p}`), [], 'not a direct assignment');
  });

  test('effective: inherited grants land on the projects below their target', async () => {
    const u = await makeUser(h, d);
    const fromDomain = await makeRole(h);
    const fromProject = await makeRole(h);
    await grant(h, `/v3/OS-INHERIT/domains/${d}/users/${u.id}/roles/${fromDomain}/inherited_to_projects`);
    await grant(h, `/v3/OS-INHERIT/projects/${p}/users/${u.id}/roles/${fromProject}/inherited_to_projects`);
    const onChild = await list(`effective&user.id=${u.id}&scope.project.id=${child}`);
    assert.deepEqual(onChild.map((e) => e.role.id).sort(), [fromDomain, fromProject].sort());
    const domainEntry = onChild.find((e) => e.role.id === fromDomain)!;
    assert.deepEqual(domainEntry.scope, { project: { id: child }, 'OS-INHERIT:inherited_to': 'projects' });
    assert.equal(path(domainEntry.links.assignment), `/v3/OS-INHERIT/domains/${d}/users/${u.id}/roles/${fromDomain}/inherited_to_projects`);
    const projectEntry = onChild.find((e) => e.role.id === fromProject)!;
    assert.equal(path(projectEntry.links.assignment), `/v3/OS-INHERIT/projects/${p}/users/${u.id}/roles/${fromProject}/inherited_to_projects`);
    const onParent = await list(`effective&user.id=${u.id}&scope.project.id=${p}`);
    assert.deepEqual(onParent.map((e) => e.role.id), [fromDomain], 'a project grant inherits to children only');
    const everywhere = await list(`effective&user.id=${u.id}`);
    assert.deepEqual(everywhere.filter((e) => e.role.id === fromDomain).map((e) => e.scope.project!.id).sort(), [p, child].sort());
    assert.deepEqual(await list(`effective&user.id=${u.id}&scope.domain.id=${d}`), [], 'inheritance never applies to the domain itself');

    await h.request('DELETE', `/v3/OS-INHERIT/domains/${d}/users/${u.id}/roles/${fromDomain}/inherited_to_projects`);
    assert.deepEqual((await list(`effective&user.id=${u.id}&scope.project.id=${child}`)).map((e) => e.role.id), [fromProject]);
  });

  test('effective: implied roles are added and domain roles dropped', async () => {
    const u = await makeUser(h, d);
    const [prior, implied] = [await makeRole(h), await makeRole(h)];
    const domainRole = await makeRole(h, d);
    await grant(h, `/v3/projects/${p}/users/${u.id}/roles/${prior}`);
    await grant(h, `/v3/projects/${p}/users/${u.id}/roles/${domainRole}`);
    await h.request('PUT', `/v3/roles/${prior}/implies/${implied}`);
    const eff = await list(`effective&user.id=${u.id}&scope.project.id=${p}`);
    assert.deepEqual(eff.map((e) => e.role.id).sort(), [prior, implied].sort());
    const viaPrior = eff.find((e) => e.role.id === implied)!;
    assert.equal(path(viaPrior.links.assignment), `/v3/projects/${p}/users/${u.id}/roles/${prior}`);
    assert.equal(path(viaPrior.links.prior_role!), `/v3/roles/${prior}/implies/${implied}`);
    assert.equal((await list(`user.id=${u.id}&scope.project.id=${p}`)).length, 2, 'direct listing keeps the domain role');
    await h.request('DELETE', `/v3/roles/${prior}/implies/${implied}`);
    assert.deepEqual((await list(`effective&user.id=${u.id}&scope.project.id=${p}`)).map((e) => e.role.id), [prior]);
  });

  test('include_names and include_subtree', async () => {
    const u = await makeUser(h, d);
    const r = await makeRole(h);
    await grant(h, `/v3/projects/${child}/users/${u.id}/roles/${r}`);
    const [named] = await list(`include_names&user.id=${u.id}`);
    assert.equal(named!.user!.name, u.name);
    assert.equal(named!.user!.domain!.id, d);
    assert.ok(named!.scope.project!.name);
    assert.equal(named!.scope.project!.domain!.id, d);
    assert.ok(named!.role.name?.startsWith('role-'));
    assert.deepEqual(await list(`user.id=${u.id}&scope.project.id=${p}`), []);
    assert.equal((await list(`user.id=${u.id}&scope.project.id=${p}&include_subtree`)).length, 1);
    assert.equal((await h.request('GET', '/v3/role_assignments?include_subtree')).statusCode, 400);
    assert.equal((await h.request('GET', '/v3/role_assignments?include_subtree&scope.project.id=missing')).statusCode, 404);
  });

  test('contradictory filters are 400s', async () => {
    for (const q of [`scope.project.id=${p}&scope.domain.id=${d}`, 'user.id=a&group.id=b', 'scope.system=all&scope.project.id=x',
      'scope.system=all&scope.domain.id=x', 'effective&group.id=g', `effective&scope.domain.id=${d}&scope.OS-INHERIT:inherited_to=projects`]) {
      const res = await h.request('GET', `/v3/role_assignments?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 400);
    }
  });

  test('isolation: a project member sees no assignments, not even its own project\'s', async () => {
    const member = await roleIdByName(h, 'member');
    const a = await makeProject(h, d);
    const b = await makeProject(h, d);
    const alice = await makeUser(h, d);
    const bob = await makeUser(h, d);
    await grant(h, `/v3/projects/${a}/users/${alice.id}/roles/${member}`);
    await grant(h, `/v3/projects/${b}/users/${bob.id}/roles/${member}`);
    const token = await h.login({ id: alice.id }, alice.password, { project: { id: a } });
    for (const q of ['', `scope.project.id=${b}`, `scope.project.id=${a}`, `user.id=${bob.id}`, `effective&scope.project.id=${b}`,
      `include_subtree&scope.project.id=${b}`, `include_subtree&scope.project.id=${a}`]) {
      const res = await h.request('GET', `/v3/role_assignments?${q}`, { token });
      assert.equal(res.statusCode, 403, q);
      assert.doesNotMatch(res.body, new RegExp(bob.id));
    }
  });

  test('isolation: a domain-scoped admin or reader only sees assignments in its domain', async () => {
    const other = await makeDomain(h);
    const otherProject = await makeProject(h, other);
    const outsider = await makeUser(h, other);
    const r = await makeRole(h);
    await grant(h, `/v3/projects/${otherProject}/users/${outsider.id}/roles/${r}`);
    await grant(h, `/v3/domains/${other}/users/${outsider.id}/roles/${r}`);
    const insider = await makeUser(h, d);
    await grant(h, `/v3/projects/${p}/users/${insider.id}/roles/${r}`);
    for (const roleName of ['admin', 'reader']) {
      const caller = await makeUser(h, d);
      await grant(h, `/v3/domains/${d}/users/${caller.id}/roles/${await roleIdByName(h, roleName)}`);
      const token = await h.login({ id: caller.id }, caller.password, { domain: { id: d } });
      const seen = await list('', token);
      assert.ok(seen.length > 0);
      assert.ok(seen.some((e) => e.user?.id === insider.id), roleName);
      for (const e of seen) {
        assert.ok(e.scope.domain?.id === d || e.scope.project !== undefined, JSON.stringify(e));
        assert.equal(e.scope.system, undefined);
        assert.notEqual(e.user?.id, outsider.id);
        assert.notEqual(e.scope.project?.id, h.adminProjectId);
      }
      assert.deepEqual(await list(`scope.project.id=${otherProject}`, token), []);
      assert.deepEqual(await list(`user.id=${outsider.id}&effective`, token), []);
      assert.deepEqual(await list(`scope.domain.id=${other}`, token), []);
    }
    const unscoped = await h.login({ id: outsider.id }, outsider.password);
    assert.equal((await h.request('GET', '/v3/role_assignments', { token: unscoped })).statusCode, 403);
  });
});
