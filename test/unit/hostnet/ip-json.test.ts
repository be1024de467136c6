import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseAddresses, parseFdb, parseLinks, parseNeighbours, parseNetnsList, parseNftTables, parsePids, parseRoutes,
} from '../../../src/hostnet/ip-json.js';

// Captured from iproute2 6.x on kernel 6.18 (trimmed of fields the parsers ignore).
const LINKS = JSON.stringify([
  { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00' },
  {
    ifindex: 2, link_index: 2, ifname: 'v0', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'], mtu: 1500, master: 'br0',
    operstate: 'DOWN', address: '12:ab:41:ec:73:3a', link_netnsid: 0,
    linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge', info_slave_data: { state: 'disabled', learning: true } },
  },
  {
    ifindex: 3, ifname: 'vxlan-100', flags: ['BROADCAST', 'MULTICAST'], mtu: 1450, address: '42:6d:f5:5f:87:f0',
    linkinfo: { info_kind: 'vxlan', info_data: { id: 100, local: '10.9.0.1', link: 'v0', port_range: { low: 0, high: 0 }, port: 4789, learning: false, proxy: true, ttl: 0 } },
  },
  {
    ifindex: 4, ifname: 'br0', flags: ['BROADCAST', 'MULTICAST', 'UP'], mtu: 1450, address: '12:ab:41:ec:73:3a',
    linkinfo: { info_kind: 'bridge', info_data: { forward_delay: 0, stp_state: 0 } },
  },
  // Parent not resolvable by name: ip prints the index instead.
  { ifindex: 5, ifname: 'vx2', flags: [], mtu: 1500, address: '6a:c7:69:95:b9:ee', linkinfo: { info_kind: 'vxlan', info_data: { id: 7, link: 2, port: 4789, learning: true } } },
  { ifname: 'broken' },
]);

test('links: kind, master, up flag and vxlan details', () => {
  const links = parseLinks(LINKS);
  assert.equal(links.length, 5);
  assert.deepEqual(links[0], { name: 'lo', index: 1, mtu: 65536, mac: '00:00:00:00:00:00', up: true });
  assert.deepEqual(links[1], { name: 'v0', index: 2, mtu: 1500, mac: '12:ab:41:ec:73:3a', up: true, kind: 'veth', master: 'br0' });
  assert.deepEqual(links[2], {
    name: 'vxlan-100', index: 3, mtu: 1450, mac: '42:6d:f5:5f:87:f0', up: false, kind: 'vxlan',
    vxlan: { id: 100, local: '10.9.0.1', dstport: 4789, dev: 'v0', learning: false, proxy: true },
  });
  assert.equal(links[3]!.kind, 'bridge');
  assert.deepEqual(links[4]!.vxlan, { id: 7, dstport: 4789, dev: 'v0', learning: true, proxy: false });
  assert.deepEqual(parseLinks(''), []);
  assert.deepEqual(parseLinks('{}'), []);
});

test('addresses: both families, cidr from local/prefixlen, scope kept', () => {
  const text = JSON.stringify([
    { ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' }] },
    {
      ifindex: 4, ifname: 'br0', addr_info: [
        { family: 'inet', local: '10.9.0.1', prefixlen: 24, broadcast: '10.9.0.255', scope: 'global', label: 'br0' },
        { family: 'inet6', local: '2001:db8::1', prefixlen: 64, scope: 'global', nodad: true },
        { family: 'inet6', local: 'fe80::10ab:41ff:feec:733a', prefixlen: 64, scope: 'link' },
      ],
    },
    { ifindex: 5, ifname: 'v0', addr_info: [] },
  ]);
  assert.deepEqual(parseAddresses(text), [
    { dev: 'lo', family: 4, cidr: '127.0.0.1/8', scope: 'host' },
    { dev: 'br0', family: 4, cidr: '10.9.0.1/24', scope: 'global' },
    { dev: 'br0', family: 6, cidr: '2001:db8::1/64', scope: 'global' },
    { dev: 'br0', family: 6, cidr: 'fe80::10ab:41ff:feec:733a/64', scope: 'link' },
  ]);
});

test('routes: gateway becomes via, default stays "default"', () => {
  const v4 = JSON.stringify([
    { dst: 'default', gateway: '10.9.0.254', dev: 'br0', flags: ['linkdown'] },
    { dst: '10.9.0.0/24', dev: 'br0', protocol: 'kernel', scope: 'link', prefsrc: '10.9.0.1', flags: [] },
    { dst: '10.20.0.0/16', gateway: '10.9.0.254', dev: 'br0', flags: [] },
  ]);
  assert.deepEqual(parseRoutes(v4, 4), [
    { dst: 'default', via: '10.9.0.254', dev: 'br0', family: 4 },
    { dst: '10.9.0.0/24', dev: 'br0', scope: 'link', family: 4 },
    { dst: '10.20.0.0/16', via: '10.9.0.254', dev: 'br0', family: 4 },
  ]);
  const v6 = JSON.stringify([{ dst: '2001:db8::/64', dev: 'br0', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' }]);
  assert.deepEqual(parseRoutes(v6, 6), [{ dst: '2001:db8::/64', dev: 'br0', family: 6 }]);
});

test('fdb: queried device fills in the missing ifname, permanent from state', () => {
  const text = JSON.stringify([
    { mac: 'aa:bb:cc:dd:ee:ff', dst: '10.9.0.3', flags: ['self'], state: 'permanent' },
    { mac: '00:00:00:00:00:00', dst: '10.9.0.2', flags: ['self'], state: 'permanent' },
    { mac: '12:ab:41:ec:73:3a', ifname: 'v0', flags: [], master: 'br0', state: '' },
  ]);
  assert.deepEqual(parseFdb(text, 'vxlan-100'), [
    { mac: 'aa:bb:cc:dd:ee:ff', dst: '10.9.0.3', dev: 'vxlan-100', permanent: true },
    { mac: '00:00:00:00:00:00', dst: '10.9.0.2', dev: 'vxlan-100', permanent: true },
    { mac: '12:ab:41:ec:73:3a', dev: 'v0', permanent: false },
  ]);
});

test('neighbours: lladdr optional, states list', () => {
  const text = JSON.stringify([
    { dst: '10.9.0.5', lladdr: 'aa:bb:cc:dd:ee:01', state: ['PERMANENT'] },
    { dst: '10.9.0.6', state: ['FAILED'] },
  ]);
  assert.deepEqual(parseNeighbours(text, 'br0'), [
    { ip: '10.9.0.5', mac: 'aa:bb:cc:dd:ee:01', dev: 'br0', states: ['PERMANENT'] },
    { ip: '10.9.0.6', dev: 'br0', states: ['FAILED'] },
  ]);
});

test('nft tables, netns list and pids', () => {
  const nft = '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "t1", "handle": 1}}, {"table": {"family": "netdev", "name": "sg", "handle": 2}}]}';
  assert.deepEqual(parseNftTables(nft), [{ family: 'inet', name: 't1' }, { family: 'netdev', name: 'sg' }]);
  assert.deepEqual(parseNftTables(''), []);
  assert.deepEqual(parseNetnsList('[{"name":"nimbus-a","id":0},{"name":"zt-b"}]'), ['nimbus-a', 'zt-b']);
  assert.deepEqual(parseNetnsList(''), []);
  assert.deepEqual(parsePids('123\n456\n\n'), [123, 456]);
});
