// What the format inspector found in an image's first bytes, as Glance's format_inspector does.

export type DetectedFormat = 'raw' | 'qcow2' | 'vmdk' | 'vhd' | 'vhdx' | 'vdi' | 'iso' | 'gpt' | 'unknown';

export interface FormatInspection {
  readonly format: DetectedFormat;
  /** Disk size the guest sees; for raw (and unknown) the file size. Null when not knowable. */
  readonly virtualSize: number | null;
  /** Reasons the data is unsafe to boot (a qcow2 backing file, an external data file, …). */
  readonly safetyProblems: readonly string[];
}
