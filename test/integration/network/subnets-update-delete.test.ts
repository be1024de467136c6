import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('subnets: update and delete', () => {
  let h: NetworkHarness;
  let net: Record<string, any>;
  const put = (id: string, body: Record<string, unknown>, token?: string) => h.request('PUT', `/v2.0/subnets/${id}`, { body: { subnet: body }, ...(token ? { token } : {}) });
  const fault = (res: { statusCode: number; json(): any }, status: number, type: string, message?: string) => {
    assert.equal(res.statusCode, status, res.statusCode === 200 ? JSON.stringify(res.json()) : String(JSON.stringify(res.json())));
    assert.equal(res.json().NeutronError.type, type);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };
  before(async () => {
    h = await startNetwork();
    net = await h.create('network', 'networks', { name: 'n' }, h.alice.token);
  });
  after(async () => { await h.close(); });

  it('updates name, DNS, routes, pools and gateway; bumps the revision', async () => {
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.1.0.0/24' }, h.alice.token);
    const res = await put(s.id, { name: 'renamed', dns_nameservers: ['9.9.9.9'], host_routes: [{ destination: '0.0.0.0/0', nexthop: '10.1.0.9' }],
      allocation_pools: [{ start: '10.1.0.50', end: '10.1.0.60' }], gateway_ip: '10.1.0.254' }, h.alice.token);
    assert.equal(res.statusCode, 200, res.body);
    const u = res.json().subnet;
    assert.equal(u.name, 'renamed');
    assert.deepEqual(u.dns_nameservers, ['9.9.9.9']);
    assert.deepEqual(u.host_routes, [{ destination: '0.0.0.0/0', nexthop: '10.1.0.9' }]);
    assert.deepEqual(u.allocation_pools, [{ start: '10.1.0.50', end: '10.1.0.60' }]);
    assert.equal(u.gateway_ip, '10.1.0.254');
    assert.equal(u.revision_number, s.revision_number + 1);
    assert.equal(u.cidr, '10.1.0.0/24');
  });

  it('refuses cidr changes, a gateway inside the pools, pools outside the subnet, stale If-Match', async () => {
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.2.0.0/24' }, h.alice.token);
    fault(await put(s.id, { cidr: '10.3.0.0/24' }, h.alice.token), 400, 'HTTPBadRequest', 'Cannot update read-only attribute cidr');
    fault(await put(s.id, { gateway_ip: '10.2.0.20' }, h.alice.token), 409, 'GatewayConflictWithAllocationPools');
    fault(await put(s.id, { allocation_pools: [{ start: '10.2.0.2', end: '10.2.1.9' }] }, h.alice.token), 400, 'OutOfBoundsAllocationPool');
    fault(await put(s.id, { gateway_ip: '10.9.9.9' }, h.alice.token), 400, 'InvalidInput', 'Invalid input for operation: Gateway is not valid on subnet.');
    fault(await h.request('PUT', `/v2.0/subnets/${s.id}`, { token: h.alice.token, body: { subnet: { name: 'x' } }, headers: { 'if-match': 'revision_number=7' } }),
      412, 'RevisionNumberConstraintFailed');
    fault(await put(s.id, { name: 'x' }, h.bob.token), 404, 'SubnetNotFound');
    assert.deepEqual((await put(s.id, { service_types: ['network:dhcp'] }, h.alice.token)).json().subnet.service_types, ['network:dhcp']);
    const ok = await put(s.id, { gateway_ip: null }, h.alice.token);
    assert.equal(ok.json().subnet.gateway_ip, null);
  });

  it('deletes a subnet without ports; a port\'s address keeps it in use (409 SubnetInUse)', async () => {
    const s = await h.create('subnet', 'subnets', { network_id: net.id, ip_version: 4, cidr: '10.4.0.0/24' }, h.alice.token);
    const port = await h.request('POST', '/v2.0/ports', { token: h.alice.token, body: { port: { network_id: net.id, fixed_ips: [{ subnet_id: s.id }] } } });
    assert.equal(port.statusCode, 201, port.body);
    {
      fault(await h.request('DELETE', `/v2.0/subnets/${s.id}`, { token: h.alice.token }), 409, 'SubnetInUse',
        `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`);
      const dhcp = await h.request('POST', '/v2.0/ports', { body: { port: { network_id: net.id, device_owner: 'network:dhcp', fixed_ips: [{ subnet_id: s.id }] } } });
      assert.equal(dhcp.statusCode, 201, dhcp.body);
      assert.equal((await h.request('DELETE', `/v2.0/ports/${port.json().port.id}`, { token: h.alice.token })).statusCode, 204);
      // Only the DHCP port is left: its allocation goes with the subnet.
    }
    assert.equal((await h.request('DELETE', `/v2.0/subnets/${s.id}`, { token: h.alice.token })).statusCode, 204);
    fault(await h.request('GET', `/v2.0/subnets/${s.id}`, { token: h.alice.token }), 404, 'SubnetNotFound', `Subnet ${s.id} could not be found.`);
  });
});
