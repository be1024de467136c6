import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity services', () => {
  let h: Harness;
  let member: Member;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await h.request('POST', '/v3/services', { body: { service: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().service;
  }

  test('create, show, update, list by type and delete', async () => {
    const s = await create({ type: 'svc-a', name: 'alpha', description: 'first' });
    assert.match(s.id, /^[0-9a-f]{32}$/);
    assert.deepEqual({ type: s.type, name: s.name, description: s.description, enabled: s.enabled }, { type: 'svc-a', name: 'alpha', description: 'first', enabled: true });
    assert.match(s.links.self, new RegExp(`/v3/services/${s.id}$`));
    const bare = await create({ type: 'svc-b' });
    assert.equal(bare.name, '');
    assert.equal('description' in bare, false);

    const upd = await h.request('PATCH', `/v3/services/${s.id}`, { body: { service: { description: 'second', enabled: false, owner: 'ops' } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().service.description, 'second');
    assert.equal(upd.json().service.enabled, false);
    assert.equal(upd.json().service.owner, 'ops');
    assert.deepEqual((await h.request('GET', `/v3/services/${s.id}`)).json().service, upd.json().service);

    const byType = (await h.request('GET', '/v3/services?type=svc-a')).json().services;
    assert.deepEqual(byType.map((x: { id: string }) => x.id), [s.id]);
    const all = (await h.request('GET', '/v3/services')).json().services.map((x: { id: string }) => x.id);
    assert.ok(all.includes(s.id) && all.includes(bare.id));

    assert.equal((await h.request('DELETE', `/v3/services/${s.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/services/${s.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/services/${s.id}`)).statusCode, 404);
  });

  test('deleting a service deletes its endpoints and takes it out of the catalog', async () => {
    const s = await create({ type: 'svc-cat', name: 'cat' });
    const ep = await h.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: s.id, interface: 'public', url: 'http://cat:1/', region_id: 'RegionOne' } } });
    assert.equal(ep.statusCode, 201, ep.body);
    const catalog = (await h.request('GET', '/v3/auth/catalog')).json().catalog;
    assert.ok(catalog.some((e: { id: string }) => e.id === s.id), 'new service shows in the catalog at once');
    assert.equal((await h.request('DELETE', `/v3/services/${s.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/endpoints/${ep.json().endpoint.id}`)).statusCode, 404);
    const after = (await h.request('GET', '/v3/auth/catalog')).json().catalog;
    assert.ok(!after.some((e: { id: string }) => e.id === s.id));
  });

  test('type is required and fields are typed', async () => {
    for (const service of [{ name: 'no-type' }, { type: '' }, { type: 5 }, { type: 'x', enabled: 'true' }, { type: 'x', name: '' }]) {
      const res = await h.request('POST', '/v3/services', { body: { service } });
      assert.equal(res.statusCode, 400, JSON.stringify(service));
    }
    const s = await create({ type: 'svc-typed' });
    assert.equal((await h.request('PATCH', `/v3/services/${s.id}`, { body: { service: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/services/${s.id}`, { body: { service: { enabled: 1 } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/services/${s.id}`, { body: { service: { id: 'other' } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', '/v3/services/nope', { body: { service: { name: 'x' } } })).statusCode, 404);
  });

  test('a member may neither read nor write services', async () => {
    const s = await create({ type: 'svc-member' });
    assert.equal((await h.request('GET', '/v3/services', { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/services/${s.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('POST', '/v3/services', { token: member.token, body: { service: { type: 'x' } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/services/${s.id}`, { token: member.token, body: { service: { name: 'x' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/services/${s.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/services/${s.id}`)).statusCode, 200);
  });
});
