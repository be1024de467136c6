// Issue 7: no server action leaves a leaked process, tap, disk, port, allocation or namespace.
// A private all-in-one (root, real QEMU, two simulated hosts, no uplink); the counts of
// test/support/leak-counts.ts are taken once the cloud and a network are ready, one server goes
// through every action of test/support/server-lifecycle.ts (stop/start, reboots, pause, suspend,
// lock, rebuild, snapshot, resize + confirm, migrate + revert, live migration, rescue/unrescue,
// interface attach/detach) and is deleted with its snapshot, and every count must be back where
// it started; Placement must hold nothing for the server or any of its migrations.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listNetns } from '../../src/hostnet/index.js';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';
import { CloudApi } from '../support/cloud-api.js';
import { eventually } from '../support/eventually.js';
import { GuestReadiness } from '../support/guest-ready.js';
import { computeE2eSkip, destroySandbox, sandboxEnv } from '../support/guest-sandbox.js';
import { countLeaks, heldAllocations } from '../support/leak-counts.js';
import { CREATE_STEP, DELETE_STEP, LIFECYCLE_MICROVERSION, LIFECYCLE_STEPS, showServer, type LifecycleContext } from '../support/server-lifecycle.js';

describe('server actions leave nothing behind', { skip: computeE2eSkip }, () => {
  const sandbox = `l${process.pid % 10000}`;
  const env = sandboxEnv(sandbox, 2, false);
  const hosts = [`${sandbox}-host1`, `${sandbox}-host2`];
  let cloud: AllInOne | undefined;
  let api: CloudApi;
  let ctx: LifecycleContext | undefined;

  before(async () => {
    await destroySandbox(env);
    cloud = await startAllInOne(env);
    api = await CloudApi.login(cloud.dataDir, LIFECYCLE_MICROVERSION);
  });
  after(async () => {
    if (cloud) {
      if (ctx?.serverId) await api.request('compute', 'DELETE', `/servers/${ctx.serverId}`, [204, 404]).catch(() => undefined);
      for (const image of ctx?.snapshots ?? []) await api.request('image', 'DELETE', `/v2/images/${image}`, [204, 404]).catch(() => undefined);
      if (ctx?.serverId) await eventually('the server gone', async () => ((await api.exists('compute', `/servers/${ctx!.serverId}`)) ? undefined : true), 120_000).catch(() => undefined);
      await cloud.stop();
    }
    await destroySandbox(env);
    assert.deepEqual((await listNetns()).filter((n) => n.startsWith(`nimbus-${sandbox}-`)), [], 'sandbox destroy leaves no namespace');
  });

  test('counts before and after every action', { timeout: 600_000 }, async () => {
    const imageId = await eventually('the nimbus-cirros image', async () =>
      ((await api.request('image', 'GET', '/v2/images?name=nimbus-cirros', [200])).images as { id: string; status: string }[]).find((i) => i.status === 'active')?.id, 300_000, 1000);
    await eventually('both hosts up', async () => {
      const services = (await api.request('compute', 'GET', '/os-services?binary=nova-compute', [200])).services as { host: string; state: string }[];
      return hosts.every((h) => services.some((s) => s.host === h && s.state === 'up')) ? true : undefined;
    }, 180_000, 500);
    const network = (await api.request('network', 'POST', '/v2.0/networks', [201], { network: { name: 'leaks' } })).network as { id: string };
    await api.request('network', 'POST', '/v2.0/subnets', [201], { subnet: { network_id: network.id, ip_version: 4, cidr: '10.0.0.0/24' } });
    const groups = (await api.request('network', 'GET', `/v2.0/security-groups?name=default&project_id=${api.projectId}`, [200])).security_groups as { id: string }[];
    await api.request('network', 'POST', '/v2.0/security-group-rules', [201, 409],
      { security_group_rule: { security_group_id: groups[0]!.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' } });
    const netns = await eventually('the qdhcp namespace', async () => (await listNetns()).find((n) => n.startsWith(`nimbus-${sandbox}-`) && n.endsWith(`qdhcp-${network.id}`)), 60_000, 200);

    const before = await countLeaks(api, cloud!.dataDir, sandbox);
    ctx = { api, imageId, networkId: network.id, flavors: ['42', '84'], serverId: '', snapshots: [] };
    const guest = new GuestReadiness(cloud!.dataDir, hosts, netns);
    guest.mark('');
    await CREATE_STEP.run(ctx);
    const ip = (await showServer(api, ctx.serverId)).ipv4[0]!;
    const during = await countLeaks(api, cloud!.dataDir, sandbox);
    assert.equal(during.qemuProcesses, before.qemuProcesses + 1, 'the count sees the guest');
    for (const step of LIFECYCLE_STEPS) {
      if (step.needsGuest) await guest.waitUp(ctx.serverId, (await showServer(api, ctx.serverId)).host!, ip);
      if (step.boots) guest.mark(ctx.serverId);
      await step.run(ctx);
    }
    const migrations = ((await api.request('compute', 'GET', `/os-migrations?instance_uuid=${ctx.serverId}`, [200])).migrations as { uuid: string; migration_type: string }[]);
    assert.deepEqual(migrations.map((m) => m.migration_type).sort(), ['live-migration', 'migration', 'resize'], 'one of each move');
    for (const image of ctx.snapshots.splice(0)) await api.request('image', 'DELETE', `/v2/images/${image}`, [204]);
    const serverId = ctx.serverId;
    await DELETE_STEP.run(ctx);
    ctx.serverId = '';

    // Deleting finishes on the host after the API forgets the server: counts settle shortly after.
    const after = await eventually('the counts back where they started', async () => {
      const now = await countLeaks(api, cloud!.dataDir, sandbox);
      return JSON.stringify(now) === JSON.stringify(before) ? now : undefined;
    }, 30_000, 500).catch(async () => countLeaks(api, cloud!.dataDir, sandbox));
    assert.deepEqual(after, before);
    assert.deepEqual(await heldAllocations(api, [serverId, ...migrations.map((m) => m.uuid)]), {}, 'no allocation for the server or its migrations');
  });
});
