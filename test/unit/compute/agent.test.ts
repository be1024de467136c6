// The compute agent's pure parts and the conductor's argument parsers: host resources from
// /proc-style text, inventory and traits, node uuids, and refusal of malformed RPC arguments.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hostResources, inventoryFor, nodeUuidFor, parseCpuinfo, parseMeminfo, qemuVersionFromDpkg, traitsFor,
} from '../../../src/compute/agent/index.js';
import { ConductorArgumentError, parseComputeNodeUpdate, parseServiceUpdate } from '../../../src/compute/conductor/protocol.js';

const CPUINFO = ['0', '1', '2', '3'].map((n) => `processor\t: ${n}
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
physical id\t: 0
siblings\t: 4
cpu cores\t: 2
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 aes vmx pni
`).join('\n');

const MEMINFO = 'MemTotal:        8039424 kB\nMemFree:          120000 kB\nMemAvailable:    4019712 kB\n';

const DPKG = `Package: qemu-utils
Status: install ok installed
Version: 1:7.2+dfsg-7

Package: qemu-system-x86
Status: install ok installed
Version: 1:7.2+dfsg-7+deb12u18+b3
`;

const NODE = {
  uuid: '0b6a1e0c-54f5-4d45-9b4c-1b9c0d2a7e11', host: 'cmp1', hypervisor_hostname: 'cmp1.example', hypervisor_type: 'QEMU',
  hypervisor_version: 7002000, vcpus: 4, memory_mb: 7851, local_gb: 40, vcpus_used: 0, memory_mb_used: 512, local_gb_used: 0,
  running_vms: 0, disk_available_least: 30, cpu_info: { arch: 'x86_64' },
};

describe('compute agent: host resources', () => {
  it('parses /proc/cpuinfo: count, vendor, model, flags, topology', () => {
    const cpu = parseCpuinfo(CPUINFO);
    assert.equal(cpu.count, 4);
    assert.equal(cpu.vendor, 'GenuineIntel');
    assert.equal(cpu.model, 'Intel(R) Xeon(R) CPU @ 2.20GHz');
    assert.ok(cpu.flags.includes('avx2'));
    assert.deepEqual([cpu.sockets, cpu.coresPerSocket, cpu.threadsPerCore], [1, 2, 2]);
  });

  it('parses /proc/meminfo in MiB and the QEMU version from dpkg', () => {
    assert.deepEqual(parseMeminfo(MEMINFO), { totalMb: 7851, availableMb: 3925 });
    assert.equal(qemuVersionFromDpkg(DPKG), 7002000);
    assert.equal(qemuVersionFromDpkg(''), 0);
  });

  it('reads a host from files and statfs of the instances directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-agent-'));
    try {
      for (const [name, text] of [['cpuinfo', CPUINFO], ['meminfo', MEMINFO], ['status', DPKG]] as const) writeFileSync(join(dir, name), text);
      const r = hostResources({
        instancesDir: dir, hypervisorHostname: 'cmp1.example',
        files: { cpuinfo: join(dir, 'cpuinfo'), meminfo: join(dir, 'meminfo'), dpkgStatus: join(dir, 'status') },
      });
      assert.equal(r.vcpus, 4);
      assert.equal(r.memory_mb, 7851);
      assert.equal(r.hypervisor_version, 7002000);
      assert.equal(r.memory_mb_used, 512);
      assert.ok(r.local_gb >= 0 && r.disk_available_least! <= r.local_gb);
      assert.equal((r.cpu_info.topology as Record<string, number>).cores, 2);
      assert.equal(r.cpu_info.vendor, 'Intel');
      // The real host's files parse too, and what they give passes the conductor's parser.
      const real = hostResources({ instancesDir: dir });
      assert.ok(real.vcpus >= 1 && real.memory_mb > 0);
      parseComputeNodeUpdate({ ...NODE, vcpus: real.vcpus, memory_mb: real.memory_mb, local_gb: real.local_gb, cpu_info: real.cpu_info, hypervisor_version: real.hypervisor_version });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('offers Nova\'s inventory and the driver\'s traits', () => {
    const r = { ...NODE, cpu_flags: parseCpuinfo(CPUINFO).flags, hypervisor_type: undefined } as never;
    const inv = inventoryFor(r);
    assert.deepEqual(inv.VCPU, { total: 4, reserved: 0, min_unit: 1, max_unit: 4, step_size: 1, allocation_ratio: 4 });
    assert.deepEqual(inv.MEMORY_MB, { total: 7851, reserved: 512, min_unit: 1, max_unit: 7851, step_size: 1, allocation_ratio: 1 });
    assert.deepEqual(inv.DISK_GB, { total: 40, reserved: 0, min_unit: 1, max_unit: 40, step_size: 1, allocation_ratio: 1 });
    assert.equal(inventoryFor({ ...(r as object), local_gb: 0 } as never).DISK_GB, undefined);
    const traits = traitsFor(r, false);
    for (const t of ['COMPUTE_NODE', 'COMPUTE_ARCH_X86_64', 'COMPUTE_IMAGE_TYPE_QCOW2', 'HW_CPU_X86_AVX2', 'HW_CPU_X86_SSE42', 'HW_CPU_X86_VMX']) {
      assert.ok(traits.includes(t), t);
    }
    assert.ok(!traits.includes('COMPUTE_STATUS_DISABLED'));
    assert.ok(traitsFor(r, true).includes('COMPUTE_STATUS_DISABLED'));
  });

  it('derives a stable version-5-shaped node uuid per host and node', () => {
    const a = nodeUuidFor('cmp1', 'cmp1.example');
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a, nodeUuidFor('cmp1', 'cmp1.example'));
    assert.notEqual(a, nodeUuidFor('cmp2', 'cmp1.example'));
  });
});

describe('conductor: argument parsing', () => {
  it('accepts well-formed service_update arguments', () => {
    assert.deepEqual(parseServiceUpdate({ host: 'cmp1', binary: 'nova-compute', topic: 'compute' }), { host: 'cmp1', binary: 'nova-compute', topic: 'compute' });
    assert.deepEqual(parseServiceUpdate({ host: 'cmp1.example.org', binary: 'nova-compute', topic: 'compute', availability_zone: 'az 1', report_count: 7 }),
      { host: 'cmp1.example.org', binary: 'nova-compute', topic: 'compute', availability_zone: 'az 1', report_count: 7 });
  });

  it('refuses malformed service_update arguments', () => {
    const good = { host: 'cmp1', binary: 'nova-compute', topic: 'compute' };
    const bad: unknown[] = [
      null, [], 'x', {}, { ...good, host: '' }, { ...good, host: 'a b' }, { ...good, host: '../etc' }, { ...good, host: 'x'.repeat(256) },
      { ...good, host: 5 }, { ...good, binary: 'bash' }, { ...good, binary: undefined }, { ...good, topic: 'c;d' },
      { ...good, report_count: -1 }, { ...good, report_count: 1.5 }, { ...good, report_count: '3' }, { ...good, report_count: 2 ** 40 },
      { ...good, availability_zone: 'a,b' }, { ...good, availability_zone: '' }, { ...good, availability_zone: 'a\u0000' },
      { ...good, extra: 1 }, { ...good, __proto__: { host: 'x' }, host: undefined },
    ];
    for (const args of bad) assert.throws(() => parseServiceUpdate(args), ConductorArgumentError, JSON.stringify(args));
  });

  it('accepts and refuses compute_node_update arguments', () => {
    assert.equal(parseComputeNodeUpdate(NODE).vcpus, 4);
    assert.equal(parseComputeNodeUpdate({ ...NODE, host_ip: '192.0.2.10', disk_available_least: null }).host_ip, '192.0.2.10');
    const bad: Record<string, unknown>[] = [
      { uuid: 'not-a-uuid' }, { uuid: NODE.uuid.toUpperCase() }, { hypervisor_type: 'KVM' }, { vcpus: 0 }, { vcpus: -1 }, { vcpus: '4' },
      { memory_mb: 2 ** 31 }, { local_gb: 1.5 }, { vcpus_used: null }, { running_vms: -2 }, { cpu_info: 'x' }, { cpu_info: [] },
      { cpu_info: { f: 'x'.repeat(20000) } }, { host_ip: 'not-ip' }, { host_ip: '999.1.1.1' }, { disk_available_least: 'x' },
      { hypervisor_hostname: '' }, { hypervisor_hostname: 'a/b' }, { host: undefined }, { bogus: true },
    ];
    for (const change of bad) assert.throws(() => parseComputeNodeUpdate({ ...NODE, ...change }), ConductorArgumentError, JSON.stringify(change));
  });
});
