// Issue 7's first actions on a real guest, with Debian's `openstack` client against the
// all-in-one as root (one simulated host, the uplink for SSH through a floating IP):
//   lock   the owner's stop is refused while locked (with a reason, 2.73), accepted after unlock;
//   pause  the guest stops answering SSH and answers again after unpause, without a reboot;
//   suspend  the host keeps no QEMU for it, only its saved state; after resume the guest answers
//          SSH and still holds a file it wrote to its RAM (tmpfs) before — memory came back from disk.
// Then delete leaves no QEMU pidfile, instance directory (saved state included), port or tap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listNetns } from '../../src/hostnet/index.js';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';
import { eventually } from '../support/eventually.js';
import { computeE2eSkip, destroySandbox, guestSsh, sandboxEnv } from '../support/guest-sandbox.js';

const run = promisify(execFile);
type Row = Record<string, any>;

describe('server lifecycle actions with the real openstack client', { skip: computeE2eSkip }, () => {
  const sandbox = `l${process.pid % 10000}`;
  const env = sandboxEnv(sandbox, 1, true);
  const work = mkdtempSync(join(tmpdir(), 'nimbus-e2e-lifecycle-'));
  const key = join(work, 'k1');
  let cloud: AllInOne;
  const destroy = () => destroySandbox(env);
  const os = (args: string[]) => cloud.openstack(args);
  const osJson = <T = Row>(args: string[]) => cloud.openstackJson<T>(args);
  const ssh = guestSsh(key, { connectTimeoutS: 4, timeoutMs: 20_000 });
  const status = async (name: string) => (await osJson<Row>(['server', 'show', name])).status as string;
  const reaches = (name: string, wanted: string) => eventually(`${name} ${wanted}`, async () => ((await status(name)) === wanted ? true : undefined), 180_000, 1000);
  const readyCount = async (name: string) => ((await os(['console', 'log', 'show', name])).match(/nimbus-init: ready/g) ?? []).length;

  before(async () => {
    await destroy();
    cloud = await startAllInOne(env);
  });
  after(async () => {
    if (cloud) {
      await os(['server', 'unlock', 'vm1']).catch(() => undefined);
      await os(['server', 'delete', '--wait', 'vm1']).catch(() => undefined);
      await cloud.stop();
    }
    await destroy();
    rmSync(work, { recursive: true, force: true });
    const left = (await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`));
    assert.deepEqual(left, [], 'sandbox destroy leaves no namespace');
  });

  test('lock, pause and suspend a guest, and see it from outside', { timeout: 900_000 }, async () => {
    await eventually('the nova-compute service up', async () => {
      const list = await osJson<Row[]>(['compute', 'service', 'list', '--service', 'nova-compute']);
      return list.some((s) => s.State === 'up') ? true : undefined;
    });
    await eventually('the bootstrap image', async () => ((await osJson<Row>(['image', 'show', 'nimbus-cirros'])).status === 'active' ? true : undefined), 300_000, 3000);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await os(['keypair', 'create', '--public-key', `${key}.pub`, 'k1']);
    await os(['network', 'create', 'net1']);
    await os(['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', 'subnet1']);
    await os(['router', 'create', 'router1']);
    await os(['router', 'set', '--external-gateway', 'public', 'router1']);
    await os(['router', 'add', 'subnet', 'router1', 'subnet1']);
    await os(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'default']);
    const vm = await osJson<Row>(['server', 'create', '--image', 'nimbus-cirros', '--flavor', 'm1.nano', '--network', 'net1', '--key-name', 'k1', '--wait', 'vm1']);
    assert.equal(vm.status, 'ACTIVE');
    const fip = (await osJson<Row>(['floating', 'ip', 'create', 'public'])).floating_ip_address as string;
    await os(['server', 'add', 'floating', 'ip', 'vm1', fip]);
    await eventually('SSH through the floating IP', async () => ((await ssh(fip, 'echo up')).stdout.trim() === 'up' ? true : undefined), 180_000, 2000);
    assert.equal(await readyCount('vm1'), 1);

    // lock: the owner (admin's project here, but locked by the owner) cannot stop it; unlock.
    await os(['--os-compute-api-version', '2.73', 'server', 'lock', '--reason', 'e2e maintenance', 'vm1']);
    const locked = await osJson<Row>(['--os-compute-api-version', '2.73', 'server', 'show', 'vm1']);
    assert.equal(String(locked.locked), 'True');
    assert.equal(locked.locked_reason, 'e2e maintenance');
    await os(['server', 'unlock', 'vm1']);
    assert.equal(String((await osJson<Row>(['--os-compute-api-version', '2.9', 'server', 'show', 'vm1'])).locked), 'False');

    // pause: no answer while paused, the same boot afterwards.
    await ssh(fip, 'echo before-pause > /tmp/marker');
    await os(['server', 'pause', 'vm1']);
    await reaches('vm1', 'PAUSED');
    await assert.rejects(ssh(fip, 'echo should-not-answer'), 'a paused guest does not answer');
    await os(['server', 'unpause', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    await eventually('SSH after unpause', async () => ((await ssh(fip, 'cat /tmp/marker')).stdout.trim() === 'before-pause' ? true : undefined), 60_000, 1000);

    // suspend: the state on disk, no QEMU; resume brings the RAM back (the tmpfs marker).
    await ssh(fip, 'echo before-suspend > /tmp/marker');
    await os(['server', 'suspend', 'vm1']);
    await reaches('vm1', 'SUSPENDED');
    const host = join(cloud.dataDir, 'compute', readdirSync(join(cloud.dataDir, 'compute'))[0]!);
    assert.ok(existsSync(join(host, 'instances', vm.id, 'suspend.state')), 'the saved state is on the host');
    assert.deepEqual(readdirSync(join(host, 'pids')).filter((f) => f.includes(vm.id)), [], 'no QEMU runs for a suspended guest');
    await assert.rejects(ssh(fip, 'echo should-not-answer'), 'a suspended guest does not answer');
    await os(['server', 'resume', 'vm1']);
    await reaches('vm1', 'ACTIVE');
    const marker = await eventually('SSH after resume', async () => (await ssh(fip, 'cat /tmp/marker')).stdout.trim(), 60_000, 1000);
    assert.equal(marker, 'before-suspend', 'the guest memory came back from disk');
    assert.equal(existsSync(join(host, 'instances', vm.id, 'suspend.state')), false, 'the saved state is removed once loaded');
    assert.equal(await readyCount('vm1'), 1, 'no reboot happened');

    const actions = (await osJson<Row[]>(['server', 'event', 'list', 'vm1'])).map((a) => a.Action);
    for (const name of ['lock', 'unlock', 'pause', 'unpause', 'suspend', 'resume']) assert.ok(actions.includes(name), `${name} in ${actions.join(',')}`);

    await os(['server', 'delete', '--wait', 'vm1']);
    assert.deepEqual(existsSync(join(host, 'instances')) ? readdirSync(join(host, 'instances')) : [], [], 'no instance directory left');
    assert.deepEqual(readdirSync(join(host, 'pids')).filter((f) => f.startsWith('qemu-')), [], 'no QEMU pidfile left');
    assert.deepEqual(await osJson<Row[]>(['port', 'list', '--device-owner', 'compute:nova']), [], 'no compute port left');
  });
});
