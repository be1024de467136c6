// os-simple-tenant-usage through the compute API on real rows: which servers count for a period
// (launched before its end, not ended before its start, deleted ones included), the hours inside
// the period and the flavor-weighted sums, Nova's time format, detailed lists, a project's view
// for its own reader, the admin-only list, bad times (400) and 2.40 paging.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { insertInstance } from './server-fixtures.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nova = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}.000000`;

describe('os-simple-tenant-usage', () => {
  let h: ComputeHarness;
  // A period of 10 hours ending an hour ago, on whole seconds.
  const stop = Math.floor(Date.now() / 1000) * 1000 - HOUR;
  const start = stop - 10 * HOUR;
  const query = `start=${nova(start).replace('.000000', '')}&end=${nova(stop)}`;
  let whole: string;
  let ended: string;

  before(async () => {
    h = await startCompute();
    const alice = { project_id: h.alice.projectId, user_id: h.alice.userId };
    // Ran the whole period (launched before it): 10 h of 1 vCPU / 128 MB / 1 GB.
    whole = (await insertInstance(h.db, { ...alice, display_name: 'whole', launched_at: iso(start - 5 * HOUR) })).uuid;
    // Launched 4 h into the period, deleted 2 h later: 2 h, a bigger flavor.
    ended = (await insertInstance(h.db, {
      ...alice, display_name: 'ended', launched_at: iso(start + 4 * HOUR), terminated_at: iso(start + 6 * HOUR), deleted: 1, deleted_at: iso(start + 6 * HOUR),
      vm_state: 'deleted', vcpus: 2, memory_mb: 512, root_gb: 5, ephemeral_gb: 1,
      flavor: JSON.stringify({ id: 2, flavorid: '2', name: 'm1.big', memory_mb: 512, vcpus: 2, root_gb: 5, ephemeral_gb: 1 }),
    })).uuid;
    // Not in the period: ended before it; launched after it; never launched.
    await insertInstance(h.db, { ...alice, display_name: 'before', launched_at: iso(start - 5 * HOUR), terminated_at: iso(start - HOUR), deleted: 1, deleted_at: iso(start - HOUR) });
    await insertInstance(h.db, { ...alice, display_name: 'after', launched_at: iso(stop + HOUR / 2) });
    await insertInstance(h.db, { ...alice, display_name: 'building', vm_state: 'building', launched_at: null });
    await insertInstance(h.db, { project_id: h.bob.projectId, user_id: h.bob.userId, display_name: 'bobs', launched_at: iso(start) });
  });
  after(async () => { await h?.close(); });

  it('shows a project\'s usage to its own reader with Nova\'s sums and server lines', async () => {
    const res = await h.request('GET', `/v2.1/os-simple-tenant-usage/${h.alice.projectId}?${query}`, { token: h.alice.token });
    assert.equal(res.statusCode, 200, res.body);
    const usage = res.json().tenant_usage;
    assert.equal(Object.keys(usage).length, 8);
    assert.equal(usage.start, nova(start));
    assert.equal(usage.stop, nova(stop));
    assert.equal(usage.tenant_id, h.alice.projectId);
    assert.deepEqual(usage.server_usages.map((s: { name: string }) => s.name), ['whole', 'ended']);
    assert.equal(usage.total_hours, 12);
    assert.equal(usage.total_vcpus_usage, 10 * 1 + 2 * 2);
    assert.equal(usage.total_memory_mb_usage, 10 * 128 + 2 * 512);
    assert.equal(usage.total_local_gb_usage, 10 * 1 + 2 * 6);
    const line = usage.server_usages.find((s: { instance_id: string }) => s.instance_id === ended);
    assert.deepEqual({ ...line, uptime: undefined }, {
      instance_id: ended, name: 'ended', tenant_id: h.alice.projectId, flavor: 'm1.big', hours: 2, memory_mb: 512, local_gb: 6, vcpus: 2,
      started_at: nova(start + 4 * HOUR), ended_at: nova(start + 6 * HOUR), state: 'terminated', uptime: undefined,
    });
    assert.equal(line.uptime, 2 * 3600);
    assert.equal(usage.server_usages.find((s: { instance_id: string }) => s.instance_id === whole).ended_at, null);
  });

  it('lists every project for an admin (detailed adds the servers); refuses a member', async () => {
    const res = await h.request('GET', `/v2.1/os-simple-tenant-usage?${query}&detailed=1`);
    assert.equal(res.statusCode, 200, res.body);
    const usages = res.json().tenant_usages as Record<string, any>[];
    assert.deepEqual(usages.map((u) => u.tenant_id).sort(), [h.alice.projectId, h.bob.projectId].sort());
    assert.ok(usages.every((u) => Object.keys(u).length === 8));
    const brief = (await h.request('GET', `/v2.1/os-simple-tenant-usage?${query}`)).json().tenant_usages as Record<string, any>[];
    assert.ok(brief.every((u) => u.server_usages === undefined && Object.keys(u).length === 7));
    assert.equal((await h.request('GET', `/v2.1/os-simple-tenant-usage?${query}`, { token: h.alice.token })).statusCode, 403);
    assert.equal((await h.request('GET', `/v2.1/os-simple-tenant-usage/${h.bob.projectId}?${query}`, { token: h.alice.token })).statusCode, 403);
  });

  it('answers {} for a project without usage, 400 for bad times, and pages from 2.40', async () => {
    assert.deepEqual((await h.request('GET', `/v2.1/os-simple-tenant-usage/unknown-project?${query}`)).json(), { tenant_usage: {} });
    // An empty tenant id (Tempest's negative test): Nova's router has no such route.
    assert.equal((await h.request('GET', `/v2.1/os-simple-tenant-usage/?${query}`)).statusCode, 404);
    for (const bad of ['start=yesterday', 'start=2026-13-01T00:00:00', `start=${nova(stop)}&end=${nova(start)}`]) {
      const res = await h.request('GET', `/v2.1/os-simple-tenant-usage?${bad}`);
      assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
    }
    const first = await h.request('GET', `/v2.1/os-simple-tenant-usage/${h.alice.projectId}?${query}&limit=1`, { version: '2.40' });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json().tenant_usage.server_usages.map((s: { name: string }) => s.name), ['whole']);
    const next = new URL(first.json().tenant_usage_links[0].href);
    assert.equal(next.searchParams.get('marker'), whole);
    const second = await h.request('GET', `/v2.1/os-simple-tenant-usage/${h.alice.projectId}?${query}&limit=1&marker=${whole}`, { version: '2.40' });
    assert.deepEqual(second.json().tenant_usage.server_usages.map((s: { name: string }) => s.name), ['ended']);
  });
});
