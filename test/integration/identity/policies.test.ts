import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity policies (deprecated blob store)', () => {
  let h: Harness;
  let member: Member;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  test('create, list, show, update and delete (tempest admin/v3/test_policies)', async () => {
    const res = await h.request('POST', '/v3/policies', { body: { policy: { blob: '{"a": 1}', type: 'application/json', note: 'kept' } } });
    assert.equal(res.statusCode, 201, res.body);
    const p = res.json().policy;
    assert.deepEqual([p.blob, p.type, p.note], ['{"a": 1}', 'application/json', 'kept']);
    assert.match(p.links.self, new RegExp(`/v3/policies/${p.id}$`));
    const listed = (await h.request('GET', '/v3/policies')).json().policies.map((x: { id: string }) => x.id);
    assert.ok(listed.includes(p.id));
    assert.deepEqual((await h.request('GET', '/v3/policies?type=nothing')).json().policies, []);

    const upd = await h.request('PATCH', `/v3/policies/${p.id}`, { body: { policy: { type: 'text/yaml' } } });
    assert.equal(upd.statusCode, 200, upd.body);
    const shown = (await h.request('GET', `/v3/policies/${p.id}`)).json().policy;
    assert.equal(shown.type, 'text/yaml');
    assert.equal(shown.blob, p.blob);

    assert.equal((await h.request('DELETE', `/v3/policies/${p.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/policies/${p.id}`)).statusCode, 404);
    assert.equal((await h.request('PATCH', `/v3/policies/${p.id}`, { body: { policy: { type: 'x' } } })).statusCode, 404);
  });

  test('blob and type are required strings', async () => {
    for (const policy of [{ blob: 'x' }, { type: 'x' }, { blob: 5, type: 'x' }, { blob: 'x', type: ['x'] }]) {
      assert.equal((await h.request('POST', '/v3/policies', { body: { policy } })).statusCode, 400, JSON.stringify(policy));
    }
    const p = (await h.request('POST', '/v3/policies', { body: { policy: { blob: 'x', type: 'y' } } })).json().policy;
    assert.equal((await h.request('PATCH', `/v3/policies/${p.id}`, { body: { policy: {} } })).statusCode, 400);
  });

  test('a member may not read or write policies', async () => {
    const p = (await h.request('POST', '/v3/policies', { body: { policy: { blob: 'x', type: 'y' } } })).json().policy;
    assert.equal((await h.request('GET', '/v3/policies', { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/policies/${p.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('POST', '/v3/policies', { token: member.token, body: { policy: { blob: 'x', type: 'y' } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/policies/${p.id}`, { token: member.token, body: { policy: { type: 'z' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/policies/${p.id}`, { token: member.token })).statusCode, 403);
  });
});
