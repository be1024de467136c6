import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('RBAC policies', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  const visible = async (id: string, token: string) => ((await h.request('GET', '/v2.0/networks', { token })).json().networks as { id: string }[]).some((n) => n.id === id);

  it('an owner shares a network with one project; others still cannot see it', async () => {
    const net = await h.create('network', 'networks', { name: 'alice-net' }, h.alice.token);
    const carol = await h.tenant();
    assert.equal(await visible(net.id, h.bob.token), false);
    const policy = await h.create('rbac_policy', 'rbac-policies', { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId }, h.alice.token);
    assert.equal(policy.target_tenant, h.bob.projectId);
    assert.equal('target_project' in policy, false, 'Neutron shows only target_tenant');
    assert.equal(policy.project_id, h.alice.projectId);
    assert.equal(await visible(net.id, h.bob.token), true);
    const bobView = (await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.bob.token })).json().network;
    assert.equal(bobView.shared, true);
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.alice.token })).json().network.shared, false);
    assert.equal(await visible(net.id, carol.token), false);
    // Bob cannot see or delete alice's policy.
    assert.equal((await h.request('GET', `/v2.0/rbac-policies/${policy.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2.0/rbac-policies/${policy.id}`, { token: h.bob.token })).statusCode, 404);
    // Duplicate grant.
    const dup = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId } } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().NeutronError.type, 'DuplicateRbacPolicy');
    // Bob's port keeps the grant in place.
    await h.db.insertInto('net_port').values({
      id: crypto.randomUUID(), project_id: h.bob.projectId, network_id: net.id, name: '', mac_address: 'fa:16:3e:00:01:01', admin_state_up: 1,
      status: 'DOWN', device_id: '', device_owner: '', port_security_enabled: 1, ip_allocation: 'immediate', dns_name: '', binding_host_id: '',
      binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound', binding_vif_details: '{}', propagate_uplink_status: 0,
      description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    const inUse = await h.request('DELETE', `/v2.0/rbac-policies/${policy.id}`, { token: h.alice.token });
    assert.equal(inUse.statusCode, 409);
    assert.equal(inUse.json().NeutronError.type, 'RbacPolicyInUse');
    await h.db.deleteFrom('net_port').where('network_id', '=', net.id).execute();
    assert.equal((await h.request('DELETE', `/v2.0/rbac-policies/${policy.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal(await visible(net.id, h.bob.token), false);
  });

  it('only the owner or an admin grants; only admins grant to everyone', async () => {
    const net = await h.create('network', 'networks', { name: 'n' }, h.alice.token);
    const wildcard = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: '*' } } });
    assert.equal(wildcard.statusCode, 403);
    const notMine = await h.request('POST', '/v2.0/rbac-policies', { token: h.bob.token, body: { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId } } });
    assert.equal(notMine.statusCode, 404);
    const missing = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'network', object_id: crypto.randomUUID(), action: 'access_as_shared', target_tenant: h.bob.projectId } } });
    assert.equal(missing.statusCode, 404);
    const badType = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'bogus', object_id: net.id, action: 'access_as_shared', target_tenant: 'x' } } });
    assert.equal(badType.statusCode, 400);
    const admin = await h.create('rbac_policy', 'rbac-policies', { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: '*' });
    assert.equal(admin.target_tenant, '*');
    assert.equal((await h.request('GET', `/v2.0/networks/${net.id}`, { token: h.alice.token })).json().network.shared, true);
  });

  it('access_as_external makes the network visible as external, not shared', async () => {
    const net = await h.create('network', 'networks', { name: 'ext-candidate' });
    const carol = await h.tenant();
    await h.create('rbac_policy', 'rbac-policies', { object_type: 'network', object_id: net.id, action: 'access_as_external', target_tenant: carol.projectId });
    const view = await h.request('GET', `/v2.0/networks/${net.id}`, { token: carol.token });
    assert.equal(view.statusCode, 200);
    assert.equal(view.json().network['router:external'], true);
    assert.equal(view.json().network.shared, false);
    assert.equal(await visible(net.id, h.bob.token), false);
  });

  it('retargets a policy with update and refuses actions a type does not support', async () => {
    const net = await h.create('network', 'networks', { name: 'retarget' }, h.alice.token);
    const p = await h.create('rbac_policy', 'rbac-policies', { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId }, h.alice.token);
    const carol = await h.tenant();
    const res = await h.request('PUT', `/v2.0/rbac-policies/${p.id}`, { token: h.alice.token, body: { rbac_policy: { target_tenant: carol.projectId } } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().rbac_policy.target_tenant, carol.projectId);
    assert.equal(await visible(net.id, carol.token), true);
    assert.equal(await visible(net.id, h.bob.token), false);
    const sgId = crypto.randomUUID();
    await h.db.insertInto('net_security_group').values({ id: sgId, project_id: h.alice.projectId, name: 'sg', stateful: 1, description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0 }).execute();
    const ext = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'security_group', object_id: sgId, action: 'access_as_external', target_tenant: h.bob.projectId } } });
    assert.equal(ext.statusCode, 400);
    assert.equal(ext.json().NeutronError.type, 'InvalidActionForType');
    const ok = await h.request('POST', '/v2.0/rbac-policies', { token: h.alice.token, body: { rbac_policy: { object_type: 'security_group', object_id: sgId, action: 'access_as_shared', target_tenant: h.bob.projectId } } });
    assert.equal(ok.statusCode, 201);
  });

  it('counts against the rbac_policy quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'rbac_policy', hard_limit: 1 }).execute();
    const net = await h.create('network', 'networks', { name: 'q' }, t.token);
    await h.create('rbac_policy', 'rbac-policies', { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.bob.projectId }, t.token);
    const over = await h.request('POST', '/v2.0/rbac-policies', { token: t.token, body: { rbac_policy: { object_type: 'network', object_id: net.id, action: 'access_as_shared', target_tenant: h.alice.projectId } } });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().NeutronError.type, 'OverQuota');
  });
});
