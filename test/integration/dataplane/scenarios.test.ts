// The data plane end to end with real packets (issue 5's "done when"): two simulated hosts, every
// network agent in a child process, instances as plugged namespaces getting addresses by DHCP.
// The steps build on each other, so they run in order in one suite.
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listNetns, NetnsHost, run } from '../../../src/hostnet/index.js';
import { startDataplane, type Dataplane, type Instance } from '../../support/dataplane-harness.js';

const root = process.getuid?.() === 0;
const skip = !root ? 'needs root' : !process.env.NIMBUS_TEST_AMQP_URL ? 'needs NIMBUS_TEST_AMQP_URL (RabbitMQ)' : false;
const CLIENT = '203.0.113.10';

/** Counts packets from `source` arriving at the external client (an nft counter in its namespace). */
async function observeSources(clientNs: string, sources: readonly string[]): Promise<() => Promise<Record<string, number>>> {
  const lines = sources.map((s) => `    ip saddr ${s} counter`).join('\n');
  await run('nft', ['-f', '-'], { netns: clientNs, input: `table ip observe\ndelete table ip observe\ntable ip observe {\n  chain seen {\n    type filter hook input priority 0;\n${lines}\n  }\n}\n` });
  return async () => {
    const { stdout } = await run('nft', ['list', 'table', 'ip', 'observe'], { netns: clientNs });
    const counts: Record<string, number> = {};
    for (const s of sources) counts[s] = Number(new RegExp(`ip saddr ${s.replace(/\./g, '\\.')} counter packets (\\d+)`).exec(stdout)?.[1] ?? 0);
    return counts;
  };
}

describe('data plane: packets obey the network API', { skip, timeout: 900_000 }, () => {
  let dp: Dataplane;
  let clientNs: string;
  const ids: Record<string, string> = {};
  const vms: Record<string, Instance> = {};

  before(async () => {
    dp = await startDataplane(2);
    clientNs = dp.sandbox.externalClient!.netns;
    const net = dp.net;
    const pub = await net.create('network', 'networks', { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' });
    await net.create('subnet', 'subnets', { network_id: pub.id, cidr: '172.24.4.0/24', ip_version: 4, gateway_ip: '172.24.4.1', enable_dhcp: false, allocation_pools: [{ start: '172.24.4.10', end: '172.24.4.200' }] });
    ids.public = pub.id;
  });

  after(async () => { await dp?.close(); });

  it('every host runs an alive L2, DHCP, L3 and metadata agent', async () => {
    const agents = await dp.waitForAgents(8);
    for (const host of dp.sandbox.hosts) {
      const types = agents.filter((a) => a.host === host.name).map((a) => a.agent_type).sort();
      assert.deepEqual(types, ['DHCP agent', 'L3 agent', 'Linux bridge agent', 'Metadata agent']);
    }
  });

  it('1. two instances on one VXLAN network on different hosts get DHCP addresses and ping each other', async () => {
    const { net } = dp;
    const alice = net.alice;
    const n1 = await net.create('network', 'networks', { name: 'a-net1' }, alice.token);
    assert.equal(n1['provider:network_type'], undefined);
    const s1 = await net.create('subnet', 'subnets', { network_id: n1.id, cidr: '10.10.1.0/24', ip_version: 4 }, alice.token);
    ids.aNet1 = n1.id; ids.aSub1 = s1.id;
    vms.vm1 = await dp.boot('vm1', 1, n1.id, alice.token);
    vms.vm2 = await dp.boot('vm2', 2, n1.id, alice.token);
    assert.equal(vms.vm1.ip, vms.vm1.port.fixed_ips[0].ip_address);
    assert.equal(vms.vm2.ip, vms.vm2.port.fixed_ips[0].ip_address);
    assert.ok(await dp.waitFor('vm1 → vm2', () => vms.vm1!.pings(vms.vm2!.ip)));
    assert.ok(await vms.vm2.pings(vms.vm1.ip, 3));
    const port = await net.request('GET', `/v2.0/ports/${vms.vm1.port.id}`);
    assert.equal(port.json().port.status, 'ACTIVE');
    assert.equal(port.json().port['binding:vif_type'], 'bridge');
  });

  it('2. instances on two subnets joined by a router ping each other', async () => {
    const { net } = dp;
    const alice = net.alice;
    const n2 = await net.create('network', 'networks', { name: 'a-net2' }, alice.token);
    const s2 = await net.create('subnet', 'subnets', { network_id: n2.id, cidr: '10.10.2.0/24', ip_version: 4 }, alice.token);
    const router = await net.create('router', 'routers', { name: 'a-router', external_gateway_info: { network_id: ids.public } }, alice.token);
    ids.aRouter = router.id;
    for (const subnet of [ids.aSub1, s2.id]) {
      const res = await net.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { body: { subnet_id: subnet }, token: alice.token });
      assert.equal(res.statusCode, 200, res.body);
    }
    vms.vm3 = await dp.boot('vm3', 2, n2.id, alice.token);
    assert.ok(await dp.waitFor("vm1 → vm3 across the router", () => vms.vm1!.pings(vms.vm3!.ip)));
    assert.ok(await vms.vm3.pings(vms.vm1!.ip, 2));
  });

  it('3. an instance reaches the external client through SNAT, seen from the router gateway address', async () => {
    const router = (await dp.net.request('GET', `/v2.0/routers/${ids.aRouter}`)).json().router;
    const gatewayIp = router.external_gateway_info.external_fixed_ips[0].ip_address as string;
    ids.aGatewayIp = gatewayIp;
    const seen = await observeSources(clientNs, [gatewayIp, vms.vm1!.ip]);
    assert.ok(await dp.waitFor('vm1 → external client', () => vms.vm1!.pings(CLIENT)));
    const counts = await seen();
    assert.ok(counts[gatewayIp]! >= 1, `client saw ${JSON.stringify(counts)}`);
    assert.equal(counts[vms.vm1!.ip], 0);
  });

  it('4. the external client reaches an instance at its floating IP, which is also its source', async () => {
    const { net } = dp;
    const alice = net.alice;
    // The default group denies ingress from outside the group: open ICMP as a user would.
    const groups = (await net.request('GET', `/v2.0/security-groups?name=default&project_id=${alice.projectId}`, { token: alice.token })).json().security_groups;
    ids.aDefaultSg = groups[0].id;
    await net.create('security_group_rule', 'security-group-rules', { security_group_id: ids.aDefaultSg, direction: 'ingress', protocol: 'icmp', remote_ip_prefix: '0.0.0.0/0' }, alice.token);
    const fip = await net.create('floatingip', 'floatingips', { floating_network_id: ids.public, port_id: vms.vm2!.port.id }, alice.token);
    ids.fip = fip.floating_ip_address; ids.fipId = fip.id;
    const seen = await observeSources(clientNs, [fip.floating_ip_address, ids.aGatewayIp!]);
    await dp.waitFor('client → floating IP', async () => {
      try { await run('ping', ['-c', '1', '-W', '1', fip.floating_ip_address], { netns: clientNs }); return true; } catch { return false; }
    });
    assert.ok(await vms.vm2!.pings(CLIENT, 2), 'vm2 → client');
    const counts = await seen();
    assert.ok(counts[fip.floating_ip_address]! >= 3, `client saw ${JSON.stringify(counts)}`);
    assert.equal(counts[ids.aGatewayIp!], 0, 'vm2 traffic must leave with its floating IP, not the router address');
    await dp.waitFor('floating IP ACTIVE', async () => (await net.request('GET', `/v2.0/floatingips/${fip.id}`)).json().floatingip.status === 'ACTIVE');
  });

  it('5. security groups: TCP/22 closed by default, opened by a rule, closed again when it is removed', async () => {
    const { net } = dp;
    const alice = net.alice;
    const listener = spawn('ip', ['netns', 'exec', vms.vm2!.netns, 'busybox', 'httpd', '-f', '-p', '22', '-h', '/tmp'], { stdio: 'ignore' });
    try {
    const reach = async () => {
      // Any HTTP answer (404 included) means the listener was reached; a timeout means filtered.
      const out = await run('curl', ['-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', `http://${ids.fip}:22/`], { netns: clientNs, timeoutMs: 5000 })
        .then((r) => r.stdout, () => '000');
      return out !== '000' && out !== '';
    };
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await reach(), false, 'port 22 must be closed by the default group');
    const rule = await net.create('security_group_rule', 'security-group-rules', { security_group_id: ids.aDefaultSg, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' }, alice.token);
    // How fast a rule reaches the kernel is measured by `npm run bench -- dataplane`, not here.
    await dp.waitFor('port 22 open', async () => reach(), 10_000);
    const del = await net.request('DELETE', `/v2.0/security-group-rules/${rule.id}`, { token: alice.token });
    assert.equal(del.statusCode, 204);
    await dp.waitFor('port 22 closed again', async () => !(await reach()), 10_000);
    // Same group members still reach each other on any protocol (ingress from remote group).
    assert.ok(await vms.vm1!.pings(vms.vm2!.ip));
    } finally {
      listener.kill('SIGKILL');
    }
  });

  it('6. forged source IP or MAC is dropped; with port security disabled it is not', async () => {
    const { net } = dp;
    const vm1 = vms.vm1!;
    const gateway = '10.10.1.1';
    // A forged source nobody holds (addresses are allocated at random in the pool).
    const held = new Set(((await net.request('GET', `/v2.0/ports?network_id=${ids.aNet1}`)).json().ports as Record<string, any>[])
      .flatMap((p) => p.fixed_ips.map((f: { ip_address: string }) => f.ip_address)));
    const forged = ['10.10.1.250', '10.10.1.251', '10.10.1.252', '10.10.1.253'].find((a) => !held.has(a))!;
    await vm1.exec('ip', ['addr', 'add', `${forged}/24`, 'dev', 'eth0']);
    assert.equal(await vm1.pings(gateway, 2, ['-I', forged]), false, 'forged IP must be dropped');
    const forgedMac = 'fa:16:3e:99:99:99';
    const realMac = vm1.port.mac_address as string;
    await vm1.exec('ip', ['link', 'set', 'eth0', 'address', forgedMac]);
    assert.equal(await vm1.pings(gateway, 2), false, 'forged MAC must be dropped');
    await vm1.exec('ip', ['link', 'set', 'eth0', 'address', realMac]);
    assert.ok(await dp.waitFor('vm1 back to normal', () => vm1.pings(gateway)));
    const off = await net.request('PUT', `/v2.0/ports/${vm1.port.id}`, { body: { port: { port_security_enabled: false, security_groups: [] } } });
    assert.equal(off.statusCode, 200, off.body);
    assert.ok(await dp.waitFor('forged IP passes without port security', () => vm1.pings(gateway, 1, ['-I', forged]), 10_000));
    await vm1.exec('ip', ['link', 'set', 'eth0', 'address', forgedMac]);
    assert.ok(await dp.waitFor('forged MAC passes without port security', () => vm1.pings(gateway), 10_000));
    await vm1.exec('ip', ['link', 'set', 'eth0', 'address', realMac]);
    await vm1.exec('ip', ['addr', 'del', `${forged}/24`, 'dev', 'eth0']);
    const on = await net.request('PUT', `/v2.0/ports/${vm1.port.id}`, { body: { port: { port_security_enabled: true, security_groups: [ids.aDefaultSg] } } });
    assert.equal(on.statusCode, 200, on.body);
    assert.ok(await dp.waitFor('vm1 → vm2 with port security back', () => vm1.pings(vms.vm2!.ip)));
  });

  it('7. two projects with the same CIDR behind two routers both work at once', async () => {
    const { net } = dp;
    const bob = net.bob;
    const nb = await net.create('network', 'networks', { name: 'b-net' }, bob.token);
    const sb = await net.create('subnet', 'subnets', { network_id: nb.id, cidr: '10.10.1.0/24', ip_version: 4 }, bob.token);
    const rb = await net.create('router', 'routers', { name: 'b-router', external_gateway_info: { network_id: ids.public } }, bob.token);
    const add = await net.request('PUT', `/v2.0/routers/${rb.id}/add_router_interface`, { body: { subnet_id: sb.id }, token: bob.token });
    assert.equal(add.statusCode, 200, add.body);
    vms.vm4 = await dp.boot('vm4', 1, nb.id, bob.token);
    const gatewayB = (await net.request('GET', `/v2.0/routers/${rb.id}`)).json().router.external_gateway_info.external_fixed_ips[0].ip_address as string;
    const seen = await observeSources(clientNs, [ids.aGatewayIp!, gatewayB]);
    await dp.waitFor('vm4 → client', () => vms.vm4!.pings(CLIENT));
    const [a, b] = await Promise.all([vms.vm1!.pings(CLIENT, 10), vms.vm4.pings(CLIENT, 10)]);
    assert.ok(a && b, `both projects reach the client at once (a=${a}, b=${b})`);
    const counts = await seen();
    assert.ok(counts[ids.aGatewayIp!]! >= 10 && counts[gatewayB]! >= 10, JSON.stringify(counts));
    assert.ok(await vms.vm4.pings('10.10.1.1'), 'b reaches its own gateway 10.10.1.1');
  });

  it('8. a request to 169.254.169.254 arrives at the metadata server with signed headers', async () => {
    const vm1 = vms.vm1!;
    const before = dp.metadataRequests.length;
    const out = await dp.waitFor('metadata answer', async () => {
      try {
        return (await vm1.exec('curl', ['-s', '-f', '-m', '3', 'http://169.254.169.254/openstack/latest/meta_data.json'])).stdout;
      } catch { return undefined; }
    });
    assert.match(out, new RegExp(vm1.port.device_id));
    const seen = dp.metadataRequests.slice(before).at(-1)!;
    assert.equal(seen.path, '/openstack/latest/meta_data.json');
    assert.equal(seen.headers['x-instance-id'], vm1.port.device_id);
    assert.equal(seen.headers['x-tenant-id'], dp.net.alice.projectId);
    assert.equal(seen.headers['x-forwarded-for'], vm1.ip);
    assert.equal(seen.headers['x-instance-id-signature'], dp.metadataSignature(vm1.port.device_id));
  });

  it('9. kill -9 of every agent and a restart disturb no traffic, and the state converges without duplicates', async () => {
    const snapshot = async () => {
      const out: string[] = [];
      for (const host of dp.sandbox.hosts) {
        const h = new NetnsHost(host.netns);
        const links = (await h.links()).filter((l) => /^(brq|vxlan-|tap)/.test(l.name)).map((l) => `${host.name} ${l.name} ${l.master ?? ''} ${l.up}`);
        out.push(...links.sort());
        for (const t of await h.nftTables()) out.push(`${host.name} nft ${t.family} ${t.name} ${(await h.exec('nft', ['list', 'table', t.family, t.name])).stdout.replace(/packets \d+ bytes \d+/g, '').replace(/# handle \d+/g, '')}`);
      }
      out.push(...(await listNetns()).filter((n) => n.startsWith(`nimbus-${dp.sandbox.name}-h`)).sort());
      return out;
    };
    const beforeState = await snapshot();
    const countDaemons = async () => {
      const { stdout } = await run('ps', ['-eo', 'pid,args']);
      return stdout.split('\n').filter((l) => l.includes(dp.sandbox.name) && /dnsmasq|haproxy/.test(l)).length;
    };
    const daemonsBefore = await countDaemons();
    const flows = [
      vms.vm1!.exec('ping', ['-c', '60', '-i', '0.2', '-W', '1', vms.vm2!.ip], 60_000),
      vms.vm1!.exec('ping', ['-c', '60', '-i', '0.2', '-W', '1', vms.vm3!.ip], 60_000),
      vms.vm1!.exec('ping', ['-c', '60', '-i', '0.2', '-W', '1', CLIENT], 60_000),
      run('ping', ['-c', '60', '-i', '0.2', '-W', '1', ids.fip!], { netns: clientNs, timeoutMs: 60_000 }),
    ].map((p) => p.then((r) => r.stdout, (e) => String((e as { stdout?: string }).stdout ?? e)));
    await new Promise((r) => setTimeout(r, 1500));
    await dp.killAgents();
    await new Promise((r) => setTimeout(r, 1500));
    await dp.startAgents();
    const results = await Promise.all(flows);
    for (const text of results) {
      const m = /(\d+) packets transmitted, (\d+) received/.exec(text);
      assert.ok(m, text);
      assert.ok(Number(m[1]) - Number(m[2]) <= 1, `lost more than one ping: ${m[0]}`);
    }
    await dp.waitForAgents(8);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await snapshot(), beforeState);
    assert.equal(await countDaemons(), daemonsBefore, 'no duplicate dnsmasq/haproxy');
  });

  it('10. deleting every resource leaves no namespace, link, nft table or process behind', async () => {
    const { net } = dp;
    await net.request('DELETE', `/v2.0/floatingips/${ids.fipId}`);
    for (const vm of Object.values(vms)) {
      await dp.unplug(vm);
      assert.equal((await net.request('DELETE', `/v2.0/ports/${vm.port.id}`)).statusCode, 204);
    }
    const routers = (await net.request('GET', '/v2.0/routers')).json().routers as Record<string, any>[];
    for (const r of routers) {
      const ports = (await net.request('GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_interface`)).json().ports as Record<string, any>[];
      for (const p of ports) assert.equal((await net.request('PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { body: { port_id: p.id } })).statusCode, 200);
      assert.equal((await net.request('DELETE', `/v2.0/routers/${r.id}`)).statusCode, 204);
    }
    const networks = (await net.request('GET', '/v2.0/networks')).json().networks as Record<string, any>[];
    for (const n of networks) {
      const res = await net.request('DELETE', `/v2.0/networks/${n.id}`);
      assert.equal(res.statusCode, 204, `${n.name}: ${res.body}`);
    }
    await dp.waitFor('every host clean', async () => {
      for (const host of dp.sandbox.hosts) {
        const h = new NetnsHost(host.netns);
        const links = (await h.links()).filter((l) => /^(brq|vxlan-|tap)/.test(l.name));
        if (links.length > 0) return false;
        if ((await h.nftTables()).length > 0) return false;
      }
      const agentNs = (await listNetns()).filter((n) => /-(qrouter|qdhcp)-/.test(n) && n.startsWith(`nimbus-${dp.sandbox.name}-`));
      if (agentNs.length > 0) return false;
      const { stdout } = await run('ps', ['-eo', 'args']);
      return !stdout.split('\n').some((l) => l.includes(dp.sandbox.name) && /dnsmasq|haproxy/.test(l));
    }, 60_000);
  });
});
