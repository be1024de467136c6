import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

type Json = Record<string, any>;

describe('security group rules', () => {
  let h: NetworkHarness;
  let sg: Json;
  before(async () => {
    h = await startNetwork();
    sg = await h.create('security_group', 'security-groups', { name: 'rules' }, h.alice.token);
  });
  after(async () => { await h.close(); });

  const post = (rule: Json, token = h.alice.token) =>
    h.request('POST', '/v2.0/security-group-rules', { token, body: { security_group_rule: { security_group_id: sg.id, ...rule } } });
  const created = async (rule: Json): Promise<Json> => {
    const res = await post(rule);
    assert.equal(res.statusCode, 201, res.body);
    return res.json().security_group_rule;
  };
  const fault = async (rule: Json, status: number, type: string, message?: string): Promise<void> => {
    const res = await post(rule);
    assert.equal(res.statusCode, status, `${JSON.stringify(rule)} → ${res.body}`);
    assert.equal(res.json().NeutronError.type, type, res.body);
    if (message !== undefined) assert.equal(res.json().NeutronError.message, message);
  };

  it('creates a tcp rule with every attribute rendered, and bumps the group revision', async () => {
    const before = (await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token })).json().security_group.revision_number;
    const rule = await created({ direction: 'ingress', protocol: 'TCP', port_range_min: 22, port_range_max: '23', remote_ip_prefix: '10.0.0.1/24', description: 'ssh' });
    assert.equal(rule.protocol, 'tcp');
    assert.equal(rule.ethertype, 'IPv4');
    assert.equal(rule.port_range_min, 22);
    assert.equal(rule.port_range_max, 23);
    assert.equal(rule.remote_ip_prefix, '10.0.0.1/24');
    assert.equal(rule.normalized_cidr, '10.0.0.0/24');
    assert.equal(rule.remote_group_id, null);
    assert.equal(rule.remote_address_group_id, null);
    assert.equal(rule.description, 'ssh');
    assert.equal(rule.project_id, h.alice.projectId);
    assert.equal(rule.tenant_id, h.alice.projectId);
    assert.equal(rule.belongs_to_default_sg, false);
    assert.equal(rule.revision_number, 0);
    assert.equal(typeof rule.created_at, 'string');
    const after = (await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token })).json().security_group;
    assert.equal(after.revision_number, before + 1);
    assert.ok((after.security_group_rules as Json[]).some((r) => r.id === rule.id));

    const show = await h.request('GET', `/v2.0/security-group-rules/${rule.id}`, { token: h.alice.token });
    assert.equal(show.statusCode, 200);
    assert.deepEqual(show.json().security_group_rule, rule);
  });

  it('accepts icmp type/code, protocol numbers and a bare address prefix', async () => {
    const icmp = await created({ direction: 'ingress', protocol: 'icmp', port_range_min: 8, port_range_max: 0 });
    assert.deepEqual([icmp.port_range_min, icmp.port_range_max], [8, 0]);
    const num = await created({ direction: 'egress', protocol: 17, port_range_min: 53, port_range_max: 53 });
    assert.equal(num.protocol, '17');
    const str = await created({ direction: 'egress', protocol: '112' });
    assert.equal(str.protocol, '112');
    const host = await created({ direction: 'ingress', protocol: 'udp', port_range_min: 1, port_range_max: 65535, remote_ip_prefix: '192.168.7.9' });
    assert.equal(host.remote_ip_prefix, '192.168.7.9/32');
    const v6 = await created({ direction: 'ingress', ethertype: 'ipv6', protocol: 'icmp', remote_ip_prefix: '2001:DB8::1/64' });
    assert.equal(v6.ethertype, 'IPv6');
    assert.equal(v6.protocol, 'ipv6-icmp');
    assert.equal(v6.remote_ip_prefix, '2001:db8::1/64');
    assert.equal(v6.normalized_cidr, '2001:db8::/64');
    const any = await created({ direction: 'ingress', protocol: 'any', remote_ip_prefix: '172.16.0.0/12' });
    assert.equal(any.protocol, null);
  });

  it('refers to a remote group, and the rule vanishes when that group is deleted', async () => {
    const remote = await h.create('security_group', 'security-groups', { name: 'remote' }, h.alice.token);
    const rule = await created({ direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_group_id: remote.id });
    assert.equal(rule.remote_group_id, remote.id);
    const rev = (await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token })).json().security_group.revision_number;
    assert.equal((await h.request('DELETE', `/v2.0/security-groups/${remote.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v2.0/security-group-rules/${rule.id}`, { token: h.alice.token })).statusCode, 404);
    const after = (await h.request('GET', `/v2.0/security-groups/${sg.id}`, { token: h.alice.token })).json().security_group.revision_number;
    assert.equal(after, rev + 1);
  });

  it('refuses duplicates, also when spelled differently', async () => {
    const rule = await created({ direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_ip_prefix: '0.0.0.0/0' });
    await fault({ direction: 'ingress', protocol: '6', port_range_min: 443, port_range_max: 443 }, 409, 'SecurityGroupRuleExists',
      `Security group rule already exists. Rule id is ${rule.id}.`);
    const egress = (sg.security_group_rules as Json[]).find((r) => r.ethertype === 'IPv4')!;
    await fault({ direction: 'egress' }, 409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${egress.id}.`);
  });

  it('validates protocols, ports, prefixes and remotes with Neutron\'s errors', async () => {
    await fault({ direction: 'sideways' }, 400, 'HTTPBadRequest');
    await fault({ protocol: 'tcp' }, 400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'direction' not specified");
    await fault({ direction: 'ingress', protocol: 'bogus' }, 400, 'SecurityGroupRuleInvalidProtocol');
    await fault({ direction: 'ingress', protocol: 256 }, 400, 'SecurityGroupRuleInvalidProtocol');
    await fault({ direction: 'ingress', protocol: -1 }, 400, 'SecurityGroupRuleInvalidProtocol');
    await fault({ direction: 'ingress', protocol: 'tcp', port_range_min: 70000, port_range_max: 70000 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 70000');
    await fault({ direction: 'ingress', protocol: 'tcp', port_range_min: 0, port_range_max: 10 }, 400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0');
    await fault({ direction: 'ingress', protocol: 'tcp', port_range_min: 20, port_range_max: 10 }, 400, 'SecurityGroupInvalidPortRange',
      'For TCP/UDP protocols, port_range_min must be <= port_range_max');
    await fault({ direction: 'ingress', protocol: 'udp', port_range_min: 20 }, 400, 'SecurityGroupInvalidPortRange');
    await fault({ direction: 'ingress', port_range_min: 20, port_range_max: 20 }, 400, 'SecurityGroupProtocolRequiredWithPorts');
    await fault({ direction: 'ingress', protocol: 'icmp', port_range_min: 256 }, 400, 'SecurityGroupInvalidIcmpValue',
      'Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255.');
    await fault({ direction: 'ingress', protocol: 'icmp', port_range_min: 8, port_range_max: 300 }, 400, 'SecurityGroupInvalidIcmpValue');
    await fault({ direction: 'ingress', protocol: 'icmp', port_range_max: 0 }, 400, 'SecurityGroupMissingIcmpType',
      'ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing.');
    await fault({ direction: 'ingress', protocol: 'vrrp', port_range_min: 1, port_range_max: 2 }, 400, 'SecurityGroupInvalidProtocolForPort',
      'Invalid protocol 112 for port range, only supported for DCCP, SCTP, TCP, UDP, UDPLITE protocols.');
    await fault({ direction: 'ingress', remote_ip_prefix: '::/0' }, 400, 'SecurityGroupRuleParameterConflict', 'Conflicting value ethertype IPv4 for CIDR ::/0');
    await fault({ direction: 'ingress', ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' }, 400, 'SecurityGroupRuleParameterConflict');
    await fault({ direction: 'ingress', remote_ip_prefix: '10.0.0.300/8' }, 400, 'InvalidCIDR');
    await fault({ direction: 'ingress', ethertype: 'IPv5' }, 400, 'HTTPBadRequest');
    await fault({ direction: 'ingress', protocol: 'ipv6-frag' }, 400, 'SecurityGroupEthertypeConflictWithProtocol');
    await fault({ direction: 'ingress', remote_ip_prefix: '10.0.0.0/8', remote_group_id: sg.id }, 400, 'SecurityGroupMultipleRemoteEntites');
    await fault({ direction: 'ingress', remote_group_id: crypto.randomUUID() }, 404, 'SecurityGroupNotFound');
    await fault({ direction: 'ingress', remote_address_group_id: crypto.randomUUID() }, 404, 'AddressGroupNotFound');
    await fault({ direction: 'ingress', remote_group_id: 'not-a-uuid' }, 404, 'SecurityGroupNotFound');
    await fault({ direction: 'ingress', normalized_cidr: '1.0.0.0/8' }, 400, 'HTTPBadRequest');
    await fault({ direction: 'ingress', security_group_id: crypto.randomUUID() }, 404, 'SecurityGroupNotFound');
  });

  it('keeps other projects out of a group and its rules', async () => {
    const res = await post({ direction: 'ingress', protocol: 'tcp', port_range_min: 5, port_range_max: 5 }, h.bob.token);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().NeutronError.type, 'SecurityGroupNotFound');
    const [first] = sg.security_group_rules as Json[];
    assert.equal((await h.request('GET', `/v2.0/security-group-rules/${first!.id}`, { token: h.bob.token })).statusCode, 404);
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${first!.id}`, { token: h.bob.token })).statusCode, 404);
    const bobs = (await h.request('GET', '/v2.0/security-group-rules', { token: h.bob.token })).json().security_group_rules as Json[];
    assert.ok(bobs.every((r) => r.project_id === h.bob.projectId));
  });

  it('lets an admin add a rule to a project\'s group, owned by that project', async () => {
    const res = await post({ direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 }, h.adminToken);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().security_group_rule.project_id, h.alice.projectId);
  });

  it('lists with filters and deletes, and has no PUT', async () => {
    const rule = await created({ direction: 'egress', protocol: 'sctp', port_range_min: 9, port_range_max: 9 });
    const listed = await h.request('GET', `/v2.0/security-group-rules?security_group_id=${sg.id}&protocol=sctp`, { token: h.alice.token });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual((listed.json().security_group_rules as Json[]).map((r) => r.id), [rule.id]);
    const put = await h.request('PUT', `/v2.0/security-group-rules/${rule.id}`, { token: h.alice.token, body: { security_group_rule: { description: 'x' } } });
    assert.ok(put.statusCode >= 400 && put.statusCode < 500);
    assert.equal((await h.request('DELETE', `/v2.0/security-group-rules/${rule.id}`, { token: h.alice.token })).statusCode, 204);
    const gone = await h.request('GET', `/v2.0/security-group-rules/${rule.id}`, { token: h.alice.token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().NeutronError.type, 'SecurityGroupRuleNotFound');
  });

  it('marks the default group\'s rules and enforces the rule quota', async () => {
    const t = await h.tenant();
    const rules = (await h.request('GET', '/v2.0/security-group-rules', { token: t.token })).json().security_group_rules as Json[];
    assert.equal(rules.length, 0); // listing rules does not create the default group
    await h.request('GET', '/v2.0/security-groups', { token: t.token });
    const now = (await h.request('GET', '/v2.0/security-group-rules', { token: t.token })).json().security_group_rules as Json[];
    assert.equal(now.length, 4);
    assert.ok(now.every((r) => r.belongs_to_default_sg === true));
    await h.db.insertInto('net_quota').values({ project_id: t.projectId, resource: 'security_group_rule', hard_limit: 5 }).execute();
    const groupId = now[0]!.security_group_id as string;
    const ok = await h.request('POST', '/v2.0/security-group-rules', { token: t.token, body: { security_group_rule: { security_group_id: groupId, direction: 'ingress', protocol: 'tcp', port_range_min: 1, port_range_max: 1 } } });
    assert.equal(ok.statusCode, 201);
    const over = await h.request('POST', '/v2.0/security-group-rules', { token: t.token, body: { security_group_rule: { security_group_id: groupId, direction: 'ingress', protocol: 'tcp', port_range_min: 2, port_range_max: 2 } } });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().NeutronError.type, 'OverQuota');
  });
});
