import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity OS-EC2 credentials', () => {
  let h: Harness;
  let member: Member;
  let base: string;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
    base = `/v3/users/${member.userId}/credentials/OS-EC2`;
  });
  after(async () => h.close());

  async function create(): Promise<Record<string, any>> {
    const res = await h.request('POST', base, { token: member.token, body: { tenant_id: h.adminProjectId } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().credential;
  }

  test('create, list, show and delete (tempest v3/test_ec2_credentials)', async () => {
    const c = await create();
    assert.match(c.access, /^[0-9a-f]{32}$/);
    assert.match(c.secret, /^[0-9a-f]{32}$/);
    assert.equal(c.user_id, member.userId);
    assert.equal(c.tenant_id, h.adminProjectId);
    assert.equal(c.trust_id, null);
    assert.match(c.links.self, new RegExp(`${base}/${c.access}$`));
    const c2 = await create();

    const list = await h.request('GET', base, { token: member.token });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().credentials.map((x: { access: string }) => x.access).sort(), [c.access, c2.access].sort());
    const shown = await h.request('GET', `${base}/${c.access}`, { token: member.token });
    assert.equal(shown.statusCode, 200);
    assert.deepEqual(shown.json().credential, c);

    const stored = await h.request('GET', `/v3/credentials/${createHash('sha256').update(c.access).digest('hex')}`);
    assert.equal(stored.statusCode, 200, 'the same record through /v3/credentials');
    assert.equal(stored.json().credential.type, 'ec2');

    assert.equal((await h.request('DELETE', `${base}/${c.access}`, { token: member.token })).statusCode, 204);
    assert.equal((await h.request('GET', `${base}/${c.access}`, { token: member.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `${base}/${c.access}`, { token: member.token })).statusCode, 404);
  });

  test('an unknown project or user is 404', async () => {
    assert.equal((await h.request('POST', base, { token: member.token, body: { tenant_id: 'nope' } })).statusCode, 404);
    assert.equal((await h.request('POST', base, { token: member.token, body: {} })).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/users/nope/credentials/OS-EC2')).statusCode, 404);
  });

  test('another member cannot create, list, read or delete my EC2 credentials', async () => {
    const c = await create();
    const other = await memberOf(h, h.adminProjectId);
    assert.equal((await h.request('POST', base, { token: other.token, body: { tenant_id: h.adminProjectId } })).statusCode, 403);
    assert.equal((await h.request('GET', base, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${c.access}`, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${c.access}`, { token: other.token })).statusCode, 403);
    const viaOwnPath = await h.request('GET', `/v3/users/${other.userId}/credentials/OS-EC2/${c.access}`, { token: other.token });
    assert.equal(viaOwnPath.statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${c.access}`)).statusCode, 200, 'an admin may read it');
  });
});
