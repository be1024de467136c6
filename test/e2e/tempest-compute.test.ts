// Tempest's compute tests against the real all-in-one as root (two simulated hosts, the uplink
// into `public`, the bootstrap's nimbus-cirros, real QEMU guests): the compute tests the
// interoperability guideline requires, volumes aside (servers, flavors, key pairs, zones, quotas,
// instance actions, reboot, stop, lock, rebuild, snapshots, security groups —
// scripts/tempest/compute-interop.txt)
// and the scenarios test_server_basic_ops (SSH with a key through a floating IP, metadata, config
// drive), test_snapshot_pattern, test_shelve_instance and test_network_basic_ops, with validation on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);
type Row = Record<string, any>;
const root = process.getuid?.() === 0;
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64');
/** The two list tests that filter by image need a second image: write-conf uploads a copy; should that fail, they skip (never fail). */
const NEEDS_TWO_IMAGES = 2;

async function tempest(cloud: AllInOne, env: NodeJS.ProcessEnv, selection: string[]): Promise<{ passed: number; failed: number; skipped: number; output: string }> {
  let output: string;
  try {
    ({ stdout: output } = await run('bash', ['scripts/tempest/run.sh', ...selection, '--concurrency', '2'], {
      env: { ...cloud.env, ...env, NIMBUS_TEMPEST_COMPUTE: '1', NIMBUS_TEMPEST_CLEAN: '1' }, timeout: 25 * 60_000, maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    output = (err as { stdout?: string }).stdout ?? String(err);
  }
  const tally = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(output);
  assert.ok(tally, `no tally in tempest output:\n${output.slice(-3000)}`);
  return { passed: Number(tally[1]), failed: Number(tally[2]), skipped: Number(tally[3]), output };
}

describe('Tempest: compute', { skip: !root ? 'needs root' : !hasQemu ? 'needs qemu-system-x86' : false }, () => {
  const sandbox = `t${process.pid % 10000}`;
  const env = { NIMBUS_DATAPLANE: 'sandbox', NIMBUS_SANDBOX_NAME: sandbox, NIMBUS_SANDBOX_HOSTS: '2', NIMBUS_UPLINK: 'true', NIMBUS_GUEST_IMAGE: '1' };
  let cloud: AllInOne;
  // CI runs each scenario's main test; NIMBUS_TEMPEST_SCENARIOS=all runs every test of the four
  // modules (test_network_basic_ops' nine variants add ~5 min) — docs/testing.md. Left out of both:
  // test_router_rescheduling moves a router between L3 agents through Neutron's l3-agent-scheduler
  // API, which the network service does not serve yet.
  const SCENARIOS = process.env.NIMBUS_TEMPEST_SCENARIOS === 'all'
    ? 'tempest\\.scenario\\.(test_server_basic_ops|test_snapshot_pattern|test_shelve_instance|test_network_basic_ops\\.TestNetworkBasicOps\\.test_(?!router_rescheduling))'
    : 'tempest\\.scenario\\.(test_server_basic_ops\\.TestServerBasicOps\\.test_server_basic_ops|test_snapshot_pattern\\.TestSnapshotPattern\\.test_snapshot_pattern|test_shelve_instance\\.TestShelveInstance\\.test_shelve_instance|test_network_basic_ops\\.TestNetworkBasicOps\\.test_network_basic_ops)\\b';
  const destroy = () => run('bin/nimbus', ['sandbox', 'destroy'], { env: { ...process.env, ...env } });

  before(async () => {
    await destroy();
    cloud = await startAllInOne(env);
    await eventually('two nova-compute services up', async () => {
      const list = await cloud.openstackJson<Row[]>(['compute', 'service', 'list', '--service', 'nova-compute']);
      return list.filter((s) => s.State === 'up').length === 2 ? true : undefined;
    }, 120_000);
  });
  after(async () => {
    await cloud?.stop();
    await destroy();
  });

  test('every required compute test this issue covers passes', { timeout: 30 * 60_000 }, async () => {
    const list = 'scripts/tempest/compute-interop.txt';
    const expected = readFileSync(list, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    const t0 = Date.now();
    const r = await tempest(cloud, env, ['--load-list', list]);
    console.log(JSON.stringify({ tempestCompute: { ...r, output: undefined, seconds: Math.round((Date.now() - t0) / 1000) } }));
    assert.deepEqual({ failed: r.failed, ran: r.passed + r.skipped }, { failed: 0, ran: expected }, r.output.slice(-5000));
    assert.ok(r.passed >= expected - NEEDS_TWO_IMAGES, r.output.slice(-5000));
  });

  test('the scenarios of servers: basic ops, snapshot pattern, shelve, network basic ops', { timeout: 25 * 60_000 }, async () => {
    const t0 = Date.now();
    const r = await tempest(cloud, env, ['--regex', SCENARIOS]);
    console.log(JSON.stringify({ tempestScenarios: { ...r, output: undefined, seconds: Math.round((Date.now() - t0) / 1000) } }));
    assert.equal(r.failed, 0, r.output.slice(-5000));
    // One each of server_basic_ops, snapshot_pattern, shelve_instance and network_basic_ops at least.
    assert.ok(r.passed >= 4, r.output.slice(-5000));
  });
});
