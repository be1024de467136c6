// GET /allocation_candidates against placement's own functional fixtures: SharedStorageFixture
// (two compute trees with NUMA nodes and SR-IOV PFs, a sharing disk provider) and
// NUMAAggregateFixture (aggregates on roots and on a NUMA node, two sharing disks). The counts
// are those of placement's gabbits (allocation-candidates.yaml, …-bug-1792503.yaml).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startPlacement, type PlacementHarness } from '../../support/placement-harness.js';

type Json = Record<string, any>;

describe('placement allocation candidates', () => {
  let h: PlacementHarness;
  const ids: Record<string, string> = {};
  const aggs = { shared: randomUUID(), A: randomUUID(), B: randomUUID(), C: randomUUID() };

  before(async () => {
    h = await startPlacement();
    const mk = async (name: string, parent?: string): Promise<string> => {
      const rp = await h.createProvider(name, parent ? { parent_provider_uuid: ids[parent] } : {});
      ids[name] = rp.uuid as string;
      return rp.uuid as string;
    };
    // SharedStorageFixture
    for (const cn of ['CN1', 'CN2']) {
      await mk(cn);
      const n = cn.slice(2);
      await mk(`NUMA${n}_1`, cn);
      await mk(`NUMA${n}_2`, cn);
      await mk(`PF${n}_1`, `NUMA${n}_1`);
      await mk(`PF${n}_2`, `NUMA${n}_2`);
      for (const pf of [`PF${n}_1`, `PF${n}_2`]) await h.setInventory(ids[pf]!, { SRIOV_NET_VF: { total: 8 } });
    }
    await mk('SS');
    await h.setInventory(ids.CN1!, { VCPU: { total: 24, allocation_ratio: 16.0 }, MEMORY_MB: { total: 128 * 1024, allocation_ratio: 1.5 } });
    await h.setInventory(ids.CN2!, {
      VCPU: { total: 24, allocation_ratio: 16.0 }, MEMORY_MB: { total: 128 * 1024, allocation_ratio: 1.5 }, DISK_GB: { total: 2000, reserved: 100 },
    });
    await h.setInventory(ids.SS!, { DISK_GB: { total: 2000, reserved: 100 } });
    await h.setTraits(ids.CN1!, ['HW_CPU_X86_SSE', 'HW_CPU_X86_SSE2']);
    await h.setTraits(ids.SS!, ['MISC_SHARES_VIA_AGGREGATE']);
    for (const p of ['CN1', 'CN2', 'SS']) await h.setAggregates(ids[p]!, [aggs.shared]);
  });
  after(async () => { await h.close(); });

  const get = async (query: string, version: string): Promise<Json> => {
    const res = await h.request('GET', `/allocation_candidates?${query}`, { version });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Json;
  };
  /** Every allocation request as a sorted list of "PROVIDER:CLASS=N" (names, not uuids). */
  const shapes = (body: Json): string[] => {
    const name = (uuid: string): string => Object.keys(ids).find((k) => ids[k] === uuid) ?? uuid;
    return (body.allocation_requests as Json[]).map((r) => {
      const entries: [string, Record<string, number>][] = Array.isArray(r.allocations)
        ? r.allocations.map((a: Json) => [a.resource_provider.uuid, a.resources])
        : Object.entries(r.allocations).map(([u, a]) => [u, (a as Json).resources]);
      return entries.flatMap(([u, res]) => Object.entries(res).map(([rc, n]) => `${name(u)}:${rc}=${n}`)).sort().join(' ');
    }).sort();
  };

  it('combines compute nodes with the sharing provider (1.10 list format, exact)', async () => {
    const body = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.10');
    assert.deepEqual(shapes(body), [
      'CN1:MEMORY_MB=1024 CN1:VCPU=1 SS:DISK_GB=100',
      'CN2:DISK_GB=100 CN2:MEMORY_MB=1024 CN2:VCPU=1',
      'CN2:MEMORY_MB=1024 CN2:VCPU=1 SS:DISK_GB=100',
    ]);
    assert.ok(Array.isArray(body.allocation_requests[0].allocations));
    assert.deepEqual(Object.keys(body.provider_summaries).sort(), [ids.CN1, ids.CN2, ids.SS].sort());
    assert.deepEqual(body.provider_summaries[ids.CN1!], { resources: { VCPU: { capacity: 384, used: 0 }, MEMORY_MB: { capacity: 196608, used: 0 } } });
    assert.deepEqual(body.provider_summaries[ids.CN2!].resources.DISK_GB, { capacity: 1900, used: 0 });
    assert.deepEqual(body.provider_summaries[ids.SS!], { resources: { DISK_GB: { capacity: 1900, used: 0 } } });
    const dict = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100', '1.12');
    assert.equal(Array.isArray(dict.allocation_requests[0].allocations), false);
    assert.equal(dict.allocation_requests[0].mappings, undefined);
    assert.deepEqual(shapes(dict), shapes(body));
  });

  it('honours limit (1.16), required traits (1.17) and forbidden traits (1.22)', async () => {
    assert.equal((await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&limit=1', '1.16')).allocation_requests.length, 1);
    const required = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=HW_CPU_X86_SSE', '1.17');
    assert.deepEqual(shapes(required), ['CN1:MEMORY_MB=1024 CN1:VCPU=1 SS:DISK_GB=100']);
    assert.equal(Object.keys(required.provider_summaries).length, 2);
    assert.deepEqual(required.provider_summaries[ids.CN1!].traits, ['HW_CPU_X86_SSE', 'HW_CPU_X86_SSE2']);
    const forbidden = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=!HW_CPU_X86_SSE', '1.22');
    assert.deepEqual(shapes(forbidden), ['CN2:DISK_GB=100 CN2:MEMORY_MB=1024 CN2:VCPU=1', 'CN2:MEMORY_MB=1024 CN2:VCPU=1 SS:DISK_GB=100']);
    const none = await get('resources=VCPU:1,MEMORY_MB:1024,DISK_GB:100&required=HW_CPU_X86_SSE3', '1.17');
    assert.deepEqual(none, { allocation_requests: [], provider_summaries: {} });
    const shared = await get('resources=VCPU:1,DISK_GB:200&required=MISC_SHARES_VIA_AGGREGATE', '1.28');
    assert.deepEqual(shapes(shared), ['CN1:VCPU=1 SS:DISK_GB=200', 'CN2:VCPU=1 SS:DISK_GB=200']);
  });

  it('shows every class from 1.27 and the tree from 1.29', async () => {
    const v126 = await get('resources=VCPU:1', '1.26');
    assert.deepEqual(Object.keys(v126.provider_summaries[ids.CN2!].resources), ['VCPU']);
    const v127 = await get('resources=VCPU:1', '1.27');
    assert.deepEqual(Object.keys(v127.provider_summaries[ids.CN2!].resources).sort(), ['DISK_GB', 'MEMORY_MB', 'VCPU']);
    const v128 = await get('resources=VCPU:1', '1.28');
    assert.equal(Object.keys(v128.provider_summaries).length, 2);
    assert.equal(Object.keys(v128.provider_summaries[ids.CN1!]).length, 2);
    const v129 = await get('resources=VCPU:1', '1.29');
    assert.equal(v129.allocation_requests.length, 2);
    assert.equal(Object.keys(v129.provider_summaries).length, 10);
    assert.equal(v129.provider_summaries[ids.PF1_1!].parent_provider_uuid, ids.NUMA1_1);
    assert.equal(v129.provider_summaries[ids.PF1_1!].root_provider_uuid, ids.CN1);
    assert.equal(v129.provider_summaries[ids.CN1!].parent_provider_uuid, null);
  });

  it('is nested-aware only from 1.29', async () => {
    const onlyNestedOld = await get('resources=SRIOV_NET_VF:4', '1.28');
    assert.equal(onlyNestedOld.allocation_requests.length, 4);
    assert.equal(Object.keys(onlyNestedOld.provider_summaries).length, 4);
    assert.equal(Object.keys((await get('resources=SRIOV_NET_VF:4', '1.29')).provider_summaries).length, 10);
    assert.deepEqual(await get('resources=VCPU:1,SRIOV_NET_VF:4', '1.28'), { allocation_requests: [], provider_summaries: {} });
    const nested = await get('resources=VCPU:1,SRIOV_NET_VF:4', '1.29');
    assert.deepEqual(shapes(nested), [
      'CN1:VCPU=1 PF1_1:SRIOV_NET_VF=4', 'CN1:VCPU=1 PF1_2:SRIOV_NET_VF=4', 'CN2:VCPU=1 PF2_1:SRIOV_NET_VF=4', 'CN2:VCPU=1 PF2_2:SRIOV_NET_VF=4',
    ]);
    const sharedOld = await get('resources=DISK_GB:10,SRIOV_NET_VF:4', '1.28');
    assert.equal(sharedOld.allocation_requests.length, 4);
    assert.equal(Object.keys(sharedOld.provider_summaries).length, 5);
  });

  it('restricts groups to a tree with in_tree (1.31)', async () => {
    const bad = await h.request('GET', `/allocation_candidates?resources=VCPU:1&in_tree=${ids.CN1}`, { version: '1.30' });
    assert.equal(bad.statusCode, 400);
    const invalid = await h.request('GET', '/allocation_candidates?resources=VCPU:1&in_tree=life-is-beautiful', { version: '1.31' });
    assert.match(invalid.json().errors[0].detail, /Expected 'in_tree' parameter to be a format of uuid/);
    assert.deepEqual(shapes(await get(`resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${ids.PF1_2}`, '1.31')), [
      'CN1:VCPU=1 PF1_1:SRIOV_NET_VF=4', 'CN1:VCPU=1 PF1_2:SRIOV_NET_VF=4',
    ]);
    assert.equal((await get(`resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${ids.CN1}`, '1.31')).allocation_requests.length, 2);
    assert.equal(Object.keys((await get(`resources=VCPU:1,SRIOV_NET_VF:4&in_tree=${ids.CN1}`, '1.31')).provider_summaries).length, 5);
    assert.deepEqual((await get(`resources=VCPU:1,DISK_GB:10&in_tree=${ids.CN1}`, '1.31')).allocation_requests, []);
    assert.deepEqual(shapes(await get(`resources=VCPU:1,DISK_GB:10&in_tree=${ids.CN2}`, '1.31')), ['CN2:DISK_GB=10 CN2:VCPU=1']);
    assert.deepEqual((await get(`resources=VCPU:1,DISK_GB:10&in_tree=${ids.SS}`, '1.31')).allocation_requests, []);
    assert.deepEqual(shapes(await get(`resources=VCPU:1&resources1=DISK_GB:10&in_tree1=${ids.SS}`, '1.31')), [
      'CN1:VCPU=1 SS:DISK_GB=10', 'CN2:VCPU=1 SS:DISK_GB=10',
    ]);
    assert.deepEqual(shapes(await get(`resources=VCPU:1&in_tree=${ids.CN2}&resources1=DISK_GB:10`, '1.31')), [
      'CN2:DISK_GB=10 CN2:VCPU=1', 'CN2:VCPU=1 SS:DISK_GB=10',
    ]);
    assert.deepEqual(shapes(await get(`resources1=VCPU:1&in_tree1=${ids.CN1}&resources2=DISK_GB:10&in_tree2=${ids.SS}&group_policy=none`, '1.31')), [
      'CN1:VCPU=1 SS:DISK_GB=10',
    ]);
    assert.deepEqual(shapes(await get(`resources1=SRIOV_NET_VF:4&in_tree1=${ids.PF1_1}`, '1.31')), ['PF1_1:SRIOV_NET_VF=4', 'PF1_2:SRIOV_NET_VF=4']);
  });

  it('handles granular groups, group_policy and mappings (1.25, 1.33, 1.34)', async () => {
    const missingPolicy = await h.request('GET', '/allocation_candidates?resources1=SRIOV_NET_VF:1&resources2=SRIOV_NET_VF:1', { version: '1.25' });
    assert.equal(missingPolicy.statusCode, 400);
    assert.match(missingPolicy.json().errors[0].detail, /The "group_policy" parameter is required when specifying more than one "resources\{N\}" parameter\./);
    const none = await get('resources1=SRIOV_NET_VF:4&resources2=SRIOV_NET_VF:4&group_policy=none', '1.29');
    // Each PF can host both groups (8 VFs) or they can split between the two PFs of a tree.
    assert.equal(none.allocation_requests.length, 8);
    const isolate = await get('resources1=SRIOV_NET_VF:4&resources2=SRIOV_NET_VF:4&group_policy=isolate', '1.29');
    assert.equal(isolate.allocation_requests.length, 4);
    assert.ok(shapes(isolate).every((s) => s.split(' ').length === 2));
    const tooBig = await get('resources1=SRIOV_NET_VF:5&resources2=SRIOV_NET_VF:5&group_policy=none', '1.29');
    assert.ok(shapes(tooBig).every((s) => s.split(' ').length === 2), 'two 5s never fit on one PF of 8');
    const named = await h.request('GET', '/allocation_candidates?resources_NET=SRIOV_NET_VF:4&resources=VCPU:1&in_tree=' + ids.CN1, { version: '1.32' });
    assert.equal(named.statusCode, 400);
    const mapped = await get(`resources_NET=SRIOV_NET_VF:4&resources=VCPU:1&in_tree=${ids.CN1}`, '1.34');
    for (const r of mapped.allocation_requests as Json[]) {
      assert.deepEqual(r.mappings[''], [ids.CN1]);
      assert.equal(r.mappings._NET.length, 1);
      assert.ok([ids.PF1_1, ids.PF1_2].includes(r.mappings._NET[0]));
    }
  });

  it('rejects malformed requests with placement messages', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['resources=VCPU:1', '1.8', 404, /The resource could not be found/],
      ['resources=', '1.10', 400, /Badly formed resources parameter\. Expected resources query string parameter in form.*Got: empty string\./],
      ['', '1.10', 400, /'resources' is a required property/],
      ['resources=MCPU:99', '1.10', 400, /Invalid resource class in resources parameter/],
      ['resources=VCPU:1&limit=5', '1.15', 400, /Invalid query string parameters.*'limit' was unexpected/s],
      ['resources=VCPU:1&limit=cow', '1.16', 400, /Failed validating 'pattern'/],
      ['resources=VCPU:1&limit=0', '1.16', 400, /Failed validating 'pattern'/],
      ['resources=VCPU:1&required=HW_CPU_X86_SSE', '1.16', 400, /'required' was unexpected/],
      ['resources=VCPU:1&required=INVALID_TRAIT', '1.17', 400, /No such trait\(s\)/],
      ['resources=VCPU:1&required=', '1.17', 400, /Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC\./],
      ['resources=VCPU:1&required=!CUSTOM_MAGIC', '1.17', 400, /HW_CPU_X86_VMX,CUSTOM_MAGIC/],
      ['resources=VCPU:1&required=,,', '1.22', 400, /HW_CPU_X86_VMX,!CUSTOM_MAGIC/],
      ['resources=VCPU:1&required=HW_CPU_X86_SSE,!HW_CPU_X86_SSE', '1.22', 400, /Conflicting required and forbidden traits found in the following traits keys: required: \(HW_CPU_X86_SSE\)/],
      [`resources=VCPU:1&in_tree1=${randomUUID()}`, '1.31', 400, /All request groups must specify resources\./],
      ['resources=VCPU:1&required1=HW_CPU_X86_SSE', '1.25', 400, /orphaned traits keys: required1/],
      [`resources=VCPU:1&member_of1=${randomUUID()}`, '1.25', 400, /orphaned member_of keys: member_of1/],
      ['resources=VCPU:1&group_policy=sometimes', '1.25', 400, /'sometimes' is not one of \['none', 'isolate'\]/],
      ['resources=VCPU:1&root_required=A&root_required=B', '1.35', 400, /'root_required' may be specified only once/],
      ['resources=VCPU:1&root_required=HW_CPU_X86_SSE', '1.34', 400, /'root_required' does not match any of the regexes/],
      ['resources=VCPU:1&required1=HW_CPU_X86_SSE', '1.36', 400, /Resourceless suffixed group request should be specified in `same_subtree` query param: bad group\(s\) - \['1'\]\./],
      ['resources=VCPU:1&same_subtree=,1', '1.36', 400, /Empty string \(unsuffixed group\) can not be specified in `same_subtree`/],
      ['resources=VCPU:1&same_subtree=_X', '1.36', 400, /Real suffixes should be specified in `same_subtree`/],
    ];
    for (const [query, version, status, detail] of cases) {
      const res = await h.request('GET', `/allocation_candidates?${query}`, { version });
      assert.equal(res.statusCode, status, `${query} @${version}: ${res.body}`);
      assert.match(res.json().errors[0].detail, detail, query);
    }
  });

  it('applies root_required (1.35) and same_subtree (1.36)', async () => {
    assert.deepEqual(shapes(await get('resources=VCPU:1&root_required=HW_CPU_X86_SSE', '1.35')), ['CN1:VCPU=1']);
    assert.deepEqual(shapes(await get('resources=VCPU:1&root_required=!HW_CPU_X86_SSE', '1.35')), ['CN2:VCPU=1']);
    await h.setTraits(ids.NUMA1_1!, ['HW_NUMA_ROOT']);
    await h.setTraits(ids.NUMA2_1!, ['HW_NUMA_ROOT']);
    const subtree = await get('resources_VF=SRIOV_NET_VF:1&required_NUMA=HW_NUMA_ROOT&same_subtree=_VF,_NUMA&group_policy=none', '1.36');
    assert.deepEqual(shapes(subtree), ['PF1_1:SRIOV_NET_VF=1', 'PF2_1:SRIOV_NET_VF=1']);
    for (const r of subtree.allocation_requests as Json[]) assert.ok([ids.NUMA1_1, ids.NUMA2_1].includes(r.mappings._NUMA[0]));
  });

  it('counts what is already allocated', async () => {
    const consumer = randomUUID();
    const put = await h.request('PUT', `/allocations/${consumer}`, {
      body: { allocations: { [ids.PF1_1!]: { resources: { SRIOV_NET_VF: 6 } } }, project_id: 'p', user_id: 'u', consumer_generation: null, consumer_type: 'INSTANCE' },
    });
    assert.equal(put.statusCode, 204, put.body);
    const body = await get('resources=SRIOV_NET_VF:4', '1.29');
    assert.deepEqual(shapes(body), ['PF1_2:SRIOV_NET_VF=4', 'PF2_1:SRIOV_NET_VF=4', 'PF2_2:SRIOV_NET_VF=4']);
    assert.deepEqual(body.provider_summaries[ids.PF1_1!].resources, { SRIOV_NET_VF: { capacity: 8, used: 6 } });
    assert.equal((await h.request('DELETE', `/allocations/${consumer}`)).statusCode, 204);
  });
});

describe('placement allocation candidates with aggregates on roots and nodes (bug 1792503)', () => {
  let h: PlacementHarness;
  const ids: Record<string, string> = {};
  const agg = { A: randomUUID(), B: randomUUID(), C: randomUUID() };

  before(async () => {
    h = await startPlacement();
    const mk = async (name: string, parent?: string): Promise<string> => {
      ids[name] = (await h.createProvider(name, parent ? { parent_provider_uuid: ids[parent] } : {})).uuid as string;
      return ids[name]!;
    };
    for (const cn of ['CN1', 'CN2']) {
      await mk(cn);
      for (const n of ['1', '2']) {
        const numa = await mk(`NUMA${cn.slice(2)}_${n}`, cn);
        await h.setInventory(numa, { VCPU: { total: 4 } });
      }
    }
    for (const ss of ['SS1', 'SS2']) {
      await mk(ss);
      await h.setInventory(ids[ss]!, { DISK_GB: { total: 2000 } });
      await h.setTraits(ids[ss]!, ['MISC_SHARES_VIA_AGGREGATE']);
    }
    await h.setAggregates(ids.CN1!, [agg.A]);
    await h.setAggregates(ids.CN2!, [agg.A, agg.B]);
    await h.setAggregates(ids.NUMA1_1!, [agg.C]);
    await h.setAggregates(ids.SS1!, [agg.A]);
    await h.setAggregates(ids.SS2!, [agg.C]);
  });
  after(async () => { await h.close(); });

  const count = async (query: string): Promise<number> => {
    const res = await h.request('GET', `/allocation_candidates?${query}`, { version: '1.32' });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().allocation_requests as unknown[]).length;
  };

  it('matches member_of on a provider or its root, and anchors sharing providers to whole trees', async () => {
    assert.equal(await count('resources=VCPU:1'), 4);
    assert.equal(await count(`resources=VCPU:1&member_of=${agg.A}`), 4);
    assert.equal(await count(`resources=VCPU:1&member_of=${agg.B}`), 2);
    assert.equal(await count(`resources=VCPU:1&member_of=${agg.C}`), 1);
    assert.equal(await count('resources=VCPU:1,DISK_GB:1000'), 6);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=${agg.A}`), 4);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=${agg.B}`), 0);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=${agg.C}`), 1);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=!${agg.A}`), 0);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=!${agg.B}`), 4);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=!${agg.C}`), 3);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=in:${agg.A},${agg.B}&member_of=!${agg.C}`), 3);
    assert.equal(await count(`resources=VCPU:1,DISK_GB:1000&member_of=${agg.A}&member_of=!in:${agg.B},${agg.C}`), 1);
  });
});
