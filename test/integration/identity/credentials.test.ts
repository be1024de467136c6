import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity credentials', () => {
  let h: Harness;
  let member: Member;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>, token?: string): Promise<Record<string, any>> {
    const res = await h.request('POST', '/v3/credentials', { token, body: { credential: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().credential;
  }

  test('an ec2 credential is keyed by the SHA-256 of its access key; update keeps the id', async () => {
    const blob = JSON.stringify({ access: 'AKIA-one', secret: 's1' });
    const c = await create({ user_id: member.userId, project_id: h.adminProjectId, type: 'ec2', blob });
    assert.equal(c.id, createHash('sha256').update('AKIA-one').digest('hex'));
    assert.deepEqual([c.user_id, c.project_id, c.type, c.blob], [member.userId, h.adminProjectId, 'ec2', blob]);
    assert.match(c.links.self, new RegExp(`/v3/credentials/${c.id}$`));

    const newBlob = JSON.stringify({ access: 'AKIA-two', secret: 's2' });
    const upd = await h.request('PATCH', `/v3/credentials/${c.id}`, { body: { credential: { blob: newBlob, type: 'ec2' } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().credential.id, c.id);
    assert.equal(JSON.parse(upd.json().credential.blob).access, 'AKIA-two');
    assert.deepEqual((await h.request('GET', `/v3/credentials/${c.id}`)).json().credential, upd.json().credential);

    const dup = await h.request('POST', '/v3/credentials', { body: { credential: { user_id: member.userId, project_id: h.adminProjectId, type: 'ec2', blob } } });
    assert.equal(dup.statusCode, 409);
    assert.equal((await h.request('DELETE', `/v3/credentials/${c.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/credentials/${c.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/credentials/${c.id}`)).statusCode, 404);
  });

  test('ec2 blobs must be JSON with an access key, and need a project', async () => {
    const base = { user_id: member.userId, project_id: h.adminProjectId, type: 'ec2' };
    for (const blob of ['not json', '[]', '{}', '{"secret":"x"}']) {
      const res = await h.request('POST', '/v3/credentials', { body: { credential: { ...base, blob } } });
      assert.equal(res.statusCode, 400, blob);
    }
    const noProject = await h.request('POST', '/v3/credentials', { body: { credential: { user_id: member.userId, type: 'ec2', blob: '{"access":"a"}' } } });
    assert.equal(noProject.statusCode, 400);
    for (const credential of [{ type: 'totp', blob: 'x' }, { user_id: 'u', blob: 'x' }, { user_id: 'u', type: 't' }, { user_id: 'u', type: 't', blob: 5 }]) {
      assert.equal((await h.request('POST', '/v3/credentials', { body: { credential } })).statusCode, 400, JSON.stringify(credential));
    }
  });

  test('members manage only their own credentials and see only those', async () => {
    const mine = await create({ user_id: member.userId, type: 'totp', blob: 'seed-1' }, member.token);
    assert.match(mine.id, /^[0-9a-f]{32}$/);
    assert.equal(mine.project_id, null);
    const theirs = await create({ user_id: h.adminUserId, type: 'totp', blob: 'seed-2' });
    const refused = await h.request('POST', '/v3/credentials', { token: member.token, body: { credential: { user_id: h.adminUserId, type: 'totp', blob: 'x' } } });
    assert.equal(refused.statusCode, 403);

    const listed = (await h.request('GET', '/v3/credentials', { token: member.token })).json().credentials.map((c: { id: string }) => c.id);
    assert.deepEqual(listed, [mine.id]);
    const all = (await h.request('GET', '/v3/credentials')).json().credentials.map((c: { id: string }) => c.id);
    assert.ok(all.includes(mine.id) && all.includes(theirs.id));
    const byUser = (await h.request('GET', `/v3/credentials?user_id=${h.adminUserId}`)).json().credentials;
    assert.ok(byUser.every((c: { user_id: string }) => c.user_id === h.adminUserId));

    assert.equal((await h.request('GET', `/v3/credentials/${theirs.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/credentials/${theirs.id}`, { token: member.token, body: { credential: { blob: 'y' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/credentials/${theirs.id}`, { token: member.token })).statusCode, 403);
    const handOver = await h.request('PATCH', `/v3/credentials/${mine.id}`, { token: member.token, body: { credential: { user_id: h.adminUserId } } });
    assert.equal(handOver.statusCode, 403, 'an owner cannot give a credential away');
    const own = await h.request('PATCH', `/v3/credentials/${mine.id}`, { token: member.token, body: { credential: { blob: 'seed-3' } } });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal((await h.request('DELETE', `/v3/credentials/${mine.id}`, { token: member.token })).statusCode, 204);
  });

  test('update refuses an empty body and a changed id', async () => {
    const c = await create({ user_id: member.userId, type: 'totp', blob: 'seed' });
    assert.equal((await h.request('PATCH', `/v3/credentials/${c.id}`, { body: { credential: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/credentials/${c.id}`, { body: { credential: { id: 'other' } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/credentials/${c.id}`, { body: { credential: { blob: 7 } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', '/v3/credentials/nope', { body: { credential: { blob: 'x' } } })).statusCode, 404);
  });
});
