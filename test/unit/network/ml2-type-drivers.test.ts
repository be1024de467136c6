import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config.js';
import { ApiError } from '../../../src/core/errors.js';
import type { AgentRow } from '../../../src/network/db/schema.js';
import { buildTypeDrivers, TypeManager } from '../../../src/network/ml2/type-manager.js';
import { parseVlanRanges } from '../../../src/network/ml2/type-vlan.js';
import { parseRange } from '../../../src/network/ml2/allocation.js';
import { agentReachesSegment } from '../../../src/network/ml2/linuxbridge.js';

function manager(network: Record<string, unknown> = {}): TypeManager {
  const config = parseConfig({ network }, {});
  return new TypeManager(buildTypeDrivers(config.network), config.network.tenantNetworkTypes, config.network.globalPhysnetMtu);
}

function refused(work: () => unknown, status: number, message: string): void {
  assert.throws(work, (err: unknown) => err instanceof ApiError && err.status === status && err.message === message);
}

describe('ML2 type drivers: provider validation', () => {
  const tm = manager({ networkVlanRanges: ['public', 'physnet1:100:199'], flatNetworks: ['physnet1', 'public'] });

  it('requires and knows network_type', () => {
    refused(() => tm.validate({}), 400, 'Invalid input for operation: network_type required.');
    refused(() => tm.validate({ network_type: 'foo' }), 400, "Invalid input for operation: network_type value 'foo' not supported.");
  });

  it('vlan: physnet rules and the tag range', () => {
    refused(() => tm.validate({ network_type: 'vlan', segmentation_id: 100 }), 400,
      'Invalid input for operation: segmentation_id requires physical_network for VLAN provider network.');
    refused(() => tm.validate({ network_type: 'vlan', physical_network: 'nope', segmentation_id: 5 }), 400,
      "Invalid input for operation: physical_network 'nope' unknown for VLAN provider network.");
    refused(() => tm.validate({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 4095 }), 400,
      'Invalid input for operation: segmentation_id out of range (1 through 4094).');
    refused(() => tm.validate({ network_type: 'vlan', physical_network: 'public' }), 400,
      'Invalid input for operation: Physical network public requires segmentation_id to be specified when creating a provider network.');
    assert.deepEqual(tm.validate({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 4094 }),
      { network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 4094 });
    // Provider VLANs outside the tenant range are fine; a physnet with a range may omit the id.
    assert.doesNotThrow(() => tm.validate({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 7 }));
    assert.doesNotThrow(() => tm.validate({ network_type: 'vlan', physical_network: 'physnet1' }));
  });

  it('flat: needs a known physnet and takes no segmentation id', () => {
    refused(() => tm.validate({ network_type: 'flat' }), 400, 'Invalid input for operation: physical_network required for flat provider network.');
    refused(() => tm.validate({ network_type: 'flat', physical_network: 'other' }), 400,
      "Invalid input for operation: physical_network 'other' unknown for flat provider network.");
    refused(() => tm.validate({ network_type: 'flat', physical_network: 'public', segmentation_id: 3 }), 400,
      'Invalid input for operation: segmentation_id prohibited for flat provider network.');
    const disabled = manager({ flatNetworks: [] });
    refused(() => disabled.validate({ network_type: 'flat', physical_network: 'x' }), 400, 'Invalid input for operation: Flat provider networks are disabled.');
  });

  it('local and tunnels refuse what they do not take', () => {
    refused(() => tm.validate({ network_type: 'local', segmentation_id: 4 }), 400, 'Invalid input for operation: segmentation_id prohibited for local provider network.');
    refused(() => tm.validate({ network_type: 'vxlan', physical_network: 'physnet1' }), 400,
      'Invalid input for operation: provider:physical_network specified for vxlan network.');
    refused(() => tm.validate({ network_type: 'geneve', segmentation_id: 2 ** 24 }), 400,
      'Invalid input for operation: segmentation_id out of range (1 through 16777215).');
    assert.doesNotThrow(() => tm.validate({ network_type: 'gre', segmentation_id: 5000 }));
  });

  it('a type not in typeDrivers is not supported', () => {
    const only = manager({ typeDrivers: ['vxlan'] });
    refused(() => only.validate({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 5 }), 400,
      "Invalid input for operation: network_type value 'vlan' not supported.");
  });
});

describe('ML2 MTU', () => {
  const tm = manager({ globalPhysnetMtu: 9000 });
  it('subtracts the encapsulation overhead and takes the smallest segment', () => {
    const seg = (network_type: string) => ({ network_type, physical_network: null });
    assert.equal(tm.networkMtu([seg('vxlan')]), 8950);
    assert.equal(tm.networkMtu([seg('geneve')]), 8942);
    assert.equal(tm.networkMtu([seg('gre')]), 8958);
    assert.equal(tm.networkMtu([seg('vlan')]), 9000);
    assert.equal(tm.networkMtu([seg('flat')]), 9000);
    assert.equal(tm.networkMtu([seg('local')]), 9000);
    assert.equal(tm.networkMtu([seg('vlan'), seg('geneve'), seg('vxlan')]), 8942);
  });
});

describe('ML2 configuration ranges', () => {
  it('parses VLAN and VNI ranges', () => {
    const vlans = parseVlanRanges(['public', 'physnet1:100:199', 'physnet1:300:310']);
    assert.deepEqual(vlans.get('public'), []);
    assert.deepEqual(vlans.get('physnet1'), [[100, 199], [300, 310]]);
    assert.deepEqual(parseRange('20:10', 'x', 100), [10, 20]);
    assert.throws(() => parseRange('1:5000', 'x', 4094));
    assert.throws(() => parseRange('abc', 'x', 4094));
  });
});

describe('linuxbridge segment reachability', () => {
  const agent = (configurations: Record<string, unknown>): AgentRow => ({
    id: 'a', agent_type: 'Linux bridge agent', binary: 'b', topic: 't', host: 'h', admin_state_up: 1, availability_zone: null,
    description: null, configurations: JSON.stringify(configurations), resource_versions: '{}', created_at: '', started_at: '',
    heartbeat_timestamp: '', load: 0, resources_synced: null,
  });
  it('needs the physnet for flat/vlan and the tunnel type for vxlan', () => {
    const a = agent({ interface_mappings: { physnet1: 'eth1' }, bridge_mappings: { public: 'br-ex' }, tunnel_types: ['vxlan'] });
    assert.equal(agentReachesSegment(a, { network_type: 'vlan', physical_network: 'physnet1' }), true);
    assert.equal(agentReachesSegment(a, { network_type: 'flat', physical_network: 'public' }), true);
    assert.equal(agentReachesSegment(a, { network_type: 'vlan', physical_network: 'physnet2' }), false);
    assert.equal(agentReachesSegment(a, { network_type: 'vxlan', physical_network: null }), true);
    assert.equal(agentReachesSegment(a, { network_type: 'geneve', physical_network: null }), false);
    assert.equal(agentReachesSegment(agent({}), { network_type: 'vxlan', physical_network: null }), false);
  });
});
