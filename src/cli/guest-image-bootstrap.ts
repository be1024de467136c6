// The test guest image in a fresh cloud, as DevStack uploads CirrOS: when no image named
// nimbus-cirros exists, build it (docs/guest-image.md; cached in <dataDir>/guest-image by its
// inputs) and upload it public through the image API with the admin's credentials. Skipped with
// NIMBUS_GUEST_IMAGE=0 or when the build inputs (kernel, busybox, …) are not installed.
import { join } from 'node:path';
import type { NimbusConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { serviceAuth } from '../core/admin-credentials.js';
import { ImageClient } from '../core/clients/image-client.js';
import { buildGuestImage, GuestImageError, IMAGE_NAME } from '../compute/guest-image/index.js';

export interface EnsureGuestImageOptions {
  /** An already built qcow2 to upload instead of building one (tests). */
  readonly imagePath?: string;
  /** The image API client (default: the admin's credentials, the configured endpoint). */
  readonly images?: ImageClient;
  readonly env?: NodeJS.ProcessEnv;
}

/** Statuses of an upload that never finished (a crash mid-upload): replaced, not kept. */
const STALE = new Set(['queued', 'saving', 'killed', 'uploading', 'importing']);

/** The image id of nimbus-cirros (existing or uploaded now), or undefined when skipped. */
export async function ensureGuestImage(config: NimbusConfig, logger: Logger, options: EnsureGuestImageOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  if (env.NIMBUS_GUEST_IMAGE === '0') return undefined;
  const images = options.images ?? ImageClient.create(serviceAuth(config));
  const existing = await images.listImages({ name: IMAGE_NAME });
  const active = existing.find((i) => i.status === 'active');
  if (active !== undefined) return active.id;
  // Only leftovers of this bootstrap (never anything else a user called so) are removed.
  for (const stale of existing) {
    if (STALE.has(stale.status) && stale.nimbus_guest_image !== undefined) await images.deleteImage(stale.id);
  }
  let path = options.imagePath;
  let cacheKey = 'prebuilt';
  if (path === undefined) {
    try {
      // NIMBUS_GUEST_IMAGE_DIR shares one build cache between data directories (test runs).
      const built = await buildGuestImage({ outDir: env.NIMBUS_GUEST_IMAGE_DIR || join(config.dataDir, 'guest-image') });
      logger.info({ path: built.path, built: built.built, cacheKey: built.cacheKey }, 'guest image');
      path = built.path;
      cacheKey = built.cacheKey;
    } catch (err) {
      // Missing inputs are normal on a machine without the Debian packages; say so and go on.
      if (err instanceof GuestImageError) {
        logger.warn({ err: err.message }, 'guest image not built (scripts/install-deps.sh installs its inputs)');
        return undefined;
      }
      throw err;
    }
  }
  const image = await images.uploadImage({
    name: IMAGE_NAME, disk_format: 'qcow2', container_format: 'bare', visibility: 'public',
    hw_disk_bus: 'virtio', hw_vif_model: 'virtio', os_type: 'linux', nimbus_guest_image: cacheKey,
  }, path);
  logger.info({ id: image.id, size: image.size }, 'guest image uploaded');
  return image.id;
}
