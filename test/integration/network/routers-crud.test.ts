import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { captureNotifications, del, externalNetwork, get, network, put, type Json } from './l3-support.js';

describe('routers: create, show, update, delete', () => {
  let h: NetworkHarness;
  let ext: { net: Json; subnet: Json };
  let events: { type: string; payload: Json }[];
  before(async () => {
    h = await startNetwork();
    events = captureNotifications(h);
    ext = await externalNetwork(h);
  });
  after(async () => { await h.close(); });

  it('creates a router with Neutron defaults, hiding distributed/ha from its non-admin owner', async () => {
    const router = await h.create('router', 'routers', { name: 'r1' }, h.alice.token);
    assert.equal(router.status, 'ACTIVE');
    assert.equal(router.admin_state_up, true);
    assert.equal(router.external_gateway_info, null);
    assert.deepEqual(router.routes, []);
    assert.deepEqual(router.availability_zone_hints, []);
    assert.equal(router.flavor_id, null);
    assert.equal(router.project_id, h.alice.projectId);
    assert.equal(router.tenant_id, h.alice.projectId);
    assert.equal(router.revision_number, 0);
    assert.ok(!('distributed' in router) && !('ha' in router));
    const asAdmin = await get(h, `/v2.0/routers/${router.id}`);
    assert.equal(asAdmin.json.router.distributed, false);
    assert.equal(asAdmin.json.router.ha, false);
    assert.ok(events.some((e) => e.type === 'router.create.end' && e.payload.router.id === router.id));
  });

  it('refuses distributed and ha from non-admins (403) and accepts them from admins', async () => {
    const res = await h.request('POST', '/v2.0/routers', { body: { router: { distributed: true } }, token: h.alice.token });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().NeutronError.type, 'PolicyNotAuthorized');
    const router = await h.create('router', 'routers', { distributed: true, ha: true });
    assert.equal(router.distributed, true);
    assert.equal(router.ha, true);
  });

  it('sets a gateway on an external network: a project-less router_gateway port with an address', async () => {
    const router = await h.create('router', 'routers', { external_gateway_info: { network_id: ext.net.id } }, h.alice.token);
    const gw = router.external_gateway_info;
    assert.equal(gw.network_id, ext.net.id);
    assert.equal(gw.enable_snat, true);
    assert.equal(gw.external_fixed_ips.length, 1);
    assert.equal(gw.external_fixed_ips[0].subnet_id, ext.subnet.id);
    const ports = await get(h, `/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`);
    assert.equal(ports.json.ports.length, 1);
    assert.equal(ports.json.ports[0].project_id, '');
    assert.equal(ports.json.ports[0].fixed_ips[0].ip_address, gw.external_fixed_ips[0].ip_address);
    // Not the owner's port: it is hidden from the tenant and does not count against its quota.
    const mine = await get(h, `/v2.0/ports?device_id=${router.id}`, h.alice.token);
    assert.equal(mine.json.ports.length, 0);
  });

  it('keeps enable_snat and external_fixed_ips for admins (403 for the owner)', async () => {
    for (const info of [{ enable_snat: false }, { external_fixed_ips: [{ subnet_id: ext.subnet.id }] }]) {
      const res = await h.request('POST', '/v2.0/routers', { body: { router: { external_gateway_info: { network_id: ext.net.id, ...info } } }, token: h.alice.token });
      assert.equal(res.statusCode, 403, JSON.stringify(info));
    }
    const router = await h.create('router', 'routers', {
      external_gateway_info: { network_id: ext.net.id, enable_snat: false, external_fixed_ips: [{ subnet_id: ext.subnet.id, ip_address: '172.24.4.77' }] },
    });
    assert.equal(router.external_gateway_info.enable_snat, false);
    assert.deepEqual(router.external_gateway_info.external_fixed_ips, [{ subnet_id: ext.subnet.id, ip_address: '172.24.4.77' }]);
  });

  it('answers a gateway on a missing network with 404 and on an internal one with 400', async () => {
    const router = await h.create('router', 'routers', {}, h.alice.token);
    const missing = crypto.randomUUID();
    const res404 = await put(h, `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: missing } } }, h.alice.token);
    assert.equal(res404.status, 404);
    assert.equal(res404.json.NeutronError.type, 'NetworkNotFound');
    const internal = await network(h, h.alice.token);
    const res400 = await put(h, `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: internal.id } } }, h.alice.token);
    assert.equal(res400.status, 400);
    assert.equal(res400.json.NeutronError.message, `Bad router request: Network ${internal.id} is not an external network.`);
    const unchanged = await get(h, `/v2.0/routers/${router.id}`, h.alice.token);
    assert.equal(unchanged.json.router.revision_number, router.revision_number);
  });

  it('updates name and gateway, bumps the revision, clears the gateway with {}', async () => {
    const router = await h.create('router', 'routers', { name: 'before' }, h.alice.token);
    const set = await put(h, `/v2.0/routers/${router.id}`, { router: { name: 'after', external_gateway_info: { network_id: ext.net.id } } }, h.alice.token);
    assert.equal(set.status, 200);
    assert.equal(set.json.router.name, 'after');
    assert.equal(set.json.router.revision_number, router.revision_number + 1);
    assert.equal(set.json.router.external_gateway_info.network_id, ext.net.id);
    const cleared = await put(h, `/v2.0/routers/${router.id}`, { router: { external_gateway_info: {} } }, h.alice.token);
    assert.equal(cleared.json.router.external_gateway_info, null);
    const ports = await get(h, `/v2.0/ports?device_id=${router.id}`);
    assert.equal(ports.json.ports.length, 0);
    assert.ok(events.some((e) => e.type === 'router.update.end' && e.payload.router.id === router.id));
  });

  it('refuses unknown and read-only attributes and bad input with 400', async () => {
    const router = await h.create('router', 'routers', {}, h.alice.token);
    for (const body of [{ status: 'DOWN' }, { bogus: 1 }, { admin_state_up: 'maybe' }, { external_gateway_info: { network_id: 'x' } }, { routes: 'nope' }]) {
      const res = await put(h, `/v2.0/routers/${router.id}`, { router: body }, h.alice.token);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    const create = await h.request('POST', '/v2.0/routers', { body: { router: { routes: [] } }, token: h.alice.token });
    assert.equal(create.statusCode, 400);
  });

  it('hides routers from other projects (404) and lists only visible ones', async () => {
    const router = await h.create('router', 'routers', { name: 'private' }, h.alice.token);
    assert.equal((await get(h, `/v2.0/routers/${router.id}`, h.bob.token)).status, 404);
    assert.equal((await put(h, `/v2.0/routers/${router.id}`, { router: { name: 'x' } }, h.bob.token)).status, 404);
    assert.equal(await del(h, `/v2.0/routers/${router.id}`, h.bob.token), 404);
    const bobs = await get(h, '/v2.0/routers', h.bob.token);
    assert.ok(!bobs.json.routers.some((r: Json) => r.id === router.id));
    const alices = await get(h, '/v2.0/routers?name=private', h.alice.token);
    assert.deepEqual(alices.json.routers.map((r: Json) => r.id), [router.id]);
  });

  it('honours If-Match on update (412 on a stale revision)', async () => {
    const router = await h.create('router', 'routers', {}, h.alice.token);
    const res = await h.request('PUT', `/v2.0/routers/${router.id}`, { body: { router: { name: 'n' } }, token: h.alice.token, headers: { 'if-match': 'revision_number=99' } });
    assert.equal(res.statusCode, 412);
  });

  it('enforces the router quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'router', hard_limit: 1 }).execute();
    await h.create('router', 'routers', {}, t.token);
    const res = await h.request('POST', '/v2.0/routers', { body: { router: {} }, token: t.token });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'OverQuota');
  });

  it('deletes a router and its gateway port', async () => {
    const router = await h.create('router', 'routers', { external_gateway_info: { network_id: ext.net.id } }, h.alice.token);
    assert.equal(await del(h, `/v2.0/routers/${router.id}`, h.alice.token), 204);
    assert.equal((await get(h, `/v2.0/routers/${router.id}`, h.alice.token)).status, 404);
    assert.equal((await get(h, `/v2.0/ports?device_id=${router.id}`)).json.ports.length, 0);
    assert.ok(events.some((e) => e.type === 'router.delete.end' && e.payload.router_id === router.id));
  });
});
