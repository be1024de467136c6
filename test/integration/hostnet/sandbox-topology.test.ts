// The sandbox plan (names, addresses, validation): pure, needs no privileges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SandboxConfigError, createSandbox, destroySandbox, planSandbox, sandboxNamespaces, uplinkDeviceName } from '../../../src/hostnet/sandbox/index.js';

describe('sandbox topology plan', () => {
  it('derives names and addresses from the defaults', () => {
    const plan = planSandbox({ name: 'demo', hosts: 2 });
    assert.equal(plan.prefix, 'nimbus-demo-');
    assert.equal(plan.fabricNetns, 'nimbus-demo-fabric');
    assert.equal(plan.publicCidr, '172.24.4.0/24');
    assert.equal(plan.publicGateway, '172.24.4.1');
    assert.equal(plan.publicGatewayAddress, '172.24.4.1/24');
    assert.deepEqual(plan.hosts.map((h) => [h.name, h.netns, h.tunnelIp, h.tunnelAddress, h.fabricUnderlayPort, h.fabricPublicPort]), [
      ['demo-host1', 'nimbus-demo-h1', '10.254.0.11', '10.254.0.11/24', 'ul-h1', 'pub-h1'],
      ['demo-host2', 'nimbus-demo-h2', '10.254.0.12', '10.254.0.12/24', 'ul-h2', 'pub-h2'],
    ]);
    const { clientMac, fabricMac, ...external } = plan.external!;
    assert.deepEqual(external, {
      netns: 'nimbus-demo-ext', clientAddress: '203.0.113.10', clientCidrAddress: '203.0.113.10/24',
      fabricAddress: '203.0.113.1', fabricCidrAddress: '203.0.113.1/24', cidr: '203.0.113.0/24',
    });
    // Stable, locally administered, unicast and distinct MACs.
    const macs = [clientMac, fabricMac, plan.publicBridgeMac, plan.underlayBridgeMac, ...plan.hosts.flatMap((h) => [h.tunnelMac, h.publicMac])];
    for (const mac of macs) assert.match(mac, /^02(:[0-9a-f]{2}){5}$/);
    assert.equal(new Set(macs).size, macs.length);
    assert.deepEqual(planSandbox({ name: 'demo', hosts: 2 }), plan, 'deterministic');
    assert.notEqual(planSandbox({ name: 'demo2', hosts: 2 }).publicBridgeMac, plan.publicBridgeMac);
    assert.equal(plan.uplink, undefined);
  });

  it('honours custom ranges and the uplink mode', () => {
    const plan = planSandbox({ name: 'aio', hosts: 16, publicCidr: '192.168.50.0/26', publicGateway: '192.168.50.62', tunnelCidr: '10.9.0.0/27', uplink: true });
    assert.equal(plan.publicGatewayAddress, '192.168.50.62/26');
    assert.equal(plan.hosts[15]!.tunnelAddress, '10.9.0.26/27');
    assert.equal(plan.hosts[15]!.netns, 'nimbus-aio-h16');
    assert.equal(plan.external, undefined, 'with an uplink the root namespace is the client');
    assert.equal(plan.uplink?.rootDevice, 'nimbus-aio');
    assert.equal(uplinkDeviceName('abcdefgh').length, 15);
  });

  it('refuses bad names, host counts and ranges with clear errors', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ name: 'Demo', hosts: 1 }, /sandbox name "Demo" is invalid/],
      [{ name: 'abcdefghi', hosts: 1 }, /1 to 8 characters/],
      [{ name: 'a-b', hosts: 1 }, /invalid/],
      [{ name: '', hosts: 1 }, /invalid/],
      [{ name: 'x', hosts: 0 }, /hosts must be an integer from 1 to 16/],
      [{ name: 'x', hosts: 17 }, /from 1 to 16/],
      [{ name: 'x', hosts: 1.5 }, /integer/],
      [{ name: 'x', hosts: 1, publicCidr: '172.24.4.0' }, /publicCidr '172.24.4.0' is not an IPv4 CIDR/],
      [{ name: 'x', hosts: 1, publicCidr: '172.24.4.1/24' }, /host bits set \(did you mean 172.24.4.0\/24\?\)/],
      [{ name: 'x', hosts: 1, publicCidr: '300.1.1.0/24' }, /not an IPv4 CIDR/],
      [{ name: 'x', hosts: 1, publicCidr: '172.24.4.0/33' }, /not an IPv4 CIDR/],
      [{ name: 'x', hosts: 1, publicCidr: '172.24.4.0/31' }, /too small/],
      [{ name: 'x', hosts: 1, publicGateway: '172.24.5.1' }, /publicGateway 172.24.5.1 is not a usable host address of publicCidr 172.24.4.0\/24/],
      [{ name: 'x', hosts: 1, publicGateway: '172.24.4.255' }, /not a usable host address/],
      [{ name: 'x', hosts: 1, publicGateway: 'gw' }, /publicGateway 'gw' is not an IPv4 address/],
      [{ name: 'x', hosts: 16, tunnelCidr: '10.254.0.0/28' }, /tunnelCidr 10.254.0.0\/28 is too small for 16 hosts/],
      [{ name: 'x', hosts: 1, externalClientCidr: '203.0.113.0/29' }, /externalClientCidr '203.0.113.0\/29' is too small/],
      [{ name: 'x', hosts: 1, tunnelCidr: '172.24.0.0/16' }, /publicCidr 172.24.4.0\/24 overlaps tunnelCidr 172.24.0.0\/16/],
      [{ name: 'x', hosts: 1, externalClientCidr: '10.254.0.0/24' }, /tunnelCidr 10.254.0.0\/24 overlaps externalClientCidr/],
      [{ name: 'x', hosts: 1, uplink: 'yes' }, /uplink must be a boolean/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => planSandbox(options as never), (e: unknown) => e instanceof SandboxConfigError && message.test(e.message), JSON.stringify(options));
    }
  });

  it('validates before touching the kernel', async () => {
    await assert.rejects(createSandbox({ name: 'x', hosts: 1, publicCidr: 'nope' }), SandboxConfigError);
    await assert.rejects(destroySandbox('../x'), SandboxConfigError);
    await assert.rejects(sandboxNamespaces('UPPER'), SandboxConfigError);
  });
});
