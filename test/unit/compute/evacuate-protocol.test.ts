// The bus arguments of evacuation, refused field by field when malformed: the conductor's
// evacuate_instance / evacuations_from_host / evacuation_cleaned (conductor/migration-protocol.ts)
// and the agent's rebuild_evacuated_instance (agent/rpc-handlers.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ComputeArgumentError, parseRebuildEvacuated } from '../../../src/compute/agent/rpc-handlers.js';
import { parseInstancesOnHost } from '../../../src/compute/conductor/instance-protocol.js';
import { parseEvacuateInstance, parseMigrationStatus, parseMigrationStep } from '../../../src/compute/conductor/migration-protocol.js';
import { ConductorArgumentError } from '../../../src/compute/conductor/protocol.js';
import { portsFromCache } from '../../../src/compute/conductor/evacuate.js';
import { tapName, type VifInfo } from '../../../src/compute/rpc/compute-protocol.js';

const UUID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const MIGRATION = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PORT = 'b00710ad-0000-4000-8000-000000000001';
const REQ = 'req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

const build = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  uuid: UUID, project_id: 'p1', user_id: 'u1', display_name: 'vm 1', hostname: 'vm-1',
  flavor: { id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
  image_id: '11111111-2222-4333-8444-555555555555', key_name: null, key_data: null, user_data: null, config_drive: false, metadata: {},
  requested_networks: [{ port_id: PORT }], security_groups: ['default'], availability_zone: 'nova', launch_index: 0,
  node_uuid: '33333333-2222-4333-8444-555555555555', attempt: 1, request_id: REQ, admin_password: 'pw', ...overrides,
});
const port = { id: PORT, mac: 'fa:16:3e:00:00:01', tap: tapName(PORT), mtu: 1450, created: false };
const cast = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  uuid: UUID, request_id: REQ, migration_uuid: MIGRATION, record: { build: build(), ports: [port] }, power_on: true, ...overrides,
});

describe('evacuation bus arguments', () => {
  it('rebuild_evacuated_instance: the record of this very server, its ports and power_on', () => {
    const r = parseRebuildEvacuated(cast());
    assert.deepEqual([r.uuid, r.migration_uuid, r.power_on, r.record.ports, r.record.build.admin_password], [UUID, MIGRATION, true, [port], 'pw']);
    for (const bad of [
      cast({ record: { build: build({ uuid: MIGRATION }), ports: [] } }), cast({ power_on: 'yes' }), cast({ migration_uuid: 'x' }),
      cast({ record: { build: build(), ports: [{ ...port, mac: 'nope' }] } }), cast({ record: { build: build(), ports: [{ ...port, created: 1 }] } }),
      cast({ extra: 1 }), cast({ record: { build: build({ flavor: null }), ports: [] } }),
    ]) assert.throws(() => parseRebuildEvacuated(bad), ComputeArgumentError);
  });

  it('evacuate_instance: host or null, force, admin password printable or null, stopped', () => {
    const args = { uuid: UUID, request_id: REQ, migration_uuid: MIGRATION, host: null, force: false, admin_password: null, stopped: false };
    assert.deepEqual(parseEvacuateInstance(args), args);
    assert.equal(parseEvacuateInstance({ ...args, host: 'host-b', admin_password: 'S3cret pw' }).host, 'host-b');
    for (const bad of [
      { ...args, host: 'bad host' }, { ...args, force: 'true' }, { ...args, admin_password: 'a\u0000b' }, { ...args, admin_password: 'x'.repeat(256) },
      { ...args, stopped: undefined }, { ...args, uuid: 'x' }, { ...args, more: 1 },
    ]) assert.throws(() => parseEvacuateInstance(bad), ConductorArgumentError);
  });

  it('evacuations_from_host, evacuation_cleaned, and the destination\'s done/failed statuses', () => {
    assert.deepEqual(parseInstancesOnHost({ host: 'host-a' }, 'evacuations_from_host'), { host: 'host-a' });
    assert.throws(() => parseInstancesOnHost({ host: '../a' }, 'evacuations_from_host'), /evacuations_from_host: host/);
    assert.deepEqual(parseMigrationStep('evacuation_cleaned', { uuid: UUID, migration_uuid: MIGRATION, host: 'host-a' }), { uuid: UUID, migration_uuid: MIGRATION, host: 'host-a' });
    for (const status of ['done', 'failed']) assert.equal(parseMigrationStatus({ migration_uuid: MIGRATION, host: 'host-b', status }).status, status);
    assert.throws(() => parseMigrationStatus({ migration_uuid: MIGRATION, host: 'host-b', status: 'completed' }), ConductorArgumentError, 'only the conductor completes');
  });

  it('ports from the info cache: the user\'s port (preserve_on_delete) is not the agent\'s to delete', () => {
    const vif = (id: string, preserve: boolean): VifInfo => ({
      id, address: 'fa:16:3e:00:00:01', type: 'bridge', devname: tapName(id), active: true, preserve_on_delete: preserve,
      network: { id: UUID, label: 'net', mtu: null, subnets: [] },
    });
    assert.deepEqual(portsFromCache([vif(PORT, true), vif(MIGRATION, false)]).map((p) => [p.id, p.created, p.tap, p.mtu]),
      [[PORT, false, tapName(PORT), null], [MIGRATION, true, tapName(MIGRATION), null]]);
  });
});
