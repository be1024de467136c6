import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { captureNotifications, connectedRouter, del, externalNetwork, get, network, post, privateNet, put, type Json } from './l3-support.js';

describe('floating IPs', () => {
  let h: NetworkHarness;
  let events: { type: string; payload: Json }[];
  let ext: { net: Json; subnet: Json };
  let lan: { net: Json; subnet: Json };
  let router: Json;
  before(async () => {
    h = await startNetwork();
    events = captureNotifications(h);
    ext = await externalNetwork(h);
    lan = await privateNet(h, h.alice.token, '10.1.0.0/24');
    router = await connectedRouter(h, h.alice.token, ext.net, lan.subnet);
  });
  after(async () => { await h.close(); });

  const fip = (body: Json, token = h.alice.token) => post(h, '/v2.0/floatingips', { floatingip: body }, token);
  const vm = (token = h.alice.token) => h.create('port', 'ports', { network_id: lan.net.id, name: 'vm' }, token);

  it('creates an unassociated floating IP with a project-less network:floatingip port', async () => {
    const res = await fip({ floating_network_id: ext.net.id, description: 'd' });
    assert.equal(res.status, 201);
    const f = res.json.floatingip;
    assert.equal(f.status, 'DOWN');
    assert.equal(f.floating_network_id, ext.net.id);
    assert.match(f.floating_ip_address, /^172\.24\.4\.\d+$/);
    assert.equal(f.port_id, null);
    assert.equal(f.router_id, null);
    assert.equal(f.fixed_ip_address, null);
    assert.equal(f.port_details, null);
    assert.deepEqual(f.port_forwardings, []);
    assert.equal(f.description, 'd');
    assert.equal(f.project_id, h.alice.projectId);
    assert.deepEqual(f.tags, []);
    const ports = await get(h, `/v2.0/ports?device_id=${f.id}`);
    assert.equal(ports.json.ports.length, 1);
    assert.equal(ports.json.ports[0].device_owner, 'network:floatingip');
    assert.equal(ports.json.ports[0].project_id, '');
    assert.equal(ports.json.ports[0].fixed_ips[0].ip_address, f.floating_ip_address);
    assert.ok(events.some((e) => e.type === 'floatingip.create.end' && e.payload.floatingip.id === f.id));
  });

  it('refuses non-external networks (400), missing networks (404) and bad input (400)', async () => {
    const res = await fip({ floating_network_id: lan.net.id });
    assert.equal(res.status, 400);
    assert.equal(res.json.NeutronError.message, `Bad floatingip request: Network ${lan.net.id} is not a valid external network.`);
    const missing = crypto.randomUUID();
    assert.equal((await fip({ floating_network_id: missing })).status, 404);
    assert.equal((await fip({})).status, 400);
    assert.equal((await fip({ floating_network_id: ext.net.id, port_id: 'x' })).status, 400);
    assert.equal((await fip({ floating_network_id: ext.net.id, router_id: router.id })).status, 400);
  });

  it('lets only admins choose the address', async () => {
    // An address nothing holds yet: earlier tests took random ones from the same subnet.
    const ports = (await h.request('GET', `/v2.0/ports?network_id=${ext.net.id}`)).json().ports as { fixed_ips: { ip_address: string }[] }[];
    const used = new Set(ports.flatMap((p) => p.fixed_ips.map((f) => f.ip_address)));
    const address = Array.from({ length: 50 }, (_, i) => `172.24.4.${200 + i}`).find((a) => !used.has(a))!;
    assert.equal((await fip({ floating_network_id: ext.net.id, floating_ip_address: address })).status, 403);
    const res = await fip({ floating_network_id: ext.net.id, floating_ip_address: address }, h.adminToken);
    assert.equal(res.status, 201);
    assert.equal(res.json.floatingip.floating_ip_address, address);
    const taken = await fip({ floating_network_id: ext.net.id, floating_ip_address: address }, h.adminToken);
    assert.equal(taken.status, 409);
  });

  it('associates at create through the router, ACTIVE with port details', async () => {
    const port = await vm();
    const res = await fip({ floating_network_id: ext.net.id, port_id: port.id });
    assert.equal(res.status, 201);
    const f = res.json.floatingip;
    assert.equal(f.status, 'ACTIVE');
    assert.equal(f.port_id, port.id);
    assert.equal(f.fixed_ip_address, port.fixed_ips[0].ip_address);
    assert.equal(f.router_id, router.id);
    assert.deepEqual(f.port_details, {
      name: 'vm', network_id: lan.net.id, mac_address: port.mac_address, admin_state_up: true,
      status: port.status, device_id: '', device_owner: '',
    });
    const again = await fip({ floating_network_id: ext.net.id, port_id: port.id });
    assert.equal(again.status, 409);
    assert.equal(again.json.NeutronError.type, 'FloatingIPPortAlreadyAssociated');
    const filtered = await get(h, `/v2.0/floatingips?port_id=${port.id}`, h.alice.token);
    assert.deepEqual(filtered.json.floatingips.map((x: Json) => x.id), [f.id]);
  });

  it('associates and disassociates by update', async () => {
    const port = await vm();
    const f = (await fip({ floating_network_id: ext.net.id })).json.floatingip;
    const assoc = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: port.id } }, h.alice.token);
    assert.equal(assoc.status, 200);
    assert.equal(assoc.json.floatingip.router_id, router.id);
    assert.equal(assoc.json.floatingip.status, 'ACTIVE');
    assert.equal(assoc.json.floatingip.revision_number, f.revision_number + 1);
    const desc = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { description: 'kept' } }, h.alice.token);
    assert.equal(desc.json.floatingip.port_id, port.id);
    const dis = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }, h.alice.token);
    assert.equal(dis.json.floatingip.port_id, null);
    assert.equal(dis.json.floatingip.router_id, null);
    assert.equal(dis.json.floatingip.fixed_ip_address, null);
    assert.equal(dis.json.floatingip.status, 'DOWN');
    const wrongIp = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: port.id, fixed_ip_address: '10.1.0.250' } }, h.alice.token);
    assert.equal(wrongIp.status, 400);
    const ro = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { floating_network_id: ext.net.id } }, h.alice.token);
    assert.equal(ro.status, 400);
    assert.ok(events.some((e) => e.type === 'floatingip.update.end' && e.payload.floatingip.id === f.id));
  });

  it('disassociates on a blank update body, as Neutron always has', async () => {
    const port = await vm();
    const f = (await fip({ floating_network_id: ext.net.id, port_id: port.id })).json.floatingip;
    assert.equal(f.port_id, port.id);
    const blank = await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: {} }, h.alice.token);
    assert.equal(blank.status, 200);
    assert.equal(blank.json.floatingip.port_id, null);
    assert.equal(blank.json.floatingip.router_id, null);
    assert.equal(blank.json.floatingip.status, 'DOWN');
    assert.equal(blank.json.floatingip.revision_number, f.revision_number + 1);
  });

  it('needs a router between the port\'s subnet and the external network (404)', async () => {
    const isolated = await privateNet(h, h.alice.token, '10.2.0.0/24');
    const port = await h.create('port', 'ports', { network_id: isolated.net.id }, h.alice.token);
    const res = await fip({ floating_network_id: ext.net.id, port_id: port.id });
    assert.equal(res.status, 404);
    assert.equal(res.json.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
    assert.equal(res.json.NeutronError.message,
      `External network ${ext.net.id} is not reachable from subnet ${isolated.subnet.id}.  Therefore, cannot associate Port ${port.id} with a Floating IP.`);
  });

  it('refuses another project\'s port and hides floating IPs from other projects', async () => {
    const port = await vm();
    const bobs = await fip({ floating_network_id: ext.net.id, port_id: port.id }, h.bob.token);
    assert.equal(bobs.status, 404);
    const f = (await fip({ floating_network_id: ext.net.id })).json.floatingip;
    assert.equal((await get(h, `/v2.0/floatingips/${f.id}`, h.bob.token)).status, 404);
    assert.equal((await put(h, `/v2.0/floatingips/${f.id}`, { floatingip: { description: 'x' } }, h.bob.token)).status, 404);
    assert.equal(await del(h, `/v2.0/floatingips/${f.id}`, h.bob.token), 404);
    assert.ok(!(await get(h, '/v2.0/floatingips', h.bob.token)).json.floatingips.some((x: Json) => x.id === f.id));
  });

  it('keeps the router interface and gateway a floating IP depends on (409)', async () => {
    const port = await vm();
    await fip({ floating_network_id: ext.net.id, port_id: port.id });
    const res = await put(h, `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: lan.subnet.id }, h.alice.token);
    assert.equal(res.status, 409);
    assert.equal(res.json.NeutronError.type, 'RouterInterfaceInUseByFloatingIP');
    assert.equal(res.json.NeutronError.message,
      `Router interface for subnet ${lan.subnet.id} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`);
    const other = await network(h, undefined, { 'router:external': true });
    const gw = await put(h, `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: other.id } } }, h.alice.token);
    assert.equal(gw.status, 409);
  });

  it('disassociates when the port is deleted', async () => {
    const port = await vm();
    const f = (await fip({ floating_network_id: ext.net.id, port_id: port.id })).json.floatingip;
    assert.equal(await del(h, `/v2.0/ports/${port.id}`, h.alice.token), 204);
    const shown = await get(h, `/v2.0/floatingips/${f.id}`, h.alice.token);
    assert.equal(shown.json.floatingip.port_id, null);
    assert.equal(shown.json.floatingip.router_id, null);
  });

  it('deletes the floating IP and its port', async () => {
    const f = (await fip({ floating_network_id: ext.net.id })).json.floatingip;
    assert.equal(await del(h, `/v2.0/floatingips/${f.id}`, h.alice.token), 204);
    assert.equal((await get(h, `/v2.0/floatingips/${f.id}`, h.alice.token)).status, 404);
    assert.equal((await get(h, `/v2.0/ports?device_id=${f.id}`)).json.ports.length, 0);
    assert.ok(events.some((e) => e.type === 'floatingip.delete.end' && e.payload.floatingip_id === f.id));
  });

  it('enforces the floatingip quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'floatingip', hard_limit: 1 }).execute();
    assert.equal((await fip({ floating_network_id: ext.net.id }, t.token)).status, 201);
    const res = await fip({ floating_network_id: ext.net.id }, t.token);
    assert.equal(res.status, 409);
    assert.equal(res.json.NeutronError.type, 'OverQuota');
  });

  it('rolls back a bulk create as a whole', async () => {
    const before = (await get(h, '/v2.0/floatingips', h.alice.token)).json.floatingips.length;
    const res = await post(h, '/v2.0/floatingips', { floatingips: [{ floating_network_id: ext.net.id }, { floating_network_id: lan.net.id }] }, h.alice.token);
    assert.equal(res.status, 400);
    assert.equal((await get(h, '/v2.0/floatingips', h.alice.token)).json.floatingips.length, before);
  });
});
