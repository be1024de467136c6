import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { connectedRouter, del, externalNetwork, get, post, privateNet, put, type Json } from './l3-support.js';

describe('floating IP port forwardings', () => {
  let h: NetworkHarness;
  let ext: { net: Json; subnet: Json };
  let lan: { net: Json; subnet: Json };
  let router: Json;
  before(async () => {
    h = await startNetwork();
    ext = await externalNetwork(h);
    lan = await privateNet(h, h.alice.token, '10.5.0.0/24');
    router = await connectedRouter(h, h.alice.token, ext.net, lan.subnet);
  });
  after(async () => { await h.close(); });

  const newFip = async (): Promise<Json> => (await post(h, '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id } }, h.alice.token)).json.floatingip;
  const vm = () => h.create('port', 'ports', { network_id: lan.net.id }, h.alice.token);
  const pfUrl = (fip: Json) => `/v2.0/floatingips/${fip.id}/port_forwardings`;
  const createPf = (fip: Json, body: Json, token = h.alice.token) => post(h, pfUrl(fip), { port_forwarding: body }, token);

  it('forwards a port of a free floating IP and shows it on the floating IP', async () => {
    const fip = await newFip();
    const port = await vm();
    const ip = port.fixed_ips[0].ip_address;
    const res = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: ip, internal_port: 22, external_port: 2222, description: 'ssh' });
    assert.equal(res.status, 201);
    const pf = res.json.port_forwarding;
    assert.equal(pf.protocol, 'tcp');
    assert.equal(pf.internal_port, 22);
    assert.equal(pf.external_port, 2222);
    assert.equal(pf.internal_ip_address, ip);
    assert.equal(pf.internal_port_id, port.id);
    assert.equal(pf.description, 'ssh');
    assert.equal(pf.external_port_range, '2222:2222');
    const shownFip = (await get(h, `/v2.0/floatingips/${fip.id}`, h.alice.token)).json.floatingip;
    assert.equal(shownFip.router_id, router.id);
    assert.equal(shownFip.port_id, null);
    assert.deepEqual(shownFip.port_forwardings, [{ protocol: 'tcp', internal_ip_address: ip, internal_port: 22, external_port: 2222 }]);
    assert.deepEqual((await get(h, `${pfUrl(fip)}/${pf.id}`, h.alice.token)).json.port_forwarding, pf);
    assert.deepEqual((await get(h, pfUrl(fip), h.alice.token)).json.port_forwardings.map((x: Json) => x.id), [pf.id]);
  });

  it('keeps forwardings and an association apart (409 both ways)', async () => {
    const fip = await newFip();
    const port = await vm();
    await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 80, external_port: 8080 });
    const other = await vm();
    const assoc = await put(h, `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: other.id } }, h.alice.token);
    assert.equal(assoc.status, 409);
    assert.equal(assoc.json.NeutronError.type, 'FipInUseByPortForwarding');
    assert.equal(await del(h, `/v2.0/floatingips/${fip.id}`, h.alice.token), 409);
    const associated = (await post(h, '/v2.0/floatingips', { floatingip: { floating_network_id: ext.net.id, port_id: other.id } }, h.alice.token)).json.floatingip;
    const third = await vm();
    const res = await createPf(associated, { protocol: 'tcp', internal_port_id: third.id, internal_ip_address: third.fixed_ips[0].ip_address, internal_port: 80, external_port: 8080 });
    assert.equal(res.status, 409);
    assert.equal(res.json.NeutronError.type, 'FloatingIPPortAlreadyAssociated');
  });

  it('refuses colliding external ports of one protocol, allows another protocol', async () => {
    const fip = await newFip();
    const a = await vm();
    const b = await vm();
    const ok = await createPf(fip, { protocol: 'tcp', internal_port_id: a.id, internal_ip_address: a.fixed_ips[0].ip_address, internal_port: 22, external_port: 3000 });
    assert.equal(ok.status, 201);
    const clash = await createPf(fip, { protocol: 'tcp', internal_port_id: b.id, internal_ip_address: b.fixed_ips[0].ip_address, internal_port: 22, external_port: 3000 });
    assert.equal(clash.status, 400);
    assert.match(clash.json.NeutronError.message, /port collision with the external_port_range/);
    const udp = await createPf(fip, { protocol: 'udp', internal_port_id: b.id, internal_ip_address: b.fixed_ips[0].ip_address, internal_port: 22, external_port: 3000 });
    assert.equal(udp.status, 201);
  });

  it('accepts N-N and 1-N port ranges and refuses other shapes', async () => {
    const fip = await newFip();
    const port = await vm();
    const ip = port.fixed_ips[0].ip_address;
    const nn = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: ip, internal_port_range: '100:110', external_port_range: '1100:1110' });
    assert.equal(nn.status, 201);
    assert.equal(nn.json.port_forwarding.internal_port, null);
    assert.equal(nn.json.port_forwarding.internal_port_range, '100:110');
    const bad = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: ip, internal_port_range: '200:205', external_port_range: '1200:1300' });
    assert.equal(bad.status, 400);
    const none = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: ip, internal_port: 22 });
    assert.equal(none.status, 400);
    const invalid = await createPf(fip, { protocol: 'icmp', internal_port_id: port.id, internal_ip_address: ip, internal_port: 22, external_port: 22 });
    assert.equal(invalid.status, 400);
    const wrongIp = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: '10.5.0.250', internal_port: 22, external_port: 2 });
    assert.equal(wrongIp.status, 400);
  });

  it('updates and deletes; the last deletion frees the floating IP from the router', async () => {
    const fip = await newFip();
    const port = await vm();
    const pf = (await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 22, external_port: 4000 })).json.port_forwarding;
    const upd = await put(h, `${pfUrl(fip)}/${pf.id}`, { port_forwarding: { external_port: 4001, description: 'moved' } }, h.alice.token);
    assert.equal(upd.status, 200);
    assert.equal(upd.json.port_forwarding.external_port, 4001);
    assert.equal(upd.json.port_forwarding.internal_port, 22);
    assert.equal(upd.json.port_forwarding.description, 'moved');
    assert.equal(await del(h, `${pfUrl(fip)}/${pf.id}`, h.alice.token), 204);
    assert.equal((await get(h, `${pfUrl(fip)}/${pf.id}`, h.alice.token)).status, 404);
    assert.equal((await get(h, `/v2.0/floatingips/${fip.id}`, h.alice.token)).json.floatingip.router_id, null);
    assert.equal(await del(h, `/v2.0/floatingips/${fip.id}`, h.alice.token), 204);
  });

  it('hides another project\'s floating IP forwardings (404)', async () => {
    const fip = await newFip();
    const port = await vm();
    assert.equal((await get(h, pfUrl(fip), h.bob.token)).status, 404);
    const res = await createPf(fip, { protocol: 'tcp', internal_port_id: port.id, internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 22, external_port: 22 }, h.bob.token);
    assert.equal(res.status, 404);
    assert.equal((await get(h, `/v2.0/floatingips/${crypto.randomUUID()}/port_forwardings`, h.alice.token)).status, 404);
  });

  it('drops forwardings to a port when the port is deleted', async () => {
    const fip = await newFip();
    const port = await vm();
    await createPf(fip, { protocol: 'udp', internal_port_id: port.id, internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 53, external_port: 53 });
    assert.equal(await del(h, `/v2.0/ports/${port.id}`, h.alice.token), 204);
    assert.deepEqual((await get(h, pfUrl(fip), h.alice.token)).json.port_forwardings, []);
  });
});
