// The guest agent client against a fake qemu-ga on a unix socket: guest-sync first (stale lines
// of an earlier client skipped), the password base64 on the wire, the agent's errors, a guest
// without an agent (no answer: the deadline) and a missing socket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestAgentError, guestAgentCommand, setGuestUserPassword } from '../../../src/compute/virt/guest-agent.js';
import { startFakeGuestAgent, syncThen, type GuestAgentBehaviour } from '../../support/fake-guest-agent.js';

describe('QEMU guest agent client', () => {
  let dir = '';
  const servers: Server[] = [];
  before(() => { dir = mkdtempSync(join(tmpdir(), 'nimbus-qga-')); });
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (name: string, behaviour: GuestAgentBehaviour) => {
    const path = join(dir, name);
    const agent = await startFakeGuestAgent(path, behaviour);
    servers.push(agent.server);
    return { path, got: agent.got };
  };

  it('syncs, then sets the user password (base64, not crypted)', async () => {
    const { path, got } = await start('ok.sock', syncThen(() => ({ return: {} })));
    await setGuestUserPassword(path, 'root', 'pässw0rd', 2000);
    assert.equal(got[0]!.execute, 'guest-sync');
    assert.equal(typeof got[0]!.arguments.id, 'number');
    assert.deepEqual(got[1], { execute: 'guest-set-user-password', arguments: { username: 'root', password: Buffer.from('pässw0rd').toString('base64'), crypted: false } });
    assert.deepEqual(await guestAgentCommand(path, 'guest-info', {}, 2000), {});
  });

  it('turns the agent\'s error answer into a GuestAgentError with its class', async () => {
    const { path } = await start('err.sock', syncThen(() => ({ error: { class: 'GenericError', desc: 'chpasswd failed' } })));
    await assert.rejects(setGuestUserPassword(path, 'root', 'x', 2000), (err: unknown) =>
      err instanceof GuestAgentError && err.errorClass === 'GenericError' && /chpasswd failed/.test(err.message));
  });

  it('gives up on a guest without an agent, and on a missing socket', async () => {
    const { path } = await start('silent.sock', () => undefined);
    const t0 = Date.now();
    await assert.rejects(setGuestUserPassword(path, 'root', 'x', 300), /did not answer guest-sync within 300 ms/);
    assert.ok(Date.now() - t0 < 2000);
    await assert.rejects(setGuestUserPassword(join(dir, 'missing.sock'), 'root', 'x', 300), /guest agent socket .*ENOENT/);
  });
});
