// Whether inspected content may be stored under a declared disk_format (Glance's
// require_image_format_match, with Nova's reading of it): a raw-ish format accepts anything QEMU
// will treat as plain bytes, and nothing with a container header it would parse (the "qcow2
// uploaded as raw" attack); every structured format must be exactly what was declared.
import type { DetectedFormat } from './inspection.js';

/** Plain bytes: raw disks, a partition table on one, or nothing recognisable. */
const RAW_CONTENT: ReadonlySet<DetectedFormat> = new Set(['raw', 'gpt', 'unknown']);
/** Disk formats whose content QEMU reads as raw bytes (AMI/AKI/ARI: a disk, a kernel, a ramdisk). */
const RAW_DISK_FORMATS: ReadonlySet<string> = new Set(['raw', 'ami', 'aki', 'ari']);
const STRUCTURED: ReadonlySet<string> = new Set<DetectedFormat>(['qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'gpt']);

export function formatMatchesDiskFormat(detected: DetectedFormat, diskFormat: string): boolean {
  if (RAW_DISK_FORMATS.has(diskFormat)) return RAW_CONTENT.has(detected);
  if (STRUCTURED.has(diskFormat)) return detected === diskFormat;
  // Formats without an inspector (ploop, …): only content that is not something else.
  return detected === 'raw';
}
