// The network flow an operator and a project member run, with Debian's real `openstack` client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startAllInOne, type AllInOne } from '../support/all-in-one.js';

const run = promisify(execFile);

type Row = Record<string, any>;

describe('networks with the real openstack client', () => {
  let cloud: AllInOne;
  const member = { OS_USERNAME: 'carol', OS_PASSWORD: 'carol-secret', OS_PROJECT_NAME: 'demo' };
  before(async () => {
    cloud = await startAllInOne();
    await cloud.openstack(['project', 'create', 'demo']);
    await cloud.openstack(['user', 'create', '--password', 'carol-secret', 'carol']);
    await cloud.openstack(['role', 'add', '--project', 'demo', '--user', 'carol', 'member']);
  });
  after(async () => cloud?.stop());

  test('admin: provider networks, external network and its subnet', { timeout: 180_000 }, async () => {
    const vx = await cloud.openstackJson<Row>(['network', 'create', '--provider-network-type', 'vxlan', 'e2e-vxlan']);
    assert.equal(vx['provider:network_type'], 'vxlan');
    assert.ok(Number(vx['provider:segmentation_id']) > 0);
    const pub = await cloud.openstackJson<Row>(['network', 'create', '--provider-network-type', 'flat', '--provider-physical-network', 'public', '--external', 'public']);
    assert.equal(pub['provider:physical_network'], 'public');
    assert.ok(pub['router:external'] === true || pub['router:external'] === 'External', String(pub['router:external']));
    const sub = await cloud.openstackJson<Row>(['subnet', 'create', '--network', 'public', '--subnet-range', '172.24.4.0/24', '--no-dhcp',
      '--allocation-pool', 'start=172.24.4.10,end=172.24.4.200', 'public-subnet']);
    assert.equal(sub.enable_dhcp, false);
    assert.deepEqual(sub.allocation_pools, [{ start: '172.24.4.10', end: '172.24.4.200' }]);
  });

  test('member: network, subnets, port, router, floating IP, security group, RBAC', { timeout: 300_000 }, async () => {
    const os = (args: string[]) => cloud.openstack(args, member);
    const osj = (args: string[]) => cloud.openstackJson<Row>(args, member);
    const net = await osj(['network', 'create', 'private']);
    assert.equal(net.status, 'ACTIVE');
    await assert.rejects(os(['network', 'create', '--provider-network-type', 'flat', '--provider-physical-network', 'public', 'nope']), 'provider attributes are admin only');

    const v4 = await osj(['subnet', 'create', '--network', 'private', '--subnet-range', '10.0.0.0/24',
      '--allocation-pool', 'start=10.0.0.10,end=10.0.0.100', 'private-v4']);
    assert.equal(v4.gateway_ip, '10.0.0.1');
    const v6 = await osj(['subnet', 'create', '--network', 'private', '--ip-version', '6', '--subnet-range', 'fd00:1::/64',
      '--ipv6-ra-mode', 'slaac', '--ipv6-address-mode', 'slaac', 'private-v6']);
    assert.equal(v6.ipv6_address_mode, 'slaac');

    const port = await osj(['port', 'create', '--network', 'private', '--fixed-ip', 'subnet=private-v4,ip-address=10.0.0.50', 'p1']);
    const ips = (port.fixed_ips as Row[]).map((f) => f.ip_address);
    assert.ok(ips.includes('10.0.0.50'), JSON.stringify(port.fixed_ips));
    assert.ok(ips.some((ip: string) => ip.startsWith('fd00:1:')), 'a SLAAC address from the IPv6 subnet');

    const router = await osj(['router', 'create', 'r1']);
    await os(['router', 'set', '--external-gateway', 'public', 'r1']);
    await os(['router', 'add', 'subnet', 'r1', 'private-v4']);
    const shown = await osj(['router', 'show', 'r1']);
    assert.equal(shown.id, router.id);
    assert.ok(JSON.stringify(shown.external_gateway_info).includes('172.24.4.'), JSON.stringify(shown.external_gateway_info));

    const fip = await osj(['floating', 'ip', 'create', 'public']);
    assert.match(String(fip.floating_ip_address), /^172\.24\.4\./);
    await os(['floating', 'ip', 'set', '--port', 'p1', String(fip.id)]);
    assert.equal((await osj(['floating', 'ip', 'show', String(fip.id)])).port_id, port.id);

    const sg = await osj(['security', 'group', 'create', 'web']);
    const rule = await osj(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22', 'web']);
    assert.equal(rule.port_range_min, 22);
    await os(['security', 'group', 'rule', 'delete', String(rule.id)]);
    await os(['security', 'group', 'delete', String(sg.id)]);

    // A port keeps its subnet and network: both deletes are refused. (Not the SLAAC subnet:
    // Neutron deletes auto-addresses along with their subnet.)
    await assert.rejects(os(['subnet', 'delete', 'private-v4']), 'subnet with a port');
    await assert.rejects(os(['network', 'delete', 'private']), 'network with a port');

    const admin = await cloud.openstackJson<Row>(['project', 'show', 'admin']);
    const rbac = await osj(['network', 'rbac', 'create', '--target-project', String(admin.id), '--action', 'access_as_shared', '--type', 'network', 'private']);
    assert.equal(rbac.action, 'access_as_shared');
  });

  test('quotas: set and list', { timeout: 120_000 }, async () => {
    // `openstack quota set` builds a compute client first and fails without a compute endpoint;
    // the same SDK call it makes for network quotas is made directly.
    const project = String((await cloud.openstackJson<Row>(['project', 'show', 'demo'])).id);
    await run('/usr/bin/python3', ['-c', `import openstack; openstack.connect().network.update_quota('${project}', networks=20, ports=42)`], { env: cloud.env });
    // `quota show` needs a compute endpoint too; `quota list --network` asks only the network API.
    const rows = await cloud.openstackJson<Row[]>(['quota', 'list', '--network', '--project', 'demo']);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.Networks, 20, JSON.stringify(rows));
    assert.equal(rows[0]!.Ports, 42);
  });
});
