import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  HostnetError, NetnsHost, deleteNetns, ensureNetns, listNetns, netnsPids,
} from '../../../src/hostnet/index.js';

const skip = process.getuid?.() === 0 ? false : 'needs root';
const prefix = `nimbus-t${process.pid}`;
const nsA = `${prefix}-a`;
const nsB = `${prefix}-b`;
const FLOOD = '00:00:00:00:00:00';

describe('NetnsHost in throw-away namespaces', { skip }, () => {
  const a = new NetnsHost(nsA);
  const b = new NetnsHost(nsB);
  const rootForwarding = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  let rootForwardingBefore = '';

  before(async () => {
    rootForwardingBefore = rootForwarding();
    assert.equal(await ensureNetns(nsA), true);
    assert.equal(await ensureNetns(nsB), true);
  });
  after(async () => {
    await deleteNetns(nsA);
    await deleteNetns(nsB);
    assert.equal(rootForwarding(), rootForwardingBefore, 'the root namespace was not touched');
  });

  it('creates namespaces idempotently, with lo up, and deletes them idempotently', async () => {
    assert.equal(await ensureNetns(nsA), false);
    const names = await listNetns();
    assert.ok(names.includes(nsA) && names.includes(nsB));
    assert.equal((await a.link('lo'))?.up, true);
    assert.deepEqual(await netnsPids(nsA), []);
    assert.deepEqual(await netnsPids(`${prefix}-never`), []);
    await deleteNetns(`${prefix}-never`);
    assert.throws(() => new NetnsHost('-n'), HostnetError);
  });

  it('joins the namespaces with a veth pair and pings across', async () => {
    await a.addVeth('a0', 'b0', { peerNetns: nsB, mac: '02:00:00:00:0a:00', peerMac: '02:00:00:00:0b:00', mtu: 1500 });
    await a.addVeth('a0', 'b0', { peerNetns: nsB }); // already there: no-op
    await a.addAddress('a0', '192.0.2.1/24');
    await a.addAddress('a0', '192.0.2.1/24');
    await b.addAddress('b0', '192.0.2.2/24');
    await a.setLink('a0', { up: true });
    await b.setLink('b0', { up: true });
    const a0 = await a.link('a0');
    assert.deepEqual({ ...a0, index: 0 }, { name: 'a0', index: 0, mtu: 1500, mac: '02:00:00:00:0a:00', up: true, kind: 'veth' });
    assert.equal((await b.link('b0'))?.mac, '02:00:00:00:0b:00');
    assert.deepEqual((await a.addresses('a0')).filter((x) => x.family === 4), [{ dev: 'a0', family: 4, cidr: '192.0.2.1/24', scope: 'global' }]);
    await a.exec('ping', ['-c', '1', '-W', '3', '192.0.2.2']);
  });

  it('builds a bridge with a vxlan port on each side and pings over the overlay', async () => {
    for (const [host, local, remote, ip] of [[a, '192.0.2.1', '192.0.2.2', '10.100.0.1/24'], [b, '192.0.2.2', '192.0.2.1', '10.100.0.2/24']] as const) {
      const dev = host === a ? 'a0' : 'b0';
      await host.addBridge('brq-t', { mtu: 1450 });
      await host.addBridge('brq-t'); // no-op
      await host.addVxlan('vxlan-100', { vni: 100, local, dev, learning: false });
      await host.addVxlan('vxlan-100', { vni: 100, local, dev, learning: false }); // no-op
      await host.setLink('vxlan-100', { master: 'brq-t', up: true });
      await host.setLink('brq-t', { up: true });
      await host.addAddress('brq-t', ip);
      await host.fdbAppend('vxlan-100', FLOOD, remote);
      await host.fdbAppend('vxlan-100', FLOOD, remote); // no duplicate
    }
    const vx = await a.link('vxlan-100');
    assert.equal(vx?.kind, 'vxlan');
    assert.equal(vx?.master, 'brq-t');
    assert.equal(vx?.up, true);
    assert.deepEqual(vx?.vxlan, { id: 100, local: '192.0.2.1', dstport: 4789, dev: 'a0', learning: false, proxy: false });
    const br = (await a.links()).find((l) => l.name === 'brq-t');
    assert.equal(br?.kind, 'bridge');
    assert.equal(br?.mtu, 1450);
    const flood = (await a.fdb('vxlan-100')).filter((e) => e.mac === FLOOD);
    assert.deepEqual(flood, [{ mac: FLOOD, dst: '192.0.2.2', dev: 'vxlan-100', permanent: true }]);
    await a.exec('ping', ['-c', '1', '-W', '3', '10.100.0.2']);
  });

  it('refuses to reuse a name taken by a different link', async () => {
    await assert.rejects(a.addBridge('a0'), /already exists but is a veth link, not a bridge/);
    await assert.rejects(a.addVxlan('vxlan-100', { vni: 101, local: '192.0.2.1' }), /different settings/);
    await assert.rejects(a.addVxlan('a0', { vni: 5, local: '192.0.2.1' }), /not a vxlan/);
    assert.equal(await a.link('nothere'), undefined);
    await a.deleteLink('nothere');
  });

  it('programs unicast fdb and permanent neighbour entries, deletes idempotently', async () => {
    const mac = 'fa:16:3e:00:00:09';
    await a.fdbReplace('vxlan-100', mac, '192.0.2.2');
    await a.fdbReplace('vxlan-100', mac, '192.0.2.3');
    assert.deepEqual((await a.fdb('vxlan-100')).filter((e) => e.mac === mac), [{ mac, dst: '192.0.2.3', dev: 'vxlan-100', permanent: true }]);
    await a.fdbDelete('vxlan-100', mac, '192.0.2.3');
    await a.fdbDelete('vxlan-100', mac, '192.0.2.3');
    await a.fdbDelete('nothere', mac);
    assert.deepEqual((await a.fdb('vxlan-100')).filter((e) => e.mac === mac), []);
    assert.deepEqual(await a.fdb('nothere'), []);

    await a.neighReplace('brq-t', '10.100.0.9', mac);
    await a.neighReplace('brq-t', '10.100.0.9', mac);
    const entry = (await a.neighbours('brq-t')).find((n) => n.ip === '10.100.0.9');
    assert.deepEqual(entry, { ip: '10.100.0.9', mac, dev: 'brq-t', states: ['PERMANENT'] });
    await a.neighDelete('brq-t', '10.100.0.9');
    await a.neighDelete('brq-t', '10.100.0.9');
    assert.equal((await a.neighbours('brq-t')).find((n) => n.ip === '10.100.0.9' && n.states.includes('PERMANENT')), undefined);
    assert.deepEqual(await a.neighbours('nothere'), []);
  });

  it('replaces and deletes IPv4/IPv6 routes and addresses idempotently', async () => {
    await a.replaceRoute({ dst: '198.51.100.0/24', via: '192.0.2.2' });
    await a.replaceRoute({ dst: '198.51.100.0/24', via: '192.0.2.2' });
    await a.replaceRoute({ dst: 'default', via: '192.0.2.2' });
    const v4 = await a.routes(4);
    assert.ok(v4.some((r) => r.dst === '198.51.100.0/24' && r.via === '192.0.2.2' && r.dev === 'a0' && r.family === 4));
    assert.ok(v4.some((r) => r.dst === 'default' && r.via === '192.0.2.2'));
    assert.ok(v4.some((r) => r.dst === '192.0.2.0/24' && r.scope === 'link'));
    await a.deleteRoute({ dst: '198.51.100.0/24' });
    await a.deleteRoute({ dst: '198.51.100.0/24' });
    await a.deleteRoute({ dst: 'default', via: '192.0.2.2' });
    assert.deepEqual((await a.routes(4)).filter((r) => r.dst === '198.51.100.0/24' || r.dst === 'default'), []);

    await a.addAddress('a0', '2001:db8:5::1/64');
    assert.ok((await a.addresses()).some((x) => x.dev === 'a0' && x.family === 6 && x.cidr === '2001:db8:5::1/64'));
    await a.replaceRoute({ dst: '2001:db8:6::/64', dev: 'a0' });
    assert.ok((await a.routes(6)).some((r) => r.dst === '2001:db8:6::/64' && r.dev === 'a0' && r.family === 6));
    await a.deleteRoute({ dst: '2001:db8:6::/64', dev: 'a0' });
    await a.deleteRoute({ dst: '2001:db8:6::/64', dev: 'a0' });
    assert.equal((await a.routes(6)).find((r) => r.dst === '2001:db8:6::/64'), undefined);
    await a.deleteAddress('a0', '2001:db8:5::1/64');
    await a.deleteAddress('a0', '2001:db8:5::1/64');
    await a.deleteAddress('nothere', '10.0.0.1/24');
    assert.deepEqual(await a.addresses('nothere'), []);
  });

  it('sets sysctls, runs commands and announces addresses inside the namespace only', async () => {
    await a.sysctl('net.ipv4.ip_forward', 1);
    assert.equal((await a.exec('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim(), '1');
    assert.equal((await b.exec('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim(), '0');
    await assert.rejects(a.sysctl('net.ipv4.no_such_key', 1), HostnetError);
    assert.equal((await a.exec('cat', [], { input: 'through stdin' })).stdout, 'through stdin');
    await a.gratuitousArp('brq-t', '10.100.0.1');
    await a.gratuitousArp('nothere', '10.100.0.1');
    await a.gratuitousArp('bad name', '10.100.0.1');
    const failure = await a.exec('ip', ['link', 'show', 'nothere']).then(() => undefined, (e: unknown) => e);
    assert.ok(failure instanceof HostnetError);
    assert.equal(failure.command, 'ip');
    assert.deepEqual(failure.args, ['-n', nsA, 'link', 'show', 'nothere']);
    assert.equal(failure.exitCode, 1);
    assert.match(failure.stderr, /does not exist/);
    assert.match(failure.message, /^ip -n nimbus-t\d+-a link show nothere: exit code 1: Device "nothere" does not exist/);
  });

  it('applies an nft ruleset atomically, lists and deletes its table', async () => {
    await a.nftApply([
      'table inet nimbus_t {',
      '  chain sg-forward {',
      '    type filter hook forward priority 0; policy accept;',
      '    ct state established,related accept',
      '  }',
      '}',
    ].join('\n'));
    assert.ok((await a.nftTables()).some((t) => t.family === 'inet' && t.name === 'nimbus_t'));
    assert.equal((await b.nftTables()).find((t) => t.name === 'nimbus_t'), undefined);
    // A broken ruleset changes nothing: the table added in the same transaction is not there.
    const bad = await a.nftApply('table ip nimbus_u {\n}\ntable inet nimbus_t {\n  chain c {\n    bogus rule\n  }\n}\n').then(() => undefined, (e: unknown) => e);
    assert.ok(bad instanceof HostnetError);
    assert.match(bad.stderr, /Error/);
    assert.equal((await a.nftTables()).find((t) => t.name === 'nimbus_u'), undefined);
    await a.nftDeleteTable('inet', 'nimbus_t');
    await a.nftDeleteTable('inet', 'nimbus_t');
    assert.deepEqual(await a.nftTables(), []);
    await assert.rejects(a.nftDeleteTable('inet', 'x; flush ruleset'), /invalid nft name/);
  });

  it('detaches and deletes links; deleting one veth end removes its peer', async () => {
    await a.setLink('vxlan-100', { master: null });
    assert.equal((await a.link('vxlan-100'))?.master, undefined);
    await a.deleteLink('vxlan-100');
    await a.deleteLink('vxlan-100');
    await a.deleteLink('a0');
    assert.equal(await b.link('b0'), undefined);
  });
});
