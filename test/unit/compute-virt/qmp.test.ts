// The QMP client against a fake QEMU monitor on a unix socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QmpClient, QmpConnectionError, QmpError } from '../../../src/compute/virt/qmp.js';

const GREETING = { QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'fake' }, capabilities: ['oob'] } };

interface Fake { server: Server; path: string; received: Record<string, any>[]; sockets: Socket[]; close(): Promise<void> }

/** A fake monitor: greeting, qmp_capabilities gate, query-status, an event trigger, a silent command, a hang-up. */
async function fakeQemu(path: string, options: { greeting?: string | null; delayGreetingMs?: number } = {}): Promise<Fake> {
  const received: Record<string, any>[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let negotiated = false;
    let buffer = '';
    const send = (msg: unknown): void => { socket.write(`${JSON.stringify(msg)}\r\n`); };
    const greet = (): void => {
      if (options.greeting === null) return;
      socket.write(options.greeting ?? `${JSON.stringify(GREETING)}\r\n`);
    };
    if (options.delayGreetingMs) setTimeout(greet, options.delayGreetingMs); else greet();
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, nl)) as Record<string, any>;
        buffer = buffer.slice(nl + 1);
        received.push(msg);
        const id = msg.id;
        if (msg.execute === 'qmp_capabilities') { negotiated = true; send({ return: {}, id }); continue; }
        if (!negotiated) { send({ error: { class: 'CommandNotFound', desc: 'Expecting capabilities negotiation with \'qmp_capabilities\'' }, id }); continue; }
        switch (msg.execute) {
          case 'query-status':
            // Two events and an answer in one write, split oddly: the client must reassemble lines.
            socket.write(`{"event": "RESUME", "timestamp": {"seconds": 1, "microseconds": 2}}\r\n{"return": {"status": "running", "running": true, "singlestep": false}, "id": ${JSON.stringify(id)}}\r\n`);
            break;
          case 'system_powerdown':
            send({ return: {}, id });
            setTimeout(() => send({ event: 'POWERDOWN', timestamp: { seconds: 3, microseconds: 0 } }), 20);
            setTimeout(() => send({ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' }, timestamp: { seconds: 4, microseconds: 0 } }), 40);
            break;
          case 'echo-args':
            send({ return: msg.arguments ?? null, id });
            break;
          case 'never-answers':
            break;
          case 'hang-up':
            socket.destroy();
            break;
          default:
            send({ error: { class: 'CommandNotFound', desc: `The command ${msg.execute} has not been found` }, id });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    server, path, received, sockets,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('QMP client', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'nimbus-qmp-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reads the greeting, negotiates capabilities, executes with ids and arguments', async () => {
    const fake = await fakeQemu(join(dir, 'a.sock'));
    const qmp = await QmpClient.connect(fake.path);
    try {
      assert.equal(qmp.greeting.version.qemu.major, 7);
      assert.deepEqual(qmp.greeting.capabilities, ['oob']);
      assert.deepEqual(fake.received[0], { execute: 'qmp_capabilities', id: 'nimbus-1' });
      const status = await qmp.execute<{ status: string }>('query-status');
      assert.equal(status.status, 'running');
      assert.deepEqual(await qmp.execute('echo-args', { device: 'nic0', n: 1 }), { device: 'nic0', n: 1 });
      const ids = fake.received.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, 'every command has its own id');
      assert.deepEqual(fake.received[2], { execute: 'echo-args', arguments: { device: 'nic0', n: 1 }, id: 'nimbus-3' });
      // Concurrent commands are matched by id.
      const [s1, e1, s2] = await Promise.all([qmp.execute<{ status: string }>('query-status'), qmp.execute('echo-args', { x: 1 }), qmp.execute<{ status: string }>('query-status')]);
      assert.equal(s1.status, 'running');
      assert.deepEqual(e1, { x: 1 });
      assert.equal(s2.status, 'running');
    } finally {
      qmp.close();
      await fake.close();
    }
  });

  it('error answers reject with QmpError (class and description)', async () => {
    const fake = await fakeQemu(join(dir, 'b.sock'));
    const qmp = await QmpClient.connect(fake.path);
    try {
      await assert.rejects(qmp.execute('no-such-command'), (error: unknown) => {
        assert.ok(error instanceof QmpError);
        assert.equal(error.errorClass, 'CommandNotFound');
        assert.equal(error.command, 'no-such-command');
        assert.match(error.message, /has not been found/);
        return true;
      });
      assert.equal((await qmp.execute<{ status: string }>('query-status')).status, 'running', 'still usable after an error');
    } finally {
      qmp.close();
      await fake.close();
    }
  });

  it('delivers events, and waitForEvent resolves on the matching one', async () => {
    const fake = await fakeQemu(join(dir, 'c.sock'));
    const qmp = await QmpClient.connect(fake.path);
    try {
      const events: string[] = [];
      qmp.on('event', (e: { event: string }) => events.push(e.event));
      const shutdown = qmp.waitForEvent('SHUTDOWN', 2000, (e) => e.data?.guest === true);
      await qmp.execute('system_powerdown');
      const event = await shutdown;
      assert.equal(event.data?.reason, 'guest-shutdown');
      assert.deepEqual(event.timestamp, { seconds: 4, microseconds: 0 });
      await qmp.execute('query-status');
      assert.deepEqual(events, ['POWERDOWN', 'SHUTDOWN', 'RESUME']);
      await assert.rejects(qmp.waitForEvent('NEVER', 50), /no QMP NEVER event within 50 ms/);
    } finally {
      qmp.close();
      await fake.close();
    }
  });

  it('a command without an answer times out; a late answer is ignored', async () => {
    const fake = await fakeQemu(join(dir, 'd.sock'));
    const qmp = await QmpClient.connect(fake.path);
    try {
      const t0 = Date.now();
      await assert.rejects(qmp.execute('never-answers', undefined, { timeoutMs: 100 }), (error: unknown) => error instanceof QmpConnectionError && /no answer within 100 ms/.test(error.message));
      assert.ok(Date.now() - t0 < 1000);
      assert.equal((await qmp.execute<{ status: string }>('query-status')).status, 'running');
    } finally {
      qmp.close();
      await fake.close();
    }
  });

  it('the peer hanging up rejects pending commands and later ones, and resolves closed', async () => {
    const fake = await fakeQemu(join(dir, 'e.sock'));
    const qmp = await QmpClient.connect(fake.path);
    try {
      const pending = qmp.execute('never-answers', undefined, { timeoutMs: 5000 });
      const waiting = qmp.waitForEvent('SHUTDOWN', 5000);
      await assert.rejects(qmp.execute('hang-up'), QmpConnectionError);
      await assert.rejects(pending, /connection closed/);
      await assert.rejects(waiting, /closed while waiting/);
      await qmp.closed;
      assert.equal(qmp.isClosed, true);
      await assert.rejects(qmp.execute('query-status'), QmpConnectionError);
    } finally {
      qmp.close();
      await fake.close();
    }
  });

  it('close() by the client rejects pending commands; the server sees the disconnect', async () => {
    const fake = await fakeQemu(join(dir, 'f.sock'));
    const qmp = await QmpClient.connect(fake.path);
    const pending = qmp.execute('never-answers');
    const gone = new Promise((resolve) => fake.sockets[0]!.once('close', resolve));
    qmp.close();
    await assert.rejects(pending, QmpConnectionError);
    await gone;
    await fake.close();
  });

  it('connect: no socket → error at once; with retry it waits for the socket to appear', async () => {
    const path = join(dir, 'g.sock');
    await assert.rejects(QmpClient.connect(path, { timeoutMs: 200 }), (error: unknown) => error instanceof QmpConnectionError && /ENOENT/.test(error.message));
    const t0 = Date.now();
    await assert.rejects(QmpClient.connect(path, { timeoutMs: 300, retry: true }), QmpConnectionError);
    assert.ok(Date.now() - t0 >= 250, 'retried until the deadline');
    let fake: Fake | undefined;
    setTimeout(() => { void fakeQemu(path).then((f) => { fake = f; }); }, 150);
    const qmp = await QmpClient.connect(path, { timeoutMs: 3000, retry: true });
    assert.equal(qmp.greeting.version.package, 'fake');
    qmp.close();
    await fake?.close();
  });

  it('connect: no greeting (another client holds the monitor) or a non-QMP greeting fail within the timeout', async () => {
    const silent = await fakeQemu(join(dir, 'h.sock'), { greeting: null });
    await assert.rejects(QmpClient.connect(silent.path, { timeoutMs: 150 }), /no greeting within/);
    await silent.close();
    const wrong = await fakeQemu(join(dir, 'i.sock'), { greeting: '{"hello": 1}\n' });
    await assert.rejects(QmpClient.connect(wrong.path, { timeoutMs: 1000 }), /not a QMP greeting/);
    await wrong.close();
    const slow = await fakeQemu(join(dir, 'j.sock'), { delayGreetingMs: 100 });
    const qmp = await QmpClient.connect(slow.path, { timeoutMs: 2000 });
    assert.equal(qmp.greeting.version.qemu.minor, 2);
    qmp.close();
    await slow.close();
  });
});
