import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('address scopes', () => {
  let h: NetworkHarness;
  const fault = (res: { statusCode: number; json(): any }, status: number, type: string, message?: string) => {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    assert.equal(res.json().NeutronError.type, type);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('CRUD, shared admin-only, ip_version must match pools, delete refused while pools use it', async () => {
    const scope = await h.create('address_scope', 'address-scopes', { name: 's', ip_version: 4 }, h.alice.token);
    assert.equal(scope.shared, false);
    assert.equal(scope.ip_version, 4);
    fault(await h.request('POST', '/v2.0/address-scopes', { token: h.alice.token, body: { address_scope: { name: 'x', ip_version: 4, shared: true } } }), 403, 'PolicyNotAuthorized');
    fault(await h.request('POST', '/v2.0/address-scopes', { body: { address_scope: { name: 'x' } } }), 400, 'HTTPBadRequest');
    fault(await h.request('POST', '/v2.0/subnetpools', { token: h.alice.token, body: { subnetpool: { name: 'v6', prefixes: ['2001:db8::/48'], address_scope_id: scope.id } } }),
      400, 'IllegalSubnetPoolIpVersionAssociationToAddressScope');
    const pool = await h.create('subnetpool', 'subnetpools', { name: 'p', prefixes: ['10.0.0.0/16'], address_scope_id: scope.id }, h.alice.token);
    assert.equal(pool.address_scope_id, scope.id);
    fault(await h.request('POST', '/v2.0/subnetpools', { token: h.alice.token, body: { subnetpool: { name: 'p2', prefixes: ['10.0.128.0/24'], address_scope_id: scope.id } } }),
      409, 'AddressScopePrefixConflict');
    // A scope the caller cannot see, or one that does not exist, is AddressScopeNotFound.
    fault(await h.request('POST', '/v2.0/subnetpools', { token: h.bob.token, body: { subnetpool: { name: 'b', prefixes: ['10.9.0.0/16'], address_scope_id: scope.id } } }),
      404, 'AddressScopeNotFound', `Address scope ${scope.id} could not be found.`);
    fault(await h.request('POST', '/v2.0/subnetpools', { token: h.bob.token, body: { subnetpool: { name: 'b', prefixes: ['10.9.0.0/16'], address_scope_id: '31e6b073-c9d1-4916-962a-418a5a26559a' } } }),
      404, 'AddressScopeNotFound');
    fault(await h.request('GET', `/v2.0/address-scopes/${scope.id}`, { token: h.bob.token }), 404, 'AddressScopeNotFound');
    fault(await h.request('DELETE', `/v2.0/address-scopes/${scope.id}`, { token: h.alice.token }), 409, 'AddressScopeInUse');
    const renamed = await h.request('PUT', `/v2.0/address-scopes/${scope.id}`, { token: h.alice.token, body: { address_scope: { name: 'r' } } });
    assert.equal(renamed.json().address_scope.name, 'r');
    assert.equal(renamed.json().address_scope.revision_number, 1);
    fault(await h.request('PUT', `/v2.0/address-scopes/${scope.id}`, { token: h.alice.token, body: { address_scope: { ip_version: 6 } } }), 400, 'HTTPBadRequest');
    assert.equal((await h.request('DELETE', `/v2.0/subnetpools/${pool.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('DELETE', `/v2.0/address-scopes/${scope.id}`, { token: h.alice.token })).statusCode, 204);
  });

  it('a shared scope is visible to everyone and cannot be unshared', async () => {
    const scope = await h.create('address_scope', 'address-scopes', { name: 'pub', ip_version: 6, shared: true });
    const seen = await h.request('GET', '/v2.0/address-scopes', { token: h.bob.token });
    assert.ok(seen.json().address_scopes.some((s: any) => s.id === scope.id));
    fault(await h.request('PUT', `/v2.0/address-scopes/${scope.id}`, { body: { address_scope: { shared: false } } }), 400, 'AddressScopeUpdateError');
  });

  it('a shared scope of another project: tenants cannot join it nor change pools in it, admins can', async () => {
    const scope = await h.create('address_scope', 'address-scopes', { name: 'admin-shared', ip_version: 4, shared: true });
    const body = (extra: Record<string, unknown>) => ({ subnetpool: { name: 'sp', prefixes: ['20.0.0.0/18', '30.0.0.0/18'], min_prefixlen: '29', ...extra } });
    fault(await h.request('POST', '/v2.0/subnetpools', { token: h.bob.token, body: body({ address_scope_id: scope.id }) }),
      400, 'IllegalSubnetPoolAssociationToAddressScope');
    const pool = await h.create('subnetpool', 'subnetpools', body({}).subnetpool, h.bob.token);
    const joined = await h.request('PUT', `/v2.0/subnetpools/${pool.id}`, { body: { subnetpool: { address_scope_id: scope.id } } });
    assert.equal(joined.statusCode, 200, joined.body);
    const prefixes = ['20.0.0.0/18', '30.0.0.0/18', '40.0.0.0/18'];
    fault(await h.request('PUT', `/v2.0/subnetpools/${pool.id}`, { token: h.bob.token, body: { subnetpool: { prefixes } } }),
      400, 'IllegalSubnetPoolAssociationToAddressScope');
    const grown = await h.request('PUT', `/v2.0/subnetpools/${pool.id}`, { body: { subnetpool: { prefixes } } });
    assert.deepEqual(grown.json().subnetpool.prefixes, prefixes);
  });

  it('shared is read-only on update, refused before the pool is even looked up', async () => {
    const adminPool = await h.create('subnetpool', 'subnetpools', { name: 'adm', prefixes: ['10.77.0.0/16'] });
    fault(await h.request('PUT', `/v2.0/subnetpools/${adminPool.id}`, { token: h.bob.token, body: { subnetpool: { shared: true } } }),
      400, 'HTTPBadRequest', 'Cannot update read-only attribute shared');
  });
});
