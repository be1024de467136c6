// Tenants may not see into each other: project members, domain readers and readers stay in bounds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';

describe('isolation between tenants', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  const create = async (path: string, key: string, body: Record<string, unknown>): Promise<string> => {
    const res = await h.request('POST', path, { body: { [key]: body } });
    assert.equal(res.statusCode, 201, `${path}: ${res.body}`);
    return res.json()[key].id as string;
  };
  const roleId = async (name: string) => (await h.request('GET', `/v3/roles?name=${name}`)).json().roles[0].id as string;
  const grant = async (target: string, userId: string, role: string) => {
    const res = await h.request('PUT', `/v3/${target}/users/${userId}/roles/${await roleId(role)}`);
    assert.equal(res.statusCode, 204, res.body);
  };

  before(async () => {
    h = await startIdentity();
    ids.d1 = await create('/v3/domains', 'domain', { name: 'd1' });
    ids.d2 = await create('/v3/domains', 'domain', { name: 'd2' });
    ids.projectA = await create('/v3/projects', 'project', { name: 'A', domain_id: ids.d1 });
    ids.projectB = await create('/v3/projects', 'project', { name: 'B', domain_id: ids.d2 });
    ids.alice = await create('/v3/users', 'user', { name: 'alice', domain_id: ids.d1, password: 'alice-pw' });
    ids.bob = await create('/v3/users', 'user', { name: 'bob', domain_id: ids.d2, password: 'bob-pw' });
    ids.rita = await create('/v3/users', 'user', { name: 'rita', domain_id: ids.d1, password: 'rita-pw' });
    ids.dora = await create('/v3/users', 'user', { name: 'dora', domain_id: ids.d1, password: 'dora-pw' });
    await grant(`projects/${ids.projectA}`, ids.alice, 'member');
    await grant(`projects/${ids.projectB}`, ids.bob, 'member');
    await grant(`projects/${ids.projectA}`, ids.rita, 'reader');
    await grant(`domains/${ids.d1}`, ids.dora, 'reader');
    tokens.alice = await h.login({ id: ids.alice }, 'alice-pw', { project: { id: ids.projectA } });
    tokens.rita = await h.login({ id: ids.rita }, 'rita-pw', { project: { id: ids.projectA } });
    tokens.dora = await h.login({ id: ids.dora }, 'dora-pw', { domain: { id: ids.d1 } });
  });
  after(async () => h.close());

  test("a member of project A cannot see project B's role assignments", async () => {
    const other = await h.request('GET', `/v3/role_assignments?scope.project.id=${ids.projectB}`, { token: tokens.alice });
    assert.equal(other.statusCode, 403);
    const all = await h.request('GET', '/v3/role_assignments', { token: tokens.alice });
    assert.equal(all.statusCode, 403);
    const admin = await h.request('GET', `/v3/role_assignments?scope.project.id=${ids.projectB}`);
    assert.equal(admin.statusCode, 200);
    assert.equal(admin.json().role_assignments.length, 1, 'the admin sees it, so the 403 is policy, not absence');
  });

  test("a domain reader sees its own domain's users and not other domains'", async () => {
    const list = await h.request('GET', '/v3/users', { token: tokens.dora });
    assert.equal(list.statusCode, 200, list.body);
    const names = list.json().users.map((u: { name: string }) => u.name).sort();
    assert.deepEqual(names, ['alice', 'dora', 'rita']);
    assert.equal((await h.request('GET', `/v3/users/${ids.bob}`, { token: tokens.dora })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/users/${ids.alice}`, { token: tokens.dora })).statusCode, 200);
    // As Keystone: a domain-scoped list is confined to the token's domain whatever the filter says.
    const filtered = await h.request('GET', `/v3/users?domain_id=${ids.d2}`, { token: tokens.dora });
    assert.ok(!filtered.body.includes(ids.bob!), 'no user of another domain is disclosed');
  });

  test('a project member cannot list users of any domain', async () => {
    assert.equal((await h.request('GET', '/v3/users', { token: tokens.alice })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/users/${ids.bob}`, { token: tokens.alice })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/users/${ids.alice}`, { token: tokens.alice })).statusCode, 200, 'but may read itself');
  });

  test('a reader cannot write', async () => {
    const writes: [string, string, unknown][] = [
      ['POST', '/v3/projects', { project: { name: 'nope', domain_id: ids.d1 } }],
      ['POST', '/v3/users', { user: { name: 'nope', domain_id: ids.d1 } }],
      ['PATCH', `/v3/users/${ids.rita}`, { user: { description: 'x' } }],
      ['PATCH', `/v3/projects/${ids.projectA}`, { project: { description: 'x' } }],
      ['POST', '/v3/roles', { role: { name: 'nope' } }],
      ['DELETE', `/v3/users/${ids.alice}`, undefined],
    ];
    for (const token of [tokens.rita, tokens.dora]) {
      for (const [method, url, body] of writes) {
        const res = await h.request(method, url, { token, ...(body ? { body } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      }
    }
    assert.equal((await h.request('GET', `/v3/users/${ids.alice}`)).statusCode, 200, 'nothing was deleted');
  });
});
