import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('network quotas', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('shows the configured defaults to a member for their own project', async () => {
    const res = await h.request('GET', `/v2.0/quotas/${h.alice.projectId}`, { token: h.alice.token });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().quota, h.deps.config.network.quotas);
    const def = await h.request('GET', `/v2.0/quotas/${h.alice.projectId}/default`, { token: h.alice.token });
    assert.deepEqual(def.json().quota, h.deps.config.network.quotas);
  });

  it("refuses a member another project's quotas, the list and every change", async () => {
    assert.equal((await h.request('GET', `/v2.0/quotas/${h.bob.projectId}`, { token: h.alice.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v2.0/quotas/${h.bob.projectId}/details`, { token: h.alice.token })).statusCode, 403);
    assert.equal((await h.request('GET', '/v2.0/quotas', { token: h.alice.token })).statusCode, 403);
    const put = await h.request('PUT', `/v2.0/quotas/${h.alice.projectId}`, { token: h.alice.token, body: { quota: { network: 1000 } } });
    assert.equal(put.statusCode, 403);
    assert.equal(put.json().NeutronError.type, 'PolicyNotAuthorized');
    assert.equal((await h.request('DELETE', `/v2.0/quotas/${h.alice.projectId}`, { token: h.alice.token })).statusCode, 403);
  });

  it('sets, lists, shows and resets limits (admin)', async () => {
    const project = h.bob.projectId;
    const put = await h.request('PUT', `/v2.0/quotas/${project}`, { body: { quota: { network: 0, port: '7', force: true } } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().quota.network, 0);
    assert.equal(put.json().quota.port, 7);
    assert.equal(put.json().quota.subnet, h.deps.config.network.quotas.subnet);
    const list = (await h.request('GET', '/v2.0/quotas')).json().quotas as Record<string, unknown>[];
    const mine = list.find((q) => q.project_id === project);
    assert.ok(mine);
    assert.equal(mine.tenant_id, project);
    assert.equal(mine.network, 0);
    assert.equal((await h.request('GET', `/v2.0/quotas/${project}`, { token: h.bob.token })).json().quota.port, 7);
    assert.equal((await h.request('DELETE', `/v2.0/quotas/${project}`)).statusCode, 204);
    assert.ok(!((await h.request('GET', '/v2.0/quotas')).json().quotas as { project_id: string }[]).some((q) => q.project_id === project));
    assert.deepEqual((await h.request('GET', `/v2.0/quotas/${project}`)).json().quota, h.deps.config.network.quotas);
    // Nothing left to reset: Neutron's TenantQuotaNotFound.
    assert.equal((await h.request('DELETE', `/v2.0/quotas/${project}`)).statusCode, 404);
  });

  it('refuses bad limits and unknown resources with 400', async () => {
    for (const quota of [{ network: -2 }, { network: 'x' }, { network: 1.5 }, { network: 2 ** 31 }, { bogus: 1 }, { network: null }, { network: [1] }]) {
      const res = await h.request('PUT', `/v2.0/quotas/${h.alice.projectId}`, { body: { quota } });
      assert.equal(res.statusCode, 400, JSON.stringify(quota));
    }
    assert.equal((await h.request('PUT', `/v2.0/quotas/${h.alice.projectId}`, { body: { quotas: {} } })).statusCode, 400);
    assert.equal((await h.request('PUT', `/v2.0/quotas/${'x'.repeat(300)}`, { body: { quota: { network: 1 } } })).statusCode, 400);
  });

  it('refuses a limit below usage with check_limit, and reports usage in details', async () => {
    const t = await h.tenant();
    await h.db.insertInto('net_security_group').values({
      id: crypto.randomUUID(), project_id: t.projectId, name: 'x', stateful: 1, description: '', created_at: 'now', updated_at: 'now', revision_number: 0,
    }).execute();
    const refused = await h.request('PUT', `/v2.0/quotas/${t.projectId}`, { body: { quota: { security_group: 0, check_limit: true } } });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().NeutronError.message, /already used 1/);
    const details = (await h.request('GET', `/v2.0/quotas/${t.projectId}/details`, { token: t.token })).json().quota;
    assert.deepEqual(details.security_group, { limit: h.deps.config.network.quotas.security_group, used: 1, reserved: 0 });
    assert.deepEqual(details.network, { limit: h.deps.config.network.quotas.network, used: 0, reserved: 0 });
    const viaJson = await h.request('GET', `/v2.0/quotas/${t.projectId}/details.json`, { token: t.token });
    assert.deepEqual(viaJson.json().quota, details);
  });

  it('answers the tenant and project collection actions with the caller\'s project', async () => {
    assert.deepEqual((await h.request('GET', '/v2.0/quotas/tenant', { token: h.alice.token })).json(), { tenant: { tenant_id: h.alice.projectId } });
    assert.deepEqual((await h.request('GET', '/v2.0/quotas/project', { token: h.alice.token })).json(), { project: { project_id: h.alice.projectId } });
  });
});
