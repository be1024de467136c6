import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdentity, type Harness } from '../../support/identity-harness.js';
import { memberOf, type Member } from '../../support/member-token.js';

describe('identity access rules', () => {
  let h: Harness;
  let member: Member;
  before(async () => {
    h = await startIdentity();
    member = await memberOf(h, h.adminProjectId);
  });
  after(async () => h.close());

  const rule = { path: '/v2.1/servers/*/ips', method: 'GET', service: 'compute' };

  async function appCred(name: string, access_rules: unknown[]): Promise<Record<string, any>> {
    const res = await h.request('POST', `/v3/users/${member.userId}/application_credentials`, {
      token: member.token, body: { application_credential: { name, access_rules } },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().application_credential;
  }

  test('an application credential carries its access rules; identical rules are shared', async () => {
    const ac = await appCred('ar-one', [rule]);
    const { id, ...rest } = ac.access_rules[0];
    assert.deepEqual(rest, rule, 'tempest compares the rule without its id exactly');
    assert.match(id, /^[0-9a-f]{32}$/);
    const again = await appCred('ar-two', [rule]);
    assert.equal(again.access_rules[0].id, id, 'the same triple is one rule');
    const byId = await appCred('ar-three', [{ id }]);
    assert.deepEqual(byId.access_rules, [{ id, ...rule }]);
    assert.equal((await h.request('POST', `/v3/users/${member.userId}/application_credentials`, {
      token: member.token, body: { application_credential: { name: 'ar-missing', access_rules: [{ id: 'nope' }] } },
    })).statusCode, 404);

    const list = await h.request('GET', `/v3/users/${member.userId}/access_rules`, { token: member.token });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().access_rules.length, 1);
    const shown = await h.request('GET', `/v3/users/${member.userId}/access_rules/${id}`, { token: member.token });
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.json().access_rule.service, 'compute');
    assert.match(shown.json().access_rule.links.self, new RegExp(`/v3/users/${member.userId}/access_rules/${id}$`));
    const filtered = await h.request('GET', `/v3/users/${member.userId}/access_rules?service=image`, { token: member.token });
    assert.equal(filtered.json().access_rules.length, 0);
  });

  test('a rule in use cannot be deleted (403); once unused it can (tempest test_delete_access_rule)', async () => {
    const other = await memberOf(h, h.adminProjectId);
    const res = await h.request('POST', `/v3/users/${other.userId}/application_credentials`, {
      token: other.token, body: { application_credential: { name: 'ar-del', access_rules: [{ ...rule, method: 'POST' }] } },
    });
    const ac = res.json().application_credential;
    const ruleId = ac.access_rules[0].id;
    const path = `/v3/users/${other.userId}/access_rules/${ruleId}`;
    assert.equal((await h.request('DELETE', path, { token: other.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/users/${other.userId}/application_credentials/${ac.id}`, { token: other.token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/users/${other.userId}/access_rules`, { token: other.token })).json().access_rules.length, 1);
    assert.equal((await h.request('DELETE', path, { token: other.token })).statusCode, 204);
    assert.equal((await h.request('GET', `/v3/users/${other.userId}/access_rules`, { token: other.token })).json().access_rules.length, 0);
    assert.equal((await h.request('DELETE', path, { token: other.token })).statusCode, 404);
  });

  test('another user can neither see nor delete my rules', async () => {
    const stranger = await memberOf(h, h.adminProjectId);
    assert.equal((await h.request('GET', `/v3/users/${member.userId}/access_rules`, { token: stranger.token })).statusCode, 403);
    const list = (await h.request('GET', `/v3/users/${member.userId}/access_rules`, { token: member.token })).json().access_rules;
    const id = list[0].id;
    assert.equal((await h.request('GET', `/v3/users/${member.userId}/access_rules/${id}`, { token: stranger.token })).statusCode, 403);
    assert.equal((await h.request('DELETE', `/v3/users/${member.userId}/access_rules/${id}`, { token: stranger.token })).statusCode, 403);
    // Through their own path the rule simply is not theirs.
    assert.equal((await h.request('GET', `/v3/users/${stranger.userId}/access_rules/${id}`, { token: stranger.token })).statusCode, 404);
  });
});
