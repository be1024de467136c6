import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness, type Tenant } from '../../support/network-harness.js';

describe('network tags and extensions', () => {
  let h: NetworkHarness;
  /** A network row written directly, so these tests do not depend on the network API. */
  const makeNetwork = async (owner: Tenant): Promise<string> => {
    const id = crypto.randomUUID();
    await h.db.insertInto('net_network').values({
      id, project_id: owner.projectId, name: 'n', status: 'ACTIVE', admin_state_up: 1, is_external: 0, mtu: 1450, port_security_enabled: 1,
      availability_zone_hints: '[]', dns_domain: '', vlan_transparent: null, description: '', created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    return id;
  };
  const revision = async (id: string): Promise<number> =>
    (await h.db.selectFrom('net_network').select('revision_number').where('id', '=', id).executeTakeFirstOrThrow()).revision_number;

  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('replaces, adds, checks and removes tags, bumping the revision each time', async () => {
    const id = await makeNetwork(h.alice);
    const url = `/v2.0/networks/${id}/tags`;
    const opts = { token: h.alice.token };
    const put = await h.request('PUT', url, { ...opts, body: { tags: ['red', 'blue'] } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json().tags, ['red', 'blue']);
    assert.equal(await revision(id), 1);
    assert.deepEqual((await h.request('GET', url, opts)).json().tags, ['blue', 'red']);
    assert.equal((await h.request('PUT', `${url}/green`, opts)).statusCode, 201);
    assert.equal(await revision(id), 2);
    assert.equal((await h.request('PUT', `${url}/green`, opts)).statusCode, 201);
    assert.equal(await revision(id), 2, 'an existing tag is no change');
    assert.equal((await h.request('GET', `${url}/green`, opts)).statusCode, 204);
    assert.equal((await h.request('GET', `${url}/nope`, opts)).statusCode, 404);
    assert.equal((await h.request('DELETE', `${url}/green`, opts)).statusCode, 204);
    assert.equal(await revision(id), 3);
    const missing = await h.request('DELETE', `${url}/green`, opts);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().NeutronError.type, 'TagNotFound');
    assert.equal((await h.request('DELETE', url, opts)).statusCode, 204);
    assert.deepEqual((await h.request('GET', url, opts)).json().tags, []);
    assert.equal(await revision(id), 4);
  });

  it('refuses malformed tag bodies with 400', async () => {
    const id = await makeNetwork(h.alice);
    for (const body of [{}, { tags: 'x' }, { tags: [1] }, { tags: ['a', 'a'] }, { tags: ['x'.repeat(256)] }, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, []]) {
      const res = await h.request('PUT', `/v2.0/networks/${id}/tags`, { token: h.alice.token, body });
      assert.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await h.request('PUT', `/v2.0/networks/${id}/tags/${'y'.repeat(256)}`, { token: h.alice.token })).statusCode, 400);
  });

  it("hides other projects' resources (404) and lets a shared network's tags be read, not changed", async () => {
    const id = await makeNetwork(h.alice);
    assert.equal((await h.request('GET', `/v2.0/networks/${id}/tags`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('PUT', `/v2.0/networks/${id}/tags/x`, { token: h.bob.token })).statusCode, 404);
    await h.db.insertInto('net_rbac_policy').values({
      id: crypto.randomUUID(), project_id: h.alice.projectId, object_type: 'network', object_id: id, target_project: '*', action: 'access_as_shared',
    }).execute();
    assert.equal((await h.request('GET', `/v2.0/networks/${id}/tags`, { token: h.bob.token })).statusCode, 200);
    const put = await h.request('PUT', `/v2.0/networks/${id}/tags/x`, { token: h.bob.token });
    assert.equal(put.statusCode, 403);
    assert.equal((await h.request('PUT', `/v2.0/networks/${id}/tags/x`)).statusCode, 201, 'admin may');
    assert.equal((await h.request('GET', `/v2.0/ports/${crypto.randomUUID()}/tags`)).json().NeutronError.type, 'TagResourceNotFound');
  });

  it('lists the extensions and shows one by alias', async () => {
    const list = await h.request('GET', '/v2.0/extensions', { token: h.alice.token });
    assert.equal(list.statusCode, 200);
    const aliases = (list.json().extensions as { alias: string }[]).map((e) => e.alias);
    assert.ok(aliases.includes('quotas') && aliases.includes('standard-attr-tag'));
    assert.equal(new Set(aliases).size, aliases.length, 'no alias twice');
    const one = await h.request('GET', '/v2.0/extensions/quotas');
    assert.deepEqual(Object.keys(one.json().extension).sort(), ['alias', 'description', 'links', 'name', 'updated']);
    assert.equal((await h.request('GET', '/v2.0/extensions/nonexistent')).statusCode, 404);
    assert.equal((await h.request('GET', '/v2.0/extensions', { token: null })).statusCode, 401);
  });
});
