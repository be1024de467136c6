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

  it('writes IPv6 totals as exact JSON integers (2**64 - 2 for a /64), sorts and filters on them', async () => {
    const n = await h.create('network', 'networks', { name: 'big' }, h.alice.token);
    await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8:1::/64' }, h.alice.token);
    await h.create('subnet', 'subnets', { network_id: n.id, ip_version: 6, cidr: '2001:db8:2::/64' }, h.alice.token);
    const show = await h.request('GET', `/v2.0/network-ip-availabilities/${n.id}`);
    assert.equal(show.statusCode, 200, show.body);
    assert.match(String(show.headers['content-type']), /^application\/json/);
    assert.match(show.body, /"total_ips":36893488147419103228[,}]/);
    assert.equal((show.body.match(/"total_ips":18446744073709551614[,}]/g) ?? []).length, 2);
    const filtered = await h.request('GET', `/v2.0/network-ip-availabilities?total_ips=36893488147419103228&fields=network_id&fields=total_ips`);
    assert.equal(filtered.statusCode, 200, filtered.body);
    assert.equal(filtered.body, `{"network_ip_availabilities":[{"network_id":"${n.id}","total_ips":36893488147419103228}]}`);
    const sorted = await h.request('GET', '/v2.0/network-ip-availabilities?sort_key=total_ips&sort_dir=desc&limit=1');
    assert.equal(sorted.statusCode, 200, sorted.body);
    assert.equal(sorted.json().network_ip_availabilities[0].network_id, n.id);
  });
});
