// Server metadata and IPs through the real compute API: PUT replaces, POST merges, PUT on a key
// sets it (URI/body mismatch 400), delete 204, the metadata_items quota (403), lock and state
// guards (409); GET /ips from the info cache, by network label.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import type { VifInfo } from '../../../src/compute/rpc/compute-protocol.js';
import { renderAddresses } from '../../../src/compute/api/server-addresses.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance, type InstanceOverrides } from './server-fixtures.js';

describe('server metadata', () => {
  let h: ComputeHarness;
  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, ...over });
  const md = (method: string, uuid: string, suffix = '', body?: unknown, token = h.alice.token) =>
    h.request(method, `/v2.1/servers/${uuid}/metadata${suffix}`, { token, ...(body !== undefined ? { body } : {}) });
  const stored = async (uuid: string) => {
    const rows = await h.db.selectFrom('nova_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', uuid).orderBy('key').execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  };

  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('POST merges, PUT replaces, both answer with the whole metadata', async () => {
    const vm = await server();
    let res = await md('POST', vm.uuid, '', { metadata: { a: '1', b: '2' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { metadata: { a: '1', b: '2' } });
    res = await md('POST', vm.uuid, '', { metadata: { b: 'two', c: '3' } });
    assert.deepEqual(res.json(), { metadata: { a: '1', b: 'two', c: '3' } });
    res = await md('PUT', vm.uuid, '', { metadata: { z: 'only' } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { metadata: { z: 'only' } });
    assert.deepEqual(await stored(vm.uuid), { z: 'only' });
    res = await md('GET', vm.uuid);
    assert.deepEqual(res.json(), { metadata: { z: 'only' } });
    res = await md('PUT', vm.uuid, '', { metadata: {} });
    assert.deepEqual(res.json(), { metadata: {} });
    assert.deepEqual(await stored(vm.uuid), {});
  });

  it('GET/PUT/DELETE one key; the body must name the URI\'s key', async () => {
    const vm = await server();
    let res = await md('PUT', vm.uuid, '/role', { meta: { role: 'web' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { meta: { role: 'web' } });
    res = await md('GET', vm.uuid, '/role');
    assert.deepEqual(res.json(), { meta: { role: 'web' } });
    res = await md('PUT', vm.uuid, '/role', { meta: { other: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().badRequest.message, 'Request body and URI mismatch');
    res = await md('PUT', vm.uuid, '/role', { meta: { role: 'a', tier: 'b' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().badRequest.message, /has too many properties/);
    res = await md('DELETE', vm.uuid, '/role');
    assert.equal(res.statusCode, 204);
    res = await md('GET', vm.uuid, '/role');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().itemNotFound.message, 'Metadata item was not found');
    assert.equal((await md('DELETE', vm.uuid, '/role')).statusCode, 404);
    assert.deepEqual(await stored(vm.uuid), {});
  });

  it('validates keys and values as parameter_types.metadata', async () => {
    const vm = await server();
    for (const body of [{ metadata: { 'bad/key': 'x' } }, { metadata: { k: 1 } }, { metadata: { k: 'x'.repeat(256) } }, { metadata: [] }, {}, { metadata: {}, x: 1 }]) {
      const res = await md('POST', vm.uuid, '', body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
    }
    assert.deepEqual(await stored(vm.uuid), {});
  });

  it('enforces the metadata_items quota on the result (403)', async () => {
    const vm = await server();
    const put = await h.request('PUT', `/v2.1/os-quota-sets/${h.alice.projectId}`, { body: { quota_set: { metadata_items: 2 } } });
    assert.equal(put.statusCode, 200, put.body);
    try {
      assert.equal((await md('POST', vm.uuid, '', { metadata: { a: '1', b: '2' } })).statusCode, 200);
      const res = await md('POST', vm.uuid, '', { metadata: { c: '3' } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().forbidden.message, 'Maximum number of metadata items exceeds 2');
      // Replacing with as many is fine; overwriting a key does not count twice.
      assert.equal((await md('POST', vm.uuid, '', { metadata: { a: 'one' } })).statusCode, 200);
      assert.equal((await md('PUT', vm.uuid, '', { metadata: { x: '1', y: '2' } })).statusCode, 200);
      assert.deepEqual(await stored(vm.uuid), { x: '1', y: '2' });
    } finally {
      await h.request('DELETE', `/v2.1/os-quota-sets/${h.alice.projectId}`);
    }
  });

  it('refuses changes on a locked server (409, admin passes) and in building/error states', async () => {
    const locked = await server({ locked: 1 });
    let res = await md('POST', locked.uuid, '', { metadata: { a: '1' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().conflictingRequest.message, `Instance ${locked.uuid} is locked`);
    assert.equal((await md('POST', locked.uuid, '', { metadata: { a: '1' } }, h.adminToken)).statusCode, 200);
    assert.equal((await md('DELETE', locked.uuid, '/a')).statusCode, 409);

    const building = await server({ vm_state: 'building', launched_at: null, host: null });
    res = await md('PUT', building.uuid, '', { metadata: { a: '1' } });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().conflictingRequest.message, `Cannot 'update metadata' instance ${building.uuid} while it is in vm_state building`);
    const errored = await server({ vm_state: 'error' });
    assert.equal((await md('PUT', errored.uuid, '/k', { meta: { k: 'v' } })).statusCode, 409);
    // Reading is always allowed.
    assert.equal((await md('GET', building.uuid)).statusCode, 200);
  });

  it('another project\'s server is a 404', async () => {
    const vm = await server();
    assert.equal((await md('GET', vm.uuid, '', undefined, h.bob.token)).statusCode, 404);
    assert.equal((await md('POST', vm.uuid, '', { metadata: { a: '1' } }, h.bob.token)).statusCode, 404);
    assert.deepEqual(await stored(vm.uuid), {});
  });

  describe('ips', () => {
    const vif = (port: string, label: string, mac: string, ips: [string, string[]][]): VifInfo => ({
      id: port, address: mac, type: 'bridge', devname: `tap${port.slice(0, 11)}`, active: true, preserve_on_delete: false,
      network: {
        id: `net-${label}`, label, mtu: 1450,
        subnets: [{ cidr: '10.0.0.0/24', version: 4, gateway: '10.0.0.1', dns: [], ips: ips.map(([address, fips]) => ({ address, type: 'fixed' as const, floating_ips: fips.map((f) => ({ address: f })) })) }],
      },
    });
    const info: VifInfo[] = [
      vif('p1', 'private', 'fa:16:3e:00:00:01', [['10.0.0.5', ['172.24.4.9']]]),
      vif('p2', 'public', 'fa:16:3e:00:00:02', [['2001:db8::5', []]]),
      vif('p3', 'private', 'fa:16:3e:00:00:03', [['10.0.0.6', []]]),
    ];

    it('renders addresses as Nova\'s views (fixed before floating per label, MAC and type when extended)', () => {
      assert.deepEqual(renderAddresses(info), {
        private: [
          { version: 4, addr: '10.0.0.5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' },
          { version: 4, addr: '10.0.0.6', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:03' },
          { version: 4, addr: '172.24.4.9', 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' },
        ],
        public: [{ version: 6, addr: '2001:db8::5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:02' }],
      });
    });

    it('GET /ips and /ips/{label} from the info cache; an unknown label is a 404', async () => {
      const vm = await server();
      await h.db.insertInto('nova_instance_info_cache').values({ instance_uuid: vm.uuid, network_info: JSON.stringify(info), updated_at: vm.created_at }).execute();
      let res = await h.request('GET', `/v2.1/servers/${vm.uuid}/ips`, { token: h.alice.token });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        addresses: {
          private: [{ version: 4, addr: '10.0.0.5' }, { version: 4, addr: '10.0.0.6' }, { version: 4, addr: '172.24.4.9' }],
          public: [{ version: 6, addr: '2001:db8::5' }],
        },
      });
      res = await h.request('GET', `/v2.1/servers/${vm.uuid}/ips/public`, { token: h.alice.token });
      assert.deepEqual(res.json(), { public: [{ version: 6, addr: '2001:db8::5' }] });
      res = await h.request('GET', `/v2.1/servers/${vm.uuid}/ips/nope`, { token: h.alice.token });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().itemNotFound.message, 'Instance is not a member of specified network');
      const bare = await server();
      res = await h.request('GET', `/v2.1/servers/${bare.uuid}/ips`, { token: h.alice.token });
      assert.deepEqual(res.json(), { addresses: {} });
      assert.equal((await h.request('GET', `/v2.1/servers/${vm.uuid}/ips`, { token: h.bob.token })).statusCode, 404);
    });
  });

  describe('tags (2.26)', () => {
    const tag = (method: string, uuid: string, suffix = '', body?: unknown, version = '2.26') =>
      h.request(method, `/v2.1/servers/${uuid}/tags${suffix}`, { token: h.alice.token, version, ...(body !== undefined ? { body } : {}) });

    it('adds (201 + Location, then 204), shows (204/404), lists, replaces, deletes one and all', async () => {
      const vm = await server();
      assert.equal((await tag('GET', vm.uuid, '', undefined, '2.25')).statusCode, 404);
      let res = await tag('PUT', vm.uuid, '/blue');
      assert.equal(res.statusCode, 201, res.body);
      assert.match(String(res.headers.location), new RegExp(`/v2\\.1/servers/${vm.uuid}/tags/blue$`));
      assert.equal((await tag('PUT', vm.uuid, '/blue')).statusCode, 204);
      assert.equal((await tag('GET', vm.uuid, '/blue')).statusCode, 204);
      res = await tag('GET', vm.uuid, '/red');
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().itemNotFound.message, `Instance ${vm.uuid} has no tag 'red'`);
      res = await tag('PUT', vm.uuid, '', { tags: ['b', 'a', 'a'] });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { tags: ['a', 'b'] });
      assert.deepEqual((await tag('GET', vm.uuid)).json(), { tags: ['a', 'b'] });
      assert.equal((await tag('DELETE', vm.uuid, '/a')).statusCode, 204);
      assert.equal((await tag('DELETE', vm.uuid, '/a')).statusCode, 404);
      assert.equal((await tag('DELETE', vm.uuid)).statusCode, 204);
      assert.deepEqual((await tag('GET', vm.uuid)).json(), { tags: [] });
    });

    it('refuses bad tags, more than 50, and unsettled servers', async () => {
      const vm = await server();
      let res = await tag('PUT', vm.uuid, '/a,b');
      assert.equal(res.statusCode, 400);
      assert.match(res.json().badRequest.message, /^Tag 'a,b' is invalid\. It must be a non empty string without characters '\/' and ','/);
      assert.equal((await tag('PUT', vm.uuid, `/${'x'.repeat(61)}`)).statusCode, 400);
      assert.equal((await tag('PUT', vm.uuid, '', { tags: ['ok', 'no/slash'] })).statusCode, 400);
      assert.equal((await tag('PUT', vm.uuid, '', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })).statusCode, 400);
      assert.equal((await tag('PUT', vm.uuid, '', { tags: Array.from({ length: 50 }, (_, i) => `t${i}`) })).statusCode, 200);
      res = await tag('PUT', vm.uuid, '/one-more');
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().badRequest.message, 'The number of tags exceeded the per-server limit 50');
      const building = await server({ vm_state: 'building', launched_at: null });
      res = await tag('PUT', building.uuid, '/x');
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().conflictingRequest.message, `Cannot 'update tag' instance ${building.uuid} while it is in vm_state building`);
      assert.equal((await h.request('GET', `/v2.1/servers/${vm.uuid}/tags`, { token: h.bob.token, version: '2.26' })).statusCode, 404);
    });
  });
});
describe('server password (os-server-password)', () => {
  let h: ComputeHarness;
  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });

  it('shows what the guest posted, clears it with DELETE, and hides it from other projects', async () => {
    const vm = await insertInstance(h.db, {
      project_id: h.alice.projectId, user_id: h.alice.userId,
      system_metadata: JSON.stringify({ image_os_type: 'linux', password_0: 'a'.repeat(255), password_1: 'b', password_2: '', password_3: '' }),
    });
    const url = `/v2.1/servers/${vm.uuid}/os-server-password`;
    const shown = await h.request('GET', url, { token: h.alice.token });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.deepEqual(shown.json(), { password: `${'a'.repeat(255)}b` });
    assert.equal((await h.request('GET', url, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', url, { token: h.alice.token })).statusCode, 204);
    assert.deepEqual((await h.request('GET', url, { token: h.alice.token })).json(), { password: '' });
    const row = await h.db.selectFrom('nova_instance').select('system_metadata').where('uuid', '=', vm.uuid).executeTakeFirstOrThrow();
    assert.equal(JSON.parse(row.system_metadata).image_os_type, 'linux', 'the rest of the system metadata stays');
  });
});

