// What makes received bytes acceptable for an image: no safety problem (a qcow2 backing file or
// external data file, two formats at once) and no contradiction with the declared disk_format
// (a qcow2 uploaded as raw is Glance's classic attack). Bytes with no recognisable header are
// accepted under any structured format: they cannot be verified, but QEMU will not parse them
// as anything else either, and Tempest (and real clouds) register such blobs as vhd or vmdk.
import { badRequest, type ApiError } from '../../core/errors.js';
import { formatMatchesDiskFormat, type FormatInspection } from '../formats/index.js';

const RAW_DISK_FORMATS: ReadonlySet<string> = new Set(['raw', 'ami', 'aki', 'ari']);

export function dataProblem(diskFormat: string, inspection: FormatInspection): ApiError | undefined {
  if (inspection.safetyProblems.length > 0) {
    return badRequest(`Image data is refused as unsafe: ${inspection.safetyProblems.join('; ')}.`);
  }
  if (formatMatchesDiskFormat(inspection.format, diskFormat)) return undefined;
  if (inspection.format === 'raw' && !RAW_DISK_FORMATS.has(diskFormat)) return undefined;
  return badRequest(`Image content does not match disk_format: the data is ${inspection.format}, the image declares ${diskFormat}.`);
}

/** Glance refuses data until both formats are known. */
export function missingFormats(image: { disk_format: string | null; container_format: string | null }): ApiError | undefined {
  const missing = (['disk_format', 'container_format'] as const).filter((k) => !image[k]);
  return missing.length === 0 ? undefined : badRequest(`Properties ${missing.join(', ')} must be set prior to saving data.`);
}
