import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('network IP availability', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('counts pool addresses and allocations per subnet and network; admin only', async () => {
    const n = await h.create('network', 'networks', { name: 'avail' }, h.alice.token);
    const s4 = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 4, cidr: '10.0.0.0/28', name: 'v4' }, h.alice.token);
    const s6 = await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8::/120', name: 'v6' }, h.alice.token);
    for (let i = 0; i < 3; i++) assert.equal((await h.request('POST', '/v2.0/ports', { token: h.alice.token, body: { port: { network_id: n.id } } })).statusCode, 201);
    const res = await h.request('GET', `/v2.0/network-ip-availabilities/${n.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const a = res.json().network_ip_availability;
    assert.equal(a.network_id, n.id);
    assert.equal(a.network_name, 'avail');
    assert.equal(a.project_id, h.alice.projectId);
    const by = new Map(a.subnet_ip_availability.map((x: any) => [x.subnet_id, x]));
    assert.deepEqual(by.get(s4.id), { subnet_id: s4.id, subnet_name: 'v4', cidr: '10.0.0.0/28', ip_version: 4, total_ips: 13, used_ips: 3 });
    assert.deepEqual(by.get(s6.id), { subnet_id: s6.id, subnet_name: 'v6', cidr: '2001:db8::/120', ip_version: 6, total_ips: 254, used_ips: 3 });
    assert.equal(a.total_ips, 267);
    assert.equal(a.used_ips, 6);
    const list = await h.request('GET', `/v2.0/network-ip-availabilities?network_id=${n.id}&ip_version=4`);
    assert.equal(list.json().network_ip_availabilities.length, 1);
    assert.equal(list.json().network_ip_availabilities[0].total_ips, 13);
    const forbidden = await h.request('GET', '/v2.0/network-ip-availabilities', { token: h.alice.token });
    assert.equal(forbidden.statusCode, 403);
    assert.equal((await h.request('GET', '/v2.0/network-ip-availabilities/nope')).statusCode, 404);
  });
});
