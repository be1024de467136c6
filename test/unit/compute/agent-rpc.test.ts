// The compute agent's RPC argument parsers (src/compute/agent/rpc-handlers.ts), the event waiter's
// early events, and the console tail: what crosses the bus is refused field by field when malformed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ComputeArgumentError, computeHandlers, parseBuildAndRunInstance, parseExternalInstanceEvent, parseGetConsoleOutput,
  parseInstanceRequest, parseRebootInstance, type ComputeRpcTarget,
} from '../../../src/compute/agent/rpc-handlers.js';
import { EventWaiter, VifPlugFailedError, VifPlugTimeoutError, WaitCancelledError } from '../../../src/compute/agent/event-waiter.js';
import { InstanceFiles } from '../../../src/compute/agent/instance-files.js';
import { networkData } from '../../../src/compute/agent/vifs.js';
import type { CallContext } from '../../../src/bus/index.js';

const UUID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PORT = 'b00710ad-0000-4000-8000-000000000001';

function build(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uuid: UUID, project_id: 'p1', user_id: 'u1', display_name: 'vm 1', hostname: 'vm-1',
    flavor: { id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: { 'hw:cpu_policy': 'shared' } },
    image_id: '11111111-2222-4333-8444-555555555555', key_name: null, key_data: null, user_data: 'IyEvYmluL3NoCmVjaG8gaGkK',
    config_drive: true, metadata: { a: 'b' }, requested_networks: [{ network_id: '22222222-2222-4333-8444-555555555555', fixed_ip: '10.0.0.5' }, { port_id: PORT, tag: 'nic2' }],
    security_groups: ['default'], availability_zone: null, launch_index: 0, node_uuid: '33333333-2222-4333-8444-555555555555',
    attempt: 1, request_id: 'req-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', admin_password: null,
    ...overrides,
  };
}

const refused = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof ComputeArgumentError && pattern.test(e.message), String(pattern));
};

describe('compute agent RPC parsers', () => {
  it('accepts a full build and keeps every field', () => {
    const { build: b } = parseBuildAndRunInstance({ build: build() });
    assert.equal(b.uuid, UUID);
    assert.deepEqual(b.requested_networks, [{ network_id: '22222222-2222-4333-8444-555555555555', fixed_ip: '10.0.0.5' }, { port_id: PORT, tag: 'nic2' }]);
    assert.equal(b.flavor.memory_mb, 256);
    assert.deepEqual(b.flavor.extra_specs, { 'hw:cpu_policy': 'shared' });
    assert.equal(b.config_drive, true);
  });

  it('refuses malformed builds field by field', () => {
    const cases: [Record<string, unknown> | unknown, RegExp][] = [
      [null, /arguments must be an object/],
      [{ build: build(), extra: 1 }, /unexpected argument extra/],
      [{ build: build({ uuid: 'not-a-uuid' }) }, /build\.uuid must be a lower-case UUID/],
      [{ build: build({ uuid: UUID.toUpperCase() }) }, /build\.uuid/],
      [{ build: build({ hostname: 'bad host' }) }, /build\.hostname/],
      [{ build: build({ hostname: 'a'.repeat(64) }) }, /build\.hostname/],
      [{ build: build({ flavor: { ...(build().flavor as object), memory_mb: 8 } }) }, /memory_mb/],
      [{ build: build({ flavor: { ...(build().flavor as object), vcpus: 0 } }) }, /vcpus/],
      [{ build: build({ flavor: { ...(build().flavor as object), rxtx_factor: -1 } }) }, /rxtx_factor/],
      [{ build: build({ flavor: { ...(build().flavor as object), bogus: 1 } }) }, /unexpected build\.flavor field bogus/],
      [{ build: build({ user_data: 'not base64 !!' }) }, /user_data/],
      [{ build: build({ config_drive: 'yes' }) }, /config_drive/],
      [{ build: build({ requested_networks: [{ network_id: 'x' }] }) }, /requested_networks\[0\]\.network_id/],
      [{ build: build({ requested_networks: [{ network_id: UUID, fixed_ip: '10.0.0.300' }] }) }, /fixed_ip/],
      [{ build: build({ requested_networks: [{ port_id: PORT, network_id: UUID }] }) }, /unexpected/],
      [{ build: build({ requested_networks: [{ port_id: PORT }, { port_id: PORT }] }) }, /names a port twice/],
      [{ build: build({ security_groups: 'default' }) }, /security_groups/],
      [{ build: build({ metadata: { k: 1 } }) }, /metadata/],
      [{ build: build({ display_name: 'a\nb' }) }, /display_name/],
      [{ build: build({ attempt: 0 }) }, /attempt/],
      [{ build: build({ request_id: '../x' }) }, /request_id/],
      [{ build: build({ launch_index: 1.5 }) }, /launch_index/],
      [{ build: build({ node_uuid: undefined }) }, /node_uuid/],
    ];
    for (const [args, pattern] of cases) refused(() => parseBuildAndRunInstance(args), pattern);
  });

  it('parses the instance actions, reboot types, console lengths and events', () => {
    const rid = 'req-1';
    assert.deepEqual(parseInstanceRequest('stop_instance', { uuid: UUID, request_id: rid }), { uuid: UUID, request_id: rid });
    refused(() => parseInstanceRequest('stop_instance', { uuid: UUID }), /stop_instance: request_id/);
    refused(() => parseInstanceRequest('start_instance', { uuid: 'x', request_id: rid }), /start_instance: uuid/);
    refused(() => parseInstanceRequest('terminate_instance', { uuid: UUID, request_id: rid, force: true }), /unexpected argument force/);
    assert.equal(parseRebootInstance({ uuid: UUID, request_id: rid, reboot_type: 'HARD' }).reboot_type, 'HARD');
    refused(() => parseRebootInstance({ uuid: UUID, request_id: rid, reboot_type: 'soft' }), /reboot_type/);
    assert.deepEqual(parseGetConsoleOutput({ uuid: UUID }), { uuid: UUID });
    assert.deepEqual(parseGetConsoleOutput({ uuid: UUID, length: -1 }), { uuid: UUID });
    assert.deepEqual(parseGetConsoleOutput({ uuid: UUID, length: null }), { uuid: UUID });
    assert.deepEqual(parseGetConsoleOutput({ uuid: UUID, length: 5 }), { uuid: UUID, length: 5 });
    refused(() => parseGetConsoleOutput({ uuid: UUID, length: -2 }), /length/);
    refused(() => parseGetConsoleOutput({ uuid: UUID, length: '5' }), /length/);
    const ev = { name: 'network-vif-plugged', server_uuid: UUID, tag: PORT, status: 'completed' };
    assert.deepEqual(parseExternalInstanceEvent({ events: [ev] }).events, [ev]);
    refused(() => parseExternalInstanceEvent({ events: [] }), /events must be an array/);
    refused(() => parseExternalInstanceEvent({ events: [{ ...ev, status: 'done' }] }), /status/);
    refused(() => parseExternalInstanceEvent({ events: [{ ...ev, name: 'Bad Name' }] }), /name/);
    refused(() => parseExternalInstanceEvent({ events: [{ ...ev, server_uuid: 'x' }] }), /server_uuid/);
  });

  it('handlers refuse bad arguments before the manager sees them; casts return at once', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => { release = r; });
    const target: ComputeRpcTarget = {
      buildAndRunInstance: async () => { seen.push('build'); await slow; },
      stopInstance: async () => { seen.push('stop'); throw new Error('manager failure stays in the manager'); },
      startInstance: async () => { seen.push('start'); },
      rebootInstance: async () => { seen.push('reboot'); },
      triggerCrashDump: async () => { seen.push('nmi'); },
      snapshotInstance: async (r) => { seen.push(`snapshot:${r.image_id === UUID}`); },
      rebuildInstance: async (r) => { seen.push(`rebuild:${r.changes.image_id === UUID}:${r.stopped}`); },
      pauseInstance: async (r) => { seen.push(`pause:${r.uuid === UUID}`); },
      unpauseInstance: async () => { seen.push('unpause'); },
      suspendInstance: async () => { seen.push('suspend'); },
      resumeInstance: async () => { seen.push('resume'); },
      rescueInstance: async (r) => { seen.push(`rescue:${r.rescue_image_id === UUID}:${r.admin_password}`); },
      unrescueInstance: async () => { seen.push('unrescue'); },
      attachInterface: async (r) => { seen.push(`attach:${JSON.stringify(r.requested)}`); return UUID; },
      detachInterface: async (r) => { seen.push(`detach:${r.port_id === UUID}`); },
      setAdminPassword: async (r) => { if (r.password === 'refused') { const e = new Error('QEMU guest agent is not enabled'); e.name = 'QemuGuestAgentNotEnabled'; throw e; } seen.push(`password:${r.password}`); },
      terminateInstance: async () => { seen.push('terminate'); },
      resizeInstance: async (r) => { seen.push(`resize:${r.flavor.vcpus}:${r.power_on}`); },
      finishResize: async (r) => { seen.push(`finish_resize:${r.record.ports.length}`); },
      confirmResize: async () => { seen.push('confirm'); },
      revertResize: async () => { seen.push('revert'); },
      finishRevertResize: async (r) => { seen.push(`finish_revert:${r.power_on}`); },
      liveMigration: async () => { seen.push('live'); },
      preLiveMigration: async () => ({ address: '10.0.0.2', nbd_port: 50000, migrate_port: 50001 }),
      postLiveMigration: async () => { seen.push('post_live'); },
      rollbackLiveMigration: async () => { seen.push('rollback_live'); },
      shelveInstance: async (r) => { seen.push(`shelve:${r.offload}`); },
      shelveOffloadInstance: async () => { seen.push('offload'); },
      unshelveInstance: async (r) => { seen.push(`unshelve:${r.local}`); },
      rebuildEvacuatedInstance: async (r) => { seen.push(`evacuated:${r.record.ports.length}:${r.power_on}`); },
      getConsoleOutput: async (r) => `console of ${r.uuid} ${r.length ?? 'all'}`,
      getConsoleConnectInfo: async (r) => ({ host: 'h1', port: null, unix_socket: `/s/${r.console_type}/${r.uuid}.sock` }),
      getDiagnostics: async () => { throw new Error('not used here'); },
      getHostUptime: async () => ' 10:00:00 up 1 min,  0 users,  load average: 0.00, 0.00, 0.00',
      externalInstanceEvents: (events) => { seen.push(`events:${events.length}`); },
    };
    const h = computeHandlers(target);
    const ctx = {} as CallContext;
    await assert.rejects(h.build_and_run_instance!({ build: build({ uuid: 'x' }) }, ctx), ComputeArgumentError);
    assert.equal(await h.build_and_run_instance!({ build: build() }, ctx), undefined, 'returns before the build ends');
    await h.stop_instance!({ uuid: UUID, request_id: 'r' }, ctx);
    await assert.rejects(h.suspend_instance!({ uuid: UUID, request_id: 'r', extra: 1 }, ctx), /unexpected argument extra/);
    await h.pause_instance!({ uuid: UUID, request_id: 'r' }, ctx);
    const rebuild = { uuid: UUID, request_id: 'r', image_id: UUID, display_name: 'vm', hostname: 'vm', key_name: null, key_data: null, user_data: null, metadata: { a: 'b' }, admin_password: 'pw', stopped: false };
    await assert.rejects(h.rebuild_instance!({ ...rebuild, hostname: 'bad host' }, ctx), /hostname must be a host name label/);
    await assert.rejects(h.rebuild_instance!({ ...rebuild, user_data: '%%%' }, ctx), /user_data must be null or base64/);
    await h.rebuild_instance!(rebuild, ctx);
    await assert.rejects(h.snapshot_instance!({ uuid: UUID, request_id: 'r', image_id: 'x' }, ctx), /image_id must be a lower-case UUID/);
    await h.snapshot_instance!({ uuid: UUID, request_id: 'r', image_id: UUID }, ctx);
    await h.resume_instance!({ uuid: UUID, request_id: 'r' }, ctx);
    await assert.rejects(h.rescue_instance!({ uuid: UUID, request_id: 'r', rescue_image_id: 'img', admin_password: null }, ctx), /rescue_image_id must be a lower-case UUID/);
    await assert.rejects(h.rescue_instance!({ uuid: UUID, request_id: 'r', rescue_image_id: UUID }, ctx), /admin_password must be a string/);
    await assert.rejects(h.rescue_instance!({ uuid: UUID, request_id: 'r', rescue_image_id: UUID, admin_password: 'a\nb' }, ctx), /admin_password/);
    await h.rescue_instance!({ uuid: UUID, request_id: 'r', rescue_image_id: UUID, admin_password: 'pw' }, ctx);
    await h.rescue_instance!({ uuid: UUID, request_id: 'r', rescue_image_id: UUID, admin_password: '' }, ctx); // Nova takes '' too
    await assert.rejects(h.unrescue_instance!({ uuid: UUID }, ctx), /request_id must be a request id/);
    await h.unrescue_instance!({ uuid: UUID, request_id: 'r' }, ctx);
    const attach = { uuid: UUID, request_id: 'r' };
    await assert.rejects(h.attach_interface!(attach, ctx), /exactly one of network_id and port_id/);
    await assert.rejects(h.attach_interface!({ ...attach, network_id: UUID, port_id: UUID }, ctx), /exactly one of network_id and port_id/);
    await assert.rejects(h.attach_interface!({ ...attach, port_id: UUID, fixed_ip: '10.0.0.1' }, ctx), /unexpected interface field fixed_ip/);
    await assert.rejects(h.attach_interface!({ ...attach, network_id: UUID, fixed_ip: '10.0.0.300' }, ctx), /interface.fixed_ip must be an IP address/);
    await assert.rejects(h.attach_interface!({ ...attach, network_id: 'net' }, ctx), /interface.network_id must be a lower-case UUID/);
    await assert.rejects(h.attach_interface!({ ...attach, network_id: UUID, tag: 'x'.repeat(61) }, ctx), /interface.tag/);
    assert.deepEqual(await h.attach_interface!({ ...attach, network_id: UUID, fixed_ip: '10.0.0.5', tag: 'nic1' }, ctx), { port_id: UUID });
    await assert.rejects(h.detach_interface!({ ...attach, port_id: 'p' }, ctx), /port_id must be a lower-case UUID/);
    await assert.rejects(h.detach_interface!({ ...attach }, ctx), /port_id must be a lower-case UUID/);
    await h.detach_interface!({ ...attach, port_id: UUID }, ctx);
    await assert.rejects(h.set_admin_password!({ ...attach }, ctx), /password must be a string/);
    await assert.rejects(h.set_admin_password!({ ...attach, password: 'x'.repeat(256) }, ctx), /password must be a string of 0-255/);
    await assert.rejects(h.set_admin_password!({ ...attach, password: 'a\u0000b' }, ctx), /password must be a string/);
    await assert.rejects(h.set_admin_password!({ ...attach, password: 'refused' }, ctx), { name: 'QemuGuestAgentNotEnabled' }, 'a call gives the failure back');
    assert.deepEqual(await h.set_admin_password!({ ...attach, password: 'n3w-pw' }, ctx), {});
    assert.deepEqual(await h.get_console_output!({ uuid: UUID, length: 3 }, ctx), { output: `console of ${UUID} 3` });
    assert.deepEqual(await h.get_console_connect_info!({ uuid: UUID, console_type: 'serial' }, ctx), { host: 'h1', port: null, unix_socket: `/s/serial/${UUID}.sock` });
    await assert.rejects(h.get_console_connect_info!({ uuid: UUID, console_type: 'spice-html5' }, ctx), /console_type must be one of novnc, serial/);
    await assert.rejects(h.get_console_connect_info!({ uuid: UUID }, ctx), /console_type/);
    await assert.rejects(h.get_console_connect_info!({ uuid: 'x', console_type: 'novnc' }, ctx), /uuid must be a lower-case UUID/);
    await assert.rejects(h.get_console_connect_info!({ uuid: UUID, console_type: 'novnc', path: '/etc' }, ctx), /unexpected argument path/);
    await h.external_instance_event!({ events: [{ name: 'network-vif-plugged', server_uuid: UUID, status: 'completed' }] }, ctx);
    assert.deepEqual(seen, ['build', 'stop', 'pause:true', 'rebuild:true:false', 'snapshot:true', 'resume', 'rescue:true:pw', 'rescue:true:', 'unrescue',
      `attach:${JSON.stringify({ network_id: UUID, fixed_ip: '10.0.0.5', tag: 'nic1' })}`, 'detach:true', 'password:n3w-pw', 'events:1']);
    release();
  });
});

describe('event waiter', () => {
  const plugged = (tag: string, status = 'completed') => ({ name: 'network-vif-plugged', server_uuid: UUID, tag, status });

  it('keeps events that arrive before the wait, and waits for the rest', async () => {
    const w = new EventWaiter();
    w.deliver(plugged('p1'));
    w.deliver({ ...plugged('p9'), server_uuid: '00000000-0000-4000-8000-000000000000' });
    const waiting = w.wait(UUID, ['p1', 'p2'], 2000);
    let done = false;
    void waiting.then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'p2 is still missing');
    w.deliver(plugged('p2'));
    await waiting;
    // An early event is consumed once.
    await assert.rejects(w.wait(UUID, ['p1'], 50), VifPlugTimeoutError);
  });

  it('fails on a failed event, times out, accepts already-active ports, and cancels', async () => {
    const w = new EventWaiter();
    const failing = w.wait(UUID, ['p1'], 2000);
    w.deliver(plugged('p1', 'failed'));
    await assert.rejects(failing, VifPlugFailedError);
    await assert.rejects(w.wait(UUID, ['p2'], 30), /Timeout waiting for \[\('network-vif-plugged', 'p2'\)\]/);
    await w.wait(UUID, ['p3'], 2000, async (port) => port === 'p3');
    const cancelled = w.wait(UUID, ['p4'], 2000);
    w.cancel(UUID, 'deleted');
    await assert.rejects(cancelled, WaitCancelledError);
    const expired = new EventWaiter({ keepEarlyMs: 0 });
    expired.deliver(plugged('p5'));
    await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(expired.wait(UUID, ['p5'], 30), VifPlugTimeoutError, 'old early events are dropped');
  });
});

describe('instance files and network data', () => {
  it('console output is the last N lines (all for undefined, none for 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-agent-files-'));
    try {
      const files = new InstanceFiles(dir);
      mkdirSync(files.dir(UUID), { recursive: true });
      writeFileSync(files.consolePath(UUID), 'one\ntwo\nthree\n');
      assert.equal(await files.consoleOutput(UUID), 'one\ntwo\nthree\n');
      assert.equal(await files.consoleOutput(UUID, 2), 'two\nthree');
      assert.equal(await files.consoleOutput(UUID, 10), 'one\ntwo\nthree');
      assert.equal(await files.consoleOutput(UUID, 0), '');
      writeFileSync(files.consolePath(UUID), 'x'.repeat(200 * 1024));
      assert.equal((await files.consoleOutput(UUID)).length, 100 * 1024, 'capped at 100 KiB as Nova');
      assert.throws(() => files.dir('../etc'), /invalid instance uuid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('network_data.json from the info cache', () => {
    const data = networkData([{
      id: PORT, address: 'fa:16:3e:00:00:01', type: 'bridge', devname: 'tapb00710ad-00', active: true, preserve_on_delete: false,
      network: { id: 'n1', label: 'private', mtu: 1450, subnets: [{ cidr: '10.0.0.0/24', version: 4, gateway: '10.0.0.1', dns: ['10.0.0.2'], ips: [{ address: '10.0.0.5', type: 'fixed', floating_ips: [] }] }] },
    }]);
    assert.deepEqual(data.links, [{ id: 'tapb00710ad-00', vif_id: PORT, type: 'bridge', mtu: 1450, ethernet_mac_address: 'fa:16:3e:00:00:01' }]);
    assert.deepEqual(data.networks, [{
      id: 'network0', type: 'ipv4', link: 'tapb00710ad-00', ip_address: '10.0.0.5', netmask: '255.255.255.0',
      routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }], network_id: 'n1', services: [{ type: 'dns', address: '10.0.0.2' }],
    }]);
    assert.deepEqual(data.services, [{ type: 'dns', address: '10.0.0.2' }]);
  });
});
