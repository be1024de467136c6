// The conductor's instance_update parser is the gate every agent report goes through: each task
// state the API claims and the agent moves through must pass it (a refused one leaves a server
// stuck in its task, as pausing once did), and anything else must not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInstanceUpdate } from '../../../src/compute/conductor/instance-protocol.js';

const UUID = '0d4e2c6a-5b7f-4e3a-9c1d-2f8e6a4b0c9d';

/** Task states written as string literals in expected lists and updates of the agent and the API. */
function taskStatesInSource(): string[] {
  const root = process.cwd();
  const files = ['src/compute/agent/manager.ts', 'src/compute/api/server-action-routes.ts', 'src/compute/domain/servers/rebuild.ts', 'src/compute/domain/servers/snapshot.ts',
    'src/compute/domain/servers/rescue.ts', 'src/compute/agent/rescue-ops.ts',
    'src/compute/domain/servers/admin-password.ts', 'src/compute/agent/password-ops.ts', 'src/compute/api/server-backup-routes.ts'];
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:task_state: |taskState: |toTask: |fromTask: \[[^\]]*?)'([a-z_-]+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/\], \[((?:'[a-z_-]+'(?:, )?)+)\]\)/g)) for (const s of m[1]!.matchAll(/'([a-z_-]+)'/g)) found.add(s[1]!);
  }
  return [...found];
}

describe('task states through the conductor', () => {
  it('accepts every task state the API and the agent use, as update and as expectation', () => {
    const states = taskStatesInSource();
    for (const s of ['pausing', 'suspending', 'image_snapshot_pending', 'image_uploading', 'rebuilding', 'rescuing', 'unrescuing', 'updating_password', 'image_backup']) assert.ok(states.includes(s), `found ${s} in the sources`);
    for (const state of states) {
      const parsed = parseInstanceUpdate({ uuid: UUID, host: 'h1', updates: { task_state: state }, expected_task_state: [state, null] });
      assert.equal(parsed.updates.task_state, state);
    }
  });

  it('refuses a task state Nova does not have', () => {
    assert.throws(() => parseInstanceUpdate({ uuid: UUID, host: 'h1', updates: { task_state: 'dancing' } }), /task_state must be a task state/);
    assert.throws(() => parseInstanceUpdate({ uuid: UUID, host: 'h1', updates: {}, expected_task_state: ['dancing'] }), /expected_task_state/);
  });
});
