import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { makeProject, makeRole, makeUser } from '../../support/assignment-fixtures.js';

describe('identity OS-TRUST trusts', () => {
  let h: Harness;
  let projectId: string;
  let trustor: { id: string; token: string };
  let trustee: { id: string; token: string };
  let delegated: { id: string; name: string };
  let kept: { id: string; name: string };
  const base = '/v3/OS-TRUST/trusts';

  async function roleNamed(id: string) {
    return { id, name: (await h.deps.db.selectFrom('role').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name };
  }

  async function userOn(roleIds: string[]) {
    const u = await makeUser(h);
    for (const role_id of roleIds) {
      await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: u.id, target_id: projectId, role_id, inherited: 0 }).execute();
    }
    h.deps.changes.bump();
    return { id: u.id, token: await h.login({ id: u.id }, u.password, { project: { id: projectId } }) };
  }

  before(async () => {
    h = await startIdentity();
    projectId = await makeProject(h, 'default');
    delegated = await roleNamed(await makeRole(h));
    kept = await roleNamed(await makeRole(h));
    trustor = await userOn([delegated.id, kept.id]);
    trustee = await userOn([kept.id]);
  });
  after(async () => h.close());

  async function create(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await h.request('POST', base, {
      token: trustor.token,
      body: { trust: { trustor_user_id: trustor.id, trustee_user_id: trustee.id, project_id: projectId, roles: [{ name: delegated.name }], impersonation: true, ...extra } },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().trust;
  }

  test('create, show, roles, check role, list and delete (tempest admin/v3/test_trusts)', async () => {
    const t = await create();
    assert.deepEqual([t.trustor_user_id, t.trustee_user_id, t.project_id, t.impersonation, t.expires_at, t.remaining_uses],
      [trustor.id, trustee.id, projectId, true, null, null]);
    assert.deepEqual(t.roles.map((r: { id: string }) => r.id), [delegated.id]);
    assert.match(t.roles[0].links.self, new RegExp(`/v3/roles/${delegated.id}$`));
    assert.match(t.links.self, new RegExp(`/v3/OS-TRUST/trusts/${t.id}$`));

    const shown = await h.request('GET', `${base}/${t.id}`, { token: trustor.token });
    assert.equal(shown.statusCode, 200);
    assert.deepEqual(shown.json().trust, t);
    assert.equal((await h.request('GET', `${base}/${t.id}`, { token: trustee.token })).statusCode, 200, 'the trustee may read it');

    const roles = await h.request('GET', `${base}/${t.id}/roles`, { token: trustor.token });
    assert.deepEqual(roles.json().roles.map((r: { name: string }) => r.name), [delegated.name]);
    const role = await h.request('GET', `${base}/${t.id}/roles/${delegated.id}`, { token: trustor.token });
    assert.equal(role.statusCode, 200);
    assert.equal(role.json().role.name, delegated.name);
    assert.equal((await h.request('HEAD', `${base}/${t.id}/roles/${delegated.id}`, { token: trustor.token })).statusCode, 200);
    assert.equal((await h.request('GET', `${base}/${t.id}/roles/${kept.id}`, { token: trustor.token })).statusCode, 404);
    assert.equal((await h.request('HEAD', `${base}/${t.id}/roles/${kept.id}`, { token: trustor.token })).statusCode, 404);

    const mine = await h.request('GET', `${base}?trustor_user_id=${trustor.id}`, { token: trustor.token });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.deepEqual(mine.json().trusts.map((x: { id: string }) => x.id), [t.id]);
    assert.equal('roles' in mine.json().trusts[0], false);
    const all = await h.request('GET', `${base}/`);
    assert.ok(all.json().trusts.some((x: { id: string }) => x.id === t.id), 'an admin lists every trust');
    assert.equal((await h.request('GET', base, { token: trustee.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}?trustor_user_id=${trustor.id}`, { token: trustee.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}?trustee_user_id=${trustee.id}`, { token: trustee.token })).statusCode, 200);

    assert.equal((await h.request('DELETE', `${base}/${t.id}`, { token: trustee.token })).statusCode, 403, 'only the trustor deletes');
    assert.equal((await h.request('DELETE', `${base}/${t.id}`, { token: trustor.token })).statusCode, 204);
    assert.equal((await h.request('GET', `${base}/${t.id}`, { token: trustor.token })).statusCode, 404);
  });

  test('expires_at round-trips with microseconds; a malformed or past one is 400', async () => {
    const when = new Date(Date.now() + 3600_000).toISOString().slice(0, 19);
    const t = await create({ expires_at: `${when}Z`, impersonation: false });
    assert.equal(t.expires_at, `${when}.000000Z`);
    assert.equal(t.impersonation, false);
    assert.equal((await h.request('GET', `${base}/${t.id}`, { token: trustor.token })).json().trust.expires_at, `${when}.000000Z`);
    for (const expires_at of ['bad.123Z', '2000-01-01T00:00:00Z']) {
      const res = await h.request('POST', base, { token: trustor.token, body: { trust: { trustor_user_id: trustor.id, trustee_user_id: trustee.id, impersonation: true, expires_at } } });
      assert.equal(res.statusCode, 400, expires_at);
    }
    assert.equal((await h.request('DELETE', `${base}/${t.id}`, { token: trustor.token })).statusCode, 204);
  });

  test('the trustor must be the caller and must hold the roles', async () => {
    const body = (over: Record<string, unknown>) => ({ trust: { trustor_user_id: trustor.id, trustee_user_id: trustee.id, project_id: projectId, roles: [{ id: delegated.id }], impersonation: false, ...over } });
    assert.equal((await h.request('POST', base, { token: trustee.token, body: body({}) })).statusCode, 403, 'not the trustor');
    assert.equal((await h.request('POST', base, { token: trustee.token, body: body({ trustor_user_id: trustee.id }) })).statusCode, 404, 'trustee lacks the role');
    assert.equal((await h.request('POST', base, { token: trustor.token, body: body({ roles: [] }) })).statusCode, 403, 'a project needs roles');
    assert.equal((await h.request('POST', base, { token: trustor.token, body: body({ trustee_user_id: 'nobody' }) })).statusCode, 404);
    assert.equal((await h.request('POST', base, { token: trustor.token, body: body({ roles: [{ name: 'no-such-role' }] }) })).statusCode, 404);
    assert.equal((await h.request('POST', base, { token: trustor.token, body: body({ project_id: 'nope' }) })).statusCode, 404);
    for (const over of [{ impersonation: 'yes' }, { remaining_uses: 0 }, { remaining_uses: 'x' }, { roles: [{ id: 'a', name: 'b' }] }, { trustee_user_id: undefined }]) {
      assert.equal((await h.request('POST', base, { token: trustor.token, body: body(over) })).statusCode, 400, JSON.stringify(over));
    }
    const limited = await h.request('POST', base, { token: trustor.token, body: body({ remaining_uses: 2 }) });
    assert.equal(limited.statusCode, 201, limited.body);
    assert.equal(limited.json().trust.remaining_uses, 2);
    assert.equal((await h.request('POST', base, { token: trustor.token, body: body({ remaining_uses: 2 }) })).statusCode, 409, 'the same trust twice');
  });

  test('a stranger can neither see nor delete a trust; unknown trusts are 404', async () => {
    const t = await create({ impersonation: false, expires_at: new Date(Date.now() + 7200_000).toISOString() });
    const stranger = await userOn([kept.id]);
    assert.equal((await h.request('GET', `${base}/${t.id}`, { token: stranger.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${t.id}/roles`, { token: stranger.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${t.id}`, { token: stranger.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/nope`, { token: stranger.token })).statusCode, 404);
  });

  test('deleting the trustee deletes the trusts it received', async () => {
    const doomed = await userOn([kept.id]);
    const res = await h.request('POST', base, {
      token: trustor.token,
      body: { trust: { trustor_user_id: trustor.id, trustee_user_id: doomed.id, project_id: projectId, roles: [{ name: delegated.name }], impersonation: false } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().trust.id as string;
    assert.equal((await h.request('DELETE', `/v3/users/${doomed.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `${base}/${id}`)).statusCode, 404);
    assert.equal(await h.deps.db.selectFrom('trust_role').select('trust_id').where('trust_id', '=', id).executeTakeFirst(), undefined);
  });
});
