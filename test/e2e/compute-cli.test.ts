// Servers as a new user boots them (issue 6's "done when"), with Debian's real `openstack` client
// against the all-in-one as root: a sandbox of two simulated hosts, the root namespace's uplink
// into `public`, the bootstrap's nimbus-cirros image and real QEMU guests. Two servers on
// different hosts: ACTIVE, console log shows DHCP and metadata, SSH through a floating IP with the
// key sees the user-data's effect, the two ping each other; stop, start, reboot and delete work and
// leave no QEMU, tap, port or allocation behind. Issue 7's actions on vm1, seen from outside:
//   lock     the owner's stop is refused while locked (2.73 reason shown), accepted after unlock;
//   pause    the guest stops answering SSH and answers again after unpause, without a reboot;
//   suspend  no QEMU runs for it, only its saved state; after resume it still holds a file it wrote
//            to RAM (tmpfs) before — the memory came back from disk;
//   snapshot + rebuild  vm1 is snapshotted, then rebuilt from the snapshot with new user data: it
//            boots from the snapshot, runs the new user data, and answers on the same floating IP.
// and the moves (moves()):
//   resize   to a 2-vCPU flavor, confirmed: the guest counts 2 CPUs and more RAM, on the other host;
//   live migration  a ping every 200 ms through the floating IP keeps answering (the loss is
//            printed); the source host keeps no QEMU or files of it; a tmpfs file survives;
//   cold migration + revert  back on the host it left, answering SSH;
//   shelve + unshelve  offloaded (no files on any host), then booted again, answering SSH;
//   rescue   the guest boots from the rescue disk with its own disk as the second one, unrescue;
//   interface attach/detach  eth1 appears in the guest on a second network, then goes;
//   consoles `console url show --novnc` gives the proxy's page, `--serial` its websocket URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listNetns } from '../../src/hostnet/index.js';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';
import { eventually } from '../support/eventually.js';
import { computeE2eSkip, destroySandbox, guestSsh, sandboxEnv } from '../support/guest-sandbox.js';

const run = promisify(execFile);
type Row = Record<string, any>;

/** `addresses` as the client prints it: {"net1": ["10.0.0.5"]}, or "net1=10.0.0.5" from older clients. */
function firstAddress(addresses: unknown): string {
  const text = typeof addresses === 'string' ? addresses : JSON.stringify(addresses);
  const m = /(\d+\.\d+\.\d+\.\d+)/.exec(text);
  if (!m) throw new Error(`no IPv4 address in ${text}`);
  return m[1]!;
}

describe('servers with the real openstack client', { skip: computeE2eSkip }, () => {
  const sandbox = `c${process.pid % 10000}`;
  const env = sandboxEnv(sandbox, 2, true);
  const work = mkdtempSync(join(tmpdir(), 'nimbus-e2e-compute-'));
  const key = join(work, 'k1');
  let cloud: AllInOne;
  const destroy = () => destroySandbox(env);
  const os = (args: string[]) => cloud.openstack(args);
  const osJson = <T = Row>(args: string[]) => cloud.openstackJson<T>(args);
  const ssh = guestSsh(key, { connectTimeoutS: 5, timeoutMs: 30_000 });

  before(async () => {
    await destroy();
    cloud = await startAllInOne(env);
  });
  after(async () => {
    // Whatever the test left, the servers go first (their guests are the cloud's to end).
    if (cloud) {
      for (const name of ['vm1', 'vm2']) await os(['server', 'delete', '--wait', name]).catch(() => undefined);
      await cloud.stop();
    }
    await destroy();
    rmSync(work, { recursive: true, force: true });
    const left = (await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`));
    assert.deepEqual(left, [], 'sandbox destroy leaves no namespace');
  });

  const status = async (name: string) => (await osJson<Row>(['server', 'show', name])).status as string;
  const reaches = (name: string, wanted: string) => eventually(`${name} ${wanted}`, async () => ((await status(name)) === wanted ? true : undefined), 180_000, 1000);
  const boots = async (name: string) => ((await os(['console', 'log', 'show', name])).match(/nimbus-init: boot/g) ?? []).length;

  /** Issue 7's actions on a running guest reachable over SSH at `fip`. */
  async function lifecycle(id: string, fip: string): Promise<void> {
    const bootsBefore = await boots('vm1');
    await os(['--os-compute-api-version', '2.73', 'server', 'lock', '--reason', 'e2e maintenance', 'vm1']);
    const locked = await osJson<Row>(['--os-compute-api-version', '2.73', 'server', 'show', 'vm1']);
    assert.equal(String(locked.locked).toLowerCase(), 'true');
    assert.equal(locked.locked_reason, 'e2e maintenance');
    await os(['server', 'unlock', 'vm1']);
    assert.equal(String((await osJson<Row>(['--os-compute-api-version', '2.9', 'server', 'show', 'vm1'])).locked).toLowerCase(), 'false');

    await ssh(fip, 'echo before-pause > /tmp/marker');
    await os(['server', 'pause', 'vm1']);
    await reaches('vm1', 'PAUSED');
    await assert.rejects(ssh(fip, 'echo should-not-answer'), 'a paused guest does not answer');
    await os(['server', 'unpause', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    await eventually('SSH after unpause', async () => ((await ssh(fip, 'cat /tmp/marker')).stdout.trim() === 'before-pause' ? true : undefined), 60_000, 1000);

    await ssh(fip, 'echo before-suspend > /tmp/marker');
    await os(['server', 'suspend', 'vm1']);
    await reaches('vm1', 'SUSPENDED');
    const host = join(cloud.dataDir, 'compute', (await osJson<Row>(['server', 'show', 'vm1']))['OS-EXT-SRV-ATTR:host'] as string);
    assert.ok(existsSync(join(host, 'instances', id, 'suspend.state')), 'the saved state is on the host');
    assert.deepEqual(readdirSync(join(host, 'pids')).filter((f) => f.includes(id)), [], 'no QEMU runs for a suspended guest');
    await assert.rejects(ssh(fip, 'echo should-not-answer'), 'a suspended guest does not answer');
    await os(['server', 'resume', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    const marker = await eventually('SSH after resume', async () => (await ssh(fip, 'cat /tmp/marker')).stdout.trim(), 60_000, 1000);
    assert.equal(marker, 'before-suspend', 'the guest memory came back from disk');
    assert.equal(existsSync(join(host, 'instances', id, 'suspend.state')), false, 'the saved state is removed once loaded');
    assert.equal(await boots('vm1'), bootsBefore, 'neither pause nor suspend rebooted it');

    const snapshot = await osJson<Row>(['server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1']);
    assert.equal((await osJson<Row>(['image', 'show', snapshot.id])).status, 'active');
    const userData = join(work, 'rebuild-data.sh');
    writeFileSync(userData, '#!/bin/sh\necho "rebuilt from a snapshot" > /home/cirros/rebuilt\nchown cirros /home/cirros/rebuilt\n');
    await os(['--os-compute-api-version', '2.57', 'server', 'rebuild', '--image', 'vm1-snap', '--user-data', userData, '--wait', 'vm1']);
    const rebuilt = await osJson<Row>(['server', 'show', 'vm1']);
    assert.equal(rebuilt.status, 'ACTIVE');
    assert.match(JSON.stringify(rebuilt.image), new RegExp(snapshot.id as string));
    const seen = await eventually('SSH after the rebuild', async () => (await ssh(fip, 'cat /home/cirros/rebuilt')).stdout.trim(), 180_000, 2000);
    assert.equal(seen, 'rebuilt from a snapshot');
    const actions = (await osJson<Row[]>(['server', 'event', 'list', 'vm1'])).map((a) => a.Action);
    for (const name of ['lock', 'unlock', 'pause', 'unpause', 'suspend', 'resume', 'createImage', 'rebuild']) assert.ok(actions.includes(name), `${name} in ${actions.join(',')}`);
  }

  /** The host of a server. */
  const hostOf = async (name: string) => (await osJson<Row>(['server', 'show', name]))['OS-EXT-SRV-ATTR:host'] as string;
  const instanceDirs = (host: string) => {
    const dir = join(cloud.dataDir, 'compute', host, 'instances');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const sshUp = (fip: string, what: string) => eventually(`SSH ${what}`, async () => ((await ssh(fip, 'echo up')).stdout.trim() === 'up' ? true : undefined), 180_000, 2000);

  /** Issue 7's moves and the rest of the actions on vm1 (see the header). */
  async function moves(id: string, fip: string): Promise<void> {
    await os(['flavor', 'create', '--vcpus', '2', '--ram', '256', '--disk', '1', 'm1.e2e2']);
    const memBefore = Number(/MemTotal:\s+(\d+)/.exec((await ssh(fip, 'cat /proc/meminfo')).stdout)?.[1]);
    const before = await hostOf('vm1');
    await os(['server', 'resize', '--flavor', 'm1.e2e2', '--wait', 'vm1']);
    assert.equal(await status('vm1'), 'VERIFY_RESIZE');
    await os(['server', 'resize', 'confirm', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    assert.notEqual(await hostOf('vm1'), before, 'resized onto the other host');
    await sshUp(fip, 'after the resize');
    assert.equal((await ssh(fip, 'grep -c ^processor /proc/cpuinfo')).stdout.trim(), '2', 'the guest sees 2 vCPUs');
    const memAfter = Number(/MemTotal:\s+(\d+)/.exec((await ssh(fip, 'cat /proc/meminfo')).stdout)?.[1]);
    assert.ok(memAfter > memBefore, `more RAM after the resize (${memBefore} → ${memAfter} kB)`);
    assert.ok(!instanceDirs(before).includes(id), 'the confirmed resize left nothing on the source');

    // Live migration with a ping every 200 ms through the floating IP.
    await ssh(fip, 'echo kept > /tmp/live-marker');
    const source = await hostOf('vm1');
    const pinger = execFile('ping', ['-i', '0.2', '-W', '1', fip]);
    let pings = '';
    pinger.stdout?.on('data', (d: Buffer) => { pings += d.toString(); });
    const t0 = Date.now();
    await os(['--os-compute-api-version', '2.25', 'server', 'migrate', '--live-migration', '--block-migration', 'vm1']);
    await eventually('live migration done', async () => {
      const row = await osJson<Row>(['server', 'show', 'vm1']);
      return row.status === 'ACTIVE' && row['OS-EXT-SRV-ATTR:host'] !== source ? true : undefined;
    }, 180_000, 500);
    const liveMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 3000));
    pinger.kill('SIGINT');
    await new Promise((r) => pinger.once('exit', r));
    const seqs = [...pings.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1]));
    const sent = Math.max(...seqs);
    const lost = sent - seqs.length;
    console.log(JSON.stringify({ liveMigrationMs: liveMs, pingsSent: sent, pingsLost: lost, lossMsAt200msInterval: lost * 200 }));
    assert.ok(lost <= 25, `at most 5 s of pings lost during the live migration (lost ${lost} of ${sent})`);
    assert.equal((await ssh(fip, 'cat /tmp/live-marker')).stdout.trim(), 'kept', 'RAM moved with the guest');
    await eventually('the source keeps nothing of the live-migrated guest', async () => (instanceDirs(source).includes(id) ? undefined : true), 30_000, 500);

    // Cold migration and revert: back where it was.
    const home = await hostOf('vm1');
    await os(['server', 'migrate', '--wait', 'vm1']);
    assert.equal(await status('vm1'), 'VERIFY_RESIZE');
    assert.notEqual(await hostOf('vm1'), home);
    await os(['server', 'resize', 'revert', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    assert.equal(await hostOf('vm1'), home, 'reverted onto the host it left');
    await sshUp(fip, 'after the revert');

    // Shelve (offloaded at once) and unshelve.
    await os(['server', 'shelve', 'vm1']);
    await reaches('vm1', 'SHELVED_OFFLOADED');
    for (const host of [`${sandbox}-host1`, `${sandbox}-host2`]) assert.ok(!instanceDirs(host).includes(id), `nothing of the offloaded server on ${host}`);
    await os(['server', 'unshelve', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    await sshUp(fip, 'after the unshelve');

    // Rescue: the rescue disk boots, the server's own disk is the second one.
    await os(['server', 'rescue', 'vm1']);
    await reaches('vm1', 'RESCUE');
    await sshUp(fip, 'into the rescued guest');
    assert.match((await ssh(fip, 'ls /dev/vdb')).stdout, /\/dev\/vdb/);
    await os(['server', 'unrescue', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    await sshUp(fip, 'after the unrescue');

    // A second NIC hot-plugged and removed.
    await os(['network', 'create', 'net2']);
    await os(['subnet', 'create', '--network', 'net2', '--subnet-range', '10.0.2.0/24', 'subnet2']);
    await os(['server', 'add', 'network', 'vm1', 'net2']);
    await eventually('eth1 in the guest', async () => ((await ssh(fip, 'cat /sys/class/net/eth1/address')).stdout.trim().length === 17 ? true : undefined), 60_000, 2000);
    await os(['server', 'remove', 'network', 'vm1', 'net2']);
    await eventually('eth1 gone from the guest', async () => ((await ssh(fip, 'ls /sys/class/net')).stdout.includes('eth1') ? undefined : true), 60_000, 2000);

    // The consoles.
    const novnc = await osJson<Row>(['console', 'url', 'show', '--novnc', 'vm1']);
    assert.match(String(novnc.url), /\/vnc_lite\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
    assert.equal((await fetch(String(novnc.url))).status, 200, 'the proxy serves the noVNC page');
    const serial = await osJson<Row>(['console', 'url', 'show', '--serial', 'vm1']);
    assert.match(String(serial.url), /^ws:\/\/.+\?token=[0-9a-f-]{36}$/);

    const actions = (await osJson<Row[]>(['server', 'event', 'list', id])).map((a) => a.Action as string);
    for (const name of ['resize', 'confirmResize', 'live-migration', 'migrate', 'revertResize', 'shelve', 'unshelve', 'rescue', 'unrescue', 'attach_interface', 'detach_interface']) {
      assert.ok(actions.includes(name), `${name} in ${actions.join(',')}`);
    }
  }

  test('boot, reach, act on and delete two servers', { timeout: 900_000 }, async () => {
    const services = await eventually('two nova-compute services up', async () => {
      const list = await osJson<Row[]>(['compute', 'service', 'list', '--service', 'nova-compute']);
      return list.filter((s) => s.State === 'up').length === 2 ? list : undefined;
    });
    assert.deepEqual(services.map((s) => s.Host).sort(), [`${sandbox}-host1`, `${sandbox}-host2`]);
    const image = await eventually('the bootstrap image', async () => {
      const img = await osJson<Row>(['image', 'show', 'nimbus-cirros']);
      return img.status === 'active' ? img : undefined;
    }, 300_000, 3000);
    assert.equal(image.disk_format, 'qcow2');

    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await os(['keypair', 'create', '--public-key', `${key}.pub`, 'k1']);
    await os(['network', 'create', 'net1']);
    await os(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', '--dns-nameserver', '10.0.0.1', 'subnet1']);
    await os(['router', 'create', 'router1']);
    await os(['router', 'set', '--external-gateway', 'public', 'router1']);
    await os(['router', 'add', 'subnet', 'router1', 'subnet1']);
    await os(['security', 'group', 'rule', 'create', '--protocol', 'icmp', 'default']);
    await os(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'default']);
    const userData = join(work, 'user-data.sh');
    writeFileSync(userData, '#!/bin/sh\necho "hello from user-data" > /home/cirros/user-data-ran\nchown cirros /home/cirros/user-data-ran\n');

    const t0 = Date.now();
    const vm1 = await osJson<Row>(['server', 'create', '--image', 'nimbus-cirros', '--flavor', 'm1.nano', '--network', 'net1', '--key-name', 'k1',
      '--user-data', userData, '--wait', 'vm1']);
    const activeMs = Date.now() - t0;
    assert.equal(vm1.status, 'ACTIVE', JSON.stringify(vm1));
    const vm2 = await osJson<Row>(['server', 'create', '--image', 'nimbus-cirros', '--flavor', 'm1.nano', '--network', 'net1', '--key-name', 'k1',
      '--hint', `different_host=${vm1.id}`, '--wait', 'vm2']);
    assert.equal(vm2.status, 'ACTIVE', JSON.stringify(vm2));
    const host1 = (await osJson<Row>(['server', 'show', 'vm1']))['OS-EXT-SRV-ATTR:host'];
    const host2 = (await osJson<Row>(['server', 'show', 'vm2']))['OS-EXT-SRV-ATTR:host'];
    assert.notEqual(host1, host2, 'the two servers run on different simulated hosts');

    const log = await eventually('console log with DHCP, metadata and ready', async () => {
      const text = await os(['console', 'log', 'show', 'vm1']);
      return /nimbus-init: ready/.test(text) ? text : undefined;
    }, 180_000, 2000);
    assert.match(log, /nimbus-init: dhcp ok 10\.0\.0\.\d+/);
    assert.match(log, /nimbus-init: metadata ok from/);
    assert.match(log, /nimbus-init: user-data script exit 0/);

    const fip = (await osJson<Row>(['floating', 'ip', 'create', 'public'])).floating_ip_address as string;
    await os(['server', 'add', 'floating', 'ip', 'vm1', fip]);
    const seen = await eventually('SSH through the floating IP', async () => (await ssh(fip, 'cat /home/cirros/user-data-ran')).stdout, 120_000, 2000);
    assert.equal(seen.trim(), 'hello from user-data');
    const vm2Ip = firstAddress((await osJson<Row>(['server', 'show', 'vm2'])).addresses);
    const ping = await ssh(fip, `ping -c 3 -W 2 ${vm2Ip}`);
    assert.match(ping.stdout, /3 packets received|3 received/);
    console.log(JSON.stringify({ serverCreateToActiveMs: activeMs }));

    await os(['server', 'stop', 'vm2']);
    await eventually('vm2 SHUTOFF', async () => ((await osJson<Row>(['server', 'show', 'vm2'])).status === 'SHUTOFF' ? true : undefined), 120_000);
    await os(['server', 'start', 'vm2']);
    await eventually('vm2 ACTIVE again', async () => ((await osJson<Row>(['server', 'show', 'vm2'])).status === 'ACTIVE' ? true : undefined), 120_000);
    await os(['server', 'reboot', '--hard', '--wait', 'vm1']);
    assert.equal((await osJson<Row>(['server', 'show', 'vm1'])).status, 'ACTIVE');
    await eventually('SSH after the reboot', async () => (await ssh(fip, 'echo back')).stdout.trim() === 'back' ? true : undefined, 180_000, 2000);
    await lifecycle(vm1.id as string, fip);
    await moves(vm1.id as string, fip);

    await os(['server', 'delete', '--wait', 'vm1', 'vm2']);
    await os(['image', 'delete', 'vm1-snap']);
    await os(['network', 'delete', 'net2']);
    assert.deepEqual(await osJson<Row[]>(['server', 'list']), []);
    const ports = await osJson<Row[]>(['port', 'list', '--device-owner', 'compute:nova']);
    assert.deepEqual(ports, [], 'no compute port left');
    const computeDir = join(cloud.dataDir, 'compute');
    for (const host of existsSync(computeDir) ? readdirSync(computeDir) : []) {
      const pids = join(computeDir, host, 'pids');
      assert.deepEqual(existsSync(pids) ? readdirSync(pids).filter((f) => f.startsWith('qemu-')) : [], [], `no QEMU pidfile left on ${host}`);
      const instances = join(computeDir, host, 'instances');
      assert.deepEqual(existsSync(instances) ? readdirSync(instances) : [], [], `no instance directory left on ${host}`);
    }
    for (const host of [1, 2]) {
      // Guests' NICs are tun/tap devices; the taps left are the veths of DHCP and router ports.
      const { stdout } = await run('ip', ['-n', `nimbus-${sandbox}-h${host}`, '-j', '-d', 'link', 'show']);
      const taps = (JSON.parse(stdout) as Row[]).filter((l) => l.linkinfo?.info_kind === 'tun').map((l) => l.ifname);
      assert.deepEqual(taps, [], `no guest tap left on host${host}`);
    }
    const usages = await eventually('no allocation left', async () => {
      const token = (await osJson<Row>(['token', 'issue'])).id as string;
      const res = await fetch(`${cloud.placementUrl}/usages?project_id=${encodeURIComponent((await osJson<Row>(['project', 'show', 'admin'])).id)}`,
        { headers: { 'x-auth-token': token, 'openstack-api-version': 'placement 1.9' } });
      const body = await res.json() as { usages: Record<string, number> };
      return Object.values(body.usages).every((v) => v === 0) ? body.usages : undefined;
    }, 30_000);
    assert.ok(usages);
  });
});
