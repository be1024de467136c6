// The candidate builder on hand-made snapshots: single providers, sharing providers, nested
// trees, granular groups and their policies, capacity of merged groups, limits, summaries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  findCandidates, type RequestGroup, type RequestParams, type Snapshot, type SnapshotProvider,
} from '../../../src/placement/domain/candidates.js';

interface Spec { parent?: string; traits?: string[]; aggs?: string[]; inv?: Record<string, number | [number, Partial<{ reserved: number; max_unit: number; step_size: number; min_unit: number; allocation_ratio: number }>]>; used?: Record<string, number> }

function snapshot(specs: Record<string, Spec>): Snapshot {
  const providers = new Map<string, SnapshotProvider>();
  let id = 0;
  const rootOf = (name: string): string => (specs[name]!.parent === undefined ? name : rootOf(specs[name]!.parent!));
  for (const [name, s] of Object.entries(specs)) {
    id += 1;
    providers.set(name, {
      uuid: name, id, parent: s.parent ?? null, root: rootOf(name), traits: new Set(s.traits ?? []), aggregates: new Set(s.aggs ?? []),
      inventories: new Map(Object.entries(s.inv ?? {}).map(([rc, v]) => {
        const [total, extra] = typeof v === 'number' ? [v, {}] : v;
        return [rc, { total, reserved: 0, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1, ...extra }];
      })),
      used: new Map(Object.entries(s.used ?? {})),
    });
  }
  return { providers };
}

const group = (suffix: string, resources: Record<string, number>, extra: Partial<RequestGroup> = {}): RequestGroup => ({
  suffix, useSameProvider: suffix !== '', resources: new Map(Object.entries(resources)), required: [], forbidden: new Set(),
  memberOf: [], forbiddenAggregates: new Set(), ...extra,
});
const NESTED: RequestParams = { nestedAware: true };

function shapes(result: ReturnType<typeof findCandidates>): string[] {
  return result.requests.map((r) => [...r.allocations].flatMap(([p, res]) => [...res].map(([rc, n]) => `${p}:${rc}=${n}`)).sort().join(' ')).sort();
}

const SHARED: Record<string, Spec> = {
  cn1: { inv: { VCPU: 8, MEMORY_MB: 1024 }, aggs: ['a'], traits: ['HW_CPU_X86_AVX'] },
  cn2: { inv: { VCPU: 8, MEMORY_MB: 1024, DISK_GB: 100 }, aggs: ['a'] },
  ss: { inv: { DISK_GB: 1000 }, aggs: ['a'], traits: ['MISC_SHARES_VIA_AGGREGATE', 'STORAGE_DISK_SSD'] },
  lonely: { inv: { VCPU: 8, MEMORY_MB: 1024 } },
};

describe('allocation candidate building', () => {
  it('gives single providers and sharing combinations', () => {
    const r = findCandidates(snapshot(SHARED), [group('', { VCPU: 1, MEMORY_MB: 512, DISK_GB: 10 })], NESTED);
    assert.deepEqual(shapes(r), [
      'cn1:MEMORY_MB=512 cn1:VCPU=1 ss:DISK_GB=10',
      'cn2:DISK_GB=10 cn2:MEMORY_MB=512 cn2:VCPU=1',
      'cn2:MEMORY_MB=512 cn2:VCPU=1 ss:DISK_GB=10',
    ]);
    assert.deepEqual(r.summaries.map((s) => s.uuid), ['cn1', 'cn2', 'ss']);
    const single = findCandidates(snapshot(SHARED), [group('', { VCPU: 8 })], NESTED);
    assert.deepEqual(shapes(single), ['cn1:VCPU=8', 'cn2:VCPU=8', 'lonely:VCPU=8']);
    assert.deepEqual(findCandidates(snapshot(SHARED), [group('', { VCPU: 9 })], NESTED).requests, []);
  });

  it('satisfies required traits with the union of the providers used, forbidden with none', () => {
    const ssd = findCandidates(snapshot(SHARED), [group('', { VCPU: 1, DISK_GB: 10 }, { required: [['STORAGE_DISK_SSD']] })], NESTED);
    assert.deepEqual(shapes(ssd), ['cn1:VCPU=1 ss:DISK_GB=10', 'cn2:VCPU=1 ss:DISK_GB=10']);
    const anyOf = findCandidates(snapshot(SHARED), [group('', { VCPU: 1 }, { required: [['HW_CPU_X86_AVX', 'HW_CPU_X86_SSE']] })], NESTED);
    assert.deepEqual(shapes(anyOf), ['cn1:VCPU=1']);
    const noAvx = findCandidates(snapshot(SHARED), [group('', { VCPU: 1 }, { forbidden: new Set(['HW_CPU_X86_AVX']) })], NESTED);
    assert.deepEqual(shapes(noAvx), ['cn2:VCPU=1', 'lonely:VCPU=1']);
  });

  it('counts usage and respects min/max/step', () => {
    const s = snapshot({
      a: { inv: { VCPU: [4, { allocation_ratio: 2 }] }, used: { VCPU: 7 } },
      b: { inv: { VCPU: [16, { step_size: 2, max_unit: 4 }] } },
    });
    assert.deepEqual(shapes(findCandidates(s, [group('', { VCPU: 1 })], NESTED)), ['a:VCPU=1']);
    assert.deepEqual(shapes(findCandidates(s, [group('', { VCPU: 2 })], NESTED)), ['b:VCPU=2']);
    assert.deepEqual(shapes(findCandidates(s, [group('', { VCPU: 6 })], NESTED)), []);
  });

  const TREE: Record<string, Spec> = {
    cn: { inv: { VCPU: 8 } },
    numa0: { parent: 'cn', traits: ['HW_NUMA_ROOT'] },
    numa1: { parent: 'cn', traits: ['HW_NUMA_ROOT'] },
    pf0: { parent: 'numa0', inv: { SRIOV_NET_VF: 4 }, traits: ['CUSTOM_PHYSNET_A'] },
    pf1: { parent: 'numa1', inv: { SRIOV_NET_VF: 4 }, traits: ['CUSTOM_PHYSNET_B'] },
  };

  it('combines providers of one tree from 1.29 only, and summarises whole trees', () => {
    const nested = findCandidates(snapshot(TREE), [group('', { VCPU: 1, SRIOV_NET_VF: 2 })], NESTED);
    assert.deepEqual(shapes(nested), ['cn:VCPU=1 pf0:SRIOV_NET_VF=2', 'cn:VCPU=1 pf1:SRIOV_NET_VF=2']);
    assert.equal(nested.summaries.length, 5);
    assert.deepEqual(findCandidates(snapshot(TREE), [group('', { VCPU: 1, SRIOV_NET_VF: 2 })], { nestedAware: false }).requests, []);
    const old = findCandidates(snapshot(TREE), [group('', { SRIOV_NET_VF: 2 })], { nestedAware: false });
    assert.equal(old.requests.length, 2);
    assert.deepEqual(old.summaries.map((s) => s.uuid), ['pf0', 'pf1']);
  });

  it('keeps granular groups on one provider each; isolate separates them; sums must fit', () => {
    const groups = [group('', { VCPU: 1 }), group('1', { SRIOV_NET_VF: 2 }), group('2', { SRIOV_NET_VF: 2 })];
    assert.equal(findCandidates(snapshot(TREE), groups, { ...NESTED, groupPolicy: 'none' }).requests.length, 4);
    const isolated = findCandidates(snapshot(TREE), groups, { ...NESTED, groupPolicy: 'isolate' });
    assert.equal(isolated.requests.length, 2);
    for (const r of isolated.requests) assert.notDeepEqual(r.mappings.get('1'), r.mappings.get('2'));
    const big = [group('1', { SRIOV_NET_VF: 3 }), group('2', { SRIOV_NET_VF: 3 })];
    assert.deepEqual(shapes(findCandidates(snapshot(TREE), big, { ...NESTED, groupPolicy: 'none' })), [
      'pf0:SRIOV_NET_VF=3 pf1:SRIOV_NET_VF=3', 'pf0:SRIOV_NET_VF=3 pf1:SRIOV_NET_VF=3',
    ]);
    const traitGroup = findCandidates(snapshot(TREE), [group('1', { SRIOV_NET_VF: 1 }, { required: [['CUSTOM_PHYSNET_B']] })], NESTED);
    assert.deepEqual(shapes(traitGroup), ['pf1:SRIOV_NET_VF=1']);
    assert.deepEqual(traitGroup.requests[0]!.mappings.get('1'), ['pf1']);
  });

  it('applies same_subtree with a resourceless group, root_required and in_tree', () => {
    const groups = [group('_VF', { SRIOV_NET_VF: 1 }), group('_NUMA', {}, { required: [['HW_NUMA_ROOT']] })];
    const r = findCandidates(snapshot(TREE), groups, { ...NESTED, groupPolicy: 'none', sameSubtrees: [new Set(['_VF', '_NUMA'])] });
    assert.deepEqual(r.requests.map((x) => `${x.mappings.get('_VF')}<${x.mappings.get('_NUMA')}`).sort(), ['pf0<numa0', 'pf1<numa1']);
    const s = snapshot({ ...SHARED, cn1: { ...SHARED.cn1!, traits: ['HW_CPU_X86_AVX', 'COMPUTE_STATUS_DISABLED'] } });
    const enabled = findCandidates(s, [group('', { VCPU: 1 })], { ...NESTED, rootForbidden: new Set(['COMPUTE_STATUS_DISABLED']) });
    assert.deepEqual(shapes(enabled), ['cn2:VCPU=1', 'lonely:VCPU=1']);
    const inTree = findCandidates(snapshot(TREE), [group('', { SRIOV_NET_VF: 1 }, { inTree: 'pf1' })], NESTED);
    assert.equal(inTree.requests.length, 2);
    assert.deepEqual(findCandidates(snapshot(TREE), [group('', { VCPU: 1 }, { inTree: 'nope' })], NESTED).requests, []);
  });

  it('matches member_of on the provider or its root, and limits results', () => {
    const s = snapshot({
      cn1: { aggs: ['A'] }, n11: { parent: 'cn1', inv: { VCPU: 4 }, aggs: ['C'] }, n12: { parent: 'cn1', inv: { VCPU: 4 } },
      cn2: { aggs: ['A', 'B'] }, n21: { parent: 'cn2', inv: { VCPU: 4 } },
    });
    const count = (g: Partial<RequestGroup>) => findCandidates(s, [group('', { VCPU: 1 }, g)], NESTED).requests.length;
    assert.equal(count({ memberOf: [['A']] }), 3);
    assert.equal(count({ memberOf: [['B']] }), 1);
    assert.equal(count({ memberOf: [['C']] }), 1);
    assert.equal(count({ forbiddenAggregates: new Set(['C']) }), 2);
    assert.equal(count({ memberOf: [['A'], ['B', 'C']] }), 2);
    assert.equal(findCandidates(s, [group('', { VCPU: 1 })], { ...NESTED, limit: 2 }).requests.length, 2);
  });

  it('answers a lone provider afresh for every request shape asked of the same snapshot', () => {
    // The search remembers each lone provider's answer per request shape: a second shape asked of
    // the very same snapshot objects must not get the first one's answer.
    const s = snapshot({ solo: { inv: { VCPU: 4, MEMORY_MB: 1024 }, traits: ['HW_CPU_X86_AVX'], aggs: ['A'] } });
    const count = (g: RequestGroup, params: RequestParams = NESTED) => findCandidates(s, [g], params).requests.length;
    assert.equal(count(group('', { VCPU: 2 })), 1);
    assert.equal(count(group('', { VCPU: 5 })), 0);
    assert.equal(count(group('', { VCPU: 2 }, { forbidden: new Set(['HW_CPU_X86_AVX']) })), 0);
    assert.equal(count(group('', { VCPU: 2 }, { memberOf: [['B']] })), 0);
    assert.equal(count(group('', { VCPU: 2 }, { memberOf: [['A']] })), 1);
    // Two granular groups on one provider: allowed with group_policy=none, not with isolate.
    const two = [group('1', { VCPU: 1 }), group('2', { MEMORY_MB: 512 })];
    assert.equal(findCandidates(s, two, { ...NESTED, groupPolicy: 'none' }).requests.length, 1);
    assert.equal(findCandidates(s, two, { ...NESTED, groupPolicy: 'isolate' }).requests.length, 0);
    // The sum of the groups must fit: 3 + 2 VCPU of 4.
    assert.equal(findCandidates(s, [group('1', { VCPU: 3 }), group('2', { VCPU: 2 })], { ...NESTED, groupPolicy: 'none' }).requests.length, 0);
    assert.equal(count(group('', { VCPU: 2 })), 1);
  });
});
