import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

const CUSTOM = {
  identity: { driver: 'ldap' },
  ldap: { url: 'ldap://myldap.com:389/', user_tree_dn: 'ou=Users,dc=my_new_root,dc=org' },
};

describe('identity domain configuration', () => {
  let h: Harness;
  let memberToken: string;
  before(async () => {
    h = await startIdentity();
    const member = (await h.deps.db.selectFrom('role').select('id').where('name', '=', 'member').executeTakeFirstOrThrow()).id;
    const user = await h.request('POST', '/v3/users', { body: { user: { name: 'cfg-member', password: 'member-pass' } } });
    await h.deps.db.insertInto('assignment').values({ type: 'UserProject', actor_id: user.json().user.id, target_id: h.adminProjectId, role_id: member, inherited: 0 }).execute();
    h.deps.changes.bump();
    memberToken = await h.login({ name: 'cfg-member' }, 'member-pass', { project: { id: h.adminProjectId } });
  });
  after(async () => h.close());

  let counter = 0;
  async function domainWithConfig(config: unknown = CUSTOM): Promise<string> {
    const d = await h.request('POST', '/v3/domains', { body: { domain: { name: `cfg-domain-${counter++}` } } });
    const id = d.json().domain.id as string;
    const res = await h.request('PUT', `/v3/domains/${id}/config`, { body: { config } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().config, config);
    return id;
  }

  test('defaults: every group, one group, one option', async () => {
    const all = await h.request('GET', '/v3/domains/config/default');
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(Object.keys(all.json().config).sort(), ['identity', 'ldap']);
    const identity = (await h.request('GET', '/v3/domains/config/identity/default')).json().config;
    assert.deepEqual(identity, { identity: { driver: 'sql', list_limit: null } });
    const ldap = (await h.request('GET', '/v3/domains/config/ldap/default')).json().config.ldap;
    assert.equal(ldap.url, 'ldap://localhost');
    assert.equal(ldap.password, undefined);
    for (const option of Object.keys(ldap)) {
      const one = await h.request('GET', `/v3/domains/config/ldap/${option}/default`);
      assert.equal(one.statusCode, 200, option);
      assert.ok(option in one.json().config);
    }
    assert.equal((await h.request('GET', '/v3/domains/config/ldap/password/default')).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/domains/config/nova/default')).statusCode, 403);
  });

  test('create, then show the config, each group and each option', async () => {
    const id = await domainWithConfig();
    assert.deepEqual((await h.request('GET', `/v3/domains/${id}/config`)).json().config, CUSTOM);
    assert.deepEqual((await h.request('GET', `/v3/domains/${id}/config/ldap`)).json().config, { ldap: CUSTOM.ldap });
    assert.deepEqual((await h.request('GET', `/v3/domains/${id}/config/ldap/url`)).json().config, { url: CUSTOM.ldap.url });
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/ldap/user`)).statusCode, 404);
    // A second PUT replaces the whole config and answers 200.
    const again = await h.request('PUT', `/v3/domains/${id}/config`, { body: { config: { identity: { driver: 'sql' } } } });
    assert.equal(again.statusCode, 200);
    assert.deepEqual((await h.request('GET', `/v3/domains/${id}/config`)).json().config, { identity: { driver: 'sql' } });
  });

  test('update the whole config, a group and an option; delete an option, a group and all', async () => {
    const id = await domainWithConfig();
    const whole = await h.request('PATCH', `/v3/domains/${id}/config`, { body: { config: { ldap: { url: 'ldap://other/' } } } });
    assert.equal(whole.statusCode, 200, whole.body);
    assert.deepEqual(whole.json().config, { ...CUSTOM, ldap: { ...CUSTOM.ldap, url: 'ldap://other/' } });

    const group = await h.request('PATCH', `/v3/domains/${id}/config/identity`, { body: { config: { identity: { driver: 'd2', list_limit: 42 } } } });
    assert.equal(group.statusCode, 200, group.body);
    assert.deepEqual(group.json().config.identity, { driver: 'd2', list_limit: 42 });
    const option = await h.request('PATCH', `/v3/domains/${id}/config/identity/driver`, { body: { config: { driver: 'd3' } } });
    assert.equal(option.statusCode, 200, option.body);
    assert.equal(option.json().config.identity.driver, 'd3');

    assert.equal((await h.request('DELETE', `/v3/domains/${id}/config/identity/driver`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/identity/driver`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}/config/identity/driver`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}/config/identity`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/identity`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}/config`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/domains/${id}/config`)).statusCode, 404);
  });

  test('sensitive options are stored but never shown', async () => {
    const id = await domainWithConfig({ ldap: { url: 'ldap://x/' } });
    const res = await h.request('PATCH', `/v3/domains/${id}/config`, { body: { config: { ldap: { password: 'secret' } } } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().config, { ldap: { url: 'ldap://x/' } });
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/ldap/password`)).statusCode, 404);
    const stored = await h.deps.db.selectFrom('domain_config').select('value').where('domain_id', '=', id).where('option_name', '=', 'password').executeTakeFirst();
    assert.equal(stored?.value, '"secret"');
  });

  test('unsupported groups and options are 403, mismatched partial updates 403, missing ones 404', async () => {
    const id = await domainWithConfig();
    const put = async (config: unknown) => (await h.request('PUT', `/v3/domains/${id}/config`, { body: { config } })).statusCode;
    assert.equal(await put({ nova: { x: 1 } }), 403);
    assert.equal(await put({ ldap: { not_an_option: 1 } }), 403);
    assert.equal(await put({}), 403);
    assert.equal(await put({ ldap: {} }), 403);
    assert.equal(await put('text'), 403);
    const patch = async (path: string, config: unknown) => (await h.request('PATCH', `/v3/domains/${id}/config${path}`, { body: { config } })).statusCode;
    assert.equal(await patch('/identity', { ldap: { url: 'x' } }), 403);
    assert.equal(await patch('/ldap/url', { user: 'x' }), 403);
    assert.equal(await patch('/ldap/user', { user: 'x' }), 404);
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/nova`)).statusCode, 403);
    const missing = '0123456789abcdef0123456789abcdef';
    assert.equal((await h.request('GET', `/v3/domains/${missing}/config`)).statusCode, 404);
    assert.equal((await h.request('PUT', `/v3/domains/${missing}/config`, { body: { config: CUSTOM } })).statusCode, 404);
  });

  test('security compliance is readable for the default domain only', async () => {
    const res = await h.request('GET', '/v3/domains/default/config/security_compliance');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().config, { security_compliance: { password_regex: null, password_regex_description: null } });
    const option = await h.request('GET', '/v3/domains/default/config/security_compliance/password_regex', { token: memberToken });
    assert.equal(option.statusCode, 200, option.body);
    assert.equal((await h.request('GET', '/v3/domains/default/config/security_compliance/lockout_duration')).statusCode, 403);
    const id = await domainWithConfig();
    assert.equal((await h.request('GET', `/v3/domains/${id}/config/security_compliance`)).statusCode, 403);
  });

  test('a project member may not read or write domain configuration', async () => {
    const id = await domainWithConfig();
    assert.equal((await h.request('GET', `/v3/domains/${id}/config`, { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('GET', '/v3/domains/config/default', { token: memberToken })).statusCode, 403);
    assert.equal((await h.request('PUT', `/v3/domains/${id}/config`, { token: memberToken, body: { config: CUSTOM } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/domains/${id}/config`, { token: memberToken, body: { config: CUSTOM } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}/config`, { token: memberToken })).statusCode, 403);
  });

  test('deleting a domain deletes its configuration', async () => {
    const id = await domainWithConfig();
    assert.equal((await h.request('PATCH', `/v3/domains/${id}`, { body: { domain: { enabled: false } } })).statusCode, 200);
    assert.equal((await h.request('DELETE', `/v3/domains/${id}`)).statusCode, 204);
    const rows = await h.deps.db.selectFrom('domain_config').select('value').where('domain_id', '=', id).execute();
    assert.equal(rows.length, 0);
  });
});
