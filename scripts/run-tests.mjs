#!/usr/bin/env node
// Runs the compiled tests with node's test runner in phases on two lanes at once, then prints one
// closing tally.
//   node scripts/run-tests.mjs [unit|integration|e2e ...]   (default: all three)
//   NIMBUS_TEST_SERIAL=1: one lane after the other instead of both at once.
// Lane "kernel" holds the files that own kernel state or real guests (namespaces, the sandbox and
// its uplink, QEMU): one file at a time, as they share the machine. Lane "api" holds the rest —
// unit tests, tests through inject() on a database, all-in-ones without a data plane — and then
// phase "postgres": the database-backed integration tests again on PostgreSQL when
// NIMBUS_TEST_DATABASE_URL is set (scripts/test.sh sets it). The kernel lane mostly waits on
// guests and agents, so the api lane's work fits beside it on two cores.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];
const serial = process.env.NIMBUS_TEST_SERIAL === '1';
/** Files that touch the kernel, the uplink or QEMU (docs/testing.md lists what each does). */
const KERNEL_FILE = /[/\\](integration[/\\](dataplane|hostnet|compute-agent|compute-guest|compute-virt)[/\\]|e2e[/\\](compute-|dataplane-|tempest-compute))/;

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
const sqliteFiles = chosen.flatMap((s) => testFiles(join('dist', 'test', s)));
const kernelPhase = { name: 'sqlite-kernel', files: sqliteFiles.filter((f) => KERNEL_FILE.test(f)), env: baseEnv };
const apiPhases = [{ name: 'sqlite', files: sqliteFiles.filter((f) => !KERNEL_FILE.test(f)), env: baseEnv }];
if (pgUrl && chosen.includes('integration')) {
  // Every service whose tests run on a database gets its integration tests run again on PostgreSQL.
  const databaseSuites = ['identity', 'image', 'network', 'compute', 'placement'].flatMap((service) => testFiles(join('dist', 'test', 'integration', service)))
    .filter((file) => !/store-/.test(file));
  apiPhases.push({ name: 'postgres', files: databaseSuites, env: { ...baseEnv, NIMBUS_TEST_DATABASE_URL: pgUrl } });
}
const lanes = [[kernelPhase], apiPhases].map((phases) => phases.filter((p) => p.files.length > 0));

const work = mkdtempSync(join(tmpdir(), 'nimbus-tests-'));
const total = { pass: 0, fail: 0, skipped: 0 };
let failedToRun = sqliteFiles.length === 0;
if (failedToRun) console.error('run-tests: no compiled test files (run npm run build)');

/**
 * Runs one phase. A streamed phase writes its spec output straight to stdout; the others keep it in
 * a file printed whole when the phase ends, so two lanes never interleave line by line.
 */
async function runPhase(phase, stream) {
  const started = Date.now();
  console.log(`=== phase ${phase.name}: ${phase.files.length} files, started`);
  const tap = join(work, `${phase.name}.tap`);
  const specPath = join(work, `${phase.name}.spec`);
  const spec = stream ? 'inherit' : openSync(specPath, 'w');
  // One file at a time within a phase: integration tests share kernel and daemon state.
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...phase.files], { stdio: ['ignore', spec, spec], env: phase.env });
  const status = await new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  if (typeof spec === 'number') {
    closeSync(spec);
    console.log(`\n=== phase ${phase.name}: output ===`);
    process.stdout.write(readFileSync(specPath, 'utf8'));
  }
  let text = '';
  try { text = readFileSync(tap, 'utf8'); } catch { failedToRun = true; }
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const tally = { pass: count('pass'), fail: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
  console.log(`phase ${phase.name}: ${tally.pass} passed, ${tally.fail} failed, ${tally.skipped} skipped (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const key of Object.keys(total)) total[key] += tally[key];
  if (status !== 0 && tally.fail === 0) { total.fail += 1; failedToRun = true; }
}

async function runLane(phases, stream) {
  for (const phase of phases) await runPhase(phase, stream);
}

if (serial) {
  for (const lane of lanes) await runLane(lane, true);
} else {
  // The kernel lane is the long one: its output streams, so a hang shows where it is.
  await Promise.all(lanes.map((lane, i) => runLane(lane, i === 0)));
}
rmSync(work, { recursive: true, force: true });
console.log(`${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(total.fail > 0 || failedToRun ? 1 : 0);
