// The bus arguments of the moves (resize, cold and live migration, shelve) on both sides — the
// agent's and the conductor's parsers: what is well formed passes unchanged, anything else is
// refused with the field named, before a host or the database acts on it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ComputeArgumentError, parseFinishResize, parseLiveMigration, parseMoveRequest, parsePostLiveMigration, parsePreLiveMigration, parseResizeInstance,
  parseShelveInstance, parseUnshelveInstance,
} from '../../../src/compute/agent/rpc-handlers.js';
import { parseLiveMigrate, parseMigrateServer, parseMigrationStatus, parseResizeFailed } from '../../../src/compute/conductor/migration-protocol.js';
import { parseUnshelveInstance as parseConductorUnshelve } from '../../../src/compute/conductor/shelve-protocol.js';
import { ConductorArgumentError } from '../../../src/compute/conductor/protocol.js';

const UUID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const MIG = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const IMAGE = '11111111-2222-4333-8444-555555555555';
const PORT = 'b00710ad-0000-4000-8000-000000000001';
const FLAVOR = { id: 2, flavorid: 'big', name: 'big', memory_mb: 512, vcpus: 2, root_gb: 2, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} };
const BUILD = {
  uuid: UUID, project_id: 'p1', user_id: 'u1', display_name: 'vm', hostname: 'vm', flavor: FLAVOR, image_id: IMAGE, key_name: null, key_data: null,
  user_data: null, config_drive: false, metadata: {}, requested_networks: [{ port_id: PORT }], security_groups: ['default'], availability_zone: 'nova',
  launch_index: 0, node_uuid: '33333333-2222-4333-8444-555555555555', attempt: 1, request_id: 'req-1', admin_password: null,
};
const PORTS = [{ id: PORT, mac: 'fa:16:3e:00:00:01', tap: `tap${PORT.slice(0, 11)}`, mtu: 1450, created: false }];
const HARDWARE = { machine: 'pc', osType: 'linux', firmware: 'bios', diskBus: 'virtio', nicModel: 'virtio', guestAgent: false };
const ids = { uuid: UUID, request_id: 'req-1', migration_uuid: MIG };

const agentRefuses = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof ComputeArgumentError && pattern.test(e.message), String(pattern));
};
const conductorRefuses = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof ConductorArgumentError && pattern.test(e.message), String(pattern));
};

describe('move RPC parsers', () => {
  it('resize_instance and finish_resize carry the flavor and the whole record', () => {
    const r = parseResizeInstance({ ...ids, dest_host: 'host-b', flavor: FLAVOR, power_on: true });
    assert.deepEqual(r, { ...ids, dest_host: 'host-b', flavor: FLAVOR, power_on: true });
    agentRefuses(() => parseResizeInstance({ ...ids, dest_host: 'host b', flavor: FLAVOR, power_on: true }), /dest_host must be a host-style name/);
    agentRefuses(() => parseResizeInstance({ ...ids, dest_host: 'host-b', flavor: { ...FLAVOR, vcpus: 0 }, power_on: true }), /vcpus/);
    const record = { build: BUILD, ports: PORTS, hardware: HARDWARE };
    const f = parseFinishResize({ ...ids, record, disk_uri: 'nbd://10.0.0.2:50000/disk', power_on: false });
    assert.deepEqual(f.record, record);
    agentRefuses(() => parseFinishResize({ ...ids, record, disk_uri: 'file:///etc/passwd', power_on: false }), /disk_uri must be an nbd/);
    agentRefuses(() => parseFinishResize({ ...ids, record: { ...record, build: { ...BUILD, uuid: MIG } }, disk_uri: 'nbd://10.0.0.2:1/disk', power_on: false }), /record.build.uuid/);
    agentRefuses(() => parseFinishResize({ ...ids, record: { ...record, ports: [{ ...PORTS[0], tap: 'eth0' }] }, disk_uri: 'nbd://10.0.0.2:1/disk', power_on: false }), /tap/);
    agentRefuses(() => parseFinishResize({ ...ids, record: { ...record, hardware: { ...HARDWARE, machine: 'virt' } }, disk_uri: 'nbd://10.0.0.2:1/disk', power_on: false }), /machine must be one of/);
    assert.deepEqual(parseMoveRequest('confirm_resize', ids), ids);
    agentRefuses(() => parseMoveRequest('confirm_resize', { ...ids, migration_uuid: 'x' }), /migration_uuid must be a lower-case UUID/);
  });

  it('live migration: dest host, the record and a positive disk size; running is a boolean', () => {
    assert.deepEqual(parseLiveMigration({ ...ids, dest_host: 'host-b' }), { ...ids, dest_host: 'host-b' });
    const pre = parsePreLiveMigration({ ...ids, record: { build: BUILD, ports: PORTS }, disk_size: 1073741824 });
    assert.equal(pre.disk_size, 1073741824);
    agentRefuses(() => parsePreLiveMigration({ ...ids, record: { build: BUILD, ports: PORTS }, disk_size: -1 }), /disk_size/);
    agentRefuses(() => parsePostLiveMigration({ ...ids, running: 'yes' }), /running must be a boolean/);
  });

  it('shelve and unshelve: an offloaded unshelve needs its build and ports, a local one does not', () => {
    assert.deepEqual(parseShelveInstance({ uuid: UUID, request_id: 'r', image_id: IMAGE, offload: true }), { uuid: UUID, request_id: 'r', image_id: IMAGE, offload: true });
    agentRefuses(() => parseShelveInstance({ uuid: UUID, request_id: 'r', image_id: IMAGE }), /offload must be a boolean/);
    assert.deepEqual(parseUnshelveInstance({ uuid: UUID, request_id: 'r', shelved_image_id: IMAGE, local: true }), { uuid: UUID, request_id: 'r', shelved_image_id: IMAGE, local: true });
    const remote = parseUnshelveInstance({ uuid: UUID, request_id: 'r', shelved_image_id: IMAGE, local: false, build: BUILD, ports: PORTS });
    assert.equal(remote.build?.uuid, UUID);
    assert.deepEqual(remote.ports, PORTS);
    agentRefuses(() => parseUnshelveInstance({ uuid: UUID, request_id: 'r', shelved_image_id: IMAGE, local: false, ports: PORTS }), /build must be an object/);
  });

  it('the conductor side: migrate_server, live_migrate_instance, statuses, failures, unshelve', () => {
    assert.deepEqual(parseMigrateServer({ ...ids, host: null }), { ...ids, host: null });
    conductorRefuses(() => parseMigrateServer({ ...ids, host: 'bad host' }), /host must be a host-style name/);
    assert.deepEqual(parseLiveMigrate({ ...ids, host: 'host-b', force: false }), { ...ids, host: 'host-b', force: false });
    conductorRefuses(() => parseLiveMigrate({ ...ids, host: null }), /force must be a boolean/);
    assert.equal(parseMigrationStatus({ migration_uuid: MIG, host: 'h', status: 'finished' }).status, 'finished');
    conductorRefuses(() => parseMigrationStatus({ migration_uuid: MIG, host: 'h', status: 'confirmed' }), /status must be one of/);
    assert.equal(parseResizeFailed({ uuid: UUID, migration_uuid: MIG, host: 'h', reason: 'x'.repeat(300) }).reason.length, 255);
    assert.deepEqual(parseConductorUnshelve({ uuid: UUID, request_id: 'r', host: null, availability_zone: null }), { uuid: UUID, request_id: 'r', host: null, availability_zone: null });
    conductorRefuses(() => parseConductorUnshelve({ uuid: UUID, request_id: 'r', host: null, availability_zone: 'a:b' }), /availability_zone/);
  });
});
