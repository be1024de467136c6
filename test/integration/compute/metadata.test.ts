// The compute metadata API on the compute harness's database: instance rows inserted directly,
// requests signed as the network metadata proxy signs them (network/agents/metadata).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLogger } from '../../../src/core/logger.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { createMetadataService } from '../../../src/compute/metadata/service.js';
import { instanceIdSignature } from '../../../src/network/agents/metadata/metadata-agent.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { instanceRow as serverRow, type InstanceOverrides } from './server-fixtures.js';

const SECRET = 'metadata-test-secret';
const NOW = '2026-01-01T00:00:00Z';
const PUBKEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDmetadatatestkeymetadatatestkeymetadata1 k1';
const USER_DATA = '#!/bin/sh\necho hello > /tmp/ud\n';

let nextId = 1000;

/** The fixture server with this file's fixed names, zone and times (its assertions read them). */
function instanceRow(over: InstanceOverrides): InstanceRow {
  return serverRow({
    id: nextId++, display_name: 'vm one', hostname: 'vm1', availability_zone: 'zone-a',
    created_at: NOW, updated_at: NOW, scheduled_at: NOW, launched_at: NOW, ...over,
  });
}

describe('compute metadata API', () => {
  let h: ComputeHarness;
  let app: FastifyInstance;
  let vm: InstanceRow;
  let bare: InstanceRow;
  let gone: InstanceRow;

  const get = (path: string, inst: InstanceRow | undefined, extra: { headers?: Record<string, string>; method?: string; payload?: string | Buffer } = {}): Promise<LightMyRequestResponse> => {
    const headers: Record<string, string> = {};
    if (inst) {
      headers['x-instance-id'] = inst.uuid;
      headers['x-tenant-id'] = inst.project_id;
      headers['x-instance-id-signature'] = instanceIdSignature(SECRET, inst.uuid);
      headers['x-forwarded-for'] = '10.0.0.5';
    }
    Object.assign(headers, extra.headers);
    return app.inject({ method: (extra.method ?? 'GET') as 'GET', url: path, headers, ...(extra.payload !== undefined ? { payload: extra.payload } : {}) });
  };

  before(async () => {
    h = await startCompute();
    await h.db.insertInto('nova_key_pair').values({
      id: 1, user_id: h.alice.userId, name: 'k1', fingerprint: 'aa:bb', public_key: PUBKEY, type: 'ssh', created_at: NOW, updated_at: NOW,
    }).execute();
    vm = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, key_name: 'k1', key_data: PUBKEY, user_data: Buffer.from(USER_DATA).toString('base64') });
    bare = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, hostname: 'bare', display_name: 'bare', host: null, availability_zone: null, root_device_name: null });
    gone = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, deleted: 1, deleted_at: NOW, vm_state: 'deleted' });
    await h.db.insertInto('nova_instance').values([vm, bare, gone]).execute();
    await h.db.insertInto('nova_instance_metadata').values([
      { instance_uuid: vm.uuid, key: 'role', value: 'web' }, { instance_uuid: vm.uuid, key: 'tier', value: '1' },
    ]).execute();
    ({ app } = createMetadataService(h.deps, {
      sharedSecret: SECRET,
      networkInfo: (inst) => inst.uuid === vm.uuid
        ? {
          links: [{ id: 'tap1', type: 'ovs', ethernet_mac_address: 'fa:16:3e:00:00:01', mtu: 1450, vif_id: 'p1' }],
          networks: [{ id: 'network0', type: 'ipv4_dhcp', link: 'tap1', network_id: 'n1' }],
          services: [{ type: 'dns', address: '10.0.0.2' }],
          fixedIps: ['10.0.0.5'], floatingIps: ['172.24.4.10'], securityGroups: ['default', 'web'],
        }
        : {},
    }, createLogger('silent')));
    await app.ready();
  });
  after(async () => { await app?.close(); await h?.close(); });

  describe('authentication', () => {
    it('serves the EC2 version list at / without headers', async () => {
      const res = await get('/', undefined);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/plain; charset=UTF-8');
      assert.equal(res.body, '1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n2008-02-01\n2008-09-01\n2009-04-04\nlatest');
    });

    it('accepts a valid signature', async () => {
      assert.equal((await get('/openstack', vm)).statusCode, 200);
    });

    it('answers 400 for each missing header, in Nova\'s order', async () => {
      const sig = instanceIdSignature(SECRET, vm.uuid);
      let res = await get('/openstack', undefined, { headers: { 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig } });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /X-Instance-ID header is missing from request\./);
      res = await get('/openstack', undefined, { headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id } });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /X-Instance-ID-Signature header is missing/);
      res = await get('/openstack', undefined, { headers: { 'x-instance-id': vm.uuid, 'x-instance-id-signature': sig } });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /X-Tenant-ID header is missing/);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
    });

    it('refuses a wrong signature, one made with another secret, and another instance\'s signature (403)', async () => {
      for (const signature of ['0'.repeat(64), 'nope', '', instanceIdSignature('other-secret', vm.uuid), instanceIdSignature(SECRET, bare.uuid),
        instanceIdSignature(SECRET, vm.uuid).toUpperCase()]) {
        const res = await get('/openstack/latest/meta_data.json', vm, { headers: { 'x-instance-id-signature': signature } });
        assert.equal(res.statusCode, 403, signature);
        assert.match(res.body, /Invalid proxy request signature\./);
      }
    });

    it('answers 404 when the tenant is not the instance\'s project', async () => {
      const res = await get('/openstack/latest/meta_data.json', vm, { headers: { 'x-tenant-id': h.bob.projectId } });
      assert.equal(res.statusCode, 404);
    });

    it('answers 404 for a deleted instance and an unknown one, even correctly signed', async () => {
      assert.equal((await get('/openstack/latest/meta_data.json', gone)).statusCode, 404);
      const ghost = randomUUID();
      const res = await get('/openstack/latest/meta_data.json', undefined, {
        headers: { 'x-instance-id': ghost, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': instanceIdSignature(SECRET, ghost) },
      });
      assert.equal(res.statusCode, 404);
    });

    it('refuses repeated X-Instance-ID / X-Tenant-ID headers (400)', async () => {
      const sig = instanceIdSignature(SECRET, vm.uuid);
      const raw = (which: 'id' | 'tenant'): Promise<LightMyRequestResponse> => app.inject({
        method: 'GET', url: '/openstack',
        // light-my-request sends an array as repeated headers
        headers: { 'x-instance-id-signature': sig, 'x-instance-id': which === 'id' ? [vm.uuid, vm.uuid] : vm.uuid, 'x-tenant-id': which === 'tenant' ? [vm.project_id, vm.project_id] : vm.project_id } as never,
      });
      let res = await raw('id');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Multiple X-Instance-ID headers/);
      res = await raw('tenant');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Multiple X-Tenant-ID headers/);
    });
    it('over a real socket: a signed request succeeds, a repeated X-Tenant-ID is refused, HEAD has no body', async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as AddressInfo).port;
      const send = (method: string, headers: string[]): Promise<{ status: number; body: string; type: string | undefined }> => new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path: '/openstack/latest/meta_data.json', headers: headers as never }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => { data += c; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, type: res.headers['content-type'] }));
        });
        req.on('error', reject);
        req.end();
      });
      const sig = instanceIdSignature(SECRET, vm.uuid);
      const base = ['Host', `127.0.0.1:${port}`, 'X-Instance-ID', vm.uuid, 'X-Instance-ID-Signature', sig, 'X-Forwarded-For', '10.0.0.5'];
      const ok = await send('GET', [...base, 'X-Tenant-ID', vm.project_id]);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.type, 'application/json');
      assert.equal(JSON.parse(ok.body).uuid, vm.uuid);
      const twice = await send('GET', [...base, 'X-Tenant-ID', vm.project_id, 'X-Tenant-ID', vm.project_id]);
      assert.equal(twice.status, 400);
      assert.match(twice.body, /Multiple X-Tenant-ID headers/);
      const head = await send('HEAD', [...base, 'X-Tenant-ID', vm.project_id]);
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
    });
  });

  describe('OpenStack format', () => {
    it('lists the versions', async () => {
      const res = await get('/openstack', vm);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal(res.body, '2012-08-10\n2013-04-04\n2013-10-17\n2015-10-15\n2016-06-30\n2016-10-06\n2017-02-22\n2018-08-27\n2020-10-14\nlatest');
      assert.equal((await get('/openstack/', vm)).body, res.body);
    });

    it('lists the files of latest and of dated versions', async () => {
      const all = 'meta_data.json\nuser_data\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json';
      for (const v of ['latest', '2018-08-27', '2020-10-14']) {
        const res = await get(`/openstack/${v}`, vm);
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^text\/plain/);
        assert.equal(res.body, all, v);
      }
      assert.equal((await get('/openstack/2012-08-10/', vm)).body, 'meta_data.json\nuser_data');
      assert.equal((await get('/openstack/2013-10-17', vm)).body, 'meta_data.json\nuser_data\npassword\nvendor_data.json');
      assert.equal((await get('/openstack/latest', bare)).body, 'meta_data.json\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json');
    });

    it('serves meta_data.json', async () => {
      const res = await get('/openstack/latest/meta_data.json', vm);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      const md = res.json();
      assert.equal(md.uuid, vm.uuid);
      assert.equal(md.name, 'vm one');
      assert.equal(md.hostname, 'vm1.novalocal');
      assert.equal(md.launch_index, 0);
      assert.equal(md.availability_zone, 'zone-a');
      assert.equal(md.project_id, vm.project_id);
      assert.deepEqual(md.public_keys, { k1: PUBKEY });
      assert.deepEqual(md.keys, [{ name: 'k1', type: 'ssh', data: PUBKEY }]);
      assert.deepEqual(md.meta, { role: 'web', tier: '1' });
      assert.deepEqual(md.devices, []);
      assert.deepEqual(md.dedicated_cpus, []);
      assert.equal(Buffer.from(md.random_seed, 'base64').length, 512);
      const again = (await get('/openstack/latest/meta_data.json', vm)).json();
      assert.notEqual(again.random_seed, md.random_seed);
    });

    it('serves older meta_data.json without the newer fields', async () => {
      const folsom = (await get('/openstack/2012-08-10/meta_data.json', vm)).json();
      assert.equal(folsom.random_seed, undefined);
      assert.equal(folsom.project_id, undefined);
      assert.equal(folsom.devices, undefined);
      const grizzly = (await get('/openstack/2013-04-04/meta_data.json', vm)).json();
      assert.equal(typeof grizzly.random_seed, 'string');
      assert.equal(grizzly.project_id, undefined);
      const rocky = (await get('/openstack/2018-08-27/meta_data.json', vm)).json();
      assert.deepEqual(rocky.devices, []);
      assert.equal(rocky.dedicated_cpus, undefined);
    });

    it('omits keys and meta when the instance has none; a hostless instance has no zone', async () => {
      const md = (await get('/openstack/latest/meta_data.json', bare)).json();
      assert.equal(md.public_keys, undefined);
      assert.equal(md.keys, undefined);
      assert.equal(md.meta, undefined);
      assert.equal(md.availability_zone, null);
      assert.equal(md.hostname, 'bare.novalocal');
    });

    it('serves user_data raw, 404 when there is none', async () => {
      const res = await get('/openstack/latest/user_data', vm);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, USER_DATA);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal((await get('/openstack/latest/user_data', bare)).statusCode, 404);
    });

    it('serves network_data.json from networkInfo, empty by default', async () => {
      const res = await get('/openstack/latest/network_data.json', vm);
      assert.equal(res.headers['content-type'], 'application/json');
      const nd = res.json();
      assert.equal(nd.links[0].id, 'tap1');
      assert.equal(nd.networks[0].network_id, 'n1');
      assert.deepEqual(nd.services, [{ type: 'dns', address: '10.0.0.2' }]);
      assert.deepEqual((await get('/openstack/latest/network_data.json', bare)).json(), { links: [], networks: [], services: [] });
      assert.equal((await get('/openstack/2013-10-17/network_data.json', vm)).statusCode, 404);
    });

    it('serves vendor_data.json and vendor_data2.json as {}', async () => {
      for (const f of ['vendor_data.json', 'vendor_data2.json']) {
        const res = await get(`/openstack/latest/${f}`, vm);
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        assert.deepEqual(res.json(), {});
      }
      assert.equal((await get('/openstack/2016-06-30/vendor_data2.json', vm)).statusCode, 404);
      assert.equal((await get('/openstack/2013-04-04/vendor_data.json', vm)).statusCode, 404);
    });
  });

  describe('password', () => {
    it('is empty, is set once, then 409; stored in system metadata', async () => {
      const inst = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, hostname: 'pw' });
      await h.db.insertInto('nova_instance').values(inst).execute();
      let res = await get('/openstack/latest/password', inst);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '');
      const secret = 'x'.repeat(256);
      res = await get('/openstack/latest/password', inst, { method: 'POST', payload: secret, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(res.statusCode, 200, res.body);
      res = await get('/openstack/2013-04-04/password', inst);
      assert.equal(res.body, secret);
      res = await get('/openstack/latest/password', inst, { method: 'POST', payload: 'again' });
      assert.equal(res.statusCode, 409);
      const row = await h.db.selectFrom('nova_instance').select('system_metadata').where('uuid', '=', inst.uuid).executeTakeFirstOrThrow();
      const sys = JSON.parse(row.system_metadata);
      assert.equal(sys.password_0, 'x'.repeat(255));
      assert.equal(sys.password_1, 'x');
      assert.equal(sys.password_2, '');
    });

    it('refuses more than 256 bytes (400) and other methods (400); not served before 2013-04-04', async () => {
      const inst = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, hostname: 'pw2' });
      await h.db.insertInto('nova_instance').values(inst).execute();
      let res = await get('/openstack/latest/password', inst, { method: 'POST', payload: 'y'.repeat(257) });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /Request is too large\./);
      res = await get('/openstack/latest/password', inst, { method: 'POST', payload: 'y'.repeat(100 * 1024) });
      assert.equal(res.statusCode, 400);
      res = await get('/openstack/latest/password', inst, { method: 'PUT', payload: 'y' });
      assert.equal(res.statusCode, 400);
      assert.equal((await get('/openstack/latest/password', inst)).body, '');
      assert.equal((await get('/openstack/2012-08-10/password', inst)).statusCode, 404);
    });

    it('lets only one of two concurrent POSTs win', async () => {
      const inst = instanceRow({ project_id: h.alice.projectId, user_id: h.alice.userId, hostname: 'pw3' });
      await h.db.insertInto('nova_instance').values(inst).execute();
      const codes = (await Promise.all(['a', 'b'].map((p) => get('/openstack/latest/password', inst, { method: 'POST', payload: p })))).map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 409]);
    });
  });

  describe('EC2 format', () => {
    it('lists the version root and meta-data', async () => {
      assert.equal((await get('/latest', vm)).body, 'meta-data/\nuser-data');
      assert.equal((await get('/2009-04-04/', vm)).body, 'meta-data/\nuser-data');
      assert.equal((await get('/latest', bare)).body, 'meta-data/');
      const res = await get('/latest/meta-data/', vm);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.deepEqual(res.body.split('\n'), [
        'ami-id', 'ami-launch-index', 'ami-manifest-path', 'block-device-mapping/', 'hostname', 'instance-action', 'instance-id',
        'instance-type', 'local-hostname', 'local-ipv4', 'placement/', 'public-hostname', 'public-ipv4', 'public-keys/',
        'reservation-id', 'security-groups',
      ]);
      assert.equal((await get('/2009-04-04/meta-data', vm)).body, res.body);
      assert.equal((await get('/ec2/latest/meta-data', vm)).body, res.body);
      const old = (await get('/1.0/meta-data/', vm)).body.split('\n');
      assert.ok(!old.includes('instance-type') && !old.includes('placement/') && !old.includes('local-hostname'));
    });

    it('serves each meta-data item', async () => {
      const item = async (p: string, inst = vm): Promise<string> => {
        const res = await get(`/latest/meta-data/${p}`, inst);
        assert.equal(res.statusCode, 200, p);
        assert.match(String(res.headers['content-type']), /^text\/plain/);
        return res.body;
      };
      assert.equal(await item('ami-id'), 'ami-3f2a9c1e');
      assert.equal(await item('ami-launch-index'), '0');
      assert.equal(await item('hostname'), 'vm1.novalocal');
      assert.equal(await item('local-hostname'), 'vm1.novalocal');
      assert.equal(await item('public-hostname'), 'vm1.novalocal');
      assert.equal(await item('instance-id'), `i-${vm.id.toString(16).padStart(8, '0')}`);
      assert.equal(await item('instance-type'), 'm1.nano');
      assert.equal(await item('local-ipv4'), '10.0.0.5');
      assert.equal(await item('public-ipv4'), '172.24.4.10');
      assert.equal(await item('placement'), 'availability-zone');
      assert.equal(await item('placement/availability-zone'), 'zone-a');
      assert.equal(await item('public-keys'), '0=k1');
      assert.equal(await item('public-keys/0'), 'openssh-key');
      assert.equal(await item('public-keys/0/openssh-key'), PUBKEY);
      assert.equal(await item('reservation-id'), 'r-abc12345');
      assert.equal(await item('security-groups'), 'default\nweb');
      assert.equal(await item('instance-action'), 'none');
      assert.equal(await item('block-device-mapping'), 'ami\nroot');
      assert.equal(await item('block-device-mapping/root'), '/dev/vda');
      // Without network info: the requester's address, no public address.
      assert.equal(await item('local-ipv4', bare), '10.0.0.5');
      assert.equal(await item('public-ipv4', bare), '');
      assert.equal((await get('/latest/meta-data/public-keys', bare)).statusCode, 404);
    });

    it('serves user-data, 404 when none', async () => {
      const res = await get('/latest/user-data', vm);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, USER_DATA);
      assert.equal((await get('/2009-04-04/user-data', vm)).body, USER_DATA);
      assert.equal((await get('/latest/user-data', bare)).statusCode, 404);
    });
  });

  describe('bad paths and malformed requests', () => {
    it('answers 404 for unknown paths and versions', async () => {
      for (const p of ['/nope', '/latest/meta-data/nope', '/latest/meta-data/hostname/x', '/latest/meta-data/public-keys/1',
        '/latest/meta-data/public-keys/0/openssh-key/x', '/latest/meta-data/security-groups/default', '/2010-01-01/meta-data',
        '/openstack/2011-01-01', '/openstack/latest/nope', '/openstack/latest/meta_data.json/x', '/openstack/latest/content/0000',
        '/meta-data/hostname', '/openstack/latest/meta_data.json%00']) {
        const res = await get(p, vm);
        assert.equal(res.statusCode, 404, p);
        assert.match(String(res.headers['content-type']), /^text\/plain/, p);
      }
    });

    it('normalises paths as posixpath.normpath does', async () => {
      assert.equal((await get('/openstack//latest/./meta_data.json', vm)).statusCode, 200);
      assert.equal((await get('/foo/../latest/meta-data/hostname?x=1', vm)).body, 'vm1.novalocal');
    });

    it('never answers 5xx to a malformed request', async () => {
      const sig = instanceIdSignature(SECRET, vm.uuid);
      const cases: Array<{ method?: string; url: string; headers?: Record<string, string>; payload?: string }> = [
        { url: '/openstack/latest/meta_data.json', headers: { 'x-instance-id': 'x'.repeat(5000), 'x-tenant-id': 't', 'x-instance-id-signature': instanceIdSignature(SECRET, 'x'.repeat(5000)) } },
        { url: '/openstack/latest/meta_data.json', headers: { 'x-instance-id': '', 'x-tenant-id': '', 'x-instance-id-signature': instanceIdSignature(SECRET, '') } },
        { url: '/openstack/latest/meta_data.json', headers: { 'x-instance-id': "' OR 1=1 --", 'x-tenant-id': 't', 'x-instance-id-signature': instanceIdSignature(SECRET, "' OR 1=1 --") } },
        { url: '/openstack/latest/meta_data.json', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': 'é' } },
        { url: '/openstack/latest/meta_data.json', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig, 'content-type': 'application/json' }, method: 'POST', payload: '{bad' },
        { url: `/openstack/latest/${'a/'.repeat(2000)}`, headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig } },
        { url: '/latest/meta-data/%E0%A4%A', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig } },
        { url: '/%', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig } },
        { url: '/openstack/latest/user_data', method: 'DELETE', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig } },
        { url: '/openstack/latest/meta_data.json', method: 'OPTIONS' },
        { url: '/openstack/latest/password', method: 'POST', headers: { 'x-instance-id': vm.uuid, 'x-tenant-id': vm.project_id, 'x-instance-id-signature': sig, 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--' },
      ];
      for (const c of cases) {
        const res = await app.inject({ method: (c.method ?? 'GET') as 'GET', url: c.url, headers: c.headers ?? {}, ...(c.payload !== undefined ? { payload: c.payload } : {}) });
        assert.ok(res.statusCode < 500, `${c.method ?? 'GET'} ${c.url.slice(0, 60)} → ${res.statusCode} ${res.body}`);
      }
    });
  });
});
