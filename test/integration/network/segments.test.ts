import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('segments API', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('lists the tenant segment of a network, shows, renames, deletes an added one', async () => {
    const net = await h.create('network', 'networks', { name: 'segnet' });
    const list = (await h.request('GET', `/v2.0/segments?network_id=${net.id}`)).json().segments;
    assert.equal(list.length, 1);
    assert.equal(list[0].network_type, 'vxlan');
    assert.equal(list[0].physical_network, null);
    const added = await h.create('segment', 'segments', { network_id: net.id, network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 120, name: 's2' });
    assert.equal(added.segmentation_id, 120);
    assert.equal(added.name, 's2');
    const dup = await h.request('POST', '/v2.0/segments', { body: { segment: { network_id: net.id, network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 120 } } });
    assert.equal(dup.statusCode, 409);
    const upd = await h.request('PUT', `/v2.0/segments/${added.id}`, { body: { segment: { name: 'renamed', description: 'dd' } } });
    assert.equal(upd.statusCode, 200);
    assert.equal(upd.json().segment.name, 'renamed');
    assert.equal(upd.json().segment.revision_number, 1);
    const ro = await h.request('PUT', `/v2.0/segments/${added.id}`, { body: { segment: { segmentation_id: 5 } } });
    assert.equal(ro.statusCode, 400);
    const shown = (await h.request('GET', `/v2.0/networks/${net.id}`)).json().network;
    assert.equal(shown.segments.length, 2);
    assert.equal((await h.request('DELETE', `/v2.0/segments/${added.id}`)).statusCode, 204);
    assert.equal((await h.request('GET', `/v2.0/segments/${added.id}`)).statusCode, 404);
    // The VLAN is free again.
    await h.create('segment', 'segments', { network_id: net.id, network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 120 });
  });

  it('is admin only', async () => {
    const net = await h.create('network', 'networks', { name: 'mine' }, h.alice.token);
    const create = await h.request('POST', '/v2.0/segments', { token: h.alice.token, body: { segment: { network_id: net.id, network_type: 'vxlan' } } });
    assert.equal(create.statusCode, 403);
    const list = await h.request('GET', '/v2.0/segments', { token: h.alice.token });
    assert.deepEqual(list.json().segments, []);
  });

  it('refuses to delete a segment that subnets use', async () => {
    const net = await h.create('network', 'networks', { name: 'withsub' });
    const seg = (await h.request('GET', `/v2.0/segments?network_id=${net.id}`)).json().segments[0];
    await h.db.insertInto('net_subnet').values({
      id: crypto.randomUUID(), project_id: h.adminProjectId, network_id: net.id, name: '', ip_version: 4, cidr: '10.8.0.0/24', gateway_ip: null,
      enable_dhcp: 0, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, segment_id: seg.id, dns_publish_fixed_ip: 0,
      description: '', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', revision_number: 0,
    }).execute();
    const res = await h.request('DELETE', `/v2.0/segments/${seg.id}`);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().NeutronError.type, 'SegmentInUse');
  });
});
