// A VMDK descriptor: text lines of `key=value` header fields, extent lines
// (`RW 2048 SPARSE "disk.vmdk"`) and `ddb.*` entries. Parsed cautiously, as Glance does: a line
// that is none of these makes the whole descriptor invalid.

export interface VmdkExtent {
  readonly access: string;
  readonly sectors: number;
  readonly type: string;
  readonly file: string;
}

export interface VmdkDescriptor {
  readonly createType: string | undefined;
  readonly extents: readonly VmdkExtent[];
  /** Lines that are neither comments, fields, extents nor ddb entries. */
  readonly invalidLines: number;
}

const ACCESS = new Set(['rw', 'rdonly', 'noaccess']);
const EXTENT = /^(\S+)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)")?/;

function parseExtent(line: string): VmdkExtent | undefined {
  const m = EXTENT.exec(line);
  if (!m) return undefined;
  return { access: m[1]!.toLowerCase(), sectors: Number(m[2]), type: m[3]!.toLowerCase(), file: m[4] ?? '' };
}

export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  let createType: string | undefined;
  const extents: VmdkExtent[] = [];
  let invalidLines = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.toLowerCase().startsWith('ddb')) continue;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (key !== '' && !/\s/.test(key)) {
      if (key.toLowerCase() === 'createtype') createType = line.slice(eq + 1).trim().replace(/^"|"$/g, '');
      continue;
    }
    const extent = ACCESS.has(line.split(/\s/)[0]!.toLowerCase()) ? parseExtent(line) : undefined;
    if (extent) extents.push(extent);
    else invalidLines++;
  }
  return { createType, extents, invalidLines };
}

/** Printable ASCII (plus tab, CR, LF) up to the first NUL padding byte: a descriptor's text. */
export function descriptorText(bytes: Buffer): string | undefined {
  const end = bytes.indexOf(0);
  const text = end === -1 ? bytes : bytes.subarray(0, end);
  for (const b of text) if ((b < 0x20 || b > 0x7e) && b !== 0x09 && b !== 0x0a && b !== 0x0d) return undefined;
  return text.toString('latin1');
}
