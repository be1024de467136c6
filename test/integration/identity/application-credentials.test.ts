import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { makeUser, roleIdByName } from '../../support/assignment-fixtures.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity application credentials', () => {
  let h: Harness;
  let member: Member;
  let base: string;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
    base = `/v3/users/${member.userId}/application_credentials`;
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>, token = member.token): Promise<Record<string, any>> {
    const res = await h.request('POST', base, { token, body: { application_credential: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().application_credential;
  }

  async function appCredLogin(id: string, secret: string) {
    return h.request('POST', '/v3/auth/tokens', {
      token: null, body: { auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } },
    });
  }

  test('create returns the secret once; it authenticates on the creating project with the token roles', async () => {
    const ac = await create({ name: 'ac-basic', description: 'for ci' });
    assert.match(ac.id, /^[0-9a-f]{32}$/);
    assert.equal(typeof ac.secret, 'string');
    assert.ok(ac.secret.length >= 64);
    assert.equal(ac.project_id, h.adminProjectId);
    assert.equal(ac.description, 'for ci');
    assert.equal(ac.expires_at, null);
    assert.equal(ac.unrestricted, false);
    assert.deepEqual(ac.roles.map((r: { name: string }) => r.name).sort(), ['member', 'reader']);
    assert.equal('access_rules' in ac, false);
    assert.match(ac.links.self, new RegExp(`/v3/users/${member.userId}/application_credentials/${ac.id}$`));

    const shown = await h.request('GET', `${base}/${ac.id}`, { token: member.token });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal('secret' in shown.json().application_credential, false);
    assert.deepEqual(shown.json().application_credential, Object.fromEntries(Object.entries(ac).filter(([k]) => k !== 'secret')));
    const row = await h.deps.db.selectFrom('application_credential').select('secret_hash').where('id', '=', ac.id).executeTakeFirstOrThrow();
    assert.ok(!row.secret_hash.includes(ac.secret), 'only a hash is stored');

    const login = await appCredLogin(ac.id, ac.secret);
    assert.equal(login.statusCode, 201, login.body);
    assert.equal(login.json().token.project.id, h.adminProjectId);
    assert.equal(login.json().token.application_credential.id, ac.id);
    assert.equal((await appCredLogin(ac.id, 'wrong-secret')).statusCode, 401);
  });

  test('explicit roles must be a subset of the token roles (by id or name)', async () => {
    const readerId = await roleIdByName(h, 'reader');
    const byId = await create({ name: 'ac-reader', roles: [{ id: readerId }], secret: 'my-own-secret' });
    assert.deepEqual(byId.roles.map((r: { id: string }) => r.id), [readerId]);
    assert.equal(byId.secret, 'my-own-secret');
    const login = await appCredLogin(byId.id, 'my-own-secret');
    assert.equal(login.statusCode, 201, login.body);
    assert.deepEqual(login.json().token.roles.map((r: { name: string }) => r.name), ['reader']);

    const byName = await create({ name: 'ac-member', roles: [{ name: 'member' }] });
    assert.deepEqual(byName.roles.map((r: { name: string }) => r.name), ['member']);

    const escalate = await h.request('POST', base, { token: member.token, body: { application_credential: { name: 'ac-admin', roles: [{ name: 'admin' }] } } });
    assert.equal(escalate.statusCode, 400);
    assert.match(escalate.json().error.message, /unassigned role/);
    const unknown = await h.request('POST', base, { token: member.token, body: { application_credential: { name: 'ac-x', roles: [{ name: 'no-such-role' }] } } });
    assert.equal(unknown.statusCode, 404);
  });

  test('expires_at is kept to the microsecond; a past or malformed one is 400', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString().slice(0, 19);
    const ac = await create({ name: 'ac-expiring', expires_at: `${future}.123456` });
    assert.equal(ac.expires_at, `${future}.123456`);
    const whole = await create({ name: 'ac-expiring-2', expires_at: `${future}.000000` });
    assert.equal(whole.expires_at, future);
    for (const expires_at of ['2001-01-01T00:00:00', 'bad.123Z', 'tomorrow']) {
      const res = await h.request('POST', base, { token: member.token, body: { application_credential: { name: `ac-${expires_at}`, expires_at } } });
      assert.equal(res.statusCode, 400, expires_at);
    }
  });

  test('names are unique per user; list filters by name', async () => {
    await create({ name: 'ac-dup' });
    const dup = await h.request('POST', base, { token: member.token, body: { application_credential: { name: 'ac-dup' } } });
    assert.equal(dup.statusCode, 409);
    const list = await h.request('GET', `${base}?name=ac-dup`, { token: member.token });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().application_credentials.map((a: { name: string }) => a.name), ['ac-dup']);
    assert.ok(list.json().application_credentials.every((a: Record<string, unknown>) => !('secret' in a)));
  });

  test('only the owner creates; others cannot list, show or delete', async () => {
    const ac = await create({ name: 'ac-private' });
    const other = await memberOf(h, h.adminProjectId);
    assert.equal((await h.request('POST', base, { token: other.token, body: { application_credential: { name: 'x' } } })).statusCode, 403);
    assert.equal((await h.request('POST', base, { body: { application_credential: { name: 'x' } } })).statusCode, 403, 'not even an admin');
    assert.equal((await h.request('GET', base, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${ac.id}`, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${ac.id}`, { token: other.token })).statusCode, 403);
    // Naming yourself in the path does not reach someone else's credential.
    assert.equal((await h.request('GET', `/v3/users/${other.userId}/application_credentials/${ac.id}`, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${ac.id}`)).statusCode, 200, 'an admin may read it');
    assert.equal((await h.request('GET', `${base}/nope`, { token: member.token })).statusCode, 404);
  });

  test('a restricted application credential token cannot manage credentials; an unrestricted one can', async () => {
    const restricted = await create({ name: 'ac-restricted' });
    const token = (await appCredLogin(restricted.id, restricted.secret)).headers['x-subject-token'] as string;
    const refused = await h.request('POST', base, { token, body: { application_credential: { name: 'ac-child' } } });
    assert.equal(refused.statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${restricted.id}`, { token })).statusCode, 403);

    const open = await create({ name: 'ac-unrestricted', unrestricted: true });
    const openToken = (await appCredLogin(open.id, open.secret)).headers['x-subject-token'] as string;
    const child = await h.request('POST', base, { token: openToken, body: { application_credential: { name: 'ac-child' } } });
    assert.equal(child.statusCode, 201, child.body);
  });

  test('deleting a credential ends the tokens issued from it', async () => {
    const ac = await create({ name: 'ac-doomed' });
    const token = (await appCredLogin(ac.id, ac.secret)).headers['x-subject-token'] as string;
    assert.equal((await h.request('GET', '/v3/auth/catalog', { token })).statusCode, 200);
    assert.equal((await h.request('DELETE', `${base}/${ac.id}`, { token: member.token })).statusCode, 204);
    assert.equal((await h.request('GET', '/v3/auth/catalog', { token })).statusCode, 401);
    assert.equal((await appCredLogin(ac.id, ac.secret)).statusCode, 401);
    assert.equal((await h.request('GET', `${base}/${ac.id}`, { token: member.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `${base}/${ac.id}`, { token: member.token })).statusCode, 404);
  });

  test('mistyped input is 400', async () => {
    const bad = [
      {}, { name: '' }, { name: 5 }, { name: 'x', unrestricted: 'yes' }, { name: 'x', roles: [{ id: 'a', name: 'b' }] },
      { name: 'x', roles: [{}] }, { name: 'x', roles: 'member' }, { name: 'x', expires_at: 5 },
      { name: 'x', access_rules: [{ service: 'compute', path: 'no-slash', method: 'GET' }] },
      { name: 'x', access_rules: [{ service: 'compute', path: '/x', method: 'FETCH' }] },
      { name: 'x', access_rules: [{ service: 'compute', path: '/x', method: 'GET', extra: 1 }] },
    ];
    for (const body of bad) {
      const res = await h.request('POST', base, { token: member.token, body: { application_credential: body } });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
  });

  test('a user deleted takes their application credentials along', async () => {
    const user = await makeUser(h);
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: user.id, target_id: h.adminProjectId, role_id: await roleIdByName(h, 'member'), inherited: 0 }).execute();
    h.deps.changes.bump();
    const token = await h.login({ id: user.id }, user.password, { project: { id: h.adminProjectId } });
    const res = await h.request('POST', `/v3/users/${user.id}/application_credentials`, {
      token, body: { application_credential: { name: 'gone', access_rules: [{ service: 'compute', path: '/v2.1/servers', method: 'GET' }] } },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await h.request('DELETE', `/v3/users/${user.id}`)).statusCode, 204);
    const left = await h.deps.db.selectFrom('application_credential').select('id').where('user_id', '=', user.id).execute();
    assert.equal(left.length, 0);
    const rules = await h.deps.db.selectFrom('access_rule').select('id').where('user_id', '=', user.id).execute();
    assert.equal(rules.length, 0);
  });
});
