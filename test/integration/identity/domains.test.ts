import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

describe('identity domains', () => {
  let h: Harness;
  let memberRoleId: string;
  let memberToken: string;
  before(async () => {
    h = await startIdentity();
    memberRoleId = (await h.deps.db.selectFrom('role').select('id').where('name', '=', 'member').executeTakeFirstOrThrow()).id;
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'dom-member', password: 'member-pass', domain_id: 'default' } } });
    assert.equal(user.statusCode, 201, user.body);
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: user.json().user.id, target_id: h.adminProjectId, role_id: memberRoleId, inherited: 0 }).execute();
    h.deps.changes.bump();
    memberToken = await h.login({ name: 'dom-member' }, 'member-pass', { project: { id: h.adminProjectId } });
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await h.request('POST', '/v3/domains', { body: { domain: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().domain;
  }

  async function disableAndDelete(id: string): Promise<void> {
    assert.equal((await h.request('PATCH', `/v3/domains/${id}`, { body: { domain: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}`)).statusCode, 204);
  }

  test('create, show, update, list and delete a domain', async () => {
    const d = await create({ name: 'dom-crud', description: 'first', colour: 'blue', tags: ['x'] });
    assert.equal(d.name, 'dom-crud');
    assert.equal(d.description, 'first');
    assert.equal(d.enabled, true);
    assert.equal(d.colour, 'blue');
    assert.deepEqual(d.tags, ['x']);
    assert.deepEqual(d.options, {});
    assert.match(d.links.self, new RegExp(`/v3/domains/${d.id}$`));
    assert.match(d.id, /^[0-9a-f]{32}$/);

    const shown = await h.request('GET', `/v3/domains/${d.id}`);
    assert.deepEqual(shown.json().domain, d);

    const upd = await h.request('PATCH', `/v3/domains/${d.id}`, { body: { domain: { name: 'dom-crud2', description: 'second', enabled: false } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().domain.name, 'dom-crud2');
    assert.equal(upd.json().domain.enabled, false);
    assert.equal(upd.json().domain.colour, 'blue');

    const disabled = await h.request('GET', '/v3/domains?enabled=false');
    assert.deepEqual(disabled.json().domains.map((x: { id: string }) => x.id), [d.id]);
    const enabled = await h.request('GET', '/v3/domains?enabled=true');
    assert.ok(enabled.json().domains.every((x: { enabled: boolean }) => x.enabled));
    assert.ok(enabled.json().domains.some((x: { id: string }) => x.id === 'default'));
    const byName = await h.request('GET', '/v3/domains?name=dom-crud2');
    assert.equal(byName.json().domains.length, 1);

    assert.equal((await h.request('DELETE', `/v3/domains/${d.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/domains/${d.id}`)).statusCode, 404);
    const all = await h.request('GET', '/v3/domains');
    assert.ok(!all.json().domains.some((x: { id: string }) => x.id === d.id));
  });

  test('a domain created without description has an empty one; explicit ids are honoured', async () => {
    const d = await create({ name: 'dom-nodesc' });
    assert.equal(d.description, '');
    const id = 'a'.repeat(32);
    const explicit = await create({ name: 'dom-explicit', explicit_domain_id: id });
    assert.equal(explicit.id, id);
    const bad = await h.request('POST', '/v3/domains', { body: { domain: { name: 'dom-badid', explicit_domain_id: 'not-a-uuid' } } });
    assert.equal(bad.statusCode, 400);
  });

  test('bad input is a 400, duplicates a 409, unknown ids a 404', async () => {
    for (const domain of [{ name: '' }, { name: 'a'.repeat(65) }, { name: '   ' }, {}, { name: 'x', enabled: 'yes' }, { name: 'x', tags: ['a/b'] }, { name: 'x', options: { bogus: true } }, { name: 'x', domain_id: 5 }, { name: 'x', parent_id: 'default' }]) {
      const res = await h.request('POST', '/v3/domains', { body: { domain } });
      assert.equal(res.statusCode, 400, JSON.stringify(domain));
      assert.equal(res.json().error.code, 400);
    }
    await create({ name: 'dom-dup' });
    const dup = await h.request('POST', '/v3/domains', { body: { domain: { name: 'dom-dup' } } });
    assert.equal(dup.statusCode, 409);
    const other = await create({ name: 'dom-dup2' });
    const rename = await h.request('PATCH', `/v3/domains/${other.id}`, { body: { domain: { name: 'dom-dup' } } });
    assert.equal(rename.statusCode, 409);
    assert.equal((await h.request('PATCH', `/v3/domains/${other.id}`, { body: { domain: {} } })).statusCode, 400);
    assert.equal((await h.request('DELETE', '/v3/domains/0123456789abcdef0123456789abcdef')).statusCode, 404);
    assert.equal((await h.request('PATCH', '/v3/domains/0123456789abcdef0123456789abcdef', { body: { domain: { name: 'z' } } })).statusCode, 404);
  });

  test('an enabled domain cannot be deleted', async () => {
    const d = await create({ name: 'dom-active' });
    const res = await h.request('DELETE', `/v3/domains/${d.id}`);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.message, 'Cannot delete a domain that is enabled, please disable it first.');
  });

  test('an immutable domain refuses updates and deletion until the flag is cleared', async () => {
    const d = await create({ name: 'dom-immutable', options: { immutable: true } });
    assert.deepEqual(d.options, { immutable: true });
    assert.equal((await h.request('PATCH', `/v3/domains/${d.id}`, { body: { domain: { enabled: false } } })).statusCode, 403);
    const clear = await h.request('PATCH', `/v3/domains/${d.id}`, { body: { domain: { options: { immutable: false } } } });
    assert.equal(clear.statusCode, 200, clear.body);
    await disableAndDelete(d.id);
  });

  test('deleting a domain deletes its projects, users, groups, roles and assignments', async () => {
    const d = await create({ name: 'dom-cascade' });
    const parent = await h.request('POST', '/v3/projects', { body: { project: { name: 'p', domain_id: d.id } } });
    const child = await h.request('POST', '/v3/projects', { body: { project: { name: 'c', domain_id: d.id, parent_id: parent.json().project.id, tags: ['t'] } } });
    assert.equal(child.statusCode, 201, child.body);
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'u', domain_id: d.id } } });
    const userId = user.json().user.id as string;
    await h.deps.db.insertInto('identity_group').values({ id: 'g'.repeat(32), name: 'g', domain_id: d.id, description: '', extra: '{}' }).execute();
    await h.deps.db.insertInto('role').values({ id: 'r'.repeat(32), name: 'dom-role', domain_id: d.id, description: '', options: '{}', extra: '{}' }).execute();
    await h.deps.db.insertInto('assignment').values([
      { type: 'UserProject', actor_id: userId, target_id: child.json().project.id, role_id: memberRoleId, inherited: 0 },
      { type: 'UserDomain', actor_id: h.adminUserId, target_id: d.id, role_id: memberRoleId, inherited: 0 },
    ]).execute();
    const cfg = await h.request('PUT', `/v3/domains/${d.id}/config`, { body: { config: { identity: { driver: 'ldap' } } } });

    await disableAndDelete(d.id);
    assert.equal((await h.request('GET', `/v3/users/${userId}`)).statusCode, 404);
    assert.equal((await h.request('GET', `/v3/projects/${parent.json().project.id}`)).statusCode, 404);
    assert.equal((await h.request('GET', `/v3/projects/${child.json().project.id}`)).statusCode, 404);
    const db = h.deps.db;
    assert.equal((await db.selectFrom('identity_group').select('id').where('domain_id', '=', d.id).execute()).length, 0);
    assert.equal((await db.selectFrom('role').select('id').where('domain_id', '=', d.id).execute()).length, 0);
    assert.equal((await db.selectFrom('assignment').select('role_id').where('target_id', '=', d.id).execute()).length, 0);
    assert.equal((await db.selectFrom('assignment').select('role_id').where('actor_id', '=', userId).execute()).length, 0);
    assert.equal((await db.selectFrom('project_tag').select('name').where('project_id', '=', child.json().project.id).execute()).length, 0);
    if (cfg.statusCode === 201) assert.equal((await db.selectFrom('domain_config').select('value').where('domain_id', '=', d.id).execute()).length, 0);
  });

  test('disabling a domain makes the tokens of its users fail at once', async () => {
    const d = await create({ name: 'dom-tokens' });
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'dt-user', password: 'dt-password', domain_id: d.id } } });
    const project = await h.request('POST', '/v3/projects', { body: { project: { name: 'dt-project', domain_id: d.id } } });
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: user.json().user.id, target_id: project.json().project.id, role_id: memberRoleId, inherited: 0 }).execute();
    h.deps.changes.bump();
    const token = await h.login({ name: 'dt-user', domain: d.id }, 'dt-password', { project: { id: project.json().project.id } });
    assert.equal((await h.request('GET', `/v3/projects/${project.json().project.id}`, { token })).statusCode, 200);
    assert.equal((await h.request('PATCH', `/v3/domains/${d.id}`, { body: { domain: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('GET', `/v3/projects/${project.json().project.id}`, { token })).statusCode, 401);
    const check = await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } });
    assert.equal(check.statusCode, 404);
  });

  test('a project member may see its own domain but not list, create, change or delete domains', async () => {
    const own = await h.request('GET', '/v3/domains/default', { token: memberToken });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().domain.enabled, true);
    const d = await create({ name: 'dom-forbidden' });
    assert.equal((await h.request('GET', `/v3/domains/${d.id}`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/domains', { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('POST', '/v3/domains', { token: memberToken, body: { domain: { name: 'nope' } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/domains/${d.id}`, { token: memberToken, body: { domain: { name: 'nope' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/domains/${d.id}`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/domains', { token: null })).statusCode, 401);
  });
});
