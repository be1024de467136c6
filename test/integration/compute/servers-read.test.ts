// GET /servers, /servers/detail, /servers/{id} and PUT /servers/{id} over rows inserted directly
// (with their info cache, tags, faults, request specs and a compute service): the view's fields by
// microversion and policy, Nova's list filters, sorting and paging, project scoping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

const T0 = '2026-01-01T00:00:00Z';
let nextId = 5000;

function row(over: Partial<InstanceRow> & { project_id: string; user_id: string }): InstanceRow {
  return {
    uuid: randomUUID(), id: nextId++, display_name: 'vm', display_description: null, hostname: 'vm',
    vm_state: 'active', task_state: null, power_state: 1, host: 'cmp1', node: 'cmp1.example', compute_node_uuid: null,
    availability_zone: 'nova', requested_availability_zone: null,
    flavor: JSON.stringify({ id: 999, flavorid: '42', name: 'm1.nano', memory_mb: 128, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: { 'hw:cpu_policy': 'shared' } }),
    vcpus: 1, memory_mb: 128, root_gb: 1, ephemeral_gb: 0, image_ref: '3f2a9c1e-0000-4000-8000-000000000001',
    key_name: 'k1', key_data: null, user_data: 'IyEvYmluL3NoCg==', config_drive: '', access_ip_v4: null, access_ip_v6: null,
    locked: 0, locked_by: null, locked_reason: null, reservation_id: 'r-aaaaaaaa', launch_index: 0, root_device_name: '/dev/vda',
    progress: 0, system_metadata: '{}', created_at: T0, updated_at: T0, scheduled_at: T0, launched_at: T0,
    terminated_at: null, deleted: 0, deleted_at: null, ...over,
  };
}

function vif(portId: string, label: string, address: string): Record<string, unknown> {
  const v6 = address.includes(':');
  return {
    id: portId, address: 'fa:16:3e:00:00:01', type: 'bridge', devname: `tap${portId.slice(0, 11)}`, active: true, preserve_on_delete: false,
    network: { id: randomUUID(), label, mtu: 1450, subnets: [{ cidr: v6 ? 'fd00::/64' : '10.0.0.0/24', version: v6 ? 6 : 4, gateway: null, dns: [], ips: [{ address, type: 'fixed', floating_ips: [] }] }] },
  };
}

describe('servers: list, show, update', () => {
  let h: ComputeHarness;
  let a1: InstanceRow; // alice, active, on cmp1, tagged, with an IP
  let a2: InstanceRow; // alice, stopped
  let a3: InstanceRow; // alice, error with a fault
  let a4: InstanceRow; // alice, building, never scheduled
  let b1: InstanceRow; // bob
  let gone: InstanceRow; // alice, soft-deleted

  const get = async (url: string, token: string, version?: string): Promise<{ status: number; body: any }> => {
    const res = await h.request('GET', url, { token, ...(version !== undefined ? { version } : {}) });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
  };
  const ids = (body: any): string[] => (body.servers as { id: string }[]).map((s) => s.id).sort();

  before(async () => {
    h = await startCompute();
    const alice = { project_id: h.alice.projectId, user_id: h.alice.userId };
    a1 = row({ ...alice, display_name: 'web-1', created_at: '2026-01-01T00:00:01Z', updated_at: '2026-01-05T00:00:00Z', locked: 1, locked_by: 'owner', locked_reason: 'maint', display_description: 'front' });
    a2 = row({ ...alice, display_name: 'web-2', vm_state: 'stopped', power_state: 4, created_at: '2026-01-01T00:00:02Z', key_name: 'other' });
    a3 = row({ ...alice, display_name: 'db-1', vm_state: 'error', created_at: '2026-01-01T00:00:03Z', host: null, node: null });
    a4 = row({ ...alice, display_name: 'db-2', vm_state: 'building', task_state: 'scheduling', power_state: 0, host: null, node: null, availability_zone: null, created_at: '2026-01-01T00:00:04Z', launched_at: null });
    gone = row({ ...alice, display_name: 'old', vm_state: 'deleted', deleted: 1, deleted_at: T0, terminated_at: T0, created_at: '2025-12-01T00:00:00Z' });
    b1 = row({ project_id: h.bob.projectId, user_id: h.bob.userId, display_name: 'web-bob', created_at: '2026-01-01T00:00:05Z', host: 'cmp2' });
    await h.db.insertInto('nova_instance').values([a1, a2, a3, a4, gone, b1]).execute();
    await h.db.insertInto('nova_instance_info_cache').values([
      { instance_uuid: a1.uuid, network_info: JSON.stringify([vif(randomUUID(), 'private', '10.0.0.5'), vif(randomUUID(), 'v6net', 'fd00::5')]), updated_at: T0 },
      { instance_uuid: a2.uuid, network_info: JSON.stringify([vif(randomUUID(), 'private', '10.0.0.15')]), updated_at: T0 },
    ]).execute();
    await h.db.insertInto('nova_instance_tag').values([
      { instance_uuid: a1.uuid, tag: 'red' }, { instance_uuid: a1.uuid, tag: 'blue' }, { instance_uuid: a2.uuid, tag: 'red' },
    ]).execute();
    await h.db.insertInto('nova_instance_metadata').values({ instance_uuid: a1.uuid, key: 'role', value: 'web' }).execute();
    await h.db.insertInto('nova_instance_fault').values([
      { id: 1, instance_uuid: a3.uuid, code: 500, message: 'old failure', details: 'trace-old', host: null, created_at: '2026-01-01T00:00:00Z' },
      { id: 2, instance_uuid: a3.uuid, code: 500, message: 'No valid host was found.', details: 'Traceback…', host: null, created_at: '2026-01-02T03:04:05Z' },
    ]).execute();
    await h.db.insertInto('nova_request_spec').values({ instance_uuid: a1.uuid, spec: JSON.stringify({ security_groups: ['web', 'default'] }), created_at: T0, updated_at: T0 }).execute();
    const now = new Date().toISOString();
    await h.db.insertInto('nova_service').values({
      id: 900, uuid: randomUUID(), host: 'cmp1', binary: 'nova-compute', topic: 'compute', report_count: 1, disabled: 0, disabled_reason: null,
      forced_down: 0, last_seen_up: now, version: 66, created_at: now, updated_at: now,
    }).execute();
  });
  after(async () => h.close());

  it('lists only the caller\'s project, id/name/links, newest first', async () => {
    const res = await get('/v2.1/servers', h.alice.token);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.servers.map((s: any) => s.name), ['db-2', 'db-1', 'web-2', 'web-1']);
    assert.deepEqual(Object.keys(res.body.servers[0]).sort(), ['id', 'links', 'name']);
    assert.match(res.body.servers[0].links[0].href, new RegExp(`/v2\\.1/servers/${a4.uuid}$`));
    assert.equal(res.body.servers_links, undefined);
    // tenant_id / project_id / host are not filters for non-admins: still only alice's.
    assert.deepEqual(ids((await get(`/v2.1/servers?project_id=${h.bob.projectId}&host=cmp2`, h.alice.token)).body), [a1.uuid, a2.uuid, a3.uuid, a4.uuid].sort());
  });

  it('hides other projects\' servers (404) and refuses all_tenants to non-admins (403)', async () => {
    const res = await get(`/v2.1/servers/${b1.uuid}`, h.alice.token);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { itemNotFound: { code: 404, message: `Instance ${b1.uuid} could not be found.` } });
    assert.equal((await get(`/v2.1/servers/${gone.uuid}`, h.alice.token)).status, 404);
    const refused = await get('/v2.1/servers?all_tenants=1', h.alice.token);
    assert.equal(refused.status, 403);
    assert.match(refused.body.forbidden.message, /os_compute_api:servers:index:get_all_tenants/);
    assert.equal((await get('/v2.1/servers?all_tenants=maybe', h.adminToken)).status, 400);
  });

  it('lets admins list every project, one project, and deleted servers', async () => {
    const all = await get('/v2.1/servers?all_tenants', h.adminToken);
    assert.ok(ids(all.body).includes(b1.uuid) && ids(all.body).includes(a1.uuid));
    const bobs = await get(`/v2.1/servers/detail?all_tenants=true&tenant_id=${h.bob.projectId}`, h.adminToken);
    assert.deepEqual(ids(bobs.body), [b1.uuid]);
    assert.equal((await get('/v2.1/servers?host=cmp2&all_tenants=1', h.adminToken)).body.servers[0].id, b1.uuid);
    const deleted = await get(`/v2.1/servers/detail?all_tenants=1&deleted=true&project_id=${h.alice.projectId}`, h.adminToken);
    assert.deepEqual(ids(deleted.body), [gone.uuid]);
    assert.equal(deleted.body.servers[0].status, 'DELETED');
    assert.equal((await get('/v2.1/servers?status=deleted', h.alice.token)).status, 403);
    // The admin's own project holds nothing without all_tenants.
    assert.deepEqual((await get('/v2.1/servers', h.adminToken)).body.servers, []);
  });

  it('filters by name, status, ip, tags, flavor, locked and changes-since', async () => {
    const q = async (query: string, version?: string): Promise<string[]> => {
      const res = await get(`/v2.1/servers?${query}`, h.alice.token, version);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      return ids(res.body);
    };
    assert.deepEqual(await q('name=^web'), [a1.uuid, a2.uuid].sort());
    assert.deepEqual(await q('name=b-1'), [a1.uuid, a3.uuid].sort()); // re.search: web-1 holds b-1 too
    assert.deepEqual(await q('name=^db-1'), [a3.uuid]);
    // Python's re takes escapes of characters that need none (Tempest's name regex).
    assert.deepEqual(await q(`name=${encodeURIComponent('^db\\-1$')}`), [a3.uuid]);
    assert.deepEqual(await q('status=SHUTOFF'), [a2.uuid]);
    assert.deepEqual(await q('status=active&status=error'), [a1.uuid, a3.uuid].sort());
    assert.deepEqual(await q('status=BUILD'), [a4.uuid]);
    assert.deepEqual(await q('status=bogus', '2.37'), []);
    assert.equal((await get('/v2.1/servers?status=bogus', h.alice.token, '2.38')).status, 400);
    assert.deepEqual(await q('ip=10.0.0.1'), [a2.uuid]);
    assert.deepEqual(await q('ip=10\\.0\\.0\\.[0-9]$'), [a1.uuid]);
    assert.deepEqual(await q('ip6=fd00', '2.5'), [a1.uuid]);
    assert.equal((await q('ip6=fd00', '2.4')).length, 4, 'ip6 is ignored for non-admins before 2.5');
    assert.deepEqual(await q('tags=red,blue', '2.26'), [a1.uuid]);
    assert.deepEqual(await q('tags-any=red', '2.26'), [a1.uuid, a2.uuid].sort());
    assert.deepEqual(await q('not-tags=red,blue', '2.26'), [a2.uuid, a3.uuid, a4.uuid].sort());
    assert.deepEqual(await q('not-tags-any=red', '2.26'), [a3.uuid, a4.uuid].sort());
    assert.equal((await q('tags=red', '2.25')).length, 4);
    assert.deepEqual(await q('flavor=42'), []); // no such flavor row: FlavorNotFound lists nothing
    await h.createFlavor({ name: 'filter-flavor', id: 'ff-1', ram: 64, vcpus: 1, disk: 1 });
    const flavor = await h.db.selectFrom('nova_flavor').select('id').where('flavorid', '=', 'ff-1').executeTakeFirstOrThrow();
    await h.db.updateTable('nova_instance').set({ flavor: JSON.stringify({ id: flavor.id, flavorid: 'ff-1', name: 'filter-flavor' }) }).where('uuid', '=', a3.uuid).execute();
    assert.deepEqual(await q('flavor=ff-1'), [a3.uuid]);
    assert.deepEqual(await q('locked=true', '2.73'), [a1.uuid]);
    assert.equal((await get('/v2.1/servers?locked=maybe', h.alice.token, '2.73')).status, 400);
    // changes-since includes deleted servers and compares updated_at.
    assert.deepEqual(await q('changes-since=2026-01-02T00:00:00Z'), [a1.uuid]);
    assert.deepEqual(await q('changes-since=2025-01-01'), [a1.uuid, a2.uuid, a3.uuid, a4.uuid, gone.uuid].sort());
    assert.deepEqual(await q('changes-before=2026-01-01T00:00:00Z', '2.66'), [a2.uuid, a3.uuid, a4.uuid, gone.uuid].sort());
    const bad = await get('/v2.1/servers?changes-since=yesterday', h.alice.token);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.badRequest.message, "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'");
    const order = await get('/v2.1/servers?changes-since=2026-01-03T00:00:00Z&changes-before=2026-01-01T00:00:00Z', h.alice.token, '2.66');
    assert.equal(order.status, 400);
    assert.equal((await get('/v2.1/servers?name=(', h.alice.token)).status, 400);
    // key_name is a filter for non-admins from 2.83 only.
    assert.deepEqual(await q('key_name=other', '2.83'), [a2.uuid]);
    assert.equal((await q('key_name=other', '2.82')).length, 4);
    // 2.75 refuses unknown parameters.
    assert.equal((await q('bogus=1', '2.74')).length, 4);
    assert.equal((await get('/v2.1/servers?bogus=1', h.alice.token, '2.75')).status, 400);
  });

  it('sorts and pages with servers_links', async () => {
    const byName = await get('/v2.1/servers?sort_key=display_name&sort_dir=asc', h.alice.token);
    assert.deepEqual(byName.body.servers.map((s: any) => s.name), ['db-1', 'db-2', 'web-1', 'web-2']);
    assert.equal((await get('/v2.1/servers?sort_key=host', h.alice.token)).status, 403);
    assert.equal((await get('/v2.1/servers?sort_key=display_name&sort_dir=up', h.alice.token)).status, 400);
    assert.equal((await get('/v2.1/servers?sort_key=nope', h.alice.token)).status, 400);

    const first = await get('/v2.1/servers/detail?limit=3&sort_key=display_name&sort_dir=asc', h.alice.token);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.servers.map((s: any) => s.name), ['db-1', 'db-2', 'web-1']);
    const next = first.body.servers_links[0];
    assert.equal(next.rel, 'next');
    assert.match(next.href, /\/v2\.1\/servers\/detail\?limit=3&sort_dir=asc&sort_key=display_name&marker=/);
    const url = new URL(next.href);
    const second = await get(`${url.pathname}${url.search}`, h.alice.token);
    assert.deepEqual(second.body.servers.map((s: any) => s.name), ['web-2']);
    assert.equal(second.body.servers_links, undefined);

    const missing = await get(`/v2.1/servers?marker=${randomUUID()}`, h.alice.token);
    assert.equal(missing.status, 400);
    assert.match(missing.body.badRequest.message, /^marker \[.+\] not found$/);
    assert.equal((await get(`/v2.1/servers?marker=${b1.uuid}`, h.alice.token)).status, 400, "another project's server is no marker");
    assert.equal((await get('/v2.1/servers?limit=-1', h.alice.token)).status, 400);
    assert.deepEqual((await get('/v2.1/servers?limit=0', h.alice.token)).body, { servers: [] });
  });

  it('shows Nova\'s fields at 2.1', async () => {
    const res = await get(`/v2.1/servers/${a1.uuid}`, h.alice.token);
    assert.equal(res.status, 200);
    const s = res.body.server;
    assert.equal(s.status, 'ACTIVE');
    assert.equal(s.tenant_id, h.alice.projectId);
    assert.equal(s.hostId, createHash('sha224').update(`${h.alice.projectId}cmp1`).digest('hex'));
    assert.deepEqual(s.metadata, { role: 'web' });
    assert.equal(s.image.id, a1.image_ref);
    assert.match(s.image.links[0].href, new RegExp(`/images/${a1.image_ref}$`));
    assert.equal(s.flavor.id, '42');
    assert.match(s.flavor.links[0].href, /\/flavors\/42$/);
    assert.equal(s.created, '2026-01-01T00:00:01Z');
    assert.equal(s['OS-SRV-USG:launched_at'], '2026-01-01T00:00:00.000000');
    assert.deepEqual(s.addresses, {
      private: [{ version: 4, addr: '10.0.0.5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }],
      v6net: [{ version: 6, addr: 'fd00::5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }],
    });
    assert.deepEqual(s.security_groups, [{ name: 'web' }, { name: 'default' }]);
    assert.equal(s.progress, 0);
    assert.equal(s['OS-EXT-AZ:availability_zone'], 'nova');
    assert.equal(s['OS-EXT-STS:vm_state'], 'active');
    assert.equal(s['OS-EXT-STS:power_state'], 1);
    assert.equal(s.key_name, 'k1');
    assert.equal(s.accessIPv4, '');
    assert.equal(s['OS-DCF:diskConfig'], 'MANUAL');
    assert.deepEqual(s['os-extended-volumes:volumes_attached'], []);
    for (const absent of ['locked', 'description', 'tags', 'host_status', 'OS-EXT-SRV-ATTR:host', 'fault', 'trusted_image_certificates']) {
      assert.ok(!(absent in s), absent);
    }
    // No NIC: no security_groups; building: no addresses.
    const building = (await get(`/v2.1/servers/${a4.uuid}`, h.alice.token)).body.server;
    assert.equal(building.status, 'BUILD');
    assert.deepEqual(building.addresses, {});
    assert.equal(building.hostId, '');
    assert.ok(!('security_groups' in building));
    assert.equal(building['OS-EXT-AZ:availability_zone'], '');
  });

  it('gates fields by microversion and policy', async () => {
    const at = async (version: string, token = h.alice.token, uuid = a1.uuid): Promise<any> => (await get(`/v2.1/servers/${uuid}`, token, version)).body.server;
    assert.equal((await at('2.9')).locked, true);
    assert.ok(!('description' in (await at('2.18'))));
    assert.equal((await at('2.19')).description, 'front');
    assert.deepEqual((await at('2.26')).tags, ['blue', 'red']);
    const v247 = await at('2.47');
    assert.deepEqual(v247.flavor, { vcpus: 1, ram: 128, disk: 1, ephemeral: 0, swap: 0, original_name: 'm1.nano', extra_specs: { 'hw:cpu_policy': 'shared' } });
    assert.equal((await at('2.63')).trusted_image_certificates, null);
    assert.deepEqual((await at('2.71')).server_groups, []);
    assert.ok(!('locked_reason' in (await at('2.72'))));
    assert.equal((await at('2.73')).locked_reason, 'maint');
    // Extended attributes: admin only; 2.90 shows the hostname to everyone.
    const mine = await at('2.89');
    assert.ok(!('OS-EXT-SRV-ATTR:hostname' in mine) && !('host_status' in mine));
    assert.equal((await at('2.90'))['OS-EXT-SRV-ATTR:hostname'], 'vm');
    const admin = await at('2.16', h.adminToken);
    assert.equal(admin['OS-EXT-SRV-ATTR:host'], 'cmp1');
    assert.equal(admin['OS-EXT-SRV-ATTR:hypervisor_hostname'], 'cmp1.example');
    assert.equal(admin['OS-EXT-SRV-ATTR:instance_name'], `instance-${a1.id.toString(16).padStart(8, '0')}`);
    assert.equal(admin['OS-EXT-SRV-ATTR:user_data'], 'IyEvYmluL3NoCg==');
    assert.equal(admin.host_status, 'UP');
    assert.ok(!('OS-EXT-SRV-ATTR:user_data' in (await at('2.1', h.adminToken))));
    // The newest fault; its details only for admins when the code is 500.
    const err = await at('2.1', h.alice.token, a3.uuid);
    assert.equal(err.status, 'ERROR');
    assert.deepEqual(err.fault, { code: 500, created: '2026-01-02T03:04:05Z', message: 'No valid host was found.' });
    assert.equal((await at('2.1', h.adminToken, a3.uuid)).fault.details, 'Traceback…');
    assert.ok(!('progress' in err));
  });

  it('renders the detail list with the same view', async () => {
    const res = await get('/v2.1/servers/detail?name=web-2', h.alice.token, '2.26');
    assert.equal(res.status, 200);
    const [s] = res.body.servers;
    assert.equal(s.status, 'SHUTOFF');
    assert.deepEqual(s.tags, ['red']);
    assert.ok(!('server_groups' in s), 'server_groups is for show only');
  });

  it('updates name, description, access IPs and hostname', async () => {
    const put = async (body: unknown, version?: string, token = h.alice.token, uuid = a2.uuid): Promise<{ status: number; body: any }> => {
      const res = await h.request('PUT', `/v2.1/servers/${uuid}`, { token, body, ...(version !== undefined ? { version } : {}) });
      return { status: res.statusCode, body: res.json() };
    };
    const v21 = await put({ server: { name: 'renamed', accessIPv4: '192.0.2.7', accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2' } });
    assert.equal(v21.status, 200);
    assert.equal(v21.body.server.name, 'renamed');
    assert.equal(v21.body.server.accessIPv4, '192.0.2.7');
    assert.equal(v21.body.server.accessIPv6, '::babe:dc0c:1602', 'kept in canonical form, as Nova stores it');
    assert.ok(!('OS-EXT-STS:vm_state' in v21.body.server), 'before 2.75 PUT shows the base fields only');
    assert.deepEqual(v21.body.server.addresses.private, [{ version: 4, addr: '10.0.0.15' }]);
    const v275 = await put({ server: { description: 'db box', hostname: 'box-1' } }, '2.90');
    assert.equal(v275.status, 200);
    assert.equal(v275.body.server.description, 'db box');
    assert.equal(v275.body.server['OS-EXT-SRV-ATTR:hostname'], 'box-1');
    assert.equal(v275.body.server['OS-EXT-STS:vm_state'], 'stopped');
    assert.ok('OS-EXT-IPS:type' in v275.body.server.addresses.private[0]);
    const stored = await h.db.selectFrom('nova_instance').selectAll().where('uuid', '=', a2.uuid).executeTakeFirstOrThrow();
    assert.equal(stored.display_name, 'renamed');
    assert.equal(stored.hostname, 'box-1');
    // Refusals: schema first, then the lookup.
    assert.equal((await put({ server: { description: 'x' } }, '2.18')).body.badRequest.message,
      "Invalid input for field/attribute server. Value: {'description': 'x'}. Additional properties are not allowed ('description' was unexpected)");
    assert.equal((await put({ server: { accessIPv4: '999.1.1.1' } })).body.badRequest.message,
      "Invalid input for field/attribute accessIPv4. Value: 999.1.1.1. '999.1.1.1' is not a 'ipv4'");
    assert.equal((await put({ server: { hostname: 'a.b' } }, '2.90')).status, 400);
    assert.equal((await put({ server: { hostname: 'a.b' } }, '2.94')).status, 200);
    assert.equal((await put({ server: { name: '' } })).status, 400);
    assert.equal((await put({ server: { name: ' padded ' } })).status, 400, 'v2.1 names may not start or end with whitespace');
    assert.equal((await put({})).status, 400);
    assert.equal((await put({ server: { name: 'x' } }, undefined, h.alice.token, b1.uuid)).status, 404);
    assert.equal((await put({ server: { name: 'x' } }, undefined, h.alice.token, randomUUID())).status, 404);
  });

  it('answers malformed requests with Nova faults, never a 5xx', async () => {
    const queries = ['limit=abc', 'limit=1.5', 'marker=', 'sort_dir=', 'sort_key=display_name&sort_dir=asc&sort_dir=desc', 'status=',
      'changes-since=2026-13-45', 'changes-before=x', 'ip=[', 'ip6=(?', 'tags=a,,b', 'not-tags-any=', 'all_tenants=2', 'locked=',
      'name=%00', 'name=\\', 'flavor=*', 'image=%ff', 'deleted=maybe', 'uuid=../../x', 'sort_key=locked', 'limit=99999999999999999999'];
    for (const version of ['2.1', '2.26', '2.73', '2.75', '2.95']) {
      for (const query of queries) {
        for (const [path, token] of [['/v2.1/servers', h.alice.token], ['/v2.1/servers/detail', h.adminToken]] as const) {
          const res = await h.request('GET', `${path}?${query}`, { token, version });
          assert.ok(res.statusCode < 500, `${version} ${path}?${query}: ${res.statusCode} ${res.body}`);
          if (res.statusCode >= 400) assert.equal(Object.keys(res.json()).length, 1, res.body);
        }
      }
    }
    const bodies: unknown[] = [null, [], 'x', 1, { server: null }, { server: [] }, { server: { name: 1 } }, { server: { name: 'a'.repeat(256) } },
      { server: { accessIPv6: '1.2.3.4' } }, { server: { 'OS-DCF:diskConfig': 'SOMETIMES' } }, { server: { hostname: '' } }, { server: {}, extra: 1 }];
    for (const body of bodies) {
      const res = await h.request('PUT', `/v2.1/servers/${a1.uuid}`, { token: h.alice.token, body, version: '2.95' });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.ok('badRequest' in res.json());
    }
    for (const id of ['x', '%20', 'detail%2F', randomUUID()]) {
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await h.request(method, `/v2.1/servers/${id}`, { token: h.alice.token });
        assert.equal(res.statusCode, 404, `${method} ${id}: ${res.body}`);
      }
    }
    const unchanged = await h.db.selectFrom('nova_instance').select(['display_name', 'deleted']).where('uuid', '=', a1.uuid).executeTakeFirstOrThrow();
    assert.deepEqual(unchanged, { display_name: 'web-1', deleted: 0 });
  });
});
