import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity OS-EP-FILTER endpoint groups', () => {
  let h: Harness;
  let member: Member;
  let serviceId: string;
  const base = '/v3/OS-EP-FILTER/endpoint_groups';
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
    serviceId = (await h.request('POST', '/v3/services', { body: { service: { type: 'eg' } } })).json().service.id;
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await h.request('POST', base, { body: { endpoint_group: body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().endpoint_group;
  }

  test('create, list, show, HEAD, update and delete (tempest admin/v3/test_endpoint_groups)', async () => {
    const g = await create({ name: 'eg-1', description: 'd', filters: { service_id: serviceId } });
    assert.deepEqual([g.name, g.description, g.filters], ['eg-1', 'd', { service_id: serviceId }]);
    assert.match(g.links.self, new RegExp(`${base}/${g.id}$`));
    const listed = (await h.request('GET', base)).json().endpoint_groups;
    assert.deepEqual(listed.find((x: { id: string }) => x.id === g.id), g);
    assert.deepEqual((await h.request('GET', `${base}?name=eg-1`)).json().endpoint_groups.map((x: { id: string }) => x.id), [g.id]);
    assert.deepEqual((await h.request('GET', `${base}/${g.id}`)).json().endpoint_group, g);
    const head = await h.request('HEAD', `${base}/${g.id}`);
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');

    const upd = await h.request('PATCH', `${base}/${g.id}`, { body: { endpoint_group: { name: 'eg-2', filters: { interface: 'public', region_id: 'RegionOne' } } } });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.deepEqual(upd.json().endpoint_group.filters, { interface: 'public', region_id: 'RegionOne' });
    assert.equal(upd.json().endpoint_group.description, 'd');

    assert.equal((await h.request('DELETE', `${base}/${g.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `${base}/${g.id}`)).statusCode, 404);
    assert.equal((await h.request('HEAD', `${base}/${g.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `${base}/${g.id}`)).statusCode, 404);
  });

  test('filters are required, non-empty and limited to service_id, region_id and interface', async () => {
    const bad = [
      { name: 'x' }, { filters: { service_id: 'a' } }, { name: 'x', filters: {} }, { name: 'x', filters: { enabled: true } },
      { name: 'x', filters: { url: 'http://x' } }, { name: 'x', filters: { interface: 'sideways' } }, { name: 'x', filters: 'service' },
      { name: 'x', filters: { service_id: 'a' }, colour: 'red' },
    ];
    for (const endpoint_group of bad) {
      assert.equal((await h.request('POST', base, { body: { endpoint_group } })).statusCode, 400, JSON.stringify(endpoint_group));
    }
    const g = await create({ name: 'eg-typed', filters: { interface: 'admin' } });
    assert.equal((await h.request('PATCH', `${base}/${g.id}`, { body: { endpoint_group: {} } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `${base}/${g.id}`, { body: { endpoint_group: { filters: { bogus: 1 } } } })).statusCode, 400);
  });

  test('a member may not read or write endpoint groups', async () => {
    const g = await create({ name: 'eg-member', filters: { service_id: serviceId } });
    assert.equal((await h.request('GET', base, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `${base}/${g.id}`, { token: member.token })).statusCode, 403);
    assert.equal((await h.request('POST', base, { token: member.token, body: { endpoint_group: { name: 'x', filters: { service_id: serviceId } } } })).statusCode, 403);
    assert.equal((await h.request('PATCH', `${base}/${g.id}`, { token: member.token, body: { endpoint_group: { name: 'y' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `${base}/${g.id}`, { token: member.token })).statusCode, 403);
  });
});
