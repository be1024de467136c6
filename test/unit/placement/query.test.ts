import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/core/errors.js';
import { parseVersionString } from '../../../src/placement/domain/microversion.js';
import {
  normalizeMemberOfParams, normalizeResources, normalizeTraitsParam, normalizeTraitsParams, QueryParams,
} from '../../../src/placement/domain/query.js';
import { parseCandidateRequest } from '../../../src/placement/domain/candidate-request.js';

const v = parseVersionString;
const fails = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.status === 400 && re.test(e.message));
};
const agg1 = '9323b2b1-82c9-4e91-bdff-e95e808ef954';
const agg2 = '8592a199-7d73-4465-8df6-ab00a6243c82';

describe('placement query parsing', () => {
  it('keeps every value of a key in order, and the last one as the dict value', () => {
    const q = new QueryParams('a=1&b=2&a=3&c=x+y');
    assert.deepEqual(q.getAll('a'), ['1', '3']);
    assert.equal(q.get('a'), '3');
    assert.deepEqual(q.toDict(), { a: '3', b: '2', c: 'x y' });
    assert.deepEqual(q.keys(), ['a', 'b', 'c']);
  });

  it('parses resources=RC:N,…', () => {
    assert.deepEqual([...normalizeResources('VCPU:2,MEMORY_MB:1024')], [['VCPU', 2], ['MEMORY_MB', 1024]]);
    fails(() => normalizeResources(' '), /Got: empty string\./);
    fails(() => normalizeResources('VCPU'), /Got: VCPU\./);
    fails(() => normalizeResources('VCPU:1:2'), /Got: VCPU:1:2\./);
    fails(() => normalizeResources('VCPU:x'), /Requested resource VCPU expected positive integer amount\. Got: x\./);
    fails(() => normalizeResources('VCPU:0'), /Requested resource VCPU requires amount >= 1\. Got: 0\./);
  });

  it('parses required traits, forbidden from 1.22 and any-of from 1.39', () => {
    assert.deepEqual(normalizeTraitsParam('A,!B,!!C', true, false), { required: [['A']], forbidden: new Set(['B', 'C']) });
    fails(() => normalizeTraitsParam('A,!B', false, false), /HW_CPU_X86_VMX,CUSTOM_MAGIC\. Got: A,!B/);
    fails(() => normalizeTraitsParam('A,,B', true, false), /HW_CPU_X86_VMX,!CUSTOM_MAGIC\. Got an empty trait in: A,,B/);
    fails(() => normalizeTraitsParam('!', true, false), /empty trait/);
    assert.deepEqual(normalizeTraitsParam('in:A,B', true, true), { required: [['A', 'B']], forbidden: new Set() });
    fails(() => normalizeTraitsParam('in:A,B', true, false), /only supported since microversion 1.39/);
    fails(() => normalizeTraitsParam('in:A,!B', true, true), /does not support forbidden traits/);
    assert.deepEqual(normalizeTraitsParams(['A', 'B'], v('1.38')).required, [['B']]);
    assert.deepEqual(normalizeTraitsParams(['A', 'in:B,C'], v('1.39')).required, [['A'], ['B', 'C']]);
  });

  it('parses member_of: several from 1.24, forbidden from 1.32', () => {
    assert.deepEqual(normalizeMemberOfParams([`in:${agg1},${agg2}`, agg1], v('1.24')), { required: [[agg1, agg2], [agg1]], forbidden: new Set() });
    fails(() => normalizeMemberOfParams([agg1, agg2], v('1.23')), /Multiple member_of parameters are not supported/);
    assert.deepEqual(normalizeMemberOfParams([`!in:${agg1},${agg2}`], v('1.32')).forbidden, new Set([agg1, agg2]));
    fails(() => normalizeMemberOfParams([`!${agg1}`], v('1.31')), /Forbidden member_of parameters are not supported/);
    fails(() => normalizeMemberOfParams([`${agg1},${agg2}`], v('1.32')), /must be prefixed with the 'in:' or '!in:' keyword/);
    fails(() => normalizeMemberOfParams(['in:x'], v('1.32')), /Got: x/);
  });

  it('builds request groups for allocation candidates', () => {
    const q = new QueryParams(`resources=VCPU:1&required=HW_CPU_X86_SSE&resources1=SRIOV_NET_VF:2&member_of1=${agg1}&group_policy=isolate&limit=3`);
    const { groups, params } = parseCandidateRequest(q, v('1.29'));
    assert.equal(groups.length, 2);
    const [unnumbered, one] = groups;
    assert.equal(unnumbered!.useSameProvider, false);
    assert.deepEqual(unnumbered!.required, [['HW_CPU_X86_SSE']]);
    assert.equal(one!.useSameProvider, true);
    assert.deepEqual(one!.memberOf, [[agg1]]);
    assert.equal(params.limit, 3);
    assert.equal(params.groupPolicy, 'isolate');
    assert.ok(params.nestedAware);
    fails(() => parseCandidateRequest(new QueryParams('resources1=VCPU:1&resources2=VCPU:1'), v('1.25')), /"group_policy" parameter is required/);
    fails(() => parseCandidateRequest(new QueryParams('resources_A=VCPU:1'), v('1.32')), /does not match any of the regexes/);
    assert.equal(parseCandidateRequest(new QueryParams('resources_A=VCPU:1'), v('1.33')).groups[0]!.suffix, '_A');
  });
});
