import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity endpoints', () => {
  let h: Harness;
  let member: Member;
  let serviceId: string;
  let otherServiceId: string;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
    serviceId = (await h.request('POST', '/v3/services', { body: { service: { type: 'ep-a' } } })).json().service.id;
    otherServiceId = (await h.request('POST', '/v3/services', { body: { service: { type: 'ep-b' } } })).json().service.id;
  });
  after(async () => h.close());

  async function create(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await h.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: serviceId, interface: 'public', url: 'http://a:1/v1', ...body } } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().endpoint;
  }

  test('the legacy region field creates its region; show, list filters, update and delete', async () => {
    const e = await create({ region: 'LegacyRegion', enabled: true, name: 'ep' });
    assert.equal(e.region, 'LegacyRegion');
    assert.equal(e.region_id, 'LegacyRegion');
    assert.equal(e.enabled, true);
    assert.equal(e.name, 'ep');
    assert.equal((await h.request('GET', '/v3/regions/LegacyRegion')).statusCode, 200);
    assert.deepEqual((await h.request('GET', `/v3/endpoints/${e.id}`)).json().endpoint, e);

    const internal = await create({ service_id: otherServiceId, interface: 'internal', region_id: 'RegionOne' });
    const byService = (await h.request('GET', `/v3/endpoints?service_id=${serviceId}`)).json().endpoints;
    assert.deepEqual(byService.map((x: { id: string }) => x.id), [e.id]);
    const byIface = (await h.request('GET', '/v3/endpoints?interface=internal')).json().endpoints.map((x: { id: string }) => x.id);
    assert.ok(byIface.includes(internal.id) && !byIface.includes(e.id));
    const byRegion = (await h.request('GET', '/v3/endpoints?region_id=LegacyRegion')).json().endpoints;
    assert.deepEqual(byRegion.map((x: { id: string }) => x.id), [e.id]);
    assert.equal((await h.request('GET', '/v3/endpoints?interface=sideways')).statusCode, 400);

    const upd = await h.request('PATCH', `/v3/endpoints/${e.id}`, {
      body: { endpoint: { service_id: otherServiceId, interface: 'internal', url: 'http://b:2/', region: 'LegacyTwo', enabled: false } },
    });
    assert.equal(upd.statusCode, 200, upd.body);
    const u = upd.json().endpoint;
    assert.deepEqual([u.service_id, u.interface, u.url, u.region, u.enabled], [otherServiceId, 'internal', 'http://b:2/', 'LegacyTwo', false]);
    assert.equal(u.name, 'ep');

    assert.equal((await h.request('DELETE', `/v3/endpoints/${e.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/endpoints/${e.id}`)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v3/endpoints/${e.id}`)).statusCode, 404);
  });

  test('disabled endpoints leave the token catalog', async () => {
    const e = await create({ region_id: 'RegionOne', url: 'http://catalog-check:9/' });
    const urls = async () => (await h.request('GET', '/v3/auth/catalog')).json().catalog.flatMap((s: { endpoints: { url: string }[] }) => s.endpoints.map((x) => x.url));
    assert.ok((await urls()).includes('http://catalog-check:9/'));
    await h.request('PATCH', `/v3/endpoints/${e.id}`, { body: { endpoint: { enabled: false } } });
    assert.ok(!(await urls()).includes('http://catalog-check:9/'));
  });

  test('unknown service or region_id is 400 and writes nothing', async () => {
    const before = (await h.request('GET', '/v3/regions')).json().regions.length;
    const noService = await h.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: 'nope', interface: 'public', url: 'http://x:1/', region: 'Orphan' } } });
    assert.equal(noService.statusCode, 400);
    assert.match(noService.json().error.message, /service_id/);
    assert.equal((await h.request('GET', '/v3/regions/Orphan')).statusCode, 404, 'no region left behind');
    const noRegion = await h.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: serviceId, interface: 'public', url: 'http://x:1/', region_id: 'nowhere' } } });
    assert.equal(noRegion.statusCode, 400);
    assert.equal((await h.request('GET', '/v3/regions')).json().regions.length, before);
  });

  test('mistyped or invalid fields are 400 (tempest test_endpoints_negative)', async () => {
    const bad = [
      { enabled: 'False' }, { enabled: 'True' }, { interface: 'sideways' }, { url: 'not a url' }, { url: 5 },
      { url: 'http://x/$(unknown)s' }, { url: 'http://x/100%' }, { service_id: 7 }, { region_id: 3 },
    ];
    for (const patch of bad) {
      const body = { endpoint: { service_id: serviceId, interface: 'public', url: 'http://x:1/', ...patch } };
      assert.equal((await h.request('POST', '/v3/endpoints', { body })).statusCode, 400, JSON.stringify(patch));
    }
    for (const missing of ['service_id', 'interface', 'url']) {
      const endpoint: Record<string, unknown> = { service_id: serviceId, interface: 'public', url: 'http://x:1/' };
      delete endpoint[missing];
      assert.equal((await h.request('POST', '/v3/endpoints', { body: { endpoint } })).statusCode, 400, missing);
    }
    const ok = await create({ url: 'http://x:8774/v2.1/$(project_id)s' });
    assert.equal(ok.url, 'http://x:8774/v2.1/$(project_id)s');
    for (const enabled of ['False', 'True']) {
      assert.equal((await h.request('PATCH', `/v3/endpoints/${ok.id}`, { body: { endpoint: { enabled } } })).statusCode, 400);
    }
    assert.equal((await h.request('PATCH', `/v3/endpoints/${ok.id}`, { body: { endpoint: { service_id: 'nope' } } })).statusCode, 400);
    assert.equal((await h.request('PATCH', `/v3/endpoints/${ok.id}`, { body: { endpoint: {} } })).statusCode, 400);
  });

  test('a member may neither read nor write endpoints', async () => {
    const e = await create({});
    assert.equal((await h.request('GET', '/v3/endpoints', { token: member.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v3/endpoints/${e.id}`, { token: member.token })).statusCode, 403);
    const body = { endpoint: { service_id: serviceId, interface: 'public', url: 'http://x:1/' } };
    assert.equal((await h.request('POST', '/v3/endpoints', { token: member.token, body })).statusCode, 403);
    assert.equal((await h.request('PATCH', `/v3/endpoints/${e.id}`, { token: member.token, body: { endpoint: { url: 'http://y:1/' } } })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/endpoints/${e.id}`, { token: member.token })).statusCode, 403);
  });
});
