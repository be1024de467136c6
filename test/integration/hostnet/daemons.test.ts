import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemons, HostnetError, deleteNetns, ensureNetns, netnsPids, type DaemonSpec } from '../../../src/hostnet/index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';
const ns = `nimbus-t${process.pid}-d`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it is dead for our purposes.
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('Daemons: detached helpers with re-adoption', { skip }, () => {
  let stateDir = '';
  const ids = ['sleeper', 'bad', 'missing', 'stale', 'stubborn'];

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-daemons-'));
    await ensureNetns(ns);
  });
  after(async () => {
    const d = new Daemons(stateDir);
    for (const id of ids) await d.stop(id, 1000).catch(() => undefined);
    await deleteNetns(ns);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts in a namespace, is re-adopted by a new instance, restarts on a new spec, stops', async () => {
    const spec: DaemonSpec = { id: 'sleeper', netns: ns, command: 'sleep', args: ['30'], logFile: join(stateDir, 'logs', 'sleeper.log') };
    const first = await new Daemons(stateDir).ensure(spec);
    assert.equal(first.started, true);
    assert.equal(readFileSync(`/proc/${first.pid}/cmdline`, 'utf8'), 'sleep\x0030\x00');
    assert.equal(statSync(`/proc/${first.pid}/ns/net`).ino, statSync(`/run/netns/${ns}`).ino);
    assert.ok((await netnsPids(ns)).includes(first.pid));
    assert.ok(existsSync(join(stateDir, 'logs', 'sleeper.log')));

    const d = new Daemons(stateDir); // as after an agent restart
    assert.deepEqual(await d.ensure(spec), { pid: first.pid, started: false });
    assert.deepEqual(await d.running(), ['sleeper']);
    assert.equal(await d.signal('sleeper', 'SIGCONT'), true);

    const changed = await d.ensure({ ...spec, args: ['31'] });
    assert.equal(changed.started, true);
    assert.notEqual(changed.pid, first.pid);
    assert.equal(alive(first.pid), false, 'the daemon from the old spec was stopped');

    await d.stop('sleeper');
    assert.equal(alive(changed.pid), false);
    assert.equal(existsSync(join(stateDir, 'pids', 'sleeper.pid')), false);
    assert.deepEqual(await d.running(), []);
    assert.equal(await d.signal('sleeper', 'SIGTERM'), false);
    await d.stop('sleeper');
  });

  it('reports a daemon that dies at startup, with the tail of its log', async () => {
    const d = new Daemons(stateDir);
    const logFile = join(stateDir, 'logs', 'bad.log');
    const error = await d.ensure({ id: 'bad', netns: ns, command: 'sleep', args: ['--no-such-flag'], logFile }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof HostnetError);
    assert.match(error.message, /daemon bad \(sleep --no-such-flag\) exited with code 1: .*(unrecognized|invalid|usage)/is);
    assert.equal(existsSync(join(stateDir, 'pids', 'bad.pid')), false);
    const missing = await d.ensure({ id: 'missing', netns: ns, command: 'nimbus-no-such-program', args: [] }).then(() => undefined, (e: unknown) => e);
    assert.ok(missing instanceof HostnetError);
    assert.match(missing.message, /nimbus-no-such-program\) exited with code [1-9]/);
    await assert.rejects(d.ensure({ id: '../x', command: 'sleep', args: ['1'] }), /invalid daemon id/);
  });

  it('never adopts, signals or kills an unrelated process behind a stale pidfile', async () => {
    const d = new Daemons(stateDir);
    const pidfile = join(stateDir, 'pids', 'stale.pid');
    mkdirSync(join(stateDir, 'pids'), { recursive: true });
    const ownArgv = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter((_, i, all) => i < all.length - 1);
    const stale = [
      `${process.pid}\n`, // bare pid: unverifiable
      `${process.pid}\n${JSON.stringify({ argv: ['sleep', '30'], netns: ns })}\n`, // pid reused by another program
      `${process.pid}\n${JSON.stringify({ argv: ownArgv, starttime: '1' })}\n`, // same argv, different start time
    ];
    for (const content of stale) {
      writeFileSync(pidfile, content);
      assert.deepEqual(await d.running(), []);
      assert.equal(await d.signal('stale', 'SIGTERM'), false);
      await d.stop('stale', 100);
      assert.equal(existsSync(pidfile), false);
    }
    writeFileSync(pidfile, stale[1]!);
    const started = await d.ensure({ id: 'stale', netns: ns, command: 'sleep', args: ['30'] });
    assert.equal(started.started, true);
    assert.notEqual(started.pid, process.pid);
    await d.stop('stale');
    assert.equal(alive(started.pid), false);
    assert.ok(alive(process.pid), 'still here');
  });

  it('kills a daemon that ignores SIGTERM once the timeout passes', async () => {
    const d = new Daemons(stateDir);
    const logFile = join(stateDir, 'logs', 'stubborn.log');
    const script = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);";
    const { pid } = await d.ensure({ id: 'stubborn', command: process.execPath, args: ['-e', script], logFile });
    for (let i = 0; i < 100 && !readFileSync(logFile, 'utf8').includes('ready'); i++) await sleep(20);
    const t0 = Date.now();
    await d.stop('stubborn', 300);
    assert.ok(Date.now() - t0 >= 300, 'TERM was ignored, so stop waited for the timeout');
    assert.equal(alive(pid), false);
  });
});
