import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

type Json = Record<string, any>;

describe('address groups', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  const action = (id: string, name: string, addresses: unknown, token = h.alice.token) =>
    h.request('PUT', `/v2.0/address-groups/${id}/${name}`, { token, body: { addresses } });

  it('refuses addresses neutron_lib validate_subnet refuses: no prefix, non-canonical IPv4, junk, duplicates', async () => {
    const post = (addresses: unknown) => h.request('POST', '/v2.0/address-groups', { token: h.alice.token, body: { address_group: { name: 'bad', addresses } } });
    const noPrefix = await post(['10.20.30.40']);
    assert.equal(noPrefix.statusCode, 400);
    assert.equal(noPrefix.json().NeutronError.message, "Invalid input for addresses. Reason: '10.20.30.40' isn't a recognized IP subnet cidr, '10.20.30.40/32' is recommended.");
    assert.equal((await post(['010.1.1.1/24'])).statusCode, 400);
    assert.equal((await post(['this is bad IP address'])).statusCode, 400);
    const dup = await post(['10.0.0.0/8', '10.0.0.0/8']);
    assert.equal(dup.statusCode, 400);
    assert.match(dup.json().NeutronError.message, /Duplicate items in the list: '10.0.0.0\/8'/);
    const ok = await post(['192.168.0.10/24', '2001:db8::f00/64']);
    assert.equal(ok.statusCode, 201, ok.body);
    assert.deepEqual(ok.json().address_group.addresses, ['192.168.0.0/24', '2001:db8::/64']);
  });

  it('creates with normalised addresses, adds and removes addresses, updates and deletes', async () => {
    const ag = await h.create('address_group', 'address-groups', { name: 'office', addresses: ['10.1.2.3/24', '192.168.0.1/32', '2001:DB8::5/64'] }, h.alice.token);
    assert.deepEqual(ag.addresses, ['10.1.2.0/24', '192.168.0.1/32', '2001:db8::/64']);
    assert.equal(ag.project_id, h.alice.projectId);
    assert.equal(ag.tenant_id, h.alice.projectId);
    assert.equal(ag.revision_number, 0);
    assert.equal(ag.shared, false);

    const add = await action(ag.id, 'add_addresses', ['172.16.0.0/12']);
    assert.equal(add.statusCode, 200, add.body);
    assert.ok(add.json().address_group.addresses.includes('172.16.0.0/12'));
    assert.equal(add.json().address_group.revision_number, 1);
    const again = await action(ag.id, 'add_addresses', ['172.16.1.1/12']);
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().NeutronError.type, 'AddressesAlreadyExist');
    const rm = await action(ag.id, 'remove_addresses', ['10.1.2.0/24']);
    assert.equal(rm.statusCode, 200);
    assert.ok(!rm.json().address_group.addresses.includes('10.1.2.0/24'));
    const rmMissing = await action(ag.id, 'remove_addresses', ['10.9.9.0/24']);
    assert.equal(rmMissing.statusCode, 404);
    assert.equal(rmMissing.json().NeutronError.type, 'AddressesNotFound');
    assert.equal((await action(ag.id, 'add_addresses', ['not-an-ip'])).statusCode, 400);
    assert.equal((await h.request('PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { token: h.alice.token, body: {} })).statusCode, 400);

    const upd = await h.request('PUT', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token, body: { address_group: { name: 'hq', description: 'd' } } });
    assert.equal(upd.statusCode, 200);
    assert.equal(upd.json().address_group.name, 'hq');
    const ro = await h.request('PUT', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token, body: { address_group: { addresses: [] } } });
    assert.equal(ro.statusCode, 400);

    const list = await h.request('GET', '/v2.0/address-groups?name=hq', { token: h.alice.token });
    assert.deepEqual((list.json().address_groups as Json[]).map((g) => g.id), [ag.id]);
    assert.equal((await h.request('DELETE', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token })).statusCode, 204);
    const gone = await h.request('GET', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().NeutronError.type, 'AddressGroupNotFound');
  });

  it('is private to its project', async () => {
    const ag = await h.create('address_group', 'address-groups', { name: 'private' }, h.alice.token);
    assert.equal((await h.request('GET', `/v2.0/address-groups/${ag.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await action(ag.id, 'add_addresses', ['10.0.0.0/8'], h.bob.token)).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2.0/address-groups/${ag.id}`, { token: h.bob.token })).statusCode, 404);
    const sg = await h.create('security_group', 'security-groups', { name: 'bobs' }, h.bob.token);
    const rule = await h.request('POST', '/v2.0/security-group-rules', { token: h.bob.token, body: { security_group_rule: { security_group_id: sg.id, direction: 'ingress', remote_address_group_id: ag.id } } });
    assert.equal(rule.statusCode, 404);
  });

  it('can be a rule\'s remote, and cannot be deleted while one names it', async () => {
    const ag = await h.create('address_group', 'address-groups', { name: 'remote', addresses: ['10.0.0.0/8'] }, h.alice.token);
    const sg = await h.create('security_group', 'security-groups', { name: 'uses-ag' }, h.alice.token);
    const res = await h.request('POST', '/v2.0/security-group-rules', { token: h.alice.token, body: { security_group_rule: { security_group_id: sg.id, direction: 'ingress', remote_address_group_id: ag.id } } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().security_group_rule.remote_address_group_id, ag.id);
    const del = await h.request('DELETE', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().NeutronError.type, 'AddressGroupInUse');
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${res.json().security_group_rule.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('DELETE', `/v2.0/address-groups/${ag.id}`, { token: h.alice.token })).statusCode, 204);
  });

  it('enforces the address_group quota', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'address_group', hard_limit: 1 }).execute();
    await h.create('address_group', 'address-groups', { name: 'one' }, t.token);
    const over = await h.request('POST', '/v2.0/address-groups', { token: t.token, body: { address_group: { name: 'two' } } });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().NeutronError.type, 'OverQuota');
  });
});
