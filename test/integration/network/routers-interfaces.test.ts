import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { captureNotifications, del, externalNetwork, get, network, privateNet, put, subnet, type Json } from './l3-support.js';

describe('routers: interfaces and extra routes', () => {
  let h: NetworkHarness;
  let events: { type: string; payload: Json }[];
  let ext: { net: Json; subnet: Json };
  before(async () => {
    h = await startNetwork();
    events = captureNotifications(h);
    ext = await externalNetwork(h);
  });
  after(async () => { await h.close(); });

  const router = (name = 'r'): Promise<Json> => h.create('router', 'routers', { name }, h.alice.token);
  const add = (id: string, body: unknown, token = h.alice.token) => put(h, `/v2.0/routers/${id}/add_router_interface`, body, token);
  const remove = (id: string, body: unknown, token = h.alice.token) => put(h, `/v2.0/routers/${id}/remove_router_interface`, body, token);

  it('adds an interface by subnet: a router_interface port holding the gateway IP', async () => {
    const r = await router();
    const { net, subnet: sub } = await privateNet(h, h.alice.token, '10.10.1.0/24');
    const res = await add(r.id, { subnet_id: sub.id });
    assert.equal(res.status, 200);
    assert.equal(res.json.id, r.id);
    assert.equal(res.json.subnet_id, sub.id);
    assert.deepEqual(res.json.subnet_ids, [sub.id]);
    assert.equal(res.json.network_id, net.id);
    assert.equal(res.json.tenant_id, h.alice.projectId);
    assert.equal(res.json.project_id, h.alice.projectId);
    const ports = await get(h, `/v2.0/ports?device_id=${r.id}`, h.alice.token);
    assert.equal(ports.json.ports.length, 1);
    const port = ports.json.ports[0];
    assert.equal(port.id, res.json.port_id);
    assert.equal(port.device_owner, 'network:router_interface');
    assert.deepEqual(port.fixed_ips, [{ subnet_id: sub.id, ip_address: '10.10.1.1' }]);
    assert.ok(events.some((e) => e.type === 'router.interface.create' && e.payload.router_interface.port_id === port.id));
    const after = await get(h, `/v2.0/routers/${r.id}`, h.alice.token);
    assert.equal(after.json.router.revision_number, r.revision_number + 1);
  });

  it('adds several interfaces, refuses the same subnet twice and overlapping subnets (400)', async () => {
    const r = await router();
    const a = await privateNet(h, h.alice.token, '10.20.1.0/24');
    const b = await privateNet(h, h.alice.token, '10.20.2.0/24');
    assert.equal((await add(r.id, { subnet_id: a.subnet.id })).status, 200);
    assert.equal((await add(r.id, { subnet_id: b.subnet.id })).status, 200);
    const again = await add(r.id, { subnet_id: a.subnet.id });
    assert.equal(again.status, 400);
    assert.equal(again.json.NeutronError.message, `Bad router request: Router already has a port on subnet ${a.subnet.id}.`);
    const overlapping = await privateNet(h, h.alice.token, '10.20.1.0/24');
    const clash = await add(r.id, { subnet_id: overlapping.subnet.id });
    assert.equal(clash.status, 400);
    assert.equal(clash.json.NeutronError.type, 'BadRequest');
    assert.equal(clash.json.NeutronError.message,
      `Bad router request: Cidr 10.20.1.0/24 of subnet ${overlapping.subnet.id} overlaps with cidr 10.20.1.0/24 of subnet ${a.subnet.id}.`);
    assert.equal((await get(h, `/v2.0/ports?device_id=${r.id}`, h.alice.token)).json.ports.length, 2);
  });

  it('refuses a subnet without gateway, bad bodies and other projects\' routers', async () => {
    const r = await router();
    const net = await network(h, h.alice.token);
    const noGw = await subnet(h, net, '10.30.1.0/24', h.alice.token, { gateway_ip: null });
    const res = await add(r.id, { subnet_id: noGw.id });
    assert.equal(res.status, 400);
    assert.equal(res.json.NeutronError.message, 'Bad router request: Subnet for router interface must have a gateway IP.');
    assert.equal((await add(r.id, {})).status, 400);
    assert.equal((await add(r.id, { subnet_id: 'not-a-uuid' })).status, 400);
    assert.equal((await add(r.id, { subnet_id: noGw.id, port_id: crypto.randomUUID() })).status, 400);
    assert.equal((await add(r.id, { subnet_id: crypto.randomUUID() })).json.NeutronError.type, 'SubnetNotFound');
    assert.equal((await add(r.id, { subnet_id: noGw.id }, h.bob.token)).status, 404);
  });

  it('adds and removes an interface by port; a used port is refused with 409', async () => {
    const r = await router();
    const { net, subnet: sub } = await privateNet(h, h.alice.token, '10.40.1.0/24');
    const port = await h.create('port', 'ports', { network_id: net.id }, h.alice.token);
    const res = await add(r.id, { port_id: port.id });
    assert.equal(res.status, 200);
    assert.equal(res.json.port_id, port.id);
    assert.equal(res.json.subnet_id, sub.id);
    const shown = await get(h, `/v2.0/ports/${port.id}`, h.alice.token);
    assert.equal(shown.json.port.device_id, r.id);
    assert.equal(shown.json.port.device_owner, 'network:router_interface');
    const other = await router('other');
    const inUse = await add(other.id, { port_id: port.id });
    assert.equal(inUse.status, 409);
    assert.equal(inUse.json.NeutronError.type, 'PortInUse');
    const removed = await remove(r.id, { port_id: port.id });
    assert.equal(removed.status, 200);
    assert.equal(removed.json.port_id, port.id);
    assert.equal((await get(h, `/v2.0/ports/${port.id}`, h.alice.token)).status, 404);
    const missing = await remove(r.id, { port_id: port.id });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.NeutronError.type, 'RouterInterfaceNotFound');
  });

  it('removes an interface by subnet; a subnet without interface is a 404', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.50.1.0/24');
    const added = await add(r.id, { subnet_id: sub.id });
    const removed = await remove(r.id, { subnet_id: sub.id });
    assert.equal(removed.status, 200);
    assert.equal(removed.json.port_id, added.json.port_id);
    assert.equal((await get(h, `/v2.0/ports?device_id=${r.id}`, h.alice.token)).json.ports.length, 0);
    assert.ok(events.some((e) => e.type === 'router.interface.delete' && e.payload.router_interface.port_id === added.json.port_id));
    const again = await remove(r.id, { subnet_id: sub.id });
    assert.equal(again.status, 404);
    assert.equal(again.json.NeutronError.message, `Router ${r.id} has no interface on subnet ${sub.id}`);
  });

  it('refuses to delete a router that still has interfaces (409 RouterInUse)', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.60.1.0/24');
    await add(r.id, { subnet_id: sub.id });
    const res = await h.request('DELETE', `/v2.0/routers/${r.id}`, { token: h.alice.token });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'RouterInUse');
    assert.equal(res.json().NeutronError.message, `Router ${r.id} still has ports`);
    await remove(r.id, { subnet_id: sub.id });
    assert.equal(await del(h, `/v2.0/routers/${r.id}`, h.alice.token), 204);
  });

  it('refuses deleting a router interface port through the port API', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.65.1.0/24');
    const added = await add(r.id, { subnet_id: sub.id });
    const res = await h.request('DELETE', `/v2.0/ports/${added.json.port_id}`, { token: h.alice.token });
    assert.equal(res.statusCode, 409);
  });

  it('validates extra routes against connected subnets and protects their interfaces', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.70.1.0/24');
    const offNet = await put(h, `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '192.168.0.0/24', nexthop: '10.70.1.5' }] } }, h.alice.token);
    assert.equal(offNet.status, 400);
    assert.equal(offNet.json.NeutronError.type, 'InvalidRoutes');
    assert.match(offNet.json.NeutronError.message, /the nexthop is not connected with router$/);
    await add(r.id, { subnet_id: sub.id });
    const own = await put(h, `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '192.168.0.0/24', nexthop: '10.70.1.1' }] } }, h.alice.token);
    assert.match(own.json.NeutronError.message, /the nexthop is used by router$/);
    const ok = await put(h, `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '192.168.0.0/24', nexthop: '10.70.1.5' }] } }, h.alice.token);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json.router.routes, [{ destination: '192.168.0.0/24', nexthop: '10.70.1.5' }]);
    const blocked = await remove(r.id, { subnet_id: sub.id });
    assert.equal(blocked.status, 409);
    assert.equal(blocked.json.NeutronError.type, 'RouterInterfaceInUseByRoute');
    const cleared = await put(h, `/v2.0/routers/${r.id}`, { router: { routes: null } }, h.alice.token);
    assert.deepEqual(cleared.json.router.routes, []);
    assert.equal((await remove(r.id, { subnet_id: sub.id })).status, 200);
  });

  it('adds and removes extra routes atomically', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.80.1.0/24');
    await add(r.id, { subnet_id: sub.id });
    const routeA = { destination: '192.168.1.0/24', nexthop: '10.80.1.10' };
    const routeB = { destination: '192.168.2.0/24', nexthop: '10.80.1.11' };
    const first = await put(h, `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [routeA] } }, h.alice.token);
    assert.equal(first.status, 200);
    const second = await put(h, `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [routeB, routeA] } }, h.alice.token);
    assert.equal(second.json.router.routes.length, 2);
    const bad = await put(h, `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [{ destination: '1.0.0.0/8', nexthop: '8.8.8.8' }] } }, h.alice.token);
    assert.equal(bad.status, 400);
    const removed = await put(h, `/v2.0/routers/${r.id}/remove_extraroutes`, { router: { routes: [routeA, { destination: '9.9.9.0/24', nexthop: '10.80.1.12' }] } }, h.alice.token);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.json.router.routes, [routeB]);
    assert.equal((await put(h, `/v2.0/routers/${r.id}/add_extraroutes`, { router: { routes: [routeA] } }, h.bob.token)).status, 404);
  });

  it('lets the gateway and interfaces coexist; the gateway network must be external', async () => {
    const r = await router();
    const { subnet: sub } = await privateNet(h, h.alice.token, '10.90.1.0/24');
    await add(r.id, { subnet_id: sub.id });
    const set = await put(h, `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.net.id } } }, h.alice.token);
    assert.equal(set.status, 200);
    assert.equal((await get(h, `/v2.0/ports?device_id=${r.id}`)).json.ports.length, 2);
  });
});
