import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { grant, makeDomain, makeGroup, makeProject, makeUser, roleIdByName, uniqueName } from '../../support/assignment-fixtures.js';

describe('identity groups and membership', () => {
  let h: Harness;
  let domainId: string;
  before(async () => {
    h = await startIdentity();
    domainId = await makeDomain(h);
  });
  after(async () => h.close());

  test('create, show, update and delete a group', async () => {
    const name = uniqueName('Group');
    const res = await h.request('POST', '/v3/groups', { body: { group: { name, description: 'first', domain_id: domainId, project_id: 'p1' } } });
    assert.equal(res.statusCode, 201, res.body);
    const group = res.json().group;
    assert.equal(group.name, name);
    assert.equal(group.description, 'first');
    assert.equal(group.domain_id, domainId);
    assert.equal(group.project_id, 'p1', 'extra attributes are kept');
    assert.match(group.links.self, new RegExp(`/v3/groups/${group.id}$`));

    const shown = await h.request('GET', `/v3/groups/${group.id}`);
    assert.deepEqual(shown.json().group, group);

    const renamed = await h.request('PATCH', `/v3/groups/${group.id}`, { body: { group: { name: `${name}-2`, description: 'second' } } });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().group.name, `${name}-2`);
    const again = await h.request('PATCH', `/v3/groups/${group.id}`, { body: { group: { name: `${name}-3` } } });
    assert.equal(again.json().group.description, 'second', 'a partial update keeps other fields');
    assert.equal(again.json().group.domain_id, domainId);

    assert.equal((await h.request('DELETE', `/v3/groups/${group.id}`)).statusCode, 204);
    const gone = await h.request('GET', `/v3/groups/${group.id}`);
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.code, 404);
    assert.equal((await h.request('DELETE', `/v3/groups/${group.id}`)).statusCode, 404);
  });

  test('the domain defaults to the token\'s project domain', async () => {
    const res = await h.request('POST', '/v3/groups', { body: { group: { name: uniqueName('g') } } });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().group.domain_id, 'default');
    assert.equal(res.json().group.description, '');
  });

  test('names are unique per domain', async () => {
    const name = uniqueName('dup');
    assert.equal((await h.request('POST', '/v3/groups', { body: { group: { name, domain_id: domainId } } })).statusCode, 201);
    const dup = await h.request('POST', '/v3/groups', { body: { group: { name, domain_id: domainId } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().error.title, 'Conflict');
    assert.equal((await h.request('POST', '/v3/groups', { body: { group: { name, domain_id: 'default' } } })).statusCode, 201);
    const other = await makeGroup(h, domainId);
    assert.equal((await h.request('PATCH', `/v3/groups/${other}`, { body: { group: { name } } })).statusCode, 409);
  });

  test('bad input is a 400, an unknown domain a 404', async () => {
    for (const body of [{ group: { name: '' } }, { group: { name: 7 } }, { group: {} }, { nogroup: {} }, { group: { name: 'x', description: 5 } }]) {
      const res = await h.request('POST', '/v3/groups', { body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().error.code, 400);
    }
    const g = await makeGroup(h);
    assert.equal((await h.request('PATCH', `/v3/groups/${g}`, { body: { group: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/groups/${g}`, { body: { group: { domain_id: domainId } } })).statusCode, 400);
    assert.equal((await h.request('POST', '/v3/groups', { body: { group: { name: 'n', domain_id: 'nope' } } })).statusCode, 404);
  });

  test('list filters by name and domain', async () => {
    const a = await makeGroup(h, domainId);
    const b = await makeGroup(h, 'default');
    const inDomain = (await h.request('GET', `/v3/groups?domain_id=${domainId}`)).json().groups.map((g: { id: string }) => g.id);
    assert.ok(inDomain.includes(a));
    assert.ok(!inDomain.includes(b));
    const bName = (await h.request('GET', `/v3/groups/${b}`)).json().group.name;
    const byName = (await h.request('GET', `/v3/groups?name=${bName}`)).json().groups;
    assert.deepEqual(byName.map((g: { id: string }) => g.id), [b]);
  });

  test('membership: add, check, list both ways, remove', async () => {
    const group = await makeGroup(h, domainId);
    const users = [await makeUser(h), await makeUser(h, domainId)];
    for (const u of users) assert.equal((await h.request('PUT', `/v3/groups/${group}/users/${u.id}`)).statusCode, 204);
    assert.equal((await h.request('PUT', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 204, 'adding twice is fine');
    const listed = await h.request('GET', `/v3/groups/${group}/users`);
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json().users.map((u: { id: string }) => u.id).sort(), users.map((u) => u.id).sort());
    const shown = (await h.request('GET', `/v3/users/${users[0]!.id}`)).json().user;
    assert.deepEqual(listed.json().users.find((u: { id: string }) => u.id === shown.id), shown, 'members render like users');
    assert.equal((await h.request('HEAD', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 204);

    const groups = (await h.request('GET', `/v3/users/${users[0]!.id}/groups`)).json().groups;
    assert.equal(groups.length, 1);
    assert.equal(groups[0].id, group);
    assert.equal(groups[0].membership_expires_at, null);

    assert.equal((await h.request('DELETE', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 204);
    assert.equal((await h.request('HEAD', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/groups/${group}/users/${users[0]!.id}`)).statusCode, 404);
    assert.deepEqual((await h.request('GET', `/v3/users/${users[0]!.id}/groups`)).json().groups, []);
    assert.equal((await h.request('PUT', `/v3/groups/${group}/users/nouser`)).statusCode, 404);
    assert.equal((await h.request('PUT', `/v3/groups/nogroup/users/${users[1]!.id}`)).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/users/nouser/groups')).statusCode, 404);
  });

  test('group roles reach members\' tokens; removal from the group revokes the member\'s tokens', async () => {
    const project = await makeProject(h, 'default');
    const group = await makeGroup(h);
    const user = await makeUser(h);
    await grant(h, `/v3/projects/${project}/groups/${group}/roles/${await roleIdByName(h, 'member')}`);
    await assert.rejects(h.login({ id: user.id }, user.password, { project: { id: project } }), /401/);
    assert.equal((await h.request('PUT', `/v3/groups/${group}/users/${user.id}`)).statusCode, 204);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    const check = await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } });
    assert.deepEqual(check.json().token.roles.map((r: { name: string }) => r.name).sort(), ['member', 'reader']);
    const unscoped = await h.login({ id: user.id }, user.password);
    assert.equal((await h.request('DELETE', `/v3/groups/${group}/users/${user.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': unscoped } })).statusCode, 404, 'every token of the user is revoked');
  });

  test('deleting a group removes its memberships and grants', async () => {
    const project = await makeProject(h, 'default');
    const group = await makeGroup(h);
    const user = await makeUser(h);
    await h.request('PUT', `/v3/groups/${group}/users/${user.id}`);
    await grant(h, `/v3/projects/${project}/groups/${group}/roles/${await roleIdByName(h, 'member')}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    assert.equal((await h.request('DELETE', `/v3/groups/${group}`)).statusCode, 204);
    assert.equal((await h.deps.db.selectFrom('membership').selectAll().where('group_id', '=', group).execute()).length, 0);
    assert.equal((await h.deps.db.selectFrom('assignment').selectAll().where('actor_id', '=', group).execute()).length, 0);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 404);
  });

  test('a non-admin may not manage groups but may list its own', async () => {
    const project = await makeProject(h, 'default');
    const user = await makeUser(h);
    await grant(h, `/v3/projects/${project}/users/${user.id}/roles/${await roleIdByName(h, 'member')}`);
    const group = await makeGroup(h);
    await h.request('PUT', `/v3/groups/${group}/users/${user.id}`);
    const token = await h.login({ id: user.id }, user.password, { project: { id: project } });
    const denied = [
      await h.request('POST', '/v3/groups', { token, body: { group: { name: uniqueName('x') } } }),
      await h.request('GET', '/v3/groups', { token }),
      await h.request('GET', `/v3/groups/${group}`, { token }),
      await h.request('PATCH', `/v3/groups/${group}`, { token, body: { group: { name: 'y' } } }),
      await h.request('DELETE', `/v3/groups/${group}`, { token }),
      await h.request('PUT', `/v3/groups/${group}/users/${h.adminUserId}`, { token }),
      await h.request('GET', `/v3/groups/${group}/users`, { token }),
      await h.request('GET', '/v3/groups/does-not-exist', { token }),
      await h.request('GET', `/v3/users/${h.adminUserId}/groups`, { token }),
    ];
    for (const res of denied) assert.equal(res.statusCode, 403, res.body);
    const own = await h.request('GET', `/v3/users/${user.id}/groups`, { token });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().groups.map((g: { id: string }) => g.id), [group]);
    assert.equal((await h.request('GET', '/v3/groups', { token: null })).statusCode, 401);
  });
});
