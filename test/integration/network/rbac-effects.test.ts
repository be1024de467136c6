// What RBAC grants do beyond their own rows: external-net conversion, RbacPolicyInUse for
// routers / security-group ports, the default external network's wildcard, network revision
// bumps (also from subnets), the subnets' `shared` filter and floating IPs on deleted networks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { del, externalNetwork, get, network, post, put, subnet, type Json } from './l3-support.js';

describe('RBAC grant effects', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  const grant = (body: Json, token?: string) => post(h, '/v2.0/rbac-policies', { rbac_policy: body }, token);
  const revision = async (id: string): Promise<number> => (await get(h, `/v2.0/networks/${id}`)).json.network.revision_number;

  it('the last access_as_external grant going makes the network internal again', async () => {
    const net = await network(h);
    const mine = await grant({ object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: h.adminProjectId });
    const wild = await grant({ object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: '*' });
    assert.equal((await get(h, `/v2.0/networks/${net.id}`)).json.network['router:external'], true);
    assert.equal(await del(h, `/v2.0/rbac-policies/${wild.json.rbac_policy.id}`), 204);
    assert.equal((await get(h, `/v2.0/networks/${net.id}`)).json.network['router:external'], true);
    assert.equal(await del(h, `/v2.0/rbac-policies/${mine.json.rbac_policy.id}`), 204);
    assert.equal((await get(h, `/v2.0/networks/${net.id}`)).json.network['router:external'], false);
  });

  it('a grant renders target_tenant only and bumps the network revision', async () => {
    const net = await network(h);
    const before = await revision(net.id);
    const p = (await grant({ object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId })).json.rbac_policy;
    assert.equal('target_project' in p, false);
    assert.ok(await revision(net.id) > before);
    const moved = await put(h, `/v2.0/rbac-policies/${p.id}`, { rbac_policy: { target_tenant: h.alice.projectId } });
    assert.equal(moved.json.rbac_policy.target_tenant, h.alice.projectId);
  });

  it('retargeting an external wildcard keeps a router gateway whose project becomes the target', async () => {
    const ext = await externalNetwork(h, '172.30.1.0/24');
    const wild = (await get(h, `/v2.0/rbac-policies?object_id=${ext.net.id}&action=access_as_external`)).json.rbac_policies[0];
    const router = await post(h, '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.net.id } } }, h.bob.token);
    assert.equal(router.status, 201);
    const denied = await del(h, `/v2.0/rbac-policies/${wild.id}`);
    assert.equal(denied, 409);
    assert.equal((await put(h, `/v2.0/rbac-policies/${wild.id}`, { rbac_policy: { target_tenant: h.alice.projectId } })).status, 409);
    assert.equal((await put(h, `/v2.0/rbac-policies/${wild.id}`, { rbac_policy: { target_tenant: h.bob.projectId } })).status, 200);
  });

  it('the default external network keeps its wildcard; is_default is stored and unique', async () => {
    const ext = await externalNetwork(h, '172.30.2.0/24');
    const set = await put(h, `/v2.0/networks/${ext.net.id}`, { network: { is_default: true } });
    assert.equal(set.json.network.is_default, true);
    const other = await network(h, undefined, { 'router:external': true });
    const clash = await put(h, `/v2.0/networks/${other.id}`, { network: { is_default: true } });
    assert.equal(clash.status, 409);
    assert.equal(clash.json.NeutronError.type, 'DefaultExternalNetworkExists');
    const wild = (await get(h, `/v2.0/rbac-policies?object_id=${ext.net.id}&action=access_as_external&target_tenant=*`)).json.rbac_policies[0];
    const res = await h.request('DELETE', `/v2.0/rbac-policies/${wild.id}`);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'RbacPolicyInUse');
    assert.equal((await put(h, `/v2.0/networks/${ext.net.id}`, { network: { is_default: false } })).json.network.is_default, false);
  });

  it('floating IPs need the network external to the caller; disassociated ones go with the network', async () => {
    const net = await network(h);
    await subnet(h, net, '172.30.3.0/24');
    await grant({ object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: h.adminProjectId });
    assert.equal((await post(h, '/v2.0/floatingips', { floatingip: { floating_network_id: net.id } }, h.bob.token)).status, 404);
    await grant({ object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: h.bob.projectId });
    const fip = await post(h, '/v2.0/floatingips', { floatingip: { floating_network_id: net.id } }, h.bob.token);
    assert.equal(fip.status, 201);
    assert.equal(await del(h, `/v2.0/networks/${net.id}`), 204);
    assert.equal((await get(h, `/v2.0/floatingips/${fip.json.floatingip.id}`)).status, 404);
  });

  it('a security group grant stays while the target project has ports using it; others cannot re-share', async () => {
    const sg = (await post(h, '/v2.0/security-groups', { security_group: { name: 'shared-sg' } })).json.security_group;
    const p = (await grant({ object_type: 'security_group', object_id: sg.id, action: 'access_as_shared', target_tenant: h.bob.projectId })).json.rbac_policy;
    const reshare = await grant({ object_type: 'security_group', object_id: sg.id, action: 'access_as_shared', target_tenant: h.alice.projectId }, h.bob.token);
    assert.equal(reshare.status, 400);
    const bobNet = await network(h, h.bob.token);
    const port = await post(h, '/v2.0/ports', { port: { network_id: bobNet.id, security_groups: [sg.id] } }, h.bob.token);
    assert.equal(port.status, 201);
    const res = await h.request('DELETE', `/v2.0/rbac-policies/${p.id}`);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'RbacPolicyInUse');
    assert.equal(await del(h, `/v2.0/ports/${port.json.port.id}`, h.bob.token), 204);
    assert.equal(await del(h, `/v2.0/rbac-policies/${p.id}`), 204);
  });

  it('subnet changes bump the network revision; If-Match with a stale negative revision is a 412', async () => {
    const net = await network(h, h.alice.token);
    const r0 = await revision(net.id);
    const sub = await subnet(h, net, '10.77.0.0/24', h.alice.token);
    const r1 = await revision(net.id);
    assert.ok(r1 > r0);
    await put(h, `/v2.0/subnets/${sub.id}`, { subnet: { name: 'renamed' } }, h.alice.token);
    const r2 = await revision(net.id);
    assert.ok(r2 > r1);
    assert.equal(await del(h, `/v2.0/subnets/${sub.id}`, h.alice.token), 204);
    assert.ok(await revision(net.id) > r2);
    const stale = await h.request('PUT', `/v2.0/networks/${net.id}`, { token: h.alice.token, body: { network: { name: 'x' } }, headers: { 'if-match': 'revision_number=-1' } });
    assert.equal(stale.statusCode, 412);
  });

  it('a failed bulk subnet create leaves the network untouched', async () => {
    const net = await network(h);
    const before = (await get(h, `/v2.0/networks/${net.id}`)).json.network;
    const res = await post(h, '/v2.0/subnets', { subnets: [
      { network_id: net.id, ip_version: 4, cidr: '10.78.0.0/24' }, { network_id: net.id, ip_version: 4, cidr: '10.78.0.0/24' }] });
    assert.equal(res.status, 400);
    const after = (await get(h, `/v2.0/networks/${net.id}`)).json.network;
    assert.deepEqual([after.revision_number, after.updated_at, after.subnets], [before.revision_number, before.updated_at, []]);
  });

  it('subnets filter on shared as their network is shared with the caller', async () => {
    const shared = await network(h, undefined, { shared: true });
    const sharedSub = await subnet(h, shared, '10.79.0.0/24');
    const own = await network(h, h.alice.token);
    const ownSub = await subnet(h, own, '10.79.1.0/24', h.alice.token);
    const ids = async (q: string) => (await get(h, `/v2.0/subnets?shared=${q}`, h.alice.token)).json.subnets.map((s: Json) => s.id);
    assert.ok((await ids('true')).includes(sharedSub.id));
    assert.ok(!(await ids('true')).includes(ownSub.id));
    assert.ok((await ids('false')).includes(ownSub.id));
    assert.ok(!(await ids('false')).includes(sharedSub.id));
  });
});
