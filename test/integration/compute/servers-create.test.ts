// POST /servers against the real image and network services (compute-world): the rows a create
// writes, the cast to the conductor on a memory bus, quotas (403, nothing written), min/max, and a
// sweep of malformed or refused bodies that must each be a 4xx Nova fault with no row written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Server } from '../../../src/bus/index.js';
import { createServer, postServer, startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { sanitizeHostname } from '../../../src/compute/domain/servers/hostname.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /servers', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let conductor: Server;
  const casts: Record<string, any>[] = [];
  let t: Tenant;
  let image: Record<string, any>;
  let net: WorldNetwork;
  let flavor: Record<string, any>;

  const counts = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const table of ['nova_instance', 'nova_request_spec', 'nova_block_device_mapping', 'nova_instance_metadata', 'nova_instance_tag', 'nova_instance_action'] as const) {
      const row = await w.compute.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
      out[table] = Number(row?.n ?? 0);
    }
    return out;
  };

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    conductor = await bus.serve('conductor', 'ctl', {
      schedule_and_build_instances: async (args) => { casts.push(args as Record<string, any>); return undefined; },
    });
    t = w.compute.alice;
    image = await w.createImage(t.token, { properties: { hw_disk_bus: 'virtio' } });
    net = await w.createNetwork(t.token, 'alice-net');
    flavor = await w.createFlavor({ extra_specs: undefined });
  });
  after(async () => {
    await conductor?.stop();
    await w?.close();
    await bus?.close();
  });

  const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    server: { name: 'web 1', imageRef: image.id, flavorRef: flavor.id, networks: [{ uuid: net.network.id }], ...extra },
  });

  it('creates a server: 202 body, instance row, satellites, action, and the conductor cast', async () => {
    const before = casts.length;
    const res = await postServer(w, t.token, {
      server: {
        name: 'web 1', imageRef: image.id, flavorRef: `http://x/flavors/${flavor.id}`, networks: [{ uuid: net.network.id, tag: 'nic1' }],
        metadata: { role: 'web' }, tags: ['a', 'b'], description: 'first', user_data: Buffer.from('#!/bin/sh\n').toString('base64'),
        config_drive: true, security_groups: [{ name: 'default' }],
      },
    }, '2.52');
    assert.equal(res.statusCode, 202, res.body);
    const server = res.json().server;
    assert.match(server.id, UUID_RE);
    assert.equal(server['OS-DCF:diskConfig'], 'MANUAL');
    assert.deepEqual(server.security_groups, [{ name: 'default' }]);
    assert.equal(server.adminPass.length, 12);
    assert.match(res.headers.location as string, new RegExp(`/v2.1/servers/${server.id}$`));
    assert.equal(server.links[0].rel, 'self');

    const row = await w.compute.db.selectFrom('nova_instance').selectAll().where('uuid', '=', server.id).executeTakeFirstOrThrow();
    assert.equal(row.project_id, t.projectId);
    assert.equal(row.user_id, t.userId);
    assert.equal(row.display_name, 'web 1');
    assert.equal(row.display_description, 'first');
    assert.equal(row.hostname, 'web-1');
    assert.equal(row.vm_state, 'building');
    assert.equal(row.task_state, 'scheduling');
    assert.equal(Number(row.power_state), 0);
    assert.equal(row.image_ref, image.id);
    assert.equal(row.config_drive, 'True');
    assert.equal(Number(row.vcpus), flavor.vcpus);
    assert.equal(Number(row.memory_mb), flavor.ram);
    assert.equal(Number(row.root_gb), flavor.disk);
    assert.match(row.reservation_id, /^r-[a-z0-9]{8}$/);
    assert.equal(Number(row.launch_index), 0);
    assert.equal(Number(row.locked), 0);
    const snap = JSON.parse(row.flavor);
    assert.equal(snap.flavorid, flavor.id);
    assert.deepEqual(snap.extra_specs, {});
    const sysmeta = JSON.parse(row.system_metadata);
    assert.equal(sysmeta.image_hw_disk_bus, 'virtio');
    assert.equal(sysmeta.image_disk_format, 'qcow2');

    const meta = await w.compute.db.selectFrom('nova_instance_metadata').selectAll().where('instance_uuid', '=', server.id).execute();
    assert.deepEqual(meta.map((m) => [m.key, m.value]), [['role', 'web']]);
    const tags = await w.compute.db.selectFrom('nova_instance_tag').select('tag').where('instance_uuid', '=', server.id).orderBy('tag').execute();
    assert.deepEqual(tags.map((x) => x.tag), ['a', 'b']);
    const bdms = await w.compute.db.selectFrom('nova_block_device_mapping').selectAll().where('instance_uuid', '=', server.id).execute();
    assert.equal(bdms.length, 1);
    assert.equal(bdms[0]!.source_type, 'image');
    assert.equal(bdms[0]!.image_id, image.id);
    assert.equal(Number(bdms[0]!.boot_index), 0);
    const action = await w.compute.db.selectFrom('nova_instance_action').selectAll().where('instance_uuid', '=', server.id).executeTakeFirstOrThrow();
    assert.equal(action.action, 'create');
    const spec = JSON.parse((await w.compute.db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', server.id).executeTakeFirstOrThrow()).spec);
    assert.deepEqual(spec.instance_uuids, [server.id]);
    assert.deepEqual(spec.requested_networks, [{ network_id: net.network.id, tag: 'nic1' }]);
    assert.equal(spec.image.id, image.id);
    assert.equal(spec.flavor.vcpus, flavor.vcpus);
    assert.equal(spec.admin_password, server.adminPass);
    assert.equal(spec.request_id, action.request_id);

    for (let i = 0; i < 50 && casts.length === before; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal(casts.length, before + 1);
    assert.deepEqual(casts[casts.length - 1]!.instance_uuids, [server.id]);
    assert.equal(casts[casts.length - 1]!.request_id, action.request_id);
  });

  it('2.37+: networks auto picks the single usable network, none gives no NIC, and both are required', async () => {
    const auto = await createServer(w, t.token, base({ networks: 'auto' }), '2.37');
    const spec = JSON.parse((await w.compute.db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', auto.server.id).executeTakeFirstOrThrow()).spec);
    assert.deepEqual(spec.requested_networks, [{ network_id: net.network.id }]);
    const none = await createServer(w, t.token, base({ networks: 'none' }), '2.37');
    const spec2 = JSON.parse((await w.compute.db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', none.server.id).executeTakeFirstOrThrow()).spec);
    assert.deepEqual(spec2.requested_networks, []);
    const missing = await postServer(w, t.token, { server: { name: 'x', imageRef: image.id, flavorRef: flavor.id } }, '2.37');
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().badRequest.message, /'networks' is a required property/);
  });

  it('auto with no usable network is 400, with two is NetworkAmbiguous 409', async () => {
    const bob = w.compute.bob;
    const img = await w.createImage(bob.token);
    const res = await postServer(w, bob.token, { server: { name: 'x', imageRef: img.id, flavorRef: flavor.id, networks: 'auto' } }, '2.37');
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().badRequest.message, `Unable to automatically allocate a network for project ${bob.projectId}`);
    await w.createNetwork(bob.token, 'n1');
    await w.createNetwork(bob.token, 'n2');
    const two = await postServer(w, bob.token, { server: { name: 'x', imageRef: img.id, flavorRef: flavor.id, networks: 'auto' } }, '2.37');
    assert.equal(two.statusCode, 409, two.body);
    assert.ok(two.json().conflictingRequest.message.includes('network'));
  });

  it('min/max: creates max, names and hostnames numbered; return_reservation_id; min > max refused', async () => {
    const res = await createServer(w, t.token, base({ name: 'pool', min_count: 2, max_count: 3, return_reservation_id: true }));
    assert.match(res.reservation_id, /^r-[a-z0-9]{8}$/);
    const rows = await w.compute.db.selectFrom('nova_instance').selectAll().where('reservation_id', '=', res.reservation_id).orderBy('launch_index').execute();
    assert.deepEqual(rows.map((r) => [r.display_name, r.hostname, Number(r.launch_index)]), [['pool-1', 'pool-1', 0], ['pool-2', 'pool-2', 1], ['pool-3', 'pool-3', 2]]);
    const spec = JSON.parse((await w.compute.db.selectFrom('nova_request_spec').select('spec').where('instance_uuid', '=', rows[0]!.uuid).executeTakeFirstOrThrow()).spec);
    assert.equal(spec.num_instances, 3);
    assert.equal(spec.min_count, 2);
    const bad = await postServer(w, t.token, base({ min_count: 3, max_count: 2 }));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().badRequest.message, 'min_count must be <= max_count');
  });

  it('quota: over the instance limit is 403 with Nova\'s message and nothing written; a max that does not fit shrinks to the room left', async () => {
    const carol = await w.compute.tenant();
    const img = await w.createImage(carol.token);
    const n = await w.createNetwork(carol.token, 'c');
    const set = await w.compute.request('PUT', `/v2.1/os-quota-sets/${carol.projectId}`, { body: { quota_set: { instances: 4 } } });
    assert.equal(set.statusCode, 200, set.body);
    const body = (extra: Record<string, unknown>) => ({ server: { name: 'q', imageRef: img.id, flavorRef: flavor.id, networks: [{ uuid: n.network.id }], ...extra } });
    await createServer(w, carol.token, body({ min_count: 2, max_count: 2 }));
    const beforeCounts = await counts();
    const over = await postServer(w, carol.token, body({ min_count: 3, max_count: 3 }));
    assert.equal(over.statusCode, 403, over.body);
    assert.equal(over.json().forbidden.message, 'Quota exceeded for instances: Requested 3, but already used 2 of 4 instances');
    assert.deepEqual(await counts(), beforeCounts);
    const shrunk = await createServer(w, carol.token, body({ min_count: 1, max_count: 5, return_reservation_id: true }));
    const rows = await w.compute.db.selectFrom('nova_instance').select('uuid').where('reservation_id', '=', shrunk.reservation_id).execute();
    assert.equal(rows.length, 2);
  });

  it('refuses bad image, flavor, key, zone, network and port with Nova\'s 4xx and writes nothing', async () => {
    const queued = await w.createImage(t.token, { noData: true });
    const bigImage = await w.createImage(t.token, { min_ram: 100000 });
    const bigDisk = await w.createImage(t.token, { min_disk: 50 });
    const otherNet = await w.createNetwork(w.compute.bob.token, 'bob-private');
    const noSubnet = await w.createNetwork(t.token, 'bare', { noSubnet: true });
    const port = await w.network.app.inject({
      method: 'POST', url: '/v2.0/ports', headers: { 'x-auth-token': t.token, 'content-type': 'application/json' },
      payload: JSON.stringify({ port: { network_id: net.network.id, device_id: 'someone-else' } }),
    });
    assert.equal(port.statusCode, 201, port.body);
    const usedPort = port.json().port.id;
    const missing = '6b4b7f0c-52e7-4d5f-9c51-111111111111';
    const cases: [string, Record<string, unknown>, number, RegExp | string][] = [
      ['unknown image', base({ imageRef: missing }), 400, 'Can not find requested image'],
      ['queued image', base({ imageRef: queued.id }), 400, `Image ${queued.id} is not active.`],
      ['image min_ram', base({ imageRef: bigImage.id }), 400, "Flavor's memory is too small for requested image."],
      ['image min_disk', base({ imageRef: bigDisk.id }), 400, /^Flavor's disk is smaller than the minimum size/],
      ['unknown flavor', base({ flavorRef: 'nope' }), 400, 'Invalid flavorRef provided.'],
      ['unknown key', base({ key_name: 'nokey' }), 400, 'Invalid key_name provided.'],
      ['unknown zone', base({ availability_zone: 'mars' }), 400, 'The requested availability zone is not available'],
      ['forced host as member', base({ availability_zone: 'nova:host1' }), 403, /os_compute_api:servers:create:forced_host/],
      ['unknown network', base({ networks: [{ uuid: missing }] }), 400, `Network ${missing} could not be found.`],
      ["another project's network", base({ networks: [{ uuid: otherNet.network.id }] }), 400, `Network ${otherNet.network.id} could not be found.`],
      ['network without subnet', base({ networks: [{ uuid: noSubnet.network.id }] }), 400, /requires a subnet/],
      ['unknown port', base({ networks: [{ port: missing }] }), 400, `Port id ${missing} could not be found.`],
      ['port in use', base({ networks: [{ port: usedPort }] }), 409, `Port ${usedPort} is still in use.`],
      ['port with max_count 2', base({ networks: [{ port: usedPort }], max_count: 2 }), 400, /single configured port ID/],
      ['unknown security group', base({ security_groups: [{ name: 'nosuch' }] }), 400, 'Security group nosuch not found.'],
      ['volume bdm', base({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: missing, boot_index: 0 }] }), 400, /volumes come with the block storage service/],
      ['no image at all', base({ imageRef: '' }), 400, 'Missing imageRef attribute'],
      ['unknown group', { ...base(), 'os:scheduler_hints': { group: missing } }, 400, `Instance group ${missing} could not be found.`],
      ['too much metadata', base({ metadata: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'])) }), 403, 'Maximum number of metadata items exceeds 128'],
    ];
    const start = await counts();
    for (const [what, body, status, message] of cases) {
      const res = await postServer(w, t.token, body);
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      const fault = Object.values(res.json() as Record<string, { code: number; message: string }>)[0]!;
      assert.equal(fault.code, status, what);
      if (typeof message === 'string') assert.equal(fault.message, message, what);
      else assert.match(fault.message, message, what);
    }
    assert.deepEqual(await counts(), start);
  });

  it('a sweep of malformed bodies: each a 400 with Nova\'s validation message, nothing written', async () => {
    const s = (extra: Record<string, unknown>) => base(extra);
    const cases: [unknown, string | undefined, RegExp][] = [
      [null, undefined, /is not of type 'object'/],
      [[], undefined, /is not of type 'object'/],
      [{}, undefined, /'server' is a required property/],
      [{ server: 'x' }, undefined, /is not of type 'object'/],
      [{ server: { imageRef: image.id, flavorRef: flavor.id } }, undefined, /'name' is a required property/],
      [{ server: { name: 'x', imageRef: image.id } }, undefined, /'flavorRef' is a required property/],
      [s({ name: '' }), undefined, /field\/attribute name.*is too short/],
      [s({ name: ' lead' }), undefined, /An invalid 'name' value/],
      [s({ name: 'x'.repeat(256) }), undefined, /is too long/],
      [s({ imageRef: 'not-a-uuid' }), undefined, /imageRef.*not valid under any of the given schemas/],
      [s({ flavorRef: '' }), undefined, /flavorRef.*is too short/],
      [s({ flavorRef: 1.5 }), undefined, /flavorRef.*is not of type 'string', 'integer'/],
      [s({ min_count: 0 }), undefined, /min_count.*less than the minimum of 1/],
      [s({ max_count: 'x' }), undefined, /max_count.*does not match/],
      [s({ metadata: { 'bad/key': 'v' } }), undefined, /does not match any of the regexes/],
      [s({ metadata: { k: 1 } }), undefined, /is not of type 'string'/],
      [s({ networks: [{ uuid: net.network.id, bogus: 1 }] }), undefined, /Additional properties are not allowed/],
      [s({ networks: [{ fixed_ip: '300.1.1.1', uuid: net.network.id }] }), undefined, /fixed_ip.*not valid under any of the given schemas/],
      [s({ networks: [{ port: 'nope' }] }), undefined, /port.*not valid under any/],
      [s({ networks: [{ uuid: 'abc' }] }), undefined, /Bad networks format: network uuid is not in proper format \(abc\)/],
      [s({ networks: 'all' }), '2.37', /is not one of \['none', 'auto'\]/],
      [s({ networks: 5 }), '2.37', /networks.*not valid under any of the given schemas/],
      [s({ networks: [{ uuid: 'abc' }] }), '2.37', /uuid.*is not a 'uuid'/],
      [s({ user_data: 'not base64!' }), undefined, /user_data.*is not a 'base64'/],
      [s({ user_data: 'QQ=='.repeat(16384) }), undefined, /user_data.*is too long/],
      [s({ config_drive: 'maybe' }), undefined, /config_drive.*is not one of/],
      [s({ accessIPv4: '::1' }), undefined, /accessIPv4.*is not a 'ipv4'/],
      [s({ 'OS-DCF:diskConfig': 'SOMETIMES' }), undefined, /is not one of \['AUTO', 'MANUAL'\]/],
      [s({ security_groups: [{ name: 'a', extra: 1 }] }), undefined, /Additional properties are not allowed/],
      [s({ description: 'd' }), undefined, /Additional properties are not allowed \('description' was unexpected\)/],
      [s({ tags: ['a'] }), '2.51', /Additional properties are not allowed \('tags' was unexpected\)/],
      [s({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), '2.52', /tags.*is too long/],
      [s({ tags: ['a/b'] }), '2.52', /does not match/],
      [s({ tags: ['a', 'a'] }), '2.52', /has non-unique elements/],
      [s({ personality: [{ path: '/x', contents: 'QQ==' }] }), '2.57', /'personality' was unexpected/],
      [s({ hostname: 'h' }), '2.89', /'hostname' was unexpected/],
      [s({ hostname: 'bad_host' }), '2.90', /hostname.*does not match/],
      [s({ hostname: 'h', max_count: 2 }), '2.90', /hostname/],
      [s({ host: 'bad host' }), '2.74', /host.*does not match/],
      [s({ block_device_mapping_v2: [{ source_type: 'tape' }] }), undefined, /is not one of \['volume', 'image', 'snapshot', 'blank'\]/],
      [s({ block_device_mapping_v2: [{ boot_index: 'first' }] }), undefined, /boot_index.*does not match/],
      [{ ...s({}), extra: 1 }, undefined, /Additional properties are not allowed \('extra' was unexpected\)/],
      [{ ...s({}), 'os:scheduler_hints': { group: 'nope' } }, undefined, /group.*is not a 'uuid'/],
      [{ ...s({}), 'os:scheduler_hints': { same_host: ['nope'] } }, undefined, /same_host.*is not a 'uuid'/],
    ];
    const start = await counts();
    for (const [body, version, message] of cases) {
      const res = await postServer(w, t.token, body, version);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 200)} @${version}: ${res.body}`);
      assert.match(res.json().badRequest.message, message, JSON.stringify(body).slice(0, 200));
    }
    const garbage = await w.compute.request('POST', '/v2.1/servers', { payload: '{"server": ', token: t.token });
    assert.equal(garbage.statusCode, 400);
    assert.deepEqual(await counts(), start);
  });

  it('2.90 hostname, 2.19 description, AUTO disk config, key pair data and admin-only forced host', async () => {
    const kp = await w.compute.request('POST', '/v2.1/os-keypairs', { token: t.token, body: { keypair: { name: 'k1' } } });
    assert.equal(kp.statusCode, 200, kp.body);
    const res = await createServer(w, t.token, base({ hostname: 'custom-host', key_name: 'k1', 'OS-DCF:diskConfig': 'AUTO', description: null, adminPass: 'given-pass' }), '2.90');
    assert.equal(res.server['OS-DCF:diskConfig'], 'AUTO');
    assert.equal(res.server.adminPass, 'given-pass');
    const row = await w.compute.db.selectFrom('nova_instance').selectAll().where('uuid', '=', res.server.id).executeTakeFirstOrThrow();
    assert.equal(row.hostname, 'custom-host');
    assert.equal(row.key_name, 'k1');
    assert.equal(row.key_data, kp.json().keypair.public_key);
    assert.equal(row.display_description, null);
  });

  it('sanitizes hostnames as nova.utils.sanitize_hostname', () => {
    assert.equal(sanitizeHostname('My_Server.Name 1'), 'my-server-name-1');
    assert.equal(sanitizeHostname('--a--'), 'a');
    assert.equal(sanitizeHostname('日本', 'Server-x'), 'Server-x');
    assert.equal(sanitizeHostname('x'.repeat(80)).length, 63);
  });
  it('lists and shows the ports of a server as interfaces (os-interface), to its owner only', async () => {
    const server = (await createServer(w, t.token, base({ name: 'with-nic' }))).server;
    const made = await w.network.app.inject({
      method: 'POST', url: '/v2.0/ports', headers: { 'x-auth-token': t.token, 'content-type': 'application/json' },
      payload: JSON.stringify({ port: { network_id: net.network.id, device_id: server.id, device_owner: 'compute:nova' } }),
    });
    assert.equal(made.statusCode, 201, made.body);
    const port = made.json().port;
    const list = await w.compute.request('GET', `/v2.1/servers/${server.id}/os-interface`, { token: t.token });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json().interfaceAttachments, [{
      port_state: port.status, fixed_ips: port.fixed_ips.map((ip: Record<string, string>) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
      port_id: port.id, net_id: net.network.id, mac_addr: port.mac_address,
    }]);
    const one = await w.compute.request('GET', `/v2.1/servers/${server.id}/os-interface/${port.id}`, { token: t.token, version: '2.70' });
    assert.equal(one.json().interfaceAttachment.port_id, port.id);
    assert.equal(one.json().interfaceAttachment.tag, null);
    const missing = await w.compute.request('GET', `/v2.1/servers/${server.id}/os-interface/${net.network.id}`, { token: t.token });
    assert.equal(missing.statusCode, 404);
    const other = await w.compute.request('GET', `/v2.1/servers/${server.id}/os-interface`, { token: w.compute.bob.token });
    assert.equal(other.statusCode, 404);
  });
});
