import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

describe('identity project tags', () => {
  let h: Harness;
  let memberToken: string;
  before(async () => {
    h = await startIdentity();
    const member = (await h.deps.db.selectFrom('role').select('id').where('name', '=', 'member').executeTakeFirstOrThrow()).id;
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'tag-member', password: 'member-pass' } } });
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: user.json().user.id, target_id: h.adminProjectId, role_id: member, inherited: 0 }).execute();
    h.deps.changes.bump();
    memberToken = await h.login({ name: 'tag-member' }, 'member-pass', { project: { id: h.adminProjectId } });
  });
  after(async () => h.close());

  async function project(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await h.request('POST', '/v3/projects', { body: { project: { name, ...extra } } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().project.id;
  }

  const tags = async (id: string) => (await h.request('GET', `/v3/projects/${id}/tags`)).json().tags as string[];

  test('add, check, replace, list and delete tags', async () => {
    const id = await project('tags-crud');
    const put = await h.request('PUT', `/v3/projects/${id}/tags/first`);
    assert.equal(put.statusCode, 201);
    assert.equal(put.body, '');
    assert.match(put.headers.location as string, new RegExp(`/v3/projects/${id}/tags/first$`));
    assert.equal((await h.request('GET', `/v3/projects/${id}/tags/first`)).statusCode, 204);
    assert.equal((await h.request('HEAD', `/v3/projects/${id}/tags/first`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/projects/${id}/tags/missing`)).statusCode, 404);

    const replace = await h.request('PUT', `/v3/projects/${id}/tags`, { body: { tags: ['x', 'y', 'z'] } });
    assert.equal(replace.statusCode, 200, replace.body);
    assert.deepEqual([...replace.json().tags].sort(), ['x', 'y', 'z']);
    assert.match(replace.json().links.self, new RegExp(`/v3/projects/${id}/tags$`));
    const listed = await h.request('GET', `/v3/projects/${id}/tags`);
    assert.deepEqual([...listed.json().tags].sort(), ['x', 'y', 'z']);
    assert.deepEqual([...(await h.request('GET', `/v3/projects/${id}`)).json().project.tags].sort(), ['x', 'y', 'z']);

    assert.equal((await h.request('DELETE', `/v3/projects/${id}/tags/x`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/projects/${id}/tags/x`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/projects/${id}/tags/x`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/projects/${id}/tags`)).statusCode, 204);
    assert.deepEqual(await tags(id), []);
  });

  test('tag rules: no commas or slashes, at most 255 characters, 80 unique tags', async () => {
    const id = await project('tags-rules');
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/a,b`)).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/a%2Fb`)).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/${'t'.repeat(256)}`)).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags`, { body: { tags: ['a', 'a'] } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags`, { body: { tags: 'a' } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags`, { body: {} })).statusCode, 400);
    const eighty = Array.from({ length: 80 }, (_, i) => `t${i}`);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags`, { body: { tags: eighty } })).statusCode, 200);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/one-too-many`)).statusCode, 400);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/t1`)).statusCode, 400);
    assert.equal((await tags(id)).length, 80);
  });

  test('unknown projects are 404 and an immutable project refuses tag changes', async () => {
    const missing = '0123456789abcdef0123456789abcdef';
    assert.equal((await h.request('GET', `/v3/projects/${missing}/tags`)).statusCode, 404);
    assert.equal((await h.request('PUT', `/v3/projects/${missing}/tags/a`)).statusCode, 404);
    const id = await project('tags-immutable', { options: { immutable: true } });
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags/a`)).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/projects/${id}/tags`, { body: { tags: ['a'] } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/projects/${id}`)).statusCode, 403);
  });

  test('a member reads its own project tags but may not change them', async () => {
    assert.equal((await h.request('PUT', `/v3/projects/${h.adminProjectId}/tags/admin-tag`)).statusCode, 201);
    const read = await h.request('GET', `/v3/projects/${h.adminProjectId}/tags`, { token: memberToken });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(read.json().tags, ['admin-tag']);
    assert.equal((await h.request('GET', `/v3/projects/${h.adminProjectId}/tags/admin-tag`, { token: memberToken })).statusCode, 204);
    assert.equal((await h.request('PUT', `/v3/projects/${h.adminProjectId}/tags/x`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/projects/${h.adminProjectId}/tags`, { token: memberToken, body: { tags: [] } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/projects/${h.adminProjectId}/tags`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/projects/${h.adminProjectId}/tags/admin-tag`, { token: memberToken })).statusCode, 403);
    const other = await project('tags-other');
    assert.equal((await h.request('GET', `/v3/projects/${other}/tags`, { token: memberToken })).statusCode, 403);
  });
});
