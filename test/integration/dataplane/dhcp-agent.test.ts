// The DHCP agent against the real kernel and a real dnsmasq (root only): a simulated host
// namespace with a bridge that this test plugs the DHCP port's tap into (in place of the L2
// agent), instance namespaces on that bridge running busybox udhcpc, and a stub plugin client.
// Every namespace is named nimbus-t<pid>-… and removed in after().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, listNetns, run } from '../../../src/hostnet/index.js';
import { DhcpAgent, dhcpProxyDaemonId, dnsmasqDaemonId } from '../../../src/network/agents/dhcp/index.js';
import { MetadataAgent } from '../../../src/network/agents/metadata/metadata-agent.js';
import type { DhcpNetwork, DhcpState, MetadataLookup, SubnetInfo } from '../../../src/network/agents/common/state.js';
import { pidAlive } from '../../support/processes.js';

const isRoot = process.getuid?.() === 0;
const PFX = `nimbus-t${process.pid}-`;
const HOST_NS = `${PFX}h1`;
const PREFIX = `${HOST_NS}-`;
const VM1 = `${PFX}vm1`;
const VM2 = `${PFX}vm2`;
const BRIDGE = 'brtest';

const NET = '5e0c7a10-9d3b-4c2e-8f00-000000000001';
const SUBNET = '5e0c7a10-9d3b-4c2e-8f00-0000000000aa';
const DHCP_PORT = 'dd000000-0000-4000-8000-000000000001';
const PORT1 = 'a1000000-0000-4000-8000-000000000011';
const PORT2 = 'a2000000-0000-4000-8000-000000000012';
const PORT3 = 'a3000000-0000-4000-8000-000000000013';
const QDHCP = `${PREFIX}qdhcp-${NET}`;
const NET6 = '5e0c7a10-9d3b-4c2e-8f00-000000000006';
const QDHCP6 = `${PREFIX}qdhcp-${NET6}`;
const DHCP_PORT6 = 'dd000000-0000-4000-8000-000000000006';
const ORPHAN = `${PREFIX}qdhcp-0badc0de-0000-4000-8000-000000000000`;
const FOREIGN = `${PFX}h2-qdhcp-0badc0de-0000-4000-8000-000000000000`; // another host's: never touched
const TAP = (port: string) => `tap${port.slice(0, 11)}`;
const MAC1 = 'fa:16:3e:10:00:11';
const MAC2 = 'fa:16:3e:10:00:12';
const MAC3 = 'fa:16:3e:10:00:13';

const subnet: SubnetInfo = {
  id: SUBNET, network_id: NET, ip_version: 4, cidr: '10.77.0.0/24', gateway_ip: '10.77.0.1', enable_dhcp: true,
  dns_nameservers: ['10.77.0.53'], host_routes: [], ipv6_ra_mode: null, ipv6_address_mode: null,
};

function port(id: string, mac: string, ip: string) {
  return {
    id, network_id: NET, mac_address: mac, admin_state_up: true, status: 'ACTIVE', device_owner: 'compute:nova', device_id: `vm-${id}`,
    fixed_ips: [{ subnet_id: SUBNET, ip_address: ip }], port_security_enabled: true, security_group_ids: [], allowed_address_pairs: [],
    hostname: '', extra_dhcp_opts: [],
  };
}

function dhcpNetwork(ports: DhcpNetwork['ports']): DhcpNetwork {
  return {
    network: { id: NET, project_id: 'p1', mtu: 1450, network_type: 'vxlan', physical_network: null, segmentation_id: 77, admin_state_up: true },
    subnets: [subnet],
    dhcp_port: port(DHCP_PORT, 'fa:16:3e:10:00:02', '10.77.0.2'),
    ports,
    isolated: true,
  };
}

class StubClient {
  state: DhcpState = { host: 'h1', networks: [] };
  async dhcpState(): Promise<DhcpState> { return this.state; }
}

/** udhcpc hook: applies the lease and prints udhcpc's variables. */
const SCRIPT = `#!/bin/sh
case "$1" in
  bound|renew)
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$router" ] && ip route replace default via "$router" dev "$interface"
    for v in ip mask router mtu dns domain hostname staticroutes lease; do eval "echo LEASE_$v=\\$$v"; done
    set -- $staticroutes
    while [ $# -ge 2 ]; do
      [ "$1" = 0.0.0.0/0 ] || ip route replace "$1" via "$2" dev "$interface"
      shift 2
    done
    ;;
esac
exit 0
`;

describe('DHCP agent: dnsmasq in a qdhcp namespace', { skip: isRoot ? false : 'needs root' }, () => {
  let stateDir = '';
  let script = '';
  const client = new StubClient();
  let daemons: Daemons;
  let agent: DhcpAgent;
  const host = new NetnsHost(HOST_NS);

  const newAgent = () => new DhcpAgent({ host: 'h1', netns: HOST_NS, namespacePrefix: PREFIX, stateDir }, client,
    { daemons, metadataSocket: join(stateDir, 'metadata_proxy') });

  /** The L2 agent's part: plug the DHCP port's tap into the network's bridge. */
  async function plugDhcpTap(): Promise<void> {
    await host.setLink(TAP(DHCP_PORT), { master: BRIDGE, up: true });
  }

  async function instance(ns: string, hostSide: string, mac: string): Promise<void> {
    await ensureNetns(ns);
    await host.addVeth(hostSide, 'eth0', { peerNetns: ns, peerMac: mac, mtu: 1450 });
    await host.setLink(hostSide, { master: BRIDGE, up: true });
    await new NetnsHost(ns).setLink('eth0', { up: true });
  }

  async function udhcpc(ns: string): Promise<Record<string, string>> {
    const { stdout } = await run('busybox', ['udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '6', '-T', '1', '-A', '1',
      '-O', 'mtu', '-O', 'staticroutes', '-s', script], { netns: ns, timeoutMs: 30_000 });
    const lease: Record<string, string> = {};
    for (const line of stdout.split('\n')) {
      const m = /^LEASE_(\w+)=(.*)$/.exec(line);
      if (m) lease[m[1]!] = m[2]!;
    }
    return lease;
  }

  async function dnsmasqPid(): Promise<number> {
    // Line 1 of a Daemons pidfile is the pid.
    return Number(readFileSync(join(stateDir, 'pids', `${dnsmasqDaemonId(NET)}.pid`), 'utf8').split('\n')[0]);
  }

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-dhcp-'));
    chmodSync(stateDir, 0o755); // as /var/lib/nimbus: dnsmasq rereads its files after dropping root
    script = join(stateDir, 'udhcpc.sh');
    writeFileSync(script, SCRIPT);
    chmodSync(script, 0o755);
    daemons = new Daemons(stateDir);
    await ensureNetns(HOST_NS);
    await host.addBridge(BRIDGE);
    await host.setLink(BRIDGE, { up: true });
    await instance(VM1, 'vm1h', MAC1);
    await instance(VM2, 'vm2h', MAC2);
    agent = newAgent();
  });

  after(async () => {
    if (process.env.NIMBUS_TEST_KEEP) return;
    const d = new Daemons(stateDir);
    for (const id of await d.running().catch(() => [] as string[])) await d.stop(id, 1000).catch(() => undefined);
    for (const ns of [QDHCP, QDHCP6, ORPHAN, FOREIGN, VM1, VM2, HOST_NS]) await deleteNetns(ns).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves a port its address, router, MTU and classless routes (metadata via the DHCP port)', async () => {
    client.state = { host: 'h1', networks: [dhcpNetwork([port(PORT1, MAC1, '10.77.0.11')])] };
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => r.dnsmasq), ['start']);
    assert.ok((await listNetns()).includes(QDHCP));
    const qdhcp = new NetnsHost(QDHCP);
    const inner = await qdhcp.link(`ns-${DHCP_PORT.slice(0, 11)}`);
    assert.equal(inner?.mac, 'fa:16:3e:10:00:02');
    assert.equal(inner?.mtu, 1450);
    assert.equal(inner?.up, true);
    assert.deepEqual((await qdhcp.addresses(inner!.name)).filter((a) => a.family === 4).map((a) => a.cidr).sort(),
      ['10.77.0.2/24', '169.254.169.254/32']);
    assert.equal((await host.link(TAP(DHCP_PORT)))?.mtu, 1450);
    assert.deepEqual((await daemons.running()).sort(), [dhcpProxyDaemonId(NET), dnsmasqDaemonId(NET)].sort());
    assert.equal(readFileSync(join(stateDir, 'dhcp', NET, 'host'), 'utf8'), `${MAC1},host-10-77-0-11.openstacklocal,10.77.0.11\n`);
    assert.deepEqual(agent.configurations(), { networks: 1, ports: 1, subnets: 1, dhcp_driver: 'dnsmasq', dhcp_lease_duration: 86400 });

    await plugDhcpTap();
    const lease = await udhcpc(VM1);
    assert.equal(lease.ip, '10.77.0.11');
    assert.equal(lease.mask, '24');
    assert.equal(lease.router, '10.77.0.1');
    assert.equal(lease.mtu, '1450');
    assert.equal(lease.dns, '10.77.0.53');
    assert.equal(lease.lease, '86400');
    assert.equal(lease.staticroutes, '169.254.169.254/32 10.77.0.2 0.0.0.0/0 10.77.0.1');
    const vmAddrs = await new NetnsHost(VM1).addresses('eth0');
    assert.ok(vmAddrs.some((a) => a.cidr === '10.77.0.11/24'));
    assert.match(readFileSync(join(stateDir, 'dhcp', NET, 'leases'), 'utf8'), /fa:16:3e:10:00:11 10\.77\.0\.11/);
  });

  it('isolated network: the instance reaches metadata through the route DHCP gave it', async () => {
    const upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${String(req.headers['x-instance-id'])} from ${String(req.headers['x-forwarded-for'])}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const lookups: unknown[] = [];
    const metadata = new MetadataAgent({ host: 'h1', netns: HOST_NS, namespacePrefix: PREFIX, stateDir }, {
      async metadataPort(args): Promise<MetadataLookup | null> {
        lookups.push(args);
        return args.ip_address === '10.77.0.11' && args.network_id === NET ? { instance_id: 'vm-one', project_id: 'p1', port_id: PORT1 } : null;
      },
    }, { socketPath: join(stateDir, 'metadata_proxy'), novaMetadataUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, sharedSecret: 's' });
    try {
      await metadata.reconcile();
      const { stdout } = await run('busybox', ['wget', '-q', '-O', '-', 'http://169.254.169.254/latest/meta-data/instance-id'],
        { netns: VM1, timeoutMs: 15_000 });
      assert.equal(stdout, 'vm-one from 10.77.0.11');
      assert.deepEqual(lookups, [{ ip_address: '10.77.0.11', network_id: NET }]);
    } finally {
      await metadata.close();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  it('a new port is a SIGHUP: same dnsmasq, the new port gets its lease', async () => {
    const pid = await dnsmasqPid();
    client.state = { host: 'h1', networks: [dhcpNetwork([port(PORT1, MAC1, '10.77.0.11'), port(PORT2, MAC2, '10.77.0.12')])] };
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => r.dnsmasq), ['reload']);
    assert.equal(await dnsmasqPid(), pid);
    const lease = await udhcpc(VM2);
    assert.equal(lease.ip, '10.77.0.12');
    assert.equal(await dnsmasqPid(), pid);
    assert.ok(pidAlive(pid));
    // Nothing changed: nothing done.
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => r.dnsmasq), ['none']);
  });

  it('a restarted agent adopts the running dnsmasq; an address leased to a removed port goes to its new owner', async () => {
    const pid = await dnsmasqPid();
    agent = newAgent(); // as after an agent restart: knows only what is on disk
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => r.dnsmasq), ['none']);
    assert.equal(await dnsmasqPid(), pid);

    // PORT2 is deleted and PORT3 (another MAC) gets its address, which is still leased to MAC2.
    client.state = { host: 'h1', networks: [dhcpNetwork([port(PORT1, MAC1, '10.77.0.11'), port(PORT3, MAC3, '10.77.0.12')])] };
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => r.dnsmasq), ['restart']);
    const leases = readFileSync(join(stateDir, 'dhcp', NET, 'leases'), 'utf8');
    assert.doesNotMatch(leases, /fa:16:3e:10:00:12/);
    assert.match(leases, /fa:16:3e:10:00:11 10\.77\.0\.11/, 'the other leases survive the restart');
    const vm2 = new NetnsHost(VM2);
    await vm2.deleteAddress('eth0', '10.77.0.12/24');
    await vm2.setLink('eth0', { mac: MAC3 });
    const lease = await udhcpc(VM2);
    assert.equal(lease.ip, '10.77.0.12');
  });

  it('dual stack: dnsmasq also serves a DHCPv6 stateful subnet', async () => {
    const v4: SubnetInfo = { ...subnet, id: '5e0c7a10-9d3b-4c2e-8f00-0000000006a4', network_id: NET6, cidr: '10.78.0.0/24', gateway_ip: '10.78.0.1' };
    const v6: SubnetInfo = {
      ...subnet, id: '5e0c7a10-9d3b-4c2e-8f00-0000000006a6', network_id: NET6, ip_version: 6, cidr: 'fd00:78::/64', gateway_ip: 'fd00:78::1',
      dns_nameservers: ['fd00:78::53'], ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful',
    };
    const dual: DhcpNetwork = {
      network: { ...dhcpNetwork([]).network, id: NET6, mtu: 1400 },
      subnets: [v4, v6],
      dhcp_port: { ...port(DHCP_PORT6, 'fa:16:3e:10:06:02', '10.78.0.2'), network_id: NET6,
        fixed_ips: [{ subnet_id: v4.id, ip_address: '10.78.0.2' }, { subnet_id: v6.id, ip_address: 'fd00:78::2' }] },
      ports: [{ ...port(PORT1, MAC1, '10.78.0.11'), network_id: NET6,
        fixed_ips: [{ subnet_id: v4.id, ip_address: '10.78.0.11' }, { subnet_id: v6.id, ip_address: 'fd00:78::11' }] }],
      isolated: false,
    };
    const current = client.state.networks;
    client.state = { host: 'h1', networks: [...current, dual] };
    await agent.reconcile();
    assert.deepEqual(agent.lastResults.map((r) => [r.networkId, r.dnsmasq]), [[NET, 'none'], [NET6, 'start']]);
    const qdhcp = new NetnsHost(QDHCP6);
    const inner = `ns-${DHCP_PORT6.slice(0, 11)}`;
    assert.deepEqual((await qdhcp.addresses(inner)).filter((a) => a.scope !== 'link').map((a) => a.cidr).sort(), ['10.78.0.2/24', 'fd00:78::2/64']);
    assert.equal(readFileSync(join(stateDir, 'dhcp', NET6, 'host'), 'utf8'),
      `${MAC1},host-10-78-0-11.openstacklocal,10.78.0.11\n${MAC1},host-fd00-78--11.openstacklocal,[fd00:78::11]\n`);
    const { stdout } = await run('ss', ['-lun'], { netns: QDHCP6 });
    assert.match(stdout, /:67\b/);
    assert.match(stdout, /:547\b/);
    assert.equal(agent.configurations().networks, 2);
    // No metadata proxy on a routed network.
    assert.equal((await daemons.running()).includes(dhcpProxyDaemonId(NET6)), false);
  });

  it('removes what is no longer in the state, and orphaned qdhcp namespaces of this host only', async () => {
    await ensureNetns(ORPHAN);
    await ensureNetns(FOREIGN);
    const pid = await dnsmasqPid();
    client.state = { host: 'h1', networks: [] };
    await agent.reconcile();
    const namespaces = await listNetns();
    assert.equal(namespaces.includes(QDHCP), false);
    assert.equal(namespaces.includes(QDHCP6), false);
    assert.equal(namespaces.includes(ORPHAN), false);
    assert.equal(namespaces.includes(FOREIGN), true, "another host's namespace is left alone");
    assert.equal(pidAlive(pid), false);
    assert.deepEqual(await daemons.running(), []);
    assert.equal(await host.link(TAP(DHCP_PORT)), undefined);
    assert.equal(existsSync(join(stateDir, 'dhcp', NET)), false);
    assert.deepEqual(agent.configurations(), { networks: 0, ports: 0, subnets: 0, dhcp_driver: 'dnsmasq', dhcp_lease_duration: 86400 });
    await deleteNetns(FOREIGN);
  });
});
