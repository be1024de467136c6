import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

type Json = Record<string, any>;

describe('security groups', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  const list = async (token: string, query = ''): Promise<Json[]> => {
    const res = await h.request('GET', `/v2.0/security-groups${query}`, { token });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().security_groups;
  };

  it('creates the default group with Neutron\'s four rules when a fresh project lists', async () => {
    const t = await h.tenant();
    const groups = await list(t.token, `?tenant_id=${t.projectId}`);
    assert.equal(groups.length, 1);
    const def = groups[0]!;
    assert.equal(def.name, 'default');
    assert.equal(def.description, 'Default security group');
    assert.equal(def.project_id, t.projectId);
    assert.equal(def.tenant_id, t.projectId);
    assert.equal(def.stateful, true);
    assert.equal(def.shared, false);
    assert.deepEqual(def.tags, []);
    const rules = def.security_group_rules as Json[];
    assert.equal(rules.length, 4);
    const summary = rules.map((r) => `${r.direction}/${r.ethertype}/${r.remote_group_id === def.id ? 'self' : r.remote_group_id}`).sort();
    assert.deepEqual(summary, ['egress/IPv4/null', 'egress/IPv6/null', 'ingress/IPv4/self', 'ingress/IPv6/self']);
    assert.ok(rules.every((r) => r.belongs_to_default_sg === true && r.protocol === null && r.remote_ip_prefix === null));
    // Listing again does not create another one.
    assert.equal((await list(t.token)).length, 1);
  });

  it('creates a group with two egress rules, and shows, updates and deletes it', async () => {
    const sg = await h.create('security_group', 'security-groups', { name: 'web', description: 'web tier' }, h.alice.token);
    assert.equal(sg.name, 'web');
    assert.equal(sg.description, 'web tier');
    assert.equal(sg.revision_number, 0);
    assert.equal(sg.project_id, h.alice.projectId);
    const rules = sg.security_group_rules as Json[];
    assert.deepEqual(rules.map((r) => `${r.direction}/${r.ethertype}`).sort(), ['egress/IPv4', 'egress/IPv6']);
    assert.ok(rules.every((r) => r.belongs_to_default_sg === false));
    // Creating a group also created the project's default group.
    const names = (await list(h.alice.token)).map((g) => g.name).sort();
    assert.deepEqual(names, ['default', 'web']);

    const show = await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token });
    assert.equal(show.statusCode, 200);
    assert.equal(show.json().security_group.id, sg.id);

    const upd = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token, body: { security_group: { name: 'web2', description: 'new', stateful: false } } });
    assert.equal(upd.statusCode, 200, upd.body);
    const updated = upd.json().security_group;
    assert.equal(updated.name, 'web2');
    assert.equal(updated.stateful, false);
    assert.equal(updated.revision_number, 1);

    const stale = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token, headers: { 'if-match': 'revision_number=0' }, body: { security_group: { description: 'x' } } });
    assert.equal(stale.statusCode, 412);

    const del = await h.request('DELETE', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 204);
    const gone = await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().NeutronError.type, 'SecurityGroupNotFound');
    const rulesLeft = await h.db.selectFrom('net_security_group_rule').select('id').where('security_group_id', '=', sg.id).execute();
    assert.equal(rulesLeft.length, 0);
  });

  it('reserves the name default', async () => {
    const res = await h.request('POST', '/v2.0/security-groups', { token: h.alice.token, body: { security_group: { name: 'Default' } } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'SecurityGroupDefaultAlreadyExists');
    const sg = await h.create('security_group', 'security-groups', { name: 'other' }, h.alice.token);
    const rename = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token, body: { security_group: { name: 'default' } } });
    assert.equal(rename.statusCode, 409);
  });

  it('refuses renaming or (for members) deleting the default group, but allows its description', async () => {
    const def = (await list(h.alice.token)).find((g) => g.name === 'default')!;
    const rename = await h.request('PUT', `/v2.0/security-groups/${def.id}`, { token: h.alice.token, body: { security_group: { name: 'mine' } } });
    assert.equal(rename.statusCode, 409);
    assert.equal(rename.json().NeutronError.type, 'SecurityGroupCannotUpdateDefault');
    const describe = await h.request('PUT', `/v2.0/security-groups/${def.id}`, { token: h.alice.token, body: { security_group: { description: 'ours' } } });
    assert.equal(describe.statusCode, 200);
    const del = await h.request('DELETE', `/v2.0/security-groups/${def.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().NeutronError.type, 'SecurityGroupCannotRemoveDefault');
    assert.equal(del.json().NeutronError.message, 'Insufficient rights for removing default security group.');
  });

  it('lets an admin delete a default group, which comes back on next use', async () => {
    const t = await h.tenant();
    const [def] = await list(t.token, `?project_id=${t.projectId}`);
    const del = await h.request('DELETE', `/v2.0/security-groups/${def!.id}`);
    assert.equal(del.statusCode, 204);
    const again = await list(t.token, `?project_id=${t.projectId}`);
    assert.equal(again.length, 1);
    assert.notEqual(again[0]!.id, def!.id);
  });

  it('keeps projects apart', async () => {
    const sg = await h.create('security_group', 'security-groups', { name: 'private' }, h.alice.token);
    const show = await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.bob.token });
    assert.equal(show.statusCode, 404);
    const upd = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.bob.token, body: { security_group: { name: 'x' } } });
    assert.equal(upd.statusCode, 404);
    const del = await h.request('DELETE', `/v2.0/security-groups/${sg.id}`, { token: h.bob.token });
    assert.equal(del.statusCode, 404);
    assert.ok(!(await list(h.bob.token)).some((g) => g.id === sg.id));
    // An admin sees it, and may list another project's groups by filter (creating its default).
    const t = await h.tenant();
    const theirs = await list(h.adminToken, `?project_id=${t.projectId}`);
    assert.deepEqual(theirs.map((g) => g.name), ['default']);
  });

  it('shows groups shared through RBAC with shared=true to everyone', async () => {
    const sg = await h.create('security_group', 'security-groups', { name: 'shared-one' }, h.alice.token);
    await h.db.insertInto('net_rbac_policy').values({ id: crypto.randomUUID(), project_id: h.alice.projectId, object_type: 'security_group', object_id: sg.id, target_project: '*', action: 'access_as_shared' }).execute();
    const show = await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.bob.token });
    assert.equal(show.statusCode, 200);
    assert.equal(show.json().security_group.shared, true);
    const upd = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.bob.token, body: { security_group: { name: 'x' } } });
    assert.equal(upd.statusCode, 403);
  });

  it('refuses deleting a group a port uses, and changing its statefulness', async () => {
    const sg = await h.create('security_group', 'security-groups', { name: 'bound' }, h.alice.token);
    const net = crypto.randomUUID();
    const port = crypto.randomUUID();
    const std = { description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0 };
    await h.db.insertInto('net_network').values({ id: net, project_id: h.alice.projectId, name: 'n', status: 'ACTIVE', admin_state_up: 1, is_external: 0, mtu: 1500, port_security_enabled: 1, availability_zone_hints: '[]', dns_domain: '', vlan_transparent: null, ...std }).execute();
    await h.db.insertInto('net_port').values({
      id: port, project_id: h.alice.projectId, network_id: net, name: '', mac_address: 'fa:16:3e:00:00:01', admin_state_up: 1, status: 'DOWN', device_id: '', device_owner: '',
      port_security_enabled: 1, ip_allocation: 'immediate', dns_name: '', binding_host_id: '', binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound',
      binding_vif_details: '{}', propagate_uplink_status: 0, ...std,
    }).execute();
    await h.db.insertInto('net_port_security_group').values({ port_id: port, security_group_id: sg.id }).execute();
    const del = await h.request('DELETE', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().NeutronError.type, 'SecurityGroupInUse');
    assert.equal(del.json().NeutronError.message, `Security Group ${sg.id} in use.`);
    const stateful = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token, body: { security_group: { stateful: false } } });
    assert.equal(stateful.statusCode, 409);
    const same = await h.request('PUT', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token, body: { security_group: { stateful: true } } });
    assert.equal(same.statusCode, 200);
  });

  it('refuses read-only and unknown attributes, and bad values, with 400', async () => {
    for (const body of [{ security_group_rules: [] }, { shared: true }, { bogus: 1 }, { name: 'x'.repeat(256) }, { name: 'a\u0000b' }, { stateful: 'maybe' }]) {
      const res = await h.request('POST', '/v2.0/security-groups', { token: h.alice.token, body: { security_group: body } });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    const nul = await h.request('GET', '/v2.0/security-groups/%00abc', { token: h.alice.token });
    assert.ok([400, 404].includes(nul.statusCode));
    // A NUL in a filter never reaches the database: 400 from the API layer.
    const filtered = await h.request('GET', '/v2.0/security-groups?id=%00', { token: h.alice.token });
    assert.equal(filtered.statusCode, 400);
  });

  it('enforces the security_group quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'security_group', hard_limit: 2 }).execute();
    await h.create('security_group', 'security-groups', { name: 'one' }, t.token); // + default = 2
    const res = await h.request('POST', '/v2.0/security-groups', { token: t.token, body: { security_group: { name: 'two' } } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'OverQuota');
  });

  it('creates in bulk, all or nothing', async () => {
    const t = await h.tenant();
    const ok = await h.request('POST', '/v2.0/security-groups', { token: t.token, body: { security_groups: [{ name: 'a' }, { name: 'b' }] } });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().security_groups.length, 2);
    const bad = await h.request('POST', '/v2.0/security-groups', { token: t.token, body: { security_groups: [{ name: 'c' }, { name: 'default' }] } });
    assert.equal(bad.statusCode, 409);
    assert.deepEqual((await list(t.token, `?project_id=${t.projectId}`)).map((g) => g.name).sort(), ['a', 'b', 'default']);
  });

  it('accepts bulk items wrapped in their resource key, as Neutron\'s prepare_request_body does', async () => {
    const t = await h.tenant();
    const res = await h.request('POST', '/v2.0/security-groups', {
      token: t.token, body: { security_groups: [{ security_group: { name: 'w1', description: 'd1' } }, { name: 'w2' }] },
    });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json().security_groups as Json[];
    assert.deepEqual(created.map((g) => g.name), ['w1', 'w2']);
    assert.equal(created[0]!.description, 'd1');
    assert.equal(created[0]!.project_id, t.projectId);
  });
});
