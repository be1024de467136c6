// The Tempest tests the OpenStack interoperability guideline requires, for every service Nimbus
// has, run by Debian's Tempest through the project's own runner against a real all-in-one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';

const run = promisify(execFile);
// Lockout and password history on, so the security-compliance tests run instead of skipping.
const COMPLIANCE = { NIMBUS_IDENTITY_LOCKOUT_FAILURE_ATTEMPTS: '2', NIMBUS_IDENTITY_LOCKOUT_DURATION: '5', NIMBUS_IDENTITY_UNIQUE_LAST_PASSWORD_COUNT: '2' };

describe('Tempest: interop-required tests', () => {
  let cloud: AllInOne;
  before(async () => { cloud = await startAllInOne(COMPLIANCE); });
  after(async () => cloud?.stop());

  for (const service of ['identity', 'image', 'network']) {
    test(`every required ${service} test passes`, { timeout: 15 * 60_000 }, async () => {
      const list = `scripts/tempest/${service}-interop.txt`;
      const expected = readFileSync(list, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
      let output: string;
      try {
        // Debian's Tempest sleeps 10 s before every subnet delete: more workers, each free to take any
        // test of a class, hide the wait (NetworksTest alone has 19 tests).
        const spread = service === 'network' ? ['--concurrency', '8', '--split-classes'] : ['--concurrency', '2'];
        ({ stdout: output } = await run('bash', ['scripts/tempest/run.sh', '--load-list', list, ...spread], {
          env: { ...cloud.env, ...COMPLIANCE, NIMBUS_TEMPEST_CLEAN: '1' }, timeout: 14 * 60_000, maxBuffer: 16 * 1024 * 1024,
        }));
      } catch (err) {
        output = (err as { stdout?: string }).stdout ?? String(err);
      }
      const tally = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(output);
      assert.ok(tally, `no tally in tempest output:\n${output.slice(-3000)}`);
      assert.deepEqual({ passed: Number(tally[1]), failed: Number(tally[2]), skipped: Number(tally[3]) },
        { passed: expected, failed: 0, skipped: 0 }, output.slice(-5000));
    });
  }
});
