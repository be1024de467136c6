// os-server-groups through the real compute app: create/list/show/delete across microversions
// (policies + metadata before 2.64, policy + rules from it, soft policies from 2.15, project and
// user from 2.13), the project scope of list/show/delete, all_projects for admins, the
// server_groups quota, and bad input answered with Nova's faults.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';

describe('os-server-groups', () => {
  let h: ComputeHarness;

  const create = (group: Record<string, unknown>, version?: string, token?: string) =>
    h.request('POST', '/v2.1/os-server-groups', { body: { server_group: group }, ...(version ? { version } : {}), token: token ?? h.alice.token });
  const created = async (group: Record<string, unknown>, version?: string, token?: string) => {
    const res = await create(group, version, token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().server_group as Record<string, any>;
  };

  before(async () => { h = await startCompute(); });
  after(async () => { await h?.close(); });
  beforeEach(async () => {
    await h.db.deleteFrom('nova_server_group_member').execute();
    await h.db.deleteFrom('nova_server_group').execute();
  });

  it('creates with policies before 2.64 and shows the legacy view', async () => {
    const g = await created({ name: 'web', policies: ['anti-affinity'] });
    assert.deepEqual(Object.keys(g).sort(), ['id', 'members', 'metadata', 'name', 'policies']);
    assert.match(g.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(g.policies, ['anti-affinity']);
    assert.deepEqual(g.members, []);
    assert.deepEqual(g.metadata, {});

    const at213 = await h.request('GET', `/v2.1/os-server-groups/${g.id}`, { version: '2.13', token: h.alice.token });
    assert.equal(at213.statusCode, 200);
    assert.equal(at213.json().server_group.project_id, h.alice.projectId);
    assert.equal(at213.json().server_group.user_id, h.alice.userId);

    const at264 = (await h.request('GET', `/v2.1/os-server-groups/${g.id}`, { version: '2.64', token: h.alice.token })).json().server_group;
    assert.deepEqual(Object.keys(at264).sort(), ['id', 'members', 'name', 'policy', 'project_id', 'rules', 'user_id']);
    assert.equal(at264.policy, 'anti-affinity');
    assert.deepEqual(at264.rules, {});

    // Soft policies arrive in 2.15.
    assert.equal((await create({ name: 's', policies: ['soft-affinity'] }, '2.14')).statusCode, 400);
    assert.deepEqual((await created({ name: 's', policies: ['soft-affinity'] }, '2.15')).policies, ['soft-affinity']);
    // Exactly one policy, a known one; no policy/rules before 2.64.
    assert.equal((await create({ name: 'x', policies: ['affinity', 'anti-affinity'] })).statusCode, 400);
    assert.equal((await create({ name: 'x', policies: [] })).statusCode, 400);
    assert.equal((await create({ name: 'x', policies: ['bogus'] })).statusCode, 400);
    assert.equal((await create({ name: 'x', policy: 'affinity' }, '2.63')).statusCode, 400);
    assert.equal((await create({ name: '', policies: ['affinity'] })).statusCode, 400);
    assert.equal((await h.request('POST', '/v2.1/os-server-groups', { body: {}, token: h.alice.token })).statusCode, 400);
  });

  it('creates with policy and rules from 2.64', async () => {
    const g = await created({ name: 'spread', policy: 'anti-affinity', rules: { max_server_per_host: 3 } }, '2.64');
    assert.equal(g.policy, 'anti-affinity');
    assert.deepEqual(g.rules, { max_server_per_host: 3 });
    assert.equal(g.project_id, h.alice.projectId);
    assert.equal(g.metadata, undefined);
    assert.equal(g.policies, undefined);
    assert.deepEqual((await created({ name: 'soft', policy: 'soft-affinity' }, '2.64')).rules, {});

    const ruled = await create({ name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } }, '2.64');
    assert.equal(ruled.statusCode, 400);
    assert.equal(ruled.json().badRequest.message, 'Only anti-affinity policy supports rules.');
    assert.equal((await create({ name: 'x', policy: 'anti-affinity', rules: { max_server_per_host: 0 } }, '2.64')).statusCode, 400);
    assert.equal((await create({ name: 'x', policy: 'anti-affinity', rules: { other: 1 } }, '2.64')).statusCode, 400);
    assert.equal((await create({ name: 'x', policies: ['affinity'] }, '2.64')).statusCode, 400);
    assert.equal((await create({ name: 'x' }, '2.64')).statusCode, 400);
  });

  it('lists the own project, every project with all_projects for admins, and pages', async () => {
    const a1 = await created({ name: 'a1', policies: ['affinity'] });
    const a2 = await created({ name: 'a2', policies: ['affinity'] });
    const b1 = await created({ name: 'b1', policies: ['affinity'] }, undefined, h.bob.token);

    const own = await h.request('GET', '/v2.1/os-server-groups', { token: h.alice.token });
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().server_groups.map((g: any) => g.id), [a1.id, a2.id]);
    assert.deepEqual((await h.request('GET', '/v2.1/os-server-groups', { token: h.bob.token })).json().server_groups.map((g: any) => g.id), [b1.id]);
    assert.deepEqual((await h.request('GET', '/v2.1/os-server-groups')).json().server_groups, []);

    const all = await h.request('GET', '/v2.1/os-server-groups?all_projects=True', { version: '2.13' });
    assert.deepEqual(all.json().server_groups.map((g: any) => g.id), [a1.id, a2.id, b1.id]);
    const denied = await h.request('GET', '/v2.1/os-server-groups?all_projects=True', { token: h.alice.token });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().forbidden.message, "Policy doesn't allow os_compute_api:os-server-groups:index:all_projects to be performed.");

    const page = await h.request('GET', '/v2.1/os-server-groups?limit=1&offset=1', { token: h.alice.token });
    assert.deepEqual(page.json().server_groups.map((g: any) => g.id), [a2.id]);
    assert.equal((await h.request('GET', '/v2.1/os-server-groups?bogus=1', { token: h.alice.token, version: '2.74' })).statusCode, 200);
    assert.equal((await h.request('GET', '/v2.1/os-server-groups?bogus=1', { token: h.alice.token, version: '2.75' })).statusCode, 400);
  });

  it('shows and deletes within the project only', async () => {
    const g = await created({ name: 'mine', policies: ['affinity'] });
    const other = await h.request('GET', `/v2.1/os-server-groups/${g.id}`, { token: h.bob.token });
    assert.equal(other.statusCode, 403);
    assert.equal((await h.request('DELETE', `/v2.1/os-server-groups/${g.id}`, { token: h.bob.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v2.1/os-server-groups/${g.id}`)).statusCode, 200);

    const del = await h.request('DELETE', `/v2.1/os-server-groups/${g.id}`, { token: h.alice.token });
    assert.equal(del.statusCode, 204);
    const gone = await h.request('GET', `/v2.1/os-server-groups/${g.id}`, { token: h.alice.token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().itemNotFound.message, `Instance group ${g.id} could not be found.`);
    assert.equal((await h.request('DELETE', `/v2.1/os-server-groups/${g.id}`, { token: h.alice.token })).statusCode, 404);

    // Members show in the view and go with the group.
    const m = await created({ name: 'members', policies: ['affinity'] });
    const row = await h.db.selectFrom('nova_server_group').select('id').where('uuid', '=', m.id).executeTakeFirstOrThrow();
    await h.db.insertInto('nova_server_group_member').values({ group_id: row.id, instance_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }).execute();
    assert.deepEqual((await h.request('GET', `/v2.1/os-server-groups/${m.id}`, { token: h.alice.token })).json().server_group.members,
      ['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee']);
    assert.equal((await h.request('DELETE', `/v2.1/os-server-groups/${m.id}`, { token: h.alice.token })).statusCode, 204);
    assert.equal((await h.db.selectFrom('nova_server_group_member').selectAll().execute()).length, 0);
  });

  it('counts groups against the server_groups quota', async () => {
    const t = await h.tenant();
    const set = await h.request('PUT', `/v2.1/os-quota-sets/${t.projectId}`, { body: { quota_set: { server_groups: 1 } } });
    assert.equal(set.statusCode, 200, set.body);
    await created({ name: 'one', policies: ['affinity'] }, undefined, t.token);
    const over = await create({ name: 'two', policies: ['affinity'] }, undefined, t.token);
    assert.equal(over.statusCode, 403);
    assert.equal(over.json().forbidden.message, 'Quota exceeded, too many server groups.');
    const usage = await h.request('GET', `/v2.1/os-quota-sets/${t.projectId}/detail`, { token: t.token });
    assert.equal(usage.json().quota_set.server_groups.in_use, 1);
  });
});
