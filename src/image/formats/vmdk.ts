// VMDK: the sparse kind ("KDMV" header, capacity in sectors at offset 12, an embedded descriptor
// at sector 1) and the text kind (a bare "# Disk DescriptorFile"). Only self-contained sparse
// images are safe: any other createType, or an extent naming another file, makes QEMU open host
// files on the image's say-so (the attack Glance's inspector was written against).
import { hasBytes, matched, need, NO, u64, type ProbeResult } from './byte-view.js';
import type { Probe } from './probe.js';
import { descriptorText, parseVmdkDescriptor, type VmdkDescriptor } from './vmdk-descriptor.js';

const MAGIC = Buffer.from('KDMV', 'latin1');
const SECTOR = 512;
/** QEMU reads at most 1 MiB - 1 of descriptor. */
const DESCRIPTOR_MAX = (1 << 20) - 1;
const SELF_CONTAINED = new Set(['monolithicsparse', 'streamoptimized']);
const TEXT_DESCRIPTOR_MAX = 64 * 1024;

function descriptorProblems(d: VmdkDescriptor): string[] {
  const problems: string[] = [];
  if (d.invalidLines > 0) problems.push('vmdk descriptor is invalid');
  if (d.extents.length === 0) problems.push('vmdk descriptor lists no extents');
  return problems;
}

function inspectSparse(header: Buffer, descriptor: Buffer): ProbeResult {
  const text = descriptorText(descriptor);
  if (text === undefined) return matched(null, ['vmdk descriptor is not text']);
  const parsed = parseVmdkDescriptor(text);
  const problems = descriptorProblems(parsed);
  const type = parsed.createType ?? '';
  if (!SELF_CONTAINED.has(type.toLowerCase())) problems.push(`vmdk createType "${type.slice(0, 64)}" is not allowed`);
  if (parsed.extents.some((e) => e.file.includes('/'))) problems.push('vmdk extent names another path');
  const sectors = u64(header, 12, 'le');
  if (sectors === null || sectors * SECTOR > Number.MAX_SAFE_INTEGER) return matched(null, [...problems, 'vmdk capacity is out of range']);
  return matched(sectors * SECTOR, problems);
}

export const vmdkSparseProbe: Probe = {
  format: 'vmdk',
  run(view) {
    const header = view.read(0, SECTOR);
    if (!header) return need(0, SECTOR);
    if (!hasBytes(header, 0, MAGIC)) return NO;
    if (header.length < 64) return matched(null, ['vmdk header is truncated']);
    const version = header.readUInt32LE(4);
    if (version < 1 || version > 3) return matched(null, [`vmdk version ${version} is not supported`]);
    const descSector = u64(header, 28, 'le');
    const descSectors = u64(header, 36, 'le') ?? 0;
    if (descSector !== 1 || descSectors === 0) return matched(null, ['vmdk has no embedded descriptor at sector 1']);
    const length = Math.min(descSectors * SECTOR, DESCRIPTOR_MAX);
    const descriptor = view.read(SECTOR, length);
    if (!descriptor) return need(SECTOR, length);
    return inspectSparse(header, descriptor);
  },
};

/** A descriptor file on its own: every extent it lists is another file, so it is never safe. */
export const vmdkTextProbe: Probe = {
  format: 'vmdk',
  run(view) {
    const start = view.read(0, 21);
    if (!start) return need(0, 21);
    if (start.toString('latin1').toLowerCase() !== '# disk descriptorfile') return NO;
    const bytes = view.read(0, TEXT_DESCRIPTOR_MAX);
    if (!bytes) return need(0, TEXT_DESCRIPTOR_MAX);
    const text = descriptorText(bytes);
    if (text === undefined) return matched(null, ['vmdk descriptor is not text']);
    const parsed = parseVmdkDescriptor(text);
    const problems = descriptorProblems(parsed);
    if (parsed.extents.length > 0) problems.push('vmdk descriptor references external extent files');
    const sectors = parsed.extents.reduce((sum, e) => sum + e.sectors, 0);
    return matched(Number.isSafeInteger(sectors * SECTOR) ? sectors * SECTOR : null, problems);
  },
};
