// The metadata API's network information from the instance info cache (networkInfoFromCache):
// an instance row with a cached VifInfo[] and a request spec, requested through the metadata
// app with the proxy's signature — network_data.json as Nova's get_network_metadata writes it,
// and the EC2 local-ipv4 / public-ipv4 / security-groups.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLogger } from '../../../src/core/logger.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import type { VifInfo } from '../../../src/compute/rpc/compute-protocol.js';
import { createMetadataService } from '../../../src/compute/metadata/service.js';
import { netmaskOf, networkInfoFromCache } from '../../../src/compute/metadata/network-info.js';
import { instanceIdSignature } from '../../../src/network/agents/metadata/metadata-agent.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { instanceRow as serverRow } from './server-fixtures.js';

const SECRET = 'metadata-net-secret';
const NOW = '2026-01-01T00:00:00Z';
let nextId = 5000;

function instanceRow(projectId: string, userId: string): InstanceRow {
  return serverRow({
    id: nextId++, project_id: projectId, user_id: userId, reservation_id: 'r-net00001',
    created_at: NOW, updated_at: NOW, scheduled_at: NOW, launched_at: NOW,
  });
}

const NET1 = 'a1a1a1a1-0000-4000-8000-000000000001';
const NET2 = 'b2b2b2b2-0000-4000-8000-000000000002';
const VIFS: VifInfo[] = [
  {
    id: 'c3c3c3c3-1111-4000-8000-000000000003', address: 'fa:16:3e:11:22:33', type: 'bridge', devname: 'tapc3c3c3c3-11',
    active: true, preserve_on_delete: false,
    network: {
      id: NET1, label: 'private', mtu: 1450,
      subnets: [
        { cidr: '10.0.0.0/26', version: 4, gateway: '10.0.0.1', dns: ['10.0.0.2', '8.8.8.8'],
          ips: [{ address: '10.0.0.5', type: 'fixed', floating_ips: [{ address: '172.24.4.10' }] }] },
        { cidr: 'fd00:1::/64', version: 6, gateway: 'fd00:1::1', dns: ['10.0.0.2'],
          ips: [{ address: 'fd00:1::5', type: 'fixed', floating_ips: [] }] },
      ],
    },
  },
  {
    id: 'd4d4d4d4-2222-4000-8000-000000000004', address: 'fa:16:3e:44:55:66', type: 'bridge', devname: 'tapd4d4d4d4-22',
    active: true, preserve_on_delete: true,
    network: {
      id: NET2, label: 'second', mtu: null,
      subnets: [{ cidr: '192.168.7.0/24', version: 4, gateway: null, dns: [], ips: [{ address: '192.168.7.20', type: 'fixed', floating_ips: [] }] }],
    },
  },
];

describe('metadata network information from the info cache', () => {
  let h: ComputeHarness;
  let app: FastifyInstance;
  let vm: InstanceRow;
  let bare: InstanceRow;

  const get = (path: string, inst: InstanceRow): Promise<LightMyRequestResponse> => app.inject({
    method: 'GET', url: path,
    headers: {
      'x-instance-id': inst.uuid, 'x-tenant-id': inst.project_id,
      'x-instance-id-signature': instanceIdSignature(SECRET, inst.uuid), 'x-forwarded-for': '10.0.0.99',
    },
  });

  before(async () => {
    h = await startCompute();
    vm = instanceRow(h.alice.projectId, h.alice.userId);
    bare = instanceRow(h.alice.projectId, h.alice.userId);
    await h.db.insertInto('nova_instance').values([vm, bare]).execute();
    await h.db.insertInto('nova_instance_info_cache').values([
      { instance_uuid: vm.uuid, network_info: JSON.stringify(VIFS), updated_at: NOW },
      { instance_uuid: bare.uuid, network_info: 'not json', updated_at: NOW },
    ]).execute();
    await h.db.insertInto('nova_request_spec').values({
      instance_uuid: vm.uuid, spec: JSON.stringify({ security_groups: ['default', 'web', 'default'] }), created_at: NOW, updated_at: NOW,
    }).execute();
    ({ app } = createMetadataService(h.deps, { sharedSecret: SECRET, networkInfo: networkInfoFromCache(h.db) }, createLogger('silent')));
    await app.ready();
  });
  after(async () => { await app?.close(); await h?.close(); });

  it('writes network_data.json as get_network_metadata does', async () => {
    const res = await get('/openstack/latest/network_data.json', vm);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      links: [
        { id: 'tapc3c3c3c3-11', vif_id: VIFS[0]!.id, type: 'bridge', mtu: 1450, ethernet_mac_address: 'fa:16:3e:11:22:33' },
        { id: 'tapd4d4d4d4-22', vif_id: VIFS[1]!.id, type: 'bridge', mtu: null, ethernet_mac_address: 'fa:16:3e:44:55:66' },
      ],
      networks: [
        {
          id: 'network0', type: 'ipv4', link: 'tapc3c3c3c3-11', ip_address: '10.0.0.5', netmask: '255.255.255.192',
          routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }], network_id: NET1,
          services: [{ type: 'dns', address: '10.0.0.2' }, { type: 'dns', address: '8.8.8.8' }],
        },
        {
          id: 'network1', type: 'ipv6', link: 'tapc3c3c3c3-11', ip_address: 'fd00:1::5', netmask: 'ffff:ffff:ffff:ffff::',
          routes: [{ network: '::', netmask: '::', gateway: 'fd00:1::1' }], network_id: NET1,
          services: [{ type: 'dns', address: '10.0.0.2' }],
        },
        {
          id: 'network2', type: 'ipv4', link: 'tapd4d4d4d4-22', ip_address: '192.168.7.20', netmask: '255.255.255.0',
          routes: [], network_id: NET2, services: [],
        },
      ],
      // Each DNS server once, in the order first seen.
      services: [{ type: 'dns', address: '10.0.0.2' }, { type: 'dns', address: '8.8.8.8' }],
    });
  });

  it('gives EC2 the first fixed IPv4 address, the floating address and the security groups', async () => {
    assert.equal((await get('/latest/meta-data/local-ipv4', vm)).body, '10.0.0.5');
    assert.equal((await get('/latest/meta-data/public-ipv4', vm)).body, '172.24.4.10');
    assert.equal((await get('/latest/meta-data/security-groups', vm)).body, 'default\nweb');
  });

  it('treats a missing or unreadable cache as no network (EC2 falls back to the requester address)', async () => {
    const res = await get('/openstack/latest/network_data.json', bare);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { links: [], networks: [], services: [] });
    assert.equal((await get('/latest/meta-data/local-ipv4', bare)).body, '10.0.0.99');
    assert.equal((await get('/latest/meta-data/public-ipv4', bare)).body, '');
  });

  it('prints netmasks as netaddr does', () => {
    assert.equal(netmaskOf('10.0.0.0/8', 4), '255.0.0.0');
    assert.equal(netmaskOf('0.0.0.0/0', 4), '0.0.0.0');
    assert.equal(netmaskOf('fd00::/48', 6), 'ffff:ffff:ffff::');
    assert.equal(netmaskOf('fd00::1/128', 6), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });
});
