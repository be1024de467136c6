import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('subnet pools', () => {
  let h: NetworkHarness;
  const fault = (res: { statusCode: number; json(): any }, status: number, type: string, message?: string) => {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    assert.equal(res.json().NeutronError.type, type);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };
  const postPool = (body: Record<string, unknown>, token?: string) => h.request('POST', '/v2.0/subnetpools', { body: { subnetpool: body }, ...(token ? { token } : {}) });
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('creates a pool with derived ip_version, compacted prefixes and default bounds', async () => {
    const p = await h.create('subnetpool', 'subnetpools', { name: 'p', prefixes: ['10.0.0.0/17', '10.0.128.0/17', '192.168.0.0/24'] }, h.alice.token);
    assert.equal(p.ip_version, 4);
    assert.deepEqual(p.prefixes, ['10.0.0.0/16', '192.168.0.0/24']);
    // Neutron renders prefix lengths as strings (str() in _make_subnetpool_dict).
    assert.equal(p.min_prefixlen, '8');
    assert.equal(p.max_prefixlen, '32');
    assert.equal(p.default_prefixlen, '8');
    assert.equal(p.shared, false);
    assert.equal(p.is_default, false);
    assert.equal(p.project_id, h.alice.projectId);
    fault(await postPool({ name: 'x', prefixes: ['10.0.0.0/8', '2001:db8::/32'] }), 400, 'PrefixVersionMismatch', 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
    fault(await postPool({ name: 'x', prefixes: [] }), 400, 'EmptySubnetPoolPrefixList');
    fault(await postPool({ name: 'x', prefixes: ['10.0.0.0/8'], min_prefixlen: 24, max_prefixlen: 16 }), 400, 'IllegalSubnetPoolPrefixBounds',
      'Illegal prefix bounds: min_prefixlen=24, max_prefixlen=16.');
    fault(await postPool({ name: 'x', prefixes: ['10.0.0.0/8'], shared: true }, h.alice.token), 403, 'PolicyNotAuthorized');
    fault(await postPool({ prefixes: ['10.0.0.0/8'] }), 400, 'HTTPBadRequest');
  });

  it('allocates subnet CIDRs from the pool: by prefixlen, by default_prefixlen, specific, exhausted', async () => {
    const pool = await h.create('subnetpool', 'subnetpools', { name: 'alloc', prefixes: ['10.100.0.0/22'], default_prefixlen: 24, min_prefixlen: 22, max_prefixlen: 28 }, h.alice.token);
    const n = await h.create('network', 'networks', { name: 'n' }, h.alice.token);
    const a = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, subnetpool_id: pool.id }, h.alice.token);
    assert.equal(a.cidr, '10.100.0.0/24');
    assert.equal(a.subnetpool_id, pool.id);
    assert.equal(a.gateway_ip, '10.100.0.1');
    const b = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, subnetpool_id: pool.id, prefixlen: 26 }, h.alice.token);
    assert.equal(b.cidr, '10.100.1.0/26');
    const n2 = await h.create('network', 'networks', { name: 'n2' }, h.alice.token);
    const d = await h.create('subnet', 'subnets', { network_id: n2.id, ip_version: 4, subnetpool_id: pool.id, cidr: '10.100.2.0/24' }, h.alice.token);
    assert.equal(d.cidr, '10.100.2.0/24');
    const post = (body: Record<string, unknown>) => h.request('POST', '/v2.0/subnets', { token: h.alice.token, body: { subnet: { network_id: n2.id, ip_version: 4, subnetpool_id: pool.id, ...body } } });
    fault(await post({ cidr: '10.100.0.0/25' }), 409, 'SubnetAllocationError', 'Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.');
    fault(await post({ prefixlen: 30 }), 400, 'MaxPrefixSubnetAllocationError', 'Unable to allocate subnet with prefix length 30, maximum allowed prefix is 28.');
    fault(await post({ prefixlen: 23 }), 409, 'SubnetAllocationError', 'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /23.');
    fault(await post({ allocation_pools: [{ start: '10.100.3.5', end: '10.100.3.9' }] }), 400, 'BadRequest',
      'Bad subnets request: allocation_pools allowed only for specific subnet requests.');
    // A network mixing pool and non-pool subnets of one IP version is refused.
    fault(await h.request('POST', '/v2.0/subnets', { token: h.alice.token, body: { subnet: { network_id: n2.id, ip_version: 4, cidr: '172.16.0.0/24' } } }),
      400, 'NetworkSubnetPoolAffinityError');
    // In use: the pool cannot go, nor can prefixes holding subnets.
    fault(await h.request('DELETE', `/v2.0/subnetpools/${pool.id}`, { token: h.alice.token }), 400, 'SubnetPoolDeleteError',
      'Unable to delete subnet pool: Subnet pool has existing allocations.');
    fault(await h.request('PUT', `/v2.0/subnetpools/${pool.id}/remove_prefixes`, { token: h.alice.token, body: { prefixes: ['10.100.0.0/24'] } }),
      400, 'IllegalSubnetPoolPrefixUpdate');
  });

  it('use_default_subnetpool picks the default pool; only one default per IP version', async () => {
    const def = await h.create('subnetpool', 'subnetpools', { name: 'default', prefixes: ['10.200.0.0/16'], default_prefixlen: 26, is_default: true, shared: true });
    fault(await postPool({ name: 'def2', prefixes: ['10.201.0.0/16'], is_default: true }), 400, 'InvalidInput');
    const n = await h.create('network', 'networks', { name: 'd' }, h.bob.token);
    const s = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, use_default_subnetpool: true }, h.bob.token);
    assert.equal(s.subnetpool_id, def.id);
    assert.equal(s.cidr, '10.200.0.0/26');
    fault(await h.request('POST', '/v2.0/subnets', { token: h.bob.token, body: { subnet: { network_id: n.id, ip_version: 6, use_default_subnetpool: true } } }),
      400, 'BadRequest', 'Bad subnets request: No default subnetpool found for IPv6.');
  });

  it('updates: prefixes may grow, not shrink; add_prefixes / remove_prefixes; visibility', async () => {
    const p = await h.create('subnetpool', 'subnetpools', { name: 'u', prefixes: ['10.50.0.0/24'] }, h.alice.token);
    const grown = await h.request('PUT', `/v2.0/subnetpools/${p.id}`, { token: h.alice.token, body: { subnetpool: { prefixes: ['10.50.0.0/24', '10.50.1.0/24'], name: 'u2' } } });
    assert.equal(grown.statusCode, 200, grown.body);
    assert.deepEqual(grown.json().subnetpool.prefixes, ['10.50.0.0/23']);
    assert.equal(grown.json().subnetpool.revision_number, 1);
    fault(await h.request('PUT', `/v2.0/subnetpools/${p.id}`, { token: h.alice.token, body: { subnetpool: { prefixes: ['10.50.0.0/24'] } } }),
      400, 'IllegalSubnetPoolPrefixUpdate', 'Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.');
    const added = await h.request('PUT', `/v2.0/subnetpools/${p.id}/add_prefixes`, { token: h.alice.token, body: { prefixes: ['10.60.0.0/24'] } });
    assert.deepEqual(added.json(), { prefixes: ['10.50.0.0/23', '10.60.0.0/24'] });
    const removed = await h.request('PUT', `/v2.0/subnetpools/${p.id}/remove_prefixes`, { token: h.alice.token, body: { prefixes: ['10.50.1.0/24'] } });
    assert.deepEqual(removed.json(), { prefixes: ['10.50.0.0/24', '10.60.0.0/24'] });
    fault(await h.request('GET', `/v2.0/subnetpools/${p.id}`, { token: h.bob.token }), 404, 'SubnetPoolNotFound', `Subnet pool ${p.id} could not be found.`);
    assert.equal((await h.request('DELETE', `/v2.0/subnetpools/${p.id}`, { token: h.alice.token })).statusCode, 204);
  });
});
