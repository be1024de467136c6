import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { grant, makeDomain, makeProject, makeRole, makeUser, roleIdByName, uniqueName } from '../../support/assignment-fixtures.js';

describe('identity roles', () => {
  let h: Harness;
  let domainId: string;
  before(async () => {
    h = await startIdentity();
    domainId = await makeDomain(h);
  });
  after(async () => h.close());

  test('create, update, show and list a global role', async () => {
    const name = uniqueName('Role');
    const res = await h.request('POST', '/v3/roles', { body: { role: { name, description: 'd' } } });
    assert.equal(res.statusCode, 201, res.body);
    const role = res.json().role;
    assert.equal(role.name, name);
    assert.equal(role.domain_id, null);
    assert.deepEqual(role.options, {});
    assert.match(role.links.self, new RegExp(`/v3/roles/${role.id}$`));
    const listed = (await h.request('GET', '/v3/roles')).json().roles;
    assert.deepEqual(listed.find((r: { id: string }) => r.id === role.id), role, 'list entries equal the created entity');
    const updated = await h.request('PATCH', `/v3/roles/${role.id}`, { body: { role: { name: `${name}-new` } } });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.json().role.name, `${name}-new`);
    assert.equal(updated.json().role.description, 'd');
    assert.equal((await h.request('GET', `/v3/roles/${role.id}`)).json().role.name, `${name}-new`);
    assert.equal((await h.request('HEAD', `/v3/roles/${role.id}`)).statusCode, 200);
    const byName = (await h.request('GET', `/v3/roles?name=${name}-new`)).json().roles;
    assert.deepEqual(byName.map((r: { id: string }) => r.id), [role.id]);
  });

  test('duplicates conflict; bad input is a 400', async () => {
    const name = uniqueName('dup');
    assert.equal((await h.request('POST', '/v3/roles', { body: { role: { name } } })).statusCode, 201);
    assert.equal((await h.request('POST', '/v3/roles', { body: { role: { name } } })).statusCode, 409);
    assert.equal((await h.request('POST', '/v3/roles', { body: { role: { name, domain_id: domainId } } })).statusCode, 201, 'a domain role may share a global name');
    for (const body of [{ role: {} }, { role: { name: '' } }, { role: { name: '   ' } }, { role: { name: 'x', options: { color: true } } },
      { role: { name: 'x', options: { immutable: 'yes' } } }, { role: { name: 'x', domain_id: 5 } }, {}]) {
      const res = await h.request('POST', '/v3/roles', { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    const id = await makeRole(h);
    assert.equal((await h.request('PATCH', `/v3/roles/${id}`, { body: { role: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/roles/${id}`, { body: { role: { domain_id: domainId } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/roles/${id}`, { body: { role: { name } } })).statusCode, 409);
    assert.equal((await h.request('GET', '/v3/roles/missing')).statusCode, 404);
    assert.equal((await h.request('POST', '/v3/roles', { body: { role: { name: 'x', domain_id: 'missing' } } })).statusCode, 404);
  });

  test('domain roles are listed only with their domain filter', async () => {
    const other = await makeDomain(h);
    const res = await h.request('POST', '/v3/roles', { body: { role: { name: uniqueName('domain_role'), domain_id: other } } });
    const role = res.json().role;
    assert.equal(role.domain_id, other);
    assert.deepEqual((await h.request('GET', `/v3/roles?domain_id=${other}`)).json().roles, [role]);
    assert.ok(!(await h.request('GET', '/v3/roles')).json().roles.some((r: { id: string }) => r.id === role.id));
    assert.equal((await h.request('DELETE', `/v3/roles/${role.id}`)).statusCode, 204);
    assert.deepEqual((await h.request('GET', `/v3/roles?domain_id=${other}`)).json().roles, []);
  });

  test('an immutable role refuses changes until the flag is cleared', async () => {
    const res = await h.request('POST', '/v3/roles', { body: { role: { name: uniqueName('imm'), options: { immutable: true } } } });
    const role = res.json().role;
    assert.deepEqual(role.options, { immutable: true });
    assert.equal((await h.request('PATCH', `/v3/roles/${role.id}`, { body: { role: { name: 'other' } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/roles/${role.id}`, { body: { role: { name: 'other', options: { immutable: false } } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/roles/${role.id}`)).statusCode, 403);
    const unlocked = await h.request('PATCH', `/v3/roles/${role.id}`, { body: { role: { options: { immutable: null } } } });
    assert.equal(unlocked.statusCode, 200);
    assert.deepEqual(unlocked.json().role.options, {});
    assert.equal((await h.request('DELETE', `/v3/roles/${role.id}`)).statusCode, 204);
  });

  test('deleting a role removes its grants and inference rules, and the tokens that relied on it', async () => {
    const project = await makeProject(h, 'default');
    const user = await makeUser(h);
    const role = await makeRole(h);
    const implied = await makeRole(h);
    await grant(h, `/v3/projects/${project}/users/${user.id}/roles/${role}`);
    assert.equal((await h.request('PUT', `/v3/roles/${role}/implies/${implied}`)).statusCode, 201);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    assert.equal((await h.request('DELETE', `/v3/roles/${role}`)).statusCode, 204);
    assert.equal((await h.deps.db.selectFrom('assignment').selectAll().where('role_id', '=', role).execute()).length, 0);
    assert.equal((await h.deps.db.selectFrom('implied_role').selectAll().where('prior_role_id', '=', role).execute()).length, 0);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 404, 'no roles left on the scope');
    assert.equal((await h.request('GET', `/v3/roles/${implied}`)).statusCode, 200);
  });

  test('a project member may not read or change roles', async () => {
    const project = await makeProject(h, 'default');
    const user = await makeUser(h);
    await grant(h, `/v3/projects/${project}/users/${user.id}/roles/${await roleIdByName(h, 'member')}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    const role = await makeRole(h);
    for (const [method, url, body] of [
      ['GET', '/v3/roles'], ['GET', `/v3/roles/${role}`], ['GET', '/v3/roles/missing'], ['POST', '/v3/roles', { role: { name: 'x' } }],
      ['PATCH', `/v3/roles/${role}`, { role: { name: 'y' } }], ['DELETE', `/v3/roles/${role}`],
      ['GET', `/v3/roles?domain_id=${domainId}`], ['POST', '/v3/roles', { role: { name: 'z', domain_id: domainId } }],
    ] as const) {
      const res = await h.request(method, url, { token, ...(body ? { body } : {}) });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
  });
});
