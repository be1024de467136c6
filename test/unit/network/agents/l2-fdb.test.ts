import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOOD_MAC, desiredL2pop, diffIsEmpty, diffL2pop } from '../../../../src/network/agents/l2/fdb.js';
import type { FdbHost } from '../../../../src/network/agents/common/state.js';

const hosts: FdbHost[] = [
  { host: 'c2', tunnel_ip: '192.0.2.2', ports: [{ mac_address: 'FA:16:3E:00:00:02', ip_addresses: ['10.0.0.2', '2001:DB8::2'] }] },
  { host: 'c3', tunnel_ip: '192.0.2.3', ports: [
    { mac_address: 'fa:16:3e:00:00:03', ip_addresses: ['10.0.0.3'] },
    { mac_address: 'fa:16:3e:00:00:33', ip_addresses: [] },
  ] },
  { host: 'me', tunnel_ip: '192.0.2.1', ports: [{ mac_address: 'fa:16:3e:00:00:01', ip_addresses: ['10.0.0.1'] }] },
  { host: 'bad', tunnel_ip: 'not-an-ip', ports: [{ mac_address: 'fa:16:3e:00:00:99', ip_addresses: ['10.0.0.99'] }] },
];

test('desired entries: a flood entry per remote host, unicast per port, neighbours per address; self and junk skipped', () => {
  const d = desiredL2pop(hosts, '192.0.2.1');
  assert.deepEqual([...d.flood], ['192.0.2.2', '192.0.2.3']);
  assert.deepEqual([...d.unicast], [['fa:16:3e:00:00:02', '192.0.2.2'], ['fa:16:3e:00:00:03', '192.0.2.3'], ['fa:16:3e:00:00:33', '192.0.2.3']]);
  assert.deepEqual([...d.neighbours], [['10.0.0.2', 'fa:16:3e:00:00:02'], ['2001:db8::2', 'fa:16:3e:00:00:02'], ['10.0.0.3', 'fa:16:3e:00:00:03']]);
});

test('empty kernel: everything is added', () => {
  const diff = diffL2pop(desiredL2pop(hosts, '192.0.2.1'), [], []);
  assert.deepEqual(diff.floodAdd, ['192.0.2.2', '192.0.2.3']);
  assert.deepEqual(diff.unicastSet.map((e) => e.mac), ['fa:16:3e:00:00:02', 'fa:16:3e:00:00:03', 'fa:16:3e:00:00:33']);
  assert.equal(diff.neighSet.length, 3);
  assert.deepEqual([diff.floodDelete, diff.unicastDelete, diff.neighDelete], [[], [], []]);
});

test('in sync: nothing to do; kernel entries without a remote and non-permanent neighbours are ignored', () => {
  const fdb = [
    { mac: FLOOD_MAC, dst: '192.0.2.2', dev: 'vxlan-1', permanent: true },
    { mac: FLOOD_MAC, dst: '192.0.2.3', dev: 'vxlan-1', permanent: true },
    { mac: 'fa:16:3e:00:00:02', dst: '192.0.2.2', dev: 'vxlan-1', permanent: true },
    { mac: 'fa:16:3e:00:00:03', dst: '192.0.2.3', dev: 'vxlan-1', permanent: true },
    { mac: 'fa:16:3e:00:00:33', dst: '192.0.2.3', dev: 'vxlan-1', permanent: true },
    { mac: '2a:11:22:33:44:55', dev: 'vxlan-1', permanent: true }, // the device's own self entry
    { mac: '33:33:00:00:00:01', dev: 'vxlan-1', permanent: true }, // multicast
    { mac: 'fa:16:3e:00:00:77', dev: 'vxlan-1', permanent: false }, // learned by the bridge
  ];
  const neigh = [
    { ip: '10.0.0.2', mac: 'fa:16:3e:00:00:02', dev: 'vxlan-1', states: ['PERMANENT'] },
    { ip: '2001:db8::2', mac: 'fa:16:3e:00:00:02', dev: 'vxlan-1', states: ['PERMANENT'] },
    { ip: '10.0.0.3', mac: 'fa:16:3e:00:00:03', dev: 'vxlan-1', states: ['PERMANENT'] },
    { ip: '10.0.0.50', mac: 'fa:16:3e:00:00:50', dev: 'vxlan-1', states: ['STALE'] },
  ];
  assert.ok(diffIsEmpty(diffL2pop(desiredL2pop(hosts, '192.0.2.1'), fdb, neigh)));
});

test('stale entries removed, moved MAC re-pointed, changed neighbour replaced', () => {
  const desired = desiredL2pop([{ host: 'c2', tunnel_ip: '192.0.2.2', ports: [{ mac_address: 'fa:16:3e:00:00:03', ip_addresses: ['10.0.0.3'] }] }]);
  const fdb = [
    { mac: FLOOD_MAC, dst: '192.0.2.2', dev: 'v', permanent: true },
    { mac: FLOOD_MAC, dst: '192.0.2.9', dev: 'v', permanent: true },
    { mac: 'fa:16:3e:00:00:03', dst: '192.0.2.3', dev: 'v', permanent: true }, // moved from c3 to c2
    { mac: 'fa:16:3e:00:00:04', dst: '192.0.2.9', dev: 'v', permanent: true }, // gone
  ];
  const neigh = [
    { ip: '10.0.0.3', mac: 'fa:16:3e:00:00:33', dev: 'v', states: ['PERMANENT'] },
    { ip: '10.0.0.4', mac: 'fa:16:3e:00:00:04', dev: 'v', states: ['PERMANENT'] },
  ];
  const diff = diffL2pop(desired, fdb, neigh);
  assert.deepEqual(diff.floodAdd, []);
  assert.deepEqual(diff.floodDelete, ['192.0.2.9']);
  assert.deepEqual(diff.unicastDelete, [{ mac: 'fa:16:3e:00:00:03', dst: '192.0.2.3' }, { mac: 'fa:16:3e:00:00:04', dst: '192.0.2.9' }]);
  assert.deepEqual(diff.unicastSet, [{ mac: 'fa:16:3e:00:00:03', dst: '192.0.2.2' }]);
  assert.deepEqual(diff.neighSet, [{ ip: '10.0.0.3', mac: 'fa:16:3e:00:00:03' }]);
  assert.deepEqual(diff.neighDelete, ['10.0.0.4']);
});

test('a unicast MAC with an extra remote keeps the right one only', () => {
  const desired = desiredL2pop([{ host: 'c2', tunnel_ip: '192.0.2.2', ports: [{ mac_address: 'fa:16:3e:00:00:02', ip_addresses: [] }] }]);
  const diff = diffL2pop(desired, [
    { mac: FLOOD_MAC, dst: '192.0.2.2', dev: 'v', permanent: true },
    { mac: 'fa:16:3e:00:00:02', dst: '192.0.2.2', dev: 'v', permanent: true },
    { mac: 'fa:16:3e:00:00:02', dst: '192.0.2.5', dev: 'v', permanent: true },
  ], []);
  assert.deepEqual(diff.unicastDelete, [{ mac: 'fa:16:3e:00:00:02', dst: '192.0.2.5' }]);
  assert.deepEqual(diff.unicastSet, []);
});
