import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';
import { inTransaction } from '../../../src/network/db/transaction.js';
import { ensureDefaultSecurityGroup } from '../../../src/network/domain/security-groups/default-group.js';

describe('default security group under concurrency', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  const groupsOf = (projectId: string) =>
    h.db.selectFrom('net_security_group').select(['id', 'name']).where('project_id', '=', projectId).execute();

  it('8 concurrent first lists of a fresh project create exactly one default group', async () => {
    const t = await h.tenant();
    const responses = await Promise.all(Array.from({ length: 8 }, () => h.request('GET', '/v2.0/security-groups', { token: t.token })));
    for (const res of responses) assert.equal(res.statusCode, 200, res.body);
    const rows = await groupsOf(t.projectId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.name, 'default');
    // Every response showed that same group.
    for (const res of responses) {
      const mine = (res.json().security_groups as { id: string; project_id: string }[]).filter((g) => g.project_id === t.projectId);
      assert.deepEqual(mine.map((g) => g.id), [rows[0]!.id]);
    }
    const rules = await h.db.selectFrom('net_security_group_rule').select('id').where('security_group_id', '=', rows[0]!.id).execute();
    assert.equal(rules.length, 4);
  });

  it('concurrent group creates and ensure calls in one project agree on a single default group', async () => {
    const t = await h.tenant();
    const ids = await Promise.all([
      ...Array.from({ length: 4 }, () => inTransaction(h.db, (trx) => ensureDefaultSecurityGroup(trx, h.deps, t.projectId))),
      ...Array.from({ length: 4 }, async (_, i) => (await h.create('security_group', 'security-groups', { name: `g${i}` }, t.token)).id as string),
    ]);
    const rows = await groupsOf(t.projectId);
    const defaults = rows.filter((r) => r.name === 'default');
    assert.equal(defaults.length, 1);
    assert.equal(rows.length, 5);
    assert.ok(ids.slice(0, 4).every((id) => id === defaults[0]!.id));
  });
});
