// Nova's security group rule proxy over the real network service (compute-world): rules created
// in Nova's shape (cidr and group rules, icmp, IPv6), shown in the group, deleted (202); each of
// Nova's refusals with its status and fault name (ids, protocol, ports, cidr, duplicates, unknown
// groups and rules); and the proxy's end at 2.35.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startComputeWorld, type ComputeWorld } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';

describe('compute security group rules (os-security-group-rules)', () => {
  let w: ComputeWorld;
  let t: Tenant;
  const missing = '3c8e2f4a-1b5d-4e6f-9a7b-8c9d0e1f2a3b';

  const req = (method: string, url: string, body?: unknown, version = '2.1') =>
    w.compute.request(method, `/v2.1${url}`, { token: t.token, version, ...(body !== undefined ? { body } : {}) });
  const group = async (name: string) => {
    const res = await req('POST', '/os-security-groups', { security_group: { name, description: 'd' } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().security_group as { id: string; name: string };
  };
  const addRule = (rule: Record<string, unknown>) => req('POST', '/os-security-group-rules', { security_group_rule: rule });
  const refused = async (rule: Record<string, unknown>, status: number, fault: string, message?: RegExp) => {
    const res = await addRule(rule);
    assert.equal(res.statusCode, status, `${JSON.stringify(rule)}: ${res.body}`);
    assert.equal(res.json()[fault].code, status, res.body);
    if (message) assert.match(res.json()[fault].message, message);
  };

  before(async () => {
    w = await startComputeWorld();
    t = w.compute.alice;
  });
  after(async () => {
    await w?.close();
  });

  it('creates cidr, group and icmp rules in Nova\'s shape, shows them in the group and deletes them', async () => {
    const sg = await group('rules');
    const peer = await group('peer');
    const tcp = await addRule({ parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22 });
    assert.equal(tcp.statusCode, 200, tcp.body);
    const rule = tcp.json().security_group_rule;
    assert.deepEqual(Object.keys(rule).sort(), ['from_port', 'group', 'id', 'ip_protocol', 'ip_range', 'parent_group_id', 'to_port']);
    assert.deepEqual({ ...rule, id: 'x' }, { id: 'x', parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, ip_range: { cidr: '0.0.0.0/0' }, group: {} });

    const cidr = (await addRule({ parent_group_id: sg.id, ip_protocol: 'tcp', from_port: '80', to_port: 81, cidr: '10.2.3.124/24' })).json().security_group_rule;
    assert.deepEqual([cidr.ip_range, cidr.from_port, cidr.to_port], [{ cidr: '10.2.3.124/24' }, 80, 81], 'the cidr as given; string ports are numbers');
    const byGroup = (await addRule({ parent_group_id: sg.id, ip_protocol: 'udp', from_port: 53, to_port: 53, group_id: peer.id })).json().security_group_rule;
    assert.deepEqual([byGroup.group, byGroup.ip_range], [{ name: 'peer', tenant_id: t.projectId }, {}]);
    const icmp = (await addRule({ parent_group_id: sg.id, ip_protocol: 'icmp', from_port: -1, to_port: -1 })).json().security_group_rule;
    assert.deepEqual([icmp.ip_protocol, icmp.from_port, icmp.to_port], ['icmp', -1, -1]);
    const v6 = await addRule({ parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr: '2001:db8::/64' });
    assert.equal(v6.statusCode, 200, v6.body);
    const neutronV6 = await w.clients.network.listSecurityGroups({ id: sg.id });
    assert.equal(neutronV6[0]!.security_group_rules!.find((r) => r.id === v6.json().security_group_rule.id)!.ethertype, 'IPv6');

    const shown = (await req('GET', `/os-security-groups/${sg.id}`)).json().security_group.rules.map((r: { id: string }) => r.id).sort();
    assert.deepEqual(shown, [rule.id, cidr.id, byGroup.id, icmp.id, v6.json().security_group_rule.id].sort());

    assert.equal((await req('DELETE', `/os-security-group-rules/${rule.id}`)).statusCode, 202);
    assert.equal((await req('DELETE', `/os-security-group-rules/${rule.id}`)).statusCode, 404);
    // Deleting the peer group takes the rules naming it with it (Neutron's cascade).
    assert.equal((await req('DELETE', `/os-security-groups/${peer.id}`)).statusCode, 202);
    const left = (await req('GET', `/os-security-groups/${sg.id}`)).json().security_group.rules.map((r: { id: string }) => r.id);
    assert.equal(left.includes(byGroup.id), false);
  });

  it('refuses bad rules with Nova\'s 400s and 404s, and a duplicate with 400', async () => {
    const sg = await group('strict');
    const base = { parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22 };
    await refused({ ...base, parent_group_id: 'non_int_id' }, 400, 'badRequest', /should be uuid/);
    await refused({ ...base, parent_group_id: missing }, 404, 'itemNotFound');
    await refused({ ...base, group_id: 'nope' }, 400, 'badRequest', /should be uuid/);
    await refused({ ...base, group_id: missing }, 404, 'itemNotFound');
    await refused({ ...base, ip_protocol: '999-abc' }, 400, 'badRequest', /Invalid IP protocol 999-abc/);
    await refused({ ...base, from_port: 65536 }, 400, 'badRequest', /Invalid port range/);
    await refused({ ...base, to_port: 70000 }, 400, 'badRequest', /Invalid port range/);
    await refused({ ...base, from_port: 22, to_port: 21 }, 400, 'badRequest', /Former value cannot be greater/);
    await refused({ ...base, from_port: 0 }, 400, 'badRequest', /between 1-65535/);
    await refused({ ...base, from_port: 'abc' }, 400, 'badRequest', /must be integers/);
    await refused({ ...base, ip_protocol: 'icmp', from_port: 256, to_port: 0 }, 400, 'badRequest', /type:code/);
    await refused({ ...base, ip_protocol: 'icmp', from_port: -2, to_port: 0 }, 400, 'badRequest', /type:code/);
    await refused({ ...base, ip_protocol: 'icmp', from_port: 'x', to_port: 0 }, 400, 'badRequest', /Type and Code must be integers/);
    await refused({ ...base, cidr: '10.0.0.0' }, 400, 'badRequest', /not a valid IP network/);
    await refused({ ...base, cidr: '300.1.1.1/24' }, 400, 'badRequest', /not a valid IP network/);
    await refused({ ...base, cidr: '10.0.0.0/33' }, 400, 'badRequest', /not a valid IP network/);
    await refused({ ...base, cidr: '10.0.0.0/0' }, 400, 'badRequest', /Bad prefix/);
    await refused({ parent_group_id: sg.id, ip_protocol: 'tcp' }, 400, 'badRequest', /Not enough parameters/);
    await refused({ parent_group_id: sg.id, from_port: 1, to_port: 2 }, 400, 'badRequest', /Not enough parameters/);
    assert.equal((await req('POST', '/os-security-group-rules', { other: {} })).statusCode, 400);
    assert.equal((await req('POST', '/os-security-group-rules', {})).statusCode, 400);

    assert.equal((await addRule(base)).statusCode, 200);
    await refused(base, 400, 'badRequest', new RegExp(`This rule already exists in group ${sg.id}`));
    const rules = (await req('GET', `/os-security-groups/${sg.id}`)).json().security_group.rules;
    assert.equal(rules.length, 1, 'no refusal left a rule behind');

    const del = await req('DELETE', `/os-security-group-rules/${missing}`);
    assert.equal(del.statusCode, 404, del.body);
    assert.equal(del.json().itemNotFound.code, 404);
    assert.equal((await req('DELETE', '/os-security-group-rules/not-a-uuid')).statusCode, 400);
  });

  it('is gone after microversion 2.35', async () => {
    const sg = await group('late');
    const res = await req('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 1, to_port: 2 } }, '2.36');
    assert.equal(res.statusCode, 404);
    assert.equal((await req('DELETE', `/os-security-group-rules/${missing}`, undefined, '2.36')).statusCode, 404);
  });

  it('answers 403 when the project\'s rule quota is used up', async () => {
    const sg = await group('quota');
    const quota = await w.network.app.inject({
      method: 'PUT', url: `/v2.0/quotas/${t.projectId}`, headers: { 'x-auth-token': w.compute.adminToken, 'content-type': 'application/json' },
      payload: JSON.stringify({ quota: { security_group_rule: 0 } }),
    });
    assert.equal(quota.statusCode, 200, quota.body);
    await refused({ parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 1, to_port: 2 }, 403, 'forbidden', /Quota exceeded/);
  });
});
