// VHDX (MS-VHDX): the file identifier "vhdxfile", two headers at 64 and 128 KiB, the region table
// at 192 KiB pointing at the metadata region, whose table points at the Virtual Disk Size item (a
// little-endian u64). Differencing disks (a parent locator, or HasParent in File Parameters)
// and required regions or items this parser does not know are refused: QEMU would follow or
// reject them.
import type { ByteSpan, ByteView, ProbeResult } from './byte-view.js';
import { hasBytes, matched, NO, u64 } from './byte-view.js';
import { guidBytes } from './guid.js';
import type { Probe } from './probe.js';

const KiB = 1024;
const IDENTIFIER = Buffer.from('vhdxfile', 'latin1');
const HEADER_SIGNATURE = Buffer.from('head', 'latin1');
const REGION_SIGNATURE = Buffer.from('regi', 'latin1');
const METADATA_SIGNATURE = Buffer.from('metadata', 'latin1');
const HEADERS = [64 * KiB, 128 * KiB];
const REGION_TABLE = { offset: 192 * KiB, length: 64 * KiB };
const TABLE_BYTES = 64 * KiB;
const MAX_ENTRIES = 2047;

const REGION = { bat: guidBytes('2DC27766-F623-4200-9D64-115E9BFD4A08'), metadata: guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E') };
const ITEM = {
  fileParameters: guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B'),
  virtualDiskSize: guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8'),
  virtualDiskId: guidBytes('BECA12AB-B2E6-4523-93EF-C309E000C746'),
  logicalSectorSize: guidBytes('8141BF1D-A96F-4709-BA47-F233A8FAAB5F'),
  physicalSectorSize: guidBytes('CDA348C7-445D-4471-9CC9-E9885251C556'),
  parentLocator: guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C'),
};
const KNOWN_ITEMS = Object.values(ITEM);
const HAS_PARENT = 0x2;
const ITEM_REQUIRED = 0x4;

interface Entry { readonly guid: Buffer; readonly offset: number; readonly length: number; readonly flags: number }

/** Entries of a region or metadata table: a 16-byte GUID, then little-endian fields. */
function regionEntries(table: Buffer, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const at = 16 + i * 32;
    return { guid: table.subarray(at, at + 16), offset: u64(table, at + 16, 'le') ?? -1, length: table.readUInt32LE(at + 24), flags: table.readUInt32LE(at + 28) };
  });
}

function metadataEntries(table: Buffer, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const at = 32 + i * 32;
    return { guid: table.subarray(at, at + 16), offset: table.readUInt32LE(at + 16), length: table.readUInt32LE(at + 20), flags: table.readUInt32LE(at + 24) };
  });
}

/** The metadata region's file offset, or a problem. */
function findMetadataRegion(view: ByteView, problems: string[]): number | ProbeResult | undefined {
  const table = view.read(REGION_TABLE.offset, REGION_TABLE.length);
  if (!table) return { kind: 'need', spans: [REGION_TABLE] };
  if (!hasBytes(table, 0, REGION_SIGNATURE) || table.length < 16) return matched(null, ['vhdx region table is missing']);
  const count = table.readUInt32LE(8);
  if (count > MAX_ENTRIES || 16 + count * 32 > table.length) return matched(null, ['vhdx region table is malformed']);
  let metadata: number | undefined;
  for (const entry of regionEntries(table, count)) {
    if (entry.guid.equals(REGION.metadata)) metadata = entry.offset;
    else if (!entry.guid.equals(REGION.bat) && entry.flags & 1) problems.push('vhdx has an unknown required region');
  }
  return metadata;
}

function inspectMetadata(view: ByteView, metaOffset: number, problems: string[]): ProbeResult {
  const table = view.read(metaOffset, TABLE_BYTES);
  if (!table) return { kind: 'need', spans: [{ offset: metaOffset, length: TABLE_BYTES }] };
  if (!hasBytes(table, 0, METADATA_SIGNATURE) || table.length < 32) return matched(null, [...problems, 'vhdx metadata table is missing']);
  const count = table.readUInt16LE(10);
  if (count > MAX_ENTRIES || 32 + count * 32 > table.length) return matched(null, [...problems, 'vhdx metadata table is malformed']);
  const entries = metadataEntries(table, count);
  if (entries.some((e) => e.guid.equals(ITEM.parentLocator))) problems.push('vhdx is a differencing disk (has a parent)');
  if (entries.some((e) => e.flags & ITEM_REQUIRED && !KNOWN_ITEMS.some((g) => g.equals(e.guid)))) problems.push('vhdx has an unknown required metadata item');
  const sizeEntry = entries.find((e) => e.guid.equals(ITEM.virtualDiskSize));
  const paramsEntry = entries.find((e) => e.guid.equals(ITEM.fileParameters));
  const wanted = [sizeEntry, paramsEntry].map((e) => (e ? { offset: metaOffset + e.offset, length: 8 } : undefined));
  const [sizeItem, paramsItem] = wanted.map((span) => (span ? view.read(span.offset, span.length) : undefined));
  const missing = wanted.filter((span, i): span is ByteSpan => span !== undefined && [sizeItem, paramsItem][i] === undefined);
  if (missing.length > 0) return { kind: 'need', spans: missing };
  if (paramsItem && paramsItem.length >= 8 && paramsItem.readUInt32LE(4) & HAS_PARENT) problems.push('vhdx is a differencing disk (has a parent)');
  const virtualSize = sizeItem ? u64(sizeItem, 0, 'le') : null;
  if (virtualSize === null) problems.push('vhdx virtual disk size is missing');
  return matched(virtualSize, [...new Set(problems)]);
}

export const vhdxProbe: Probe = {
  format: 'vhdx',
  run(view) {
    const ident = view.read(0, 8);
    if (!ident) return { kind: 'need', spans: [{ offset: 0, length: 8 }] };
    if (!hasBytes(ident, 0, IDENTIFIER)) return NO;
    const headers = HEADERS.map((offset) => view.read(offset, 4));
    if (headers.some((h) => h === undefined)) return { kind: 'need', spans: HEADERS.map((offset) => ({ offset, length: 4 })) };
    if (!headers.some((h) => h && hasBytes(h, 0, HEADER_SIGNATURE))) return matched(null, ['vhdx has no valid header']);
    const problems: string[] = [];
    const meta = findMetadataRegion(view, problems);
    if (meta === undefined) return matched(null, [...problems, 'vhdx has no metadata region']);
    if (typeof meta !== 'number') return meta;
    if (meta < 0) return matched(null, [...problems, 'vhdx metadata region offset is out of range']);
    return inspectMetadata(view, meta, problems);
  },
};
