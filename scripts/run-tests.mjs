#!/usr/bin/env node
// Runs the compiled tests with node's test runner in phases, then prints one closing tally.
//   node scripts/run-tests.mjs [unit|integration|e2e ...]   (default: all three)
// Phase "sqlite" runs the chosen suites; phase "postgres" runs the database-backed integration
// tests (identity, image) again on PostgreSQL when NIMBUS_TEST_DATABASE_URL is set (scripts/test.sh sets it).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function testFiles(dir) {
  let entries = [];
  try { entries = readdirSync(dir).sort(); } catch { return []; }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const pgUrl = process.env.NIMBUS_TEST_DATABASE_URL;
const baseEnv = { ...process.env };
delete baseEnv.NIMBUS_TEST_DATABASE_URL;
const phases = [{ name: 'sqlite', files: chosen.flatMap((s) => testFiles(join('dist', 'test', s))), env: baseEnv }];
if (pgUrl && chosen.includes('integration')) {
  // Every service whose tests run on a database gets its integration tests run again on PostgreSQL.
  const databaseSuites = ['identity', 'image', 'network', 'compute', 'placement'].flatMap((service) => testFiles(join('dist', 'test', 'integration', service)))
    .filter((file) => !/store-/.test(file));
  phases.push({ name: 'postgres', files: databaseSuites, env: { ...baseEnv, NIMBUS_TEST_DATABASE_URL: pgUrl } });
}

const work = mkdtempSync(join(tmpdir(), 'nimbus-tests-'));
const total = { pass: 0, fail: 0, skipped: 0 };
let failedToRun = false;
for (const phase of phases) {
  if (phase.files.length === 0) {
    console.error(`run-tests: phase ${phase.name} has no compiled test files (run npm run build)`);
    failedToRun = true;
    continue;
  }
  console.log(`\n=== phase ${phase.name}: ${phase.files.length} files ===`);
  const tap = join(work, `${phase.name}.tap`);
  // Integration tests share kernel and daemon state: one file at a time.
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...phase.files], { stdio: 'inherit', env: phase.env });
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { failedToRun = true; }
  const count = (key) => Number(/^# (\w+) (\d+)$/m.test(text) ? (text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0) : 0);
  const phaseTally = { pass: count('pass'), fail: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
  console.log(`phase ${phase.name}: ${phaseTally.pass} passed, ${phaseTally.fail} failed, ${phaseTally.skipped} skipped`);
  for (const key of Object.keys(total)) total[key] += phaseTally[key];
  if (result.status !== 0 && phaseTally.fail === 0) { total.fail += 1; failedToRun = true; }
}
rmSync(work, { recursive: true, force: true });
console.log(`${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(total.fail > 0 || failedToRun ? 1 : 0);
