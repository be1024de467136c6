// The all-in-one as a user starts it (as root: a sandbox of simulated hosts with the root
// namespace's uplink into the public network), driven with Debian's real `openstack` client: the
// agents of every host are alive, the provider network exists, a router's ports go ACTIVE once the
// agents wired them, and the host's own shell reaches the router's gateway address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { listNetns } from '../../src/hostnet/index.js';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);
type Row = Record<string, any>;
const root = process.getuid?.() === 0;

describe('the all-in-one data plane with the real openstack client', { skip: root ? false : 'needs root' }, () => {
  const sandbox = `e${process.pid % 10000}`;
  const env = { NIMBUS_DATAPLANE: 'sandbox', NIMBUS_SANDBOX_NAME: sandbox, NIMBUS_SANDBOX_HOSTS: '2', NIMBUS_UPLINK: 'true' };
  let cloud: AllInOne;
  const destroy = () => run('bin/nimbus', ['sandbox', 'destroy'], { env: { ...process.env, ...env } });
  before(async () => {
    await destroy();
    cloud = await startAllInOne(env);
  });
  after(async () => {
    await cloud?.stop();
    await destroy();
    const left = (await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`));
    assert.deepEqual(left, [], 'sandbox destroy leaves no namespace');
  });

  test('agent list, provider network, router ports ACTIVE, gateway reachable from the host', { timeout: 240_000 }, async () => {
    const agents = await eventually('8 alive agents', async () => {
      const list = await cloud.openstackJson<Row[]>(['network', 'agent', 'list']);
      return list.filter((a) => a.Alive === true || a.Alive === ':-)').length === 8 ? list : undefined;
    }, 60_000, 500);
    for (const host of [`${sandbox}-host1`, `${sandbox}-host2`]) {
      assert.deepEqual(agents.filter((a) => a.Host === host).map((a) => a['Agent Type']).sort(), ['DHCP agent', 'L3 agent', 'Linux bridge agent', 'Metadata agent']);
    }
    const pub = await cloud.openstackJson<Row>(['network', 'show', 'public']);
    assert.equal(pub['provider:network_type'], 'flat');
    await cloud.openstack(['network', 'create', 'private']);
    await cloud.openstack(['subnet', 'create', '--network', 'private', '--subnet-range', '10.0.0.0/24', 'private-subnet']);
    await cloud.openstack(['router', 'create', 'router1']);
    await cloud.openstack(['router', 'set', '--external-gateway', 'public', 'router1']);
    await cloud.openstack(['router', 'add', 'subnet', 'router1', 'private-subnet']);
    const ports = await eventually('router ports ACTIVE', async () => {
      const list = await cloud.openstackJson<Row[]>(['port', 'list', '--router', 'router1', '--long']);
      return list.length === 2 && list.every((p) => p.Status === 'ACTIVE') ? list : undefined;
    }, 60_000, 500);
    assert.equal(ports.length, 2);
    const dhcp = await eventually('DHCP port ACTIVE', async () => {
      const list = await cloud.openstackJson<Row[]>(['port', 'list', '--network', 'private', '--device-owner', 'network:dhcp']);
      return list.length === 1 && list[0]!.Status === 'ACTIVE' ? list : undefined;
    }, 60_000, 500);
    assert.equal(dhcp.length, 1);
    const router = await cloud.openstackJson<Row>(['router', 'show', 'router1']);
    const gateway = router.external_gateway_info.external_fixed_ips[0].ip_address as string;
    await eventually('the host pings the router gateway through the uplink', async () => {
      await run('ping', ['-c', '1', '-W', '1', gateway]);
      return true;
    }, 30_000, 500);
  });
});
