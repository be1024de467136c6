// The image a server boots from, as nova.compute.api checks it (_check_requested_image and
// _validate_flavor_image_nostatus): visible to the user (their own token asks Glance), active,
// and fitting the flavor's memory and root disk. Also the image_* system metadata Nova keeps.
import { ApiError, badRequest } from '../../../core/errors.js';
import { imageProperties, isServiceApiError, type Image, type ImageClient } from '../../../core/clients/index.js';
import type { FlavorRow } from '../../db/schema.js';

const GiB = 1024 ** 3;

/** Glance says no, or cannot be reached: Nova's 503-ish answers become our own faults. */
function serviceFailure(err: unknown): ApiError {
  return new ApiError(503, `The image service is unavailable: ${err instanceof Error ? err.message : String(err)}`);
}

export async function resolveImage(client: ImageClient, imageId: string): Promise<Image> {
  let image: Image | undefined;
  try {
    image = await client.findImage(imageId);
  } catch (err) {
    if (isServiceApiError(err, 400)) image = undefined;
    else throw serviceFailure(err);
  }
  if (image === undefined) throw badRequest('Can not find requested image', 'ImageNotFound');
  if (image.status !== 'active') throw badRequest(`Image ${image.id} is not active.`, 'ImageNotActive');
  return image;
}

/** FlavorMemoryTooSmall / FlavorDiskSmallerThanImage / FlavorDiskSmallerThanMinDisk (all 400). */
export function checkFlavorFitsImage(flavor: Pick<FlavorRow, 'memory_mb' | 'root_gb'>, image: Image): void {
  const minRam = Number(image.min_ram ?? 0);
  const minDisk = Number(image.min_disk ?? 0);
  if (minRam > flavor.memory_mb) throw badRequest("Flavor's memory is too small for requested image.", 'FlavorMemoryTooSmall');
  // A zero-disk flavor takes the image's size (Nova's volume-less zero disk case).
  if (flavor.root_gb === 0) return;
  const dest = flavor.root_gb * GiB;
  const size = Math.max(Number(image.size ?? 0), Number(image.virtual_size ?? 0));
  if (size > dest) {
    throw badRequest(`Flavor's disk is too small for requested image. Flavor disk is ${dest} bytes, image is ${size} bytes.`, 'FlavorDiskSmallerThanImage');
  }
  if (minDisk > flavor.root_gb) {
    throw badRequest(`Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is ${dest} bytes, minimum size is ${minDisk * GiB} bytes.`, 'FlavorDiskSmallerThanMinDisk');
  }
}

/** nova.utils.get_system_metadata_from_image: image_<property> plus the inheritable core fields. */
export function imageSystemMetadata(image: Image): Record<string, string> {
  const out: Record<string, string> = { image_base_image_ref: image.id };
  for (const key of ['min_ram', 'min_disk', 'disk_format', 'container_format'] as const) {
    const value = image[key];
    if (value !== null && value !== undefined) out[`image_${key}`] = String(value);
  }
  for (const [key, value] of Object.entries(imageProperties(image))) {
    // Signature and Glance-internal properties are not inherited (SM_SKIP_KEYS).
    if (key.startsWith('img_signature') || key === 'owner_specified.openstack.md5') continue;
    out[`image_${key}`] = value.slice(0, 255);
  }
  return out;
}

/** What RequestSpec.image carries. */
export function imageSpec(image: Image): Record<string, unknown> {
  return {
    id: image.id, properties: imageProperties(image), min_disk: image.min_disk ?? 0, min_ram: image.min_ram ?? 0,
    size: image.size ?? 0, disk_format: image.disk_format ?? null,
  };
}
