// The filter scheduler's pure parts: every filter, every weigher, Nova's normalisation, and
// selectHosts' consumption, alternates, forced hosts and host_subset_size.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseComputeConfig } from '../../../src/compute/config.js';
import type { FlavorSnapshot } from '../../../src/compute/rpc/compute-protocol.js';
import {
  normalize, parseRequestSpec, requiredTraits, resourcesFromFlavor, selectHosts, weighHosts,
  type GroupState, type HostState, type RequestSpec,
} from '../../../src/compute/scheduler/index.js';
import type { FilterContext } from '../../../src/compute/scheduler/filters/index.js';
import {
  aggregateInstanceExtraSpecsFilter, availabilityZoneFilter, computeFilter, differentHostFilter, imagePropertiesFilter,
  sameHostFilter, serverGroupAffinityFilter, serverGroupAntiAffinityFilter,
} from '../../../src/compute/scheduler/filters/index.js';
import { matchExtraSpec } from '../../../src/compute/scheduler/filters/extra-specs-ops.js';
import {
  buildFailureWeigher, cpuWeigher, diskWeigher, ramWeigher, softAffinityWeigher, softAntiAffinityWeigher,
} from '../../../src/compute/scheduler/weighers/index.js';

const compute = parseComputeConfig();
const sched = compute.scheduler;

const flavor = (extra: Record<string, string> = {}, over: Partial<FlavorSnapshot> = {}): FlavorSnapshot => ({
  id: 1, flavorid: '1', name: 'm1.small', memory_mb: 2048, vcpus: 1, root_gb: 20, ephemeral_gb: 0, swap: 0, rxtx_factor: 1,
  description: null, extra_specs: extra, ...over,
});

function spec(over: Record<string, unknown> = {}): RequestSpec {
  return parseRequestSpec(JSON.stringify({
    instance_uuids: ['00000000-0000-4000-8000-000000000001'], num_instances: 1, min_count: 1, project_id: 'p', user_id: 'u',
    flavor: flavor(), image: { id: 'img', properties: {} }, requested_networks: [], security_groups: ['default'],
    availability_zone: null, force_host: null, force_node: null, scheduler_hints: {}, config_drive: false, metadata: {},
    request_id: 'req-1', ...over,
  }));
}

let seq = 0;
function host(name: string, over: Partial<HostState> = {}): HostState {
  seq += 1;
  return {
    host: name, nodename: `${name}.example`, nodeUuid: `00000000-0000-4000-a000-${String(seq).padStart(12, '0')}`,
    serviceDisabled: false, serviceUp: true, availabilityZones: [], aggregateMetadata: new Map(), instances: new Set(),
    cpuArch: 'x86_64', freeRamMb: 8192, freeDiskMb: 100 * 1024, freeVcpus: 16, failedBuilds: 0, ...over,
  };
}

const ctx = (s: RequestSpec = spec(), group?: GroupState): FilterContext => ({ spec: s, group, defaultAvailabilityZone: 'nova' });
const group = (policy: string, members: string[] = [], hosts: string[] = [], max = 1): GroupState =>
  ({ uuid: 'g', policy, maxServerPerHost: max, members: new Set(members), hosts: new Set(hosts) });

describe('request spec helpers', () => {
  it('resourcesFromFlavor adds swap rounded up to GiB, omits zero classes, drops root for boot from volume', () => {
    assert.deepEqual(resourcesFromFlavor(flavor({}, { swap: 1025, ephemeral_gb: 5 }), false), { VCPU: 1, MEMORY_MB: 2048, DISK_GB: 27 });
    assert.deepEqual(resourcesFromFlavor(flavor(), true), { VCPU: 1, MEMORY_MB: 2048 });
    assert.deepEqual(resourcesFromFlavor(flavor({ 'resources:VCPU': '0', 'resources:CUSTOM_X': '2' }), false), { MEMORY_MB: 2048, DISK_GB: 20, CUSTOM_X: 2 });
  });
  it('requiredTraits never wants a disabled compute and follows trait:X=required|forbidden', () => {
    assert.deepEqual(requiredTraits(flavor({ 'trait:HW_CPU_X86_AVX': 'required', 'trait:CUSTOM_SLOW': 'forbidden', 'hw:cpu_policy': 'x' })),
      ['!COMPUTE_STATUS_DISABLED', 'HW_CPU_X86_AVX', '!CUSTOM_SLOW']);
  });
  it('parseRequestSpec refuses a bad flavor and takes defaults for missing fields', () => {
    assert.throws(() => parseRequestSpec('{"flavor": {"memory_mb": -1}}'), /flavor.memory_mb/);
    assert.throws(() => parseRequestSpec('nope'), /not JSON/);
    const s = spec({ min_count: undefined, num_instances: undefined, scheduler_hints: { group: ['g1'], same_host: 'x' } });
    assert.equal(s.min_count, 1);
    assert.equal(s.scheduler_hints.group, 'g1');
    assert.deepEqual(s.scheduler_hints.same_host, ['x']);
  });
});

describe('filters', () => {
  it('ComputeFilter passes only enabled, up services', () => {
    assert.equal(computeFilter.hostPasses(host('a'), ctx()), true);
    assert.equal(computeFilter.hostPasses(host('a', { serviceDisabled: true }), ctx()), false);
    assert.equal(computeFilter.hostPasses(host('a', { serviceUp: false }), ctx()), false);
  });

  it('AvailabilityZoneFilter: aggregate zones, else the default zone', () => {
    const zoned = host('a', { availabilityZones: ['az1', 'az2'] });
    const plain = host('b');
    assert.equal(availabilityZoneFilter.hostPasses(zoned, ctx(spec({ availability_zone: 'az2' }))), true);
    assert.equal(availabilityZoneFilter.hostPasses(zoned, ctx(spec({ availability_zone: 'nova' }))), false);
    assert.equal(availabilityZoneFilter.hostPasses(plain, ctx(spec({ availability_zone: 'nova' }))), true);
    assert.equal(availabilityZoneFilter.hostPasses(plain, ctx(spec({ availability_zone: 'az1' }))), false);
    assert.equal(availabilityZoneFilter.hostPasses(zoned, ctx()), true);
  });

  it('ImagePropertiesFilter matches arch / hv type / vm mode with Nova\'s aliases', () => {
    const x86 = host('a');
    const arm = host('b', { cpuArch: 'aarch64' });
    const img = (properties: Record<string, unknown>) => ctx(spec({ image: { id: 'i', properties } }));
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({})), true);
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({ hw_architecture: 'x86_64', img_hv_type: 'qemu', hw_vm_mode: 'hvm' })), true);
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({ hw_architecture: 'amd64', img_hv_type: 'KVM', hw_vm_mode: 'hv' })), true);
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({ hw_architecture: 'aarch64' })), false);
    assert.equal(imagePropertiesFilter.hostPasses(arm, img({ hw_architecture: 'aarch64' })), true);
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({ img_hv_type: 'xen' })), false);
    assert.equal(imagePropertiesFilter.hostPasses(x86, img({ hw_vm_mode: 'exe' })), false);
  });

  it('ServerGroupAffinityFilter: anywhere until a member has a host, then only there', () => {
    const a = host('a');
    const b = host('b');
    assert.equal(serverGroupAffinityFilter.hostPasses(a, ctx(spec(), group('affinity'))), true);
    assert.equal(serverGroupAffinityFilter.hostPasses(a, ctx(spec(), group('affinity', ['m1'], ['b']))), false);
    assert.equal(serverGroupAffinityFilter.hostPasses(b, ctx(spec(), group('affinity', ['m1'], ['b']))), true);
    // Soft policies and anti-affinity are not this filter's.
    assert.equal(serverGroupAffinityFilter.hostPasses(a, ctx(spec(), group('soft-affinity', ['m1'], ['b']))), true);
  });

  it('ServerGroupAntiAffinityFilter: fewer than max_server_per_host members on the host', () => {
    const a = host('a', { instances: new Set(['m1', 'other']) });
    assert.equal(serverGroupAntiAffinityFilter.hostPasses(a, ctx(spec(), group('anti-affinity', ['m1'], ['a']))), false);
    assert.equal(serverGroupAntiAffinityFilter.hostPasses(a, ctx(spec(), group('anti-affinity', ['m1'], ['a'], 2))), true);
    assert.equal(serverGroupAntiAffinityFilter.hostPasses(a, ctx(spec(), group('anti-affinity', ['m9'], ['z']))), true);
    assert.equal(serverGroupAntiAffinityFilter.hostPasses(a, ctx(spec(), group('soft-anti-affinity', ['m1'], ['a']))), true);
  });

  it('AggregateInstanceExtraSpecsFilter matches scoped and unscoped keys against aggregate metadata, ignores other scopes', () => {
    const ssd = host('a', { aggregateMetadata: new Map([['disk', ['ssd']], ['cpus', ['8']]]) });
    const f = (extra: Record<string, string>) => ctx(spec({ flavor: flavor(extra) }));
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({})), true);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({ 'aggregate_instance_extra_specs:disk': 'ssd' })), true);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({ 'aggregate_instance_extra_specs:disk': 'hdd' })), false);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({ disk: 'ssd', 'hw:cpu_policy': 'dedicated', 'trait:X': 'required' })), true);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({ 'aggregate_instance_extra_specs:cpus': '>= 4' })), true);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(ssd, f({ 'aggregate_instance_extra_specs:gpu': 'yes' })), false);
    assert.equal(aggregateInstanceExtraSpecsFilter.hostPasses(host('b'), f({ 'aggregate_instance_extra_specs:disk': 'ssd' })), false);
  });

  it('extra spec operators as nova.scheduler.filters.extra_specs_ops', () => {
    assert.equal(matchExtraSpec('8', '= 4'), true);
    assert.equal(matchExtraSpec('2', '= 4'), false);
    assert.equal(matchExtraSpec('fast ssd', '<in> ssd'), true);
    assert.equal(matchExtraSpec('fast', '<all-in> fast ssd'), false);
    assert.equal(matchExtraSpec('b', '<or> a <or> b'), true);
    assert.equal(matchExtraSpec('c', '<or> a <or> b'), false);
    assert.equal(matchExtraSpec('abc', 's== abc'), true);
    assert.equal(matchExtraSpec('abc', '>= 1'), false);
    assert.equal(matchExtraSpec('4', '!= 4'), false);
    assert.equal(matchExtraSpec(undefined, '>= 1'), false);
  });

  it('SameHostFilter / DifferentHostFilter follow the hints', () => {
    const a = host('a', { instances: new Set(['x']) });
    const b = host('b');
    const same = ctx(spec({ scheduler_hints: { same_host: ['x', 'y'] } }));
    const diff = ctx(spec({ scheduler_hints: { different_host: ['x'] } }));
    assert.equal(sameHostFilter.hostPasses(a, same), true);
    assert.equal(sameHostFilter.hostPasses(b, same), false);
    assert.equal(sameHostFilter.hostPasses(b, ctx()), true);
    assert.equal(differentHostFilter.hostPasses(a, diff), false);
    assert.equal(differentHostFilter.hostPasses(b, diff), true);
  });
});

describe('weighers and normalisation', () => {
  it('normalize is min-max to [0, 1], all zeros when every value is equal', () => {
    assert.deepEqual(normalize([2, 4, 6]), [0, 0.5, 1]);
    assert.deepEqual(normalize([5, 5]), [0, 0]);
    assert.deepEqual(normalize([]), []);
  });

  it('RAM weigher spreads with +1.0 and packs with -1.0', () => {
    const big = host('big', { freeRamMb: 16384 });
    const small = host('small', { freeRamMb: 4096 });
    assert.equal(weighHosts([small, big], ctx(), [ramWeigher], sched)[0]!.state.host, 'big');
    const packed = weighHosts([big, small], ctx(), [ramWeigher], { ...sched, ramWeightMultiplier: -1.0 });
    assert.equal(packed[0]!.state.host, 'small');
    assert.equal(packed[0]!.weight, 0);
    assert.equal(packed[1]!.weight, -1);
  });

  it('CPU and disk weighers prefer more free vcpus / disk', () => {
    const a = host('a', { freeVcpus: 2, freeDiskMb: 900 * 1024 });
    const b = host('b', { freeVcpus: 30, freeDiskMb: 10 * 1024 });
    assert.equal(weighHosts([a, b], ctx(), [cpuWeigher], sched)[0]!.state.host, 'b');
    assert.equal(weighHosts([a, b], ctx(), [diskWeigher], sched)[0]!.state.host, 'a');
  });

  it('weights are the sum of normalised values times multipliers', () => {
    const a = host('a', { freeRamMb: 1000, freeVcpus: 10, freeDiskMb: 0 });
    const b = host('b', { freeRamMb: 3000, freeVcpus: 0, freeDiskMb: 0 });
    const c = host('c', { freeRamMb: 2000, freeVcpus: 5, freeDiskMb: 0 });
    const weighed = weighHosts([a, b, c], ctx(), [ramWeigher, cpuWeigher, diskWeigher], { ...sched, cpuWeightMultiplier: 2 });
    const byHost = Object.fromEntries(weighed.map((w) => [w.state.host, w.weight]));
    assert.deepEqual(byHost, { a: 2, b: 1, c: 1.5 });
    assert.deepEqual(weighed.map((w) => w.state.host), ['a', 'c', 'b']);
  });

  it('build failures sink a host below any resource difference', () => {
    const failing = host('failing', { freeRamMb: 100000, failedBuilds: 2 });
    const ok = host('ok', { freeRamMb: 1000 });
    const weighed = weighHosts([failing, ok], ctx(), [ramWeigher, buildFailureWeigher], sched);
    assert.equal(weighed[0]!.state.host, 'ok');
    assert.deepEqual(weighed.map((w) => w.weight), [1000000, 1]);
  });

  it('soft affinity prefers hosts with members, soft anti-affinity hosts without', () => {
    const a = host('a', { instances: new Set(['m1', 'm2']) });
    const b = host('b', { instances: new Set(['m3']) });
    const c = host('c');
    const members = ['m1', 'm2', 'm3'];
    const aff = weighHosts([c, b, a], ctx(spec(), group('soft-affinity', members)), [softAffinityWeigher, softAntiAffinityWeigher], sched);
    assert.deepEqual(aff.map((w) => w.state.host), ['a', 'b', 'c']);
    const anti = weighHosts([a, b, c], ctx(spec(), group('soft-anti-affinity', members)), [softAffinityWeigher, softAntiAffinityWeigher], sched);
    assert.deepEqual(anti.map((w) => w.state.host), ['c', 'b', 'a']);
  });

  it('ties keep the candidates\' order', () => {
    const hosts = [host('x'), host('y'), host('z')];
    assert.deepEqual(weighHosts(hosts, ctx(), [ramWeigher], sched).map((w) => w.state.host), ['x', 'y', 'z']);
  });
});

describe('selectHosts', () => {
  const uuids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
  const states = (hosts: HostState[], g?: GroupState) => ({ byNode: new Map(hosts.map((h) => [h.nodeUuid, h])), group: g });

  it('spreads a multi-create by consuming from the chosen host, with alternates', () => {
    const a = host('a', { freeRamMb: 6144 });
    const b = host('b', { freeRamMb: 4096 });
    const c = host('c', { freeRamMb: 2048 });
    const s = spec({ instance_uuids: uuids(3), num_instances: 3 });
    const out = selectHosts(s, [a, b, c].map((h) => h.nodeUuid), states([a, b, c]), compute, { weighers: [ramWeigher] });
    // a (6144) → a (4096, tie with b: a first in order) → b
    assert.deepEqual(out.map((l) => l[0]!.host), ['a', 'a', 'b']);
    assert.equal(out[0]!.length, 3);
    assert.deepEqual(out[0]!.slice(1).map((x) => x.host), ['b', 'c']);
    assert.equal(a.freeRamMb, 2048);
    assert.ok(a.instances.has(uuids(1)[0]!));
  });

  it('an instance gets [] when nothing fits any more, and alternates are capped at max_attempts - 1', () => {
    const hosts = [host('a', { freeRamMb: 2048 }), host('b', { freeRamMb: 2048 }), host('c', { freeRamMb: 2048 }), host('d', { freeRamMb: 2048 })];
    const s = spec({ instance_uuids: uuids(5), num_instances: 5 });
    const out = selectHosts(s, hosts.map((h) => h.nodeUuid), states(hosts), compute);
    assert.equal(out[0]!.length, 3); // chosen + 2 alternates (max_attempts 3)
    assert.deepEqual(out.map((l) => l.length), [3, 3, 2, 1, 0]);
    assert.deepEqual(new Set(out.slice(0, 4).map((l) => l[0]!.host)).size, 4);
  });

  it('hard anti-affinity puts each member of a multi-create on its own host', () => {
    const hosts = [host('a', { freeRamMb: 100000 }), host('b')];
    const g = group('anti-affinity', uuids(3));
    const out = selectHosts(spec({ instance_uuids: uuids(3), num_instances: 3, scheduler_hints: { group: 'g' } }), hosts.map((h) => h.nodeUuid), states(hosts, g), compute);
    assert.deepEqual(out.map((l) => l[0]?.host), ['a', 'b', undefined]);
  });

  it('hard affinity keeps a multi-create together after the first placement', () => {
    const hosts = [host('a', { freeRamMb: 4096 }), host('b', { freeRamMb: 100000 })];
    const g = group('affinity', uuids(2));
    hosts[0]!.freeRamMb = 100000;
    hosts[1]!.freeRamMb = 50000;
    const out = selectHosts(spec({ instance_uuids: uuids(2), num_instances: 2 }), hosts.map((h) => h.nodeUuid), states(hosts, g), compute);
    assert.deepEqual(out.map((l) => l[0]!.host), ['a', 'a']);
    assert.equal(out[1]!.length, 1); // b is filtered out for the second one
  });

  it('a forced host bypasses the filters but not the resources', () => {
    const disabled = host('a', { serviceDisabled: true });
    const other = host('b', { freeRamMb: 100000 });
    const s = spec({ force_host: 'a' });
    assert.equal(selectHosts(s, [disabled.nodeUuid, other.nodeUuid], states([disabled, other]), compute)[0]![0]!.host, 'a');
    const full = host('c', { freeRamMb: 100 });
    assert.deepEqual(selectHosts(spec({ force_host: 'c' }), [full.nodeUuid], states([full]), compute), [[]]);
    assert.deepEqual(selectHosts(spec({ force_host: 'zz' }), [other.nodeUuid], states([other]), compute), [[]]);
  });

  it('a requested destination (2.74) restricts the hosts but the filters still run', () => {
    const a = host('a', { serviceDisabled: true });
    const b = host('b');
    const c = host('c', { freeRamMb: 100000 });
    const all = [a, b, c];
    const out = selectHosts(spec({ requested_destination: { host: 'b' } }), all.map((h) => h.nodeUuid), states(all), compute);
    assert.deepEqual(out[0]!.map((x) => x.host), ['b']);
    assert.deepEqual(selectHosts(spec({ requested_destination: { host: 'a' } }), all.map((h) => h.nodeUuid), states(all), compute), [[]]);
  });

  it('host_subset_size picks randomly among the best N', () => {
    const mk = () => [host('a', { freeRamMb: 9000 }), host('b', { freeRamMb: 8000 }), host('c', { freeRamMb: 1 })];
    const cfg = { ...compute, scheduler: { ...sched, hostSubsetSize: 2 } };
    const hs1 = mk();
    assert.equal(selectHosts(spec(), hs1.map((h) => h.nodeUuid), states(hs1), cfg, { random: () => 0.99 })[0]![0]!.host, 'b');
    const hs2 = mk();
    assert.equal(selectHosts(spec(), hs2.map((h) => h.nodeUuid), states(hs2), cfg, { random: () => 0 })[0]![0]!.host, 'a');
  });

  it('drops candidates it has no state for (no service) and filters disabled ones', () => {
    const a = host('a', { serviceDisabled: true, freeRamMb: 100000 });
    const b = host('b');
    const out = selectHosts(spec(), ['00000000-0000-4000-a000-ffffffffffff', a.nodeUuid, b.nodeUuid], states([a, b]), compute);
    assert.deepEqual(out[0]!.map((x) => x.host), ['b']);
  });
});
