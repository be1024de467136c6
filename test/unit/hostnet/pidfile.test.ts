import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPidfile, removePidfile, writePidfile } from '../../../src/hostnet/pidfile.js';
import { procIdentity, sameArgv, splitCmdline } from '../../../src/hostnet/procfs.js';

test('pidfile round trip: pid on line 1, identity on line 2; bare pids have no argv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-pidfile-'));
  try {
    const path = join(dir, 'pids', 'dhcp.pid');
    await writePidfile(path, { pid: 4242, argv: ['dnsmasq', '-k'], netns: 'nimbus-x', starttime: '99' });
    assert.equal(readFileSync(path, 'utf8').split('\n')[0], '4242');
    assert.deepEqual(await readPidfile(path), { pid: 4242, argv: ['dnsmasq', '-k'], netns: 'nimbus-x', starttime: '99' });
    writeFileSync(path, '777\n');
    assert.deepEqual(await readPidfile(path), { pid: 777 });
    writeFileSync(path, 'garbage');
    assert.equal(await readPidfile(path), undefined);
    await removePidfile(path);
    await removePidfile(path);
    assert.equal(await readPidfile(path), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cmdline splitting and our own identity from /proc', async () => {
  assert.deepEqual(splitCmdline('sleep\x0030\x00'), ['sleep', '30']);
  assert.deepEqual(splitCmdline('a\x00\x00b\x00'), ['a', '', 'b']);
  assert.ok(sameArgv(['a', 'b'], ['a', 'b']));
  assert.ok(!sameArgv(['a', 'b'], ['a', 'b', 'c']));
  const me = await procIdentity(process.pid);
  assert.ok(me);
  assert.deepEqual(me.argv, splitCmdline(readFileSync('/proc/self/cmdline', 'utf8')));
  assert.match(me.starttime, /^\d+$/);
  assert.equal(await procIdentity(1), undefined, 'pid 1 is never a daemon of ours');
  assert.equal(await procIdentity(2 ** 22 + 1), undefined);
});
