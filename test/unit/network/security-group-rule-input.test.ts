import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/errors.js';
import { checkRule, convertIpPrefix, convertPort, convertProtocol, type RuleFields } from '../../../src/network/domain/security-groups/rule-input.js';

const kindOf = (fn: () => unknown): string => {
  try { fn(); } catch (err) { if (err instanceof ApiError) return err.kind; throw err; }
  return 'none';
};

const rule = (over: Partial<RuleFields>): RuleFields => ({
  ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null,
  remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, ...over,
});

describe('security group rule input', () => {
  it('converts protocols as Neutron does', () => {
    assert.equal(convertProtocol('TCP'), 'tcp');
    assert.equal(convertProtocol(6), '6');
    assert.equal(convertProtocol(' 17 '), '17');
    assert.equal(convertProtocol('any'), null);
    assert.equal(convertProtocol(0), null);
    assert.equal(convertProtocol(null), null);
    assert.equal(convertProtocol('icmpv6'), 'icmpv6');
    for (const bad of ['bogus', 256, -1, 1.5, true, [], {}]) assert.equal(kindOf(() => convertProtocol(bad)), 'SecurityGroupRuleInvalidProtocol', String(bad));
  });

  it('converts ports and prefixes', () => {
    assert.equal(convertPort('80'), 80);
    assert.equal(convertPort(null), null);
    for (const bad of [-1, 65536, 'x', 1.5]) assert.equal(kindOf(() => convertPort(bad)), 'SecurityGroupInvalidPortValue');
    assert.deepEqual(convertIpPrefix('10.1.2.3/8'), { prefix: '10.1.2.3/8', normalized: '10.0.0.0/8', version: 4 });
    assert.deepEqual(convertIpPrefix('::1'), { prefix: '::1/128', normalized: '::1/128', version: 6 });
    assert.equal(convertIpPrefix(''), null);
    assert.equal(kindOf(() => convertIpPrefix('10.0.0.0/33')), 'InvalidCIDR');
    assert.equal(kindOf(() => convertIpPrefix(5)), 'InvalidCIDR');
  });

  it('makes legacy IPv6 ICMP names canonical and checks ranges per protocol', () => {
    assert.equal(checkRule(rule({ ethertype: 'IPv6', protocol: 'icmp' }), null).protocol, 'ipv6-icmp');
    assert.equal(checkRule(rule({ ethertype: 'IPv6', protocol: '1' }), null).protocol, '58');
    assert.equal(checkRule(rule({ protocol: 'icmp' }), null).protocol, 'icmp');
    assert.equal(kindOf(() => checkRule(rule({ protocol: 'icmpv6' }), null)), 'SecurityGroupEthertypeConflictWithProtocol');
    assert.equal(kindOf(() => checkRule(rule({ protocol: '6', port_range_min: 5, port_range_max: 4 }), null)), 'SecurityGroupInvalidPortRange');
    assert.equal(kindOf(() => checkRule(rule({ protocol: '132', port_range_min: 5, port_range_max: 5 }), null)), 'none');
    assert.equal(kindOf(() => checkRule(rule({ protocol: 'gre', port_range_min: 5, port_range_max: 5 }), null)), 'SecurityGroupInvalidProtocolForPort');
    assert.equal(kindOf(() => checkRule(rule({ ethertype: 'IPv6', protocol: '58', port_range_min: 128, port_range_max: 0 }), null)), 'none');
  });
});
