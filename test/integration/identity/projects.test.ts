import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

type Json = Record<string, any>;

describe('identity projects', () => {
  let h: Harness;
  let memberRoleId: string;
  let memberId: string;
  let memberToken: string;
  before(async () => {
    h = await startIdentity();
    memberRoleId = (await h.deps.db.selectFrom('role').select('id').where('name', '=', 'member').executeTakeFirstOrThrow()).id;
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'proj-member', password: 'member-pass', domain_id: 'default' } } });
    memberId = user.json().user.id;
    await grant(memberId, h.adminProjectId);
    memberToken = await h.login({ name: 'proj-member' }, 'member-pass', { project: { id: h.adminProjectId } });
  });
  after(async () => h.close());

  async function grant(userId: string, projectId: string, inherited = 0): Promise<void> {
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: userId, target_id: projectId, role_id: memberRoleId, inherited }).execute();
    h.deps.changes.bump();
  }

  async function create(body: Json): Promise<Json> {
    const res = await h.request('POST', '/v3/projects', { body: { project: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().project;
  }

  test('create, show, update and delete a project', async () => {
    const p = await create({ name: 'proj-crud', description: 'd1', tags: ['b', 'a'], colour: 'red' });
    assert.equal(p.domain_id, 'default');
    assert.equal(p.parent_id, 'default');
    assert.equal(p.is_domain, false);
    assert.equal(p.enabled, true);
    assert.equal(p.colour, 'red');
    assert.deepEqual([...p.tags].sort(), ['a', 'b']);
    assert.deepEqual(p.options, {});
    assert.match(p.links.self, new RegExp(`/v3/projects/${p.id}$`));
    const shown = (await h.request('GET', `/v3/projects/${p.id}`)).json().project;
    const listed = (await h.request('GET', '/v3/projects')).json().projects.find((x: Json) => x.id === p.id);
    assert.deepEqual(shown, listed);

    const upd = await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { name: 'proj-crud2', description: 'd2', enabled: false, size: 3 } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().project.name, 'proj-crud2');
    assert.equal(upd.json().project.enabled, false);
    assert.equal(upd.json().project.colour, 'red');
    assert.equal(upd.json().project.size, 3);
    assert.equal((await h.request('GET', `/v3/projects/${p.id}`)).json().project.description, 'd2');

    assert.equal((await h.request('DELETE', `/v3/projects/${p.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/projects/${p.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/projects/${p.id}`)).statusCode, 404);
  });

  test('bad input is a 400 and a duplicate name in a domain a 409', async () => {
    for (const project of [{ name: '' }, { name: 'a'.repeat(65) }, {}, { name: 'x', enabled: 'no' }, { name: 'x', domain_id: 'nope' }, { name: 'x', parent_id: 'nope' },
      { name: 'x', tags: ['a', 'a'] }, { name: 'x', tags: Array.from({ length: 81 }, (_, i) => `t${i}`) }, { name: 'x', tags: ['a,b'] }]) {
      const res = await h.request('POST', '/v3/projects', { body: { project } });
      assert.equal(res.statusCode, 400, `${JSON.stringify(project)} ${res.body}`);
    }
    assert.equal((await h.request('POST', '/v3/projects', { body: { name: 'x' } })).statusCode, 400);
    await create({ name: 'proj-dup' });
    assert.equal((await h.request('POST', '/v3/projects', { body: { project: { name: 'proj-dup' } } })).statusCode, 409);
    const dom = await h.request('POST', '/v3/domains', { body: { domain: { name: 'proj-dup-domain' } } });
    await create({ name: 'proj-dup', domain_id: dom.json().domain.id });
    const p = await create({ name: 'proj-dup-other' });
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { name: 'proj-dup' } } })).statusCode, 409);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { domain_id: dom.json().domain.id } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { parent_id: h.adminProjectId } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { id: 'other' } } })).statusCode, 400);
  });

  test('hierarchy: parents, subtree, leaf-only deletion and enable/disable rules', async () => {
    const dom = (await h.request('POST', '/v3/domains', { body: { domain: { name: 'tree-domain' } } })).json().domain;
    const a = await create({ name: 'a', domain_id: dom.id });
    assert.equal(a.parent_id, dom.id);
    const b = await create({ name: 'b', parent_id: a.id, domain_id: dom.id });
    const c = await create({ name: 'c', parent_id: b.id, domain_id: dom.id });
    assert.equal(c.parent_id, b.id);
    assert.equal(c.domain_id, dom.id);

    const ids = (await h.request('GET', `/v3/projects/${c.id}?parents_as_ids`)).json().project.parents;
    assert.deepEqual(ids, { [b.id]: { [a.id]: { [dom.id]: null } } });
    const sub = (await h.request('GET', `/v3/projects/${a.id}?subtree_as_ids`)).json().project.subtree;
    assert.deepEqual(sub, { [b.id]: { [c.id]: null } });
    assert.equal((await h.request('GET', `/v3/projects/${a.id}?subtree_as_ids&subtree_as_list`)).statusCode, 400);
    assert.equal((await h.request('GET', `/v3/projects/${a.id}?parents_as_ids&parents_as_list`)).statusCode, 400);
    // The lists only show projects the caller holds a role on.
    await grant(h.adminUserId, b.id);
    const list = (await h.request('GET', `/v3/projects/${c.id}?parents_as_list`)).json().project.parents;
    assert.deepEqual(list.map((x: Json) => x.project.id), [b.id]);
    const subList = (await h.request('GET', `/v3/projects/${a.id}?subtree_as_list`)).json().project.subtree;
    assert.deepEqual(subList.map((x: Json) => x.project.id), [b.id]);

    const parentFilter = (await h.request('GET', `/v3/projects?parent_id=${a.id}`)).json().projects;
    assert.deepEqual(parentFilter.map((x: Json) => x.id), [b.id]);
    const topFilter = (await h.request('GET', `/v3/projects?parent_id=${dom.id}`)).json().projects;
    assert.deepEqual(topFilter.map((x: Json) => x.id), [a.id]);

    const notLeaf = await h.request('DELETE', `/v3/projects/${b.id}`);
    assert.equal(notLeaf.statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/projects/${a.id}`, { body: { project: { enabled: false } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/projects/${c.id}`, { body: { project: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('PATCH', `/v3/projects/${b.id}`, { body: { project: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('PATCH', `/v3/projects/${c.id}`, { body: { project: { enabled: true } } })).statusCode, 403);
    const underDisabled = await h.request('POST', '/v3/projects', { body: { project: { name: 'd', parent_id: b.id, domain_id: dom.id } } });
    assert.equal(underDisabled.statusCode, 400);
    // A parent in another domain is refused.
    assert.equal((await h.request('POST', '/v3/projects', { body: { project: { name: 'e', parent_id: a.id } } })).statusCode, 400);

    assert.equal((await h.request('DELETE', `/v3/projects/${c.id}`)).statusCode, 204);
    assert.equal((await h.request('DELETE', `/v3/projects/${b.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/projects/${a.id}?subtree_as_ids`)).json().project.subtree, null);
  });

  test('the hierarchy is at most five projects deep', async () => {
    let parent = (await create({ name: 'depth-1' })).id as string;
    for (let level = 2; level <= 5; level++) parent = (await create({ name: `depth-${level}`, parent_id: parent })).id;
    const tooDeep = await h.request('POST', '/v3/projects', { body: { project: { name: 'depth-6', parent_id: parent } } });
    assert.equal(tooDeep.statusCode, 403);
  });

  test('list filters: name, domain, enabled and tags', async () => {
    const dom = (await h.request('POST', '/v3/domains', { body: { domain: { name: 'filter-domain' } } })).json().domain;
    const p1 = await create({ name: 'f1', domain_id: dom.id, enabled: false, tags: ['red', 'blue'] });
    const p2 = await create({ name: 'f2', domain_id: dom.id, tags: ['red'] });
    const p3 = await create({ name: 'f3', domain_id: dom.id });
    const names = async (q: string) => (await h.request('GET', `/v3/projects?domain_id=${dom.id}&${q}`)).json().projects.map((x: Json) => x.name);
    assert.deepEqual(await names(''), ['f1', 'f2', 'f3']);
    assert.deepEqual(await names('enabled=False'), ['f1']);
    assert.deepEqual(await names('enabled=true'), ['f2', 'f3']);
    assert.deepEqual(await names('name=f2'), ['f2']);
    assert.deepEqual(await names('tags=red,blue'), ['f1']);
    assert.deepEqual(await names('tags-any=blue,red'), ['f1', 'f2']);
    assert.deepEqual(await names('not-tags=red,blue'), ['f2', 'f3']);
    assert.deepEqual(await names('not-tags-any=red'), ['f3']);
    assert.ok([p1, p2, p3].every((p) => p.domain_id === dom.id));
  });

  test('is_domain projects are domains', async () => {
    const p = await create({ name: 'acting-domain', is_domain: true, domain_id: null });
    assert.equal(p.is_domain, true);
    assert.equal(p.domain_id, null);
    assert.equal(p.parent_id, null);
    const listed = (await h.request('GET', '/v3/projects?is_domain=true')).json().projects.map((x: Json) => x.id);
    assert.ok(listed.includes(p.id));
    assert.ok(listed.includes('default'));
    assert.ok(!(await h.request('GET', '/v3/projects')).json().projects.some((x: Json) => x.id === p.id));
    assert.equal((await h.request('GET', `/v3/domains/${p.id}`)).json().domain.name, 'acting-domain');
    assert.equal((await h.request('GET', `/v3/projects/${p.id}`)).json().project.is_domain, true);
    assert.equal((await h.request('DELETE', `/v3/projects/${p.id}`)).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { is_domain: false } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('DELETE', `/v3/projects/${p.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/domains/${p.id}`)).statusCode, 404);
    assert.equal((await h.request('POST', '/v3/projects', { body: { project: { name: 'x', is_domain: true, parent_id: h.adminProjectId } } })).statusCode, 400);
  });

  test('deleting a project removes its assignments and ends tokens scoped to it', async () => {
    const p = await create({ name: 'proj-tokens' });
    await grant(memberId, p.id);
    const token = await h.login({ name: 'proj-member' }, 'member-pass', { project: { id: p.id } });
    assert.equal((await h.request('GET', `/v3/projects/${p.id}`, { token })).statusCode, 200);
    assert.equal((await h.request('DELETE', `/v3/projects/${p.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', '/v3/auth/projects', { token })).statusCode, 401);
    const rows = await h.deps.db.selectFrom('assignment').select('role_id').where('target_id', '=', p.id).execute();
    assert.equal(rows.length, 0);
  });

  test('disabling a project ends tokens scoped to it', async () => {
    const p = await create({ name: 'proj-disable' });
    await grant(memberId, p.id);
    const token = await h.login({ name: 'proj-member' }, 'member-pass', { project: { id: p.id } });
    assert.equal((await h.request('PATCH', `/v3/projects/${p.id}`, { body: { project: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('GET', `/v3/projects/${p.id}`, { token })).statusCode, 401);
  });

  test('a member sees its own project only and may not manage projects', async () => {
    const own = await h.request('GET', `/v3/projects/${h.adminProjectId}`, { token: memberToken });
    assert.equal(own.statusCode, 200, own.body);
    const other = await create({ name: 'proj-other' });
    assert.equal((await h.request('GET', `/v3/projects/${other.id}`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/projects', { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('POST', '/v3/projects', { token: memberToken, body: { project: { name: 'nope' } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/projects/${other.id}`, { token: memberToken, body: { project: { name: 'nope' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/projects/${other.id}`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/projects/0123456789abcdef0123456789abcdef')).statusCode, 404);
  });

  test('/v3/users/{id}/projects lists direct, group and inherited assignments', async () => {
    const user = (await h.request('POST', '/v3/users', { body: { user: { name: 'up-user', password: 'up-password' } } })).json().user;
    const direct = await create({ name: 'up-direct' });
    const viaGroup = await create({ name: 'up-group' });
    const root = await create({ name: 'up-root' });
    const below = await create({ name: 'up-below', parent_id: root.id });
    await create({ name: 'up-none' });
    await grant(user.id, direct.id);
    await grant(user.id, root.id, 1);
    await h.deps.db.insertInto('identity_group').values({ id: 'f'.repeat(32), name: 'up-group', domain_id: 'default', description: '', extra: '{}' }).execute();
    await h.deps.db.insertInto('membership').values({ user_id: user.id, group_id: 'f'.repeat(32) }).execute();
    await h.deps.db.insertInto('assignment').values({ type: 'GroupProject', actor_id: 'f'.repeat(32), target_id: viaGroup.id, role_id: memberRoleId, inherited: 0 }).execute();
    h.deps.changes.bump();
    const res = await h.request('GET', `/v3/users/${user.id}/projects`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().projects.map((p: Json) => p.id).sort(), [below.id, direct.id, viaGroup.id].sort());
    const token = await h.login({ name: 'up-user' }, 'up-password', { project: { id: direct.id } });
    const own = await h.request('GET', `/v3/users/${user.id}/projects?name=up-group`, { token });
    assert.equal(own.statusCode, 200, own.body);
    assert.deepEqual(own.json().projects.map((p: Json) => p.id), [viaGroup.id]);
    assert.equal((await h.request('GET', `/v3/users/${h.adminUserId}/projects`, { token })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/users/0123456789abcdef0123456789abcdef/projects')).statusCode, 404);
  });
});
