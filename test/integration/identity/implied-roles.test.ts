import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { grant, makeDomain, makeProject, makeRole, makeUser, roleIdByName } from '../../support/assignment-fixtures.js';

describe('identity implied roles', () => {
  let h: Harness;
  before(async () => {
    h = await startIdentity();
  });
  after(async () => h.close());

  test('create, check, show, list and delete an inference rule', async () => {
    const [a, b, c] = [await makeRole(h), await makeRole(h), await makeRole(h)];
    const created = await h.request('PUT', `/v3/roles/${a}/implies/${b}`);
    assert.equal(created.statusCode, 201, created.body);
    const inference = created.json().role_inference;
    assert.equal(inference.prior_role.id, a);
    assert.equal(inference.implies.id, b);
    for (const key of ['id', 'name', 'links']) {
      assert.ok(key in inference.prior_role);
      assert.ok(key in inference.implies);
    }
    assert.match(created.json().links.self, new RegExp(`/v3/roles/${a}/implies/${b}$`));
    assert.equal((await h.request('PUT', `/v3/roles/${a}/implies/${b}`)).statusCode, 409);
    assert.equal((await h.request('HEAD', `/v3/roles/${a}/implies/${b}`)).statusCode, 204);
    assert.deepEqual((await h.request('GET', `/v3/roles/${a}/implies/${b}`)).json().role_inference, inference);

    await h.request('PUT', `/v3/roles/${a}/implies/${c}`);
    await h.request('PUT', `/v3/roles/${c}/implies/${b}`);
    const direct = (await h.request('GET', `/v3/roles/${a}/implies`)).json().role_inference;
    assert.equal(direct.prior_role.id, a);
    assert.deepEqual(direct.implies.map((r: { id: string }) => r.id).sort(), [b, c].sort(), 'only direct rules are listed');

    const all = (await h.request('GET', '/v3/role_inferences')).json().role_inferences;
    const mine = all.filter((r: { prior_role: { id: string } }) => [a, c].includes(r.prior_role.id));
    assert.equal(mine.length, 2);
    assert.equal(mine.find((r: { prior_role: { id: string } }) => r.prior_role.id === a).implies.length, 2);
    assert.ok(all.some((r: { prior_role: { name: string } }) => r.prior_role.name === 'admin'), 'bootstrap rules are listed');

    assert.equal((await h.request('DELETE', `/v3/roles/${a}/implies/${b}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/roles/${a}/implies/${b}`)).statusCode, 404);
    assert.equal((await h.request('HEAD', `/v3/roles/${a}/implies/${b}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/roles/${a}/implies/${b}`)).statusCode, 404);
    assert.equal((await h.request('PUT', `/v3/roles/${a}/implies/missing`)).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/roles/missing/implies')).statusCode, 404);
  });

  test('domain roles may imply global ones but not the reverse; admin is never implied', async () => {
    const d1 = await makeDomain(h);
    const d2 = await makeDomain(h);
    const [dr1, dr2, dr3] = [await makeRole(h, d1), await makeRole(h, d1), await makeRole(h, d2)];
    const global = await makeRole(h);
    assert.equal((await h.request('PUT', `/v3/roles/${dr1}/implies/${dr2}`)).statusCode, 201);
    assert.equal((await h.request('PUT', `/v3/roles/${dr1}/implies/${dr3}`)).statusCode, 201, 'across domains');
    assert.equal((await h.request('PUT', `/v3/roles/${dr1}/implies/${global}`)).statusCode, 201);
    const refused = await h.request('PUT', `/v3/roles/${global}/implies/${dr1}`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().error.message, /Global role cannot imply a domain-specific role/);
    assert.equal((await h.request('PUT', `/v3/roles/${global}/implies/${await roleIdByName(h, 'admin')}`)).statusCode, 403);
  });

  test('implied roles reach tokens, and cycles terminate', async () => {
    const project = await makeProject(h, 'default');
    const user = await makeUser(h);
    const [a, b] = [await makeRole(h), await makeRole(h)];
    await grant(h, `/v3/projects/${project}/users/${user.id}/roles/${a}`);
    await h.request('PUT', `/v3/roles/${a}/implies/${b}`);
    assert.equal((await h.request('PUT', `/v3/roles/${b}/implies/${a}`)).statusCode, 201);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    const roles = (await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).json().token.roles;
    assert.deepEqual(roles.map((r: { id: string }) => r.id).sort(), [a, b].sort());
    const effective = (await h.request('GET', `/v3/role_assignments?effective&user.id=${user.id}&scope.project.id=${project}`)).json().role_assignments;
    assert.deepEqual(effective.map((e: { role: { id: string } }) => e.role.id).sort(), [a, b, a].sort(), 'the cycle is walked once each way');
  });

  test('a project member may not see or change inference rules', async () => {
    const project = await makeProject(h, 'default');
    const user = await makeUser(h);
    await grant(h, `/v3/projects/${project}/users/${user.id}/roles/${await roleIdByName(h, 'member')}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    const [a, b] = [await makeRole(h), await makeRole(h)];
    assert.equal((await h.request('PUT', `/v3/roles/${a}/implies/${b}`, { token })).statusCode, 403);
    await h.request('PUT', `/v3/roles/${a}/implies/${b}`);
    assert.equal((await h.request('GET', `/v3/roles/${a}/implies/${b}`, { token })).statusCode, 403);
    assert.equal((await h.request('HEAD', `/v3/roles/${a}/implies/${b}`, { token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/roles/${a}/implies`, { token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/roles/${a}/implies/${b}`, { token })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/role_inferences', { token })).statusCode, 403);
  });
});
