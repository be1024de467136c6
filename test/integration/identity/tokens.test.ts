import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/core/logger.js';
import { openDatabase } from '../../../src/db/database.js';
import type { IdentityDb } from '../../../src/identity/db/schema.js';
import { buildIdentityDeps, createIdentityService } from '../../../src/identity/service.js';
import { ADMIN_PASSWORD, startIdentity, type Harness } from '../../support/identity-harness.js';

const passwordAuth = (user: Record<string, unknown>, password: string, scope?: unknown) => ({
  auth: { identity: { methods: ['password'], password: { user: { ...user, password } } }, ...(scope ? { scope } : {}) },
});

describe('identity tokens', () => {
  let h: Harness;
  let memberRoleId: string;
  before(async () => {
    h = await startIdentity();
    memberRoleId = (await h.deps.db.selectFrom('role').select('id').where('name', '=', 'member').executeTakeFirstOrThrow()).id;
  });
  after(async () => h.close());

  async function newMember(name: string, password: string): Promise<string> {
    const res = await h.request('POST', '/v3/users', { body: { user: { name, password, domain_id: 'default' } } });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().user.id as string;
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: id, target_id: h.adminProjectId, role_id: memberRoleId, inherited: 0 }).execute();
    h.deps.changes.bump();
    return id;
  }

  test('version discovery', async () => {
    const root = await h.request('GET', '/', { token: null });
    assert.equal(root.statusCode, 300);
    assert.equal(root.json().versions.values[0].id, 'v3.14');
    const v3 = await h.request('GET', '/v3', { token: null });
    assert.equal(v3.statusCode, 200);
    assert.equal(v3.json().version.status, 'stable');
    assert.equal(v3.json().version['media-types'][0].type, 'application/vnd.openstack.identity-v3+json');
  });

  test('a project-scoped token carries the project, implied roles and the catalog', async () => {
    const res = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ name: 'admin', domain: { name: 'Default' } }, ADMIN_PASSWORD, { project: { name: 'admin', domain: { id: 'default' } } }) });
    assert.equal(res.statusCode, 201);
    assert.ok((res.headers['x-subject-token'] as string).length > 100);
    assert.match(res.headers['x-openstack-request-id'] as string, /^req-[0-9a-f-]{36}$/);
    const token = res.json().token;
    assert.equal(token.project.id, h.adminProjectId);
    assert.deepEqual(token.roles.map((r: { name: string }) => r.name), ['admin', 'member', 'reader']);
    assert.equal(token.catalog[0].type, 'identity');
    assert.deepEqual(token.methods, ['password']);
    assert.match(token.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const nocat = await h.request('POST', '/v3/auth/tokens?nocatalog', { token: null, body: passwordAuth({ id: h.adminUserId }, ADMIN_PASSWORD, { project: { id: h.adminProjectId } }) });
    assert.equal(nocat.json().token.catalog, undefined);
  });

  test('system, unscoped and rescoped tokens', async () => {
    const system = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ id: h.adminUserId }, ADMIN_PASSWORD, { system: { all: true } }) });
    assert.deepEqual(system.json().token.system, { all: true });
    const unscoped = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ id: h.adminUserId }, ADMIN_PASSWORD) });
    assert.equal(unscoped.statusCode, 201);
    assert.equal(unscoped.json().token.roles, undefined);
    assert.equal(unscoped.json().token.catalog, undefined);
    const rescoped = await h.request('POST', '/v3/auth/tokens', {
      token: null,
      body: { auth: { identity: { methods: ['token'], token: { id: unscoped.headers['x-subject-token'] } }, scope: { project: { id: h.adminProjectId } } } },
    });
    assert.equal(rescoped.statusCode, 201);
    const t = rescoped.json().token;
    assert.equal(t.audit_ids.length, 2);
    assert.equal(t.audit_ids[1], unscoped.json().token.audit_ids[0]);
    assert.equal(t.expires_at, unscoped.json().token.expires_at, 'a rescoped token keeps the original expiry');
    assert.deepEqual([...t.methods].sort(), ['password', 'token']);
  });

  test('failures do not reveal whether a user exists', async () => {
    const wrong = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ name: 'admin', domain: { id: 'default' } }, 'nope') });
    const unknown = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ name: 'nobody', domain: { id: 'default' } }, 'nope') });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    assert.equal(wrong.json().error.title, 'Unauthorized');
  });

  test('a scope without roles is refused', async () => {
    await newMember('scopeless', 'pw-scopeless');
    const res = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ name: 'scopeless', domain: { id: 'default' } }, 'pw-scopeless', { domain: { id: 'default' } }) });
    assert.equal(res.statusCode, 401);
  });

  test('malformed authentication requests are 400', async () => {
    for (const body of [{}, { auth: {} }, { auth: { identity: { methods: 'password' } } }, { auth: { identity: { methods: ['password'], password: { user: { name: 1, password: 'x' } } } } }]) {
      const res = await h.request('POST', '/v3/auth/tokens', { token: null, body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().error.code, 400);
    }
    const notJson = await h.app.inject({ method: 'POST', url: '/v3/auth/tokens', headers: { 'content-type': 'application/json' }, payload: '{"auth":' });
    assert.equal(notJson.statusCode, 400);
  });

  test('validate, check and revoke', async () => {
    const token = await h.login({ name: 'admin' }, ADMIN_PASSWORD, { project: { id: h.adminProjectId } });
    const get = await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['x-subject-token'], token);
    assert.equal((await h.request('HEAD', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 200);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': 'garbage' } })).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { token: null, headers: { 'x-subject-token': token } })).statusCode, 401);
    assert.equal((await h.request('DELETE', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 204);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': token } })).statusCode, 404);
    assert.equal((await h.request('GET', '/v3/users', { token })).statusCode, 401, 'a revoked token authenticates nothing');
    const rescope = await h.request('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: { methods: ['token'], token: { id: token } } } } });
    assert.equal(rescope.statusCode, 404, 'nor can it be rescoped (Keystone: token not found)');
  });

  test('a non-admin may validate only its own token', async () => {
    await newMember('validator', 'pw-validator');
    const own = await h.login({ name: 'validator' }, 'pw-validator', { project: { id: h.adminProjectId } });
    assert.equal((await h.request('GET', '/v3/auth/tokens', { token: own, headers: { 'x-subject-token': own } })).statusCode, 200);
    assert.equal((await h.request('GET', '/v3/auth/tokens', { token: own, headers: { 'x-subject-token': h.adminToken } })).statusCode, 403);
  });

  test("a disabled user's existing tokens fail at once", async () => {
    const id = await newMember('disable-me', 'pw-disable');
    const token = await h.login({ id }, 'pw-disable', { project: { id: h.adminProjectId } });
    assert.equal((await h.request('GET', '/v3/auth/catalog', { token })).statusCode, 200);
    assert.equal((await h.request('PATCH', `/v3/users/${id}`, { body: { user: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('GET', '/v3/auth/catalog', { token })).statusCode, 401);
    const relogin = await h.request('POST', '/v3/auth/tokens', { token: null, body: passwordAuth({ id }, 'pw-disable') });
    assert.equal(relogin.statusCode, 401);
  });

  test('changing one\'s own password revokes old tokens and swaps the password', async () => {
    const id = await newMember('changer', 'old-password');
    const token = await h.login({ id }, 'old-password', { project: { id: h.adminProjectId } });
    const wrong = await h.request('POST', `/v3/users/${id}/password`, { token, body: { user: { original_password: 'bad', password: 'new-password' } } });
    assert.equal(wrong.statusCode, 401);
    await new Promise((r) => setTimeout(r, 5));
    const ok = await h.request('POST', `/v3/users/${id}/password`, { token, body: { user: { original_password: 'old-password', password: 'new-password' } } });
    assert.equal(ok.statusCode, 204);
    assert.equal((await h.request('GET', '/v3/auth/catalog', { token })).statusCode, 401);
    await new Promise((r) => setTimeout(r, 5));
    await h.login({ id }, 'new-password');
    await assert.rejects(h.login({ id }, 'old-password'));
  });

  test('tokens survive a restart of the service', async () => {
    const token = await h.login({ name: 'admin' }, ADMIN_PASSWORD, { project: { id: h.adminProjectId } });
    const database = openDatabase<IdentityDb>(h.config.databaseUrl);
    const { app } = createIdentityService(buildIdentityDeps(h.config, database.db, undefined), createLogger('silent'));
    try {
      const res = await app.inject({ method: 'GET', url: '/v3/auth/tokens', headers: { 'x-auth-token': token, 'x-subject-token': token } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().token.user.name, 'admin');
    } finally {
      await app.close();
      await database.close();
    }
  });

  test('unknown routes and methods answer in the fault format', async () => {
    const res = await h.request('GET', '/v3/nonexistent');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 404);
  });
});
