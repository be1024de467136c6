import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startIdentity, type Harness } from '../../support/identity-harness.js';
import { grant, makeDomain, makeGroup, makeProject, makeRole, makeUser, roleIdByName, withToken } from '../../support/assignment-fixtures.js';

describe('identity role grants', () => {
  let h: Harness;
  let domainId: string;
  let projectId: string;
  before(async () => {
    h = await startIdentity();
    domainId = await makeDomain(h);
    projectId = await makeProject(h, domainId);
  });
  after(async () => h.close());

  /** grant, list, check by HEAD and GET, revoke, then check the 404s of a missing grant. */
  async function lifecycle(base: string, roleId: string, list: string | null, suffix = ''): Promise<void> {
    const member = `${base}/${roleId}${suffix}`;
    assert.equal((await h.request('PUT', member)).statusCode, 204);
    assert.equal((await h.request('PUT', member)).statusCode, 204, 'granting twice is fine');
    if (list) {
      const roles = (await h.request('GET', list)).json().roles;
      assert.deepEqual(roles.map((r: { id: string }) => r.id), [roleId], list);
    }
    assert.equal((await h.request('HEAD', member)).statusCode, 204);
    assert.equal((await h.request('GET', member)).statusCode, 204);
    assert.equal((await h.request('DELETE', member)).statusCode, 204);
    assert.equal((await h.request('HEAD', member)).statusCode, 404);
    assert.equal((await h.request('DELETE', member)).statusCode, 404);
    if (list) assert.deepEqual((await h.request('GET', list)).json().roles, []);
  }

  test('user and group grants on projects, domains and the system', async () => {
    const user = await makeUser(h, domainId);
    const group = await makeGroup(h, domainId);
    const role = await makeRole(h);
    for (const [actor, id] of [['users', user.id], ['groups', group]] as const) {
      await lifecycle(`/v3/projects/${projectId}/${actor}/${id}/roles`, role, `/v3/projects/${projectId}/${actor}/${id}/roles`);
      await lifecycle(`/v3/domains/${domainId}/${actor}/${id}/roles`, role, `/v3/domains/${domainId}/${actor}/${id}/roles`);
      await lifecycle(`/v3/system/${actor}/${id}/roles`, role, `/v3/system/${actor}/${id}/roles`);
    }
  });

  test('OS-INHERIT grants on domains and projects are separate from direct ones', async () => {
    const user = await makeUser(h, domainId);
    const group = await makeGroup(h, domainId);
    const role = await makeRole(h);
    for (const [actor, id] of [['users', user.id], ['groups', group]] as const) {
      const domainBase = `/v3/OS-INHERIT/domains/${domainId}/${actor}/${id}/roles`;
      await lifecycle(domainBase, role, `${domainBase}/inherited_to_projects`, '/inherited_to_projects');
      await lifecycle(`/v3/OS-INHERIT/projects/${projectId}/${actor}/${id}/roles`, role, null, '/inherited_to_projects');
    }
    await grant(h, `/v3/OS-INHERIT/domains/${domainId}/users/${user.id}/roles/${role}/inherited_to_projects`);
    assert.deepEqual((await h.request('GET', `/v3/domains/${domainId}/users/${user.id}/roles`)).json().roles, [], 'not a direct domain grant');
    assert.equal((await h.request('HEAD', `/v3/domains/${domainId}/users/${user.id}/roles/${role}`)).statusCode, 404);
  });

  test('missing roles, actors and targets are 404s', async () => {
    const user = await makeUser(h, domainId);
    const role = await makeRole(h);
    for (const url of [
      `/v3/projects/${projectId}/users/${user.id}/roles/missing`, `/v3/projects/${projectId}/users/missing/roles/${role}`,
      `/v3/projects/missing/users/${user.id}/roles/${role}`, `/v3/domains/missing/users/${user.id}/roles/${role}`,
      `/v3/projects/${projectId}/groups/missing/roles/${role}`, `/v3/system/users/missing/roles/${role}`,
      `/v3/system/users/${user.id}/roles/missing`, `/v3/OS-INHERIT/domains/missing/users/${user.id}/roles/${role}/inherited_to_projects`,
    ]) {
      const res = await h.request('PUT', url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 404);
    }
    assert.equal((await h.request('GET', `/v3/projects/missing/users/${user.id}/roles`)).statusCode, 404);
  });

  test('domain-specific roles: same domain only on projects, never on the system', async () => {
    const user = await makeUser(h, domainId);
    const own = await makeRole(h, domainId);
    const foreign = await makeRole(h, await makeDomain(h));
    await grant(h, `/v3/projects/${projectId}/users/${user.id}/roles/${own}`);
    assert.equal((await h.request('PUT', `/v3/projects/${projectId}/users/${user.id}/roles/${foreign}`)).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/system/users/${user.id}/roles/${own}`)).statusCode, 400);
  });

  test('a grant changes what a token means at once', async () => {
    const user = await makeUser(h, domainId);
    const member = await roleIdByName(h, 'member');
    await grant(h, `/v3/projects/${projectId}/users/${user.id}/roles/${member}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: projectId } });
    const check = () => h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } });
    assert.equal((await check()).statusCode, 200);
    const extra = await makeRole(h);
    await grant(h, `/v3/projects/${projectId}/users/${user.id}/roles/${extra}`);
    assert.ok((await check()).json().token.roles.some((r: { id: string }) => r.id === extra), 'the new role shows up');
    await h.request('DELETE', `/v3/projects/${projectId}/users/${user.id}/roles/${extra}`);
    await h.request('DELETE', `/v3/projects/${projectId}/users/${user.id}/roles/${member}`);
    assert.equal((await check()).statusCode, 404, 'no role left on the project');

    await grant(h, `/v3/OS-INHERIT/domains/${domainId}/users/${user.id}/roles/${member}/inherited_to_projects`);
    const child = await makeProject(h, domainId, projectId);
    await h.login({ id: user.id }, user.password, { project: { id: child } });
    await assert.rejects(h.login({ id: user.id }, user.password, { domain: { id: domainId } }), /401/, 'inherited grants do not apply to the domain');
  });

  test('a project member may not grant, check or list grants', async () => {
    const user = await makeUser(h, domainId);
    const member = await roleIdByName(h, 'member');
    await grant(h, `/v3/projects/${projectId}/users/${user.id}/roles/${member}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: projectId } });
    const admin = await roleIdByName(h, 'admin');
    for (const [method, url] of [
      ['PUT', `/v3/projects/${projectId}/users/${user.id}/roles/${admin}`],
      ['GET', `/v3/projects/${projectId}/users/${user.id}/roles`],
      ['HEAD', `/v3/projects/${projectId}/users/${user.id}/roles/${member}`],
      ['DELETE', `/v3/projects/${projectId}/users/${user.id}/roles/${member}`],
      ['PUT', `/v3/system/users/${user.id}/roles/${admin}`],
      ['GET', `/v3/system/users/${user.id}/roles`],
      ['PUT', `/v3/OS-INHERIT/domains/${domainId}/users/${user.id}/roles/${admin}/inherited_to_projects`],
      ['PUT', `/v3/projects/missing/users/missing/roles/missing`],
    ] as const) {
      assert.equal((await h.request(method, url, { token })).statusCode, 403, `${method} ${url}`);
    }
    assert.equal((await h.request('HEAD', `/v3/projects/${projectId}/users/${user.id}/roles/${member}`)).statusCode, 204, 'the grant is still there');
  });

  test('without enforced scope a domain admin is a cloud admin, as in Keystone', async () => {
    const admin = await makeUser(h, domainId);
    await grant(h, `/v3/domains/${domainId}/users/${admin.id}/roles/${await roleIdByName(h, 'admin')}`);
    const token = await h.login({ id: admin.id }, admin.password, { domain: { id: domainId } });
    const outsider = await makeUser(h, 'default');
    assert.equal((await h.request('PUT', `/v3/projects/${projectId}/users/${outsider.id}/roles/${await makeRole(h)}`, { token })).statusCode, 204);
  });
});

describe('identity role grants with enforced scope', () => {
  let h: Harness;
  let domainId: string;
  let projectId: string;
  before(async () => {
    const base = await startIdentity({ identity: { enforceScope: true } });
    h = withToken(base, await base.login({ name: 'admin' }, ADMIN_PASSWORD, { system: { all: true } }));
    domainId = await makeDomain(h);
    projectId = await makeProject(h, domainId);
  });
  after(async () => h.close());

  test('a domain admin manages grants inside its domain only', async () => {
    const admin = await makeUser(h, domainId);
    await grant(h, `/v3/domains/${domainId}/users/${admin.id}/roles/${await roleIdByName(h, 'admin')}`);
    const token = await h.login({ id: admin.id }, admin.password, { domain: { id: domainId } });
    const inside = await makeUser(h, domainId);
    const role = await makeRole(h);
    assert.equal((await h.request('PUT', `/v3/projects/${projectId}/users/${inside.id}/roles/${role}`, { token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/projects/${projectId}/users/${inside.id}/roles`, { token })).statusCode, 200);
    const outsider = await makeUser(h, 'default');
    const outsideProject = await makeProject(h, 'default');
    assert.equal((await h.request('PUT', `/v3/projects/${projectId}/users/${outsider.id}/roles/${role}`, { token })).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/projects/${outsideProject}/users/${inside.id}/roles/${role}`, { token })).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/system/users/${inside.id}/roles/${role}`, { token })).statusCode, 403);
  });
});
