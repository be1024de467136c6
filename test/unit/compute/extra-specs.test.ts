import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusOf } from '../../support/api-status.js';
import { validateExtraSpec } from '../../../src/compute/domain/extra-specs.js';

test('known specs need valid values; unknown keys in known namespaces are refused; others pass', () => {
  const ok: [string, string][] = [
    ['hw:cpu_policy', 'dedicated'], ['hw:numa_nodes', '2'], ['hw:numa_cpus.1', '0-3,^2'], ['hw:numa_mem.0', '1024'], ['hw:mem_page_size', 'large'],
    ['hw:mem_page_size', '2048'], ['hw:mem_page_size', '1GiB'], ['hw:boot_menu', 'Yes'], ['hw_rng:rate_bytes', '24'], ['resources:VCPU', '2'],
    ['resources_gpu:CUSTOM_MAGIC', '1'], ['resources2:DISK_GB', '0'], ['trait:HW_CPU_X86_AVX2', 'required'], ['trait1:CUSTOM_FOO', 'forbidden'],
    ['aggregate_instance_extra_specs:ssd', 'true'], ['pci_passthrough:alias', 'a1:2,b:1'], ['group_policy', 'isolate'], ['hide_hypervisor_id', 'true'],
    ['quota:cpu_shares', 'anything'], ['capabilities:x', 'y'], ['custom', 'value'], ['os:secure_boot', 'whatever'],
  ];
  for (const [key, value] of ok) assert.equal(statusOf(() => validateExtraSpec(key, value)), 200, `${key}=${value}`);
  const bad: [string, string][] = [
    ['hw:cpu_policy', 'auto'], ['hw:numa_nodes', '0'], ['hw:numa_nodes', 'two'], ['hw:numa_cpus.x', '0'], ['hw:boot_menu', 'sure'],
    ['hw:mem_page_size', 'huge'], ['hw:unknown', '1'], ['hw_video:ram_max_mb', '-1'], ['resources:VCPUS', '1'], ['resources:VCPU', '1.5'],
    ['trait:FOO', 'yes'], ['pci_passthrough:alias', 'nocount'], ['pci_passthrough:other', 'x'], ['group_policy', 'spread'],
  ];
  for (const [key, value] of bad) assert.equal(statusOf(() => validateExtraSpec(key, value)), 400, `${key}=${value}`);
});
