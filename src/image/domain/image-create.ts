// Registering an image: a queued record with no data. Owner defaults to the caller's project;
// only an admin may register an image for another project. One transaction writes the image, its
// properties and its tags, so a failure leaves nothing behind.
import { conflict, forbidden } from '../../core/errors.js';
import { newUuid } from '../../core/ids.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { enforce } from './image-access.js';
import { findImage, type ImageRecord } from './image-record.js';
import { assertMinValue, assertPropertyQuota, assertTagQuota, enforceVisibility, uniqueTags } from './image-rules.js';
import { assertImageCountQuota } from './quotas.js';

export interface NewImage {
  readonly id?: string;
  readonly name?: string | null;
  readonly visibility?: string;
  readonly protected?: boolean;
  readonly os_hidden?: boolean;
  readonly disk_format?: string | null;
  readonly container_format?: string | null;
  readonly min_disk?: number;
  readonly min_ram?: number;
  /** Absent: the caller's project. */
  readonly owner?: string | null;
  readonly tags: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
}

export async function createImage(deps: ImageDomainDeps, caller: Caller, input: NewImage): Promise<ImageRecord> {
  const owner = input.owner !== undefined ? input.owner : caller.project;
  const visibility = input.visibility ?? 'shared';
  const target = { ...input.properties, owner, project_id: owner, visibility };
  enforce(deps, caller, 'add_image', target);
  if (!caller.isAdmin && owner !== caller.project) {
    throw forbidden(`You are not permitted to create images owned by '${owner}'.`);
  }
  enforceVisibility(deps, caller, visibility, target);
  assertMinValue('min_disk', input.min_disk ?? 0);
  assertMinValue('min_ram', input.min_ram ?? 0);
  const tags = uniqueTags(input.tags);
  assertTagQuota(tags.length);
  assertPropertyQuota(Object.keys(input.properties).length);
  await assertImageCountQuota(deps, owner);

  const id = input.id ?? newUuid();
  const now = new Date().toISOString();
  try {
    await deps.db.transaction().execute(async (tx) => {
      await tx.insertInto('image').values({
        id, name: input.name ?? null, owner, status: 'queued', visibility,
        protected: input.protected ? 1 : 0, os_hidden: input.os_hidden ? 1 : 0,
        disk_format: input.disk_format ?? null, container_format: input.container_format ?? null,
        min_disk: input.min_disk ?? 0, min_ram: input.min_ram ?? 0,
        size: null, virtual_size: null, checksum: null, os_hash_algo: null, os_hash_value: null,
        created_at: now, updated_at: now,
      }).execute();
      const props = Object.entries(input.properties).map(([name, value]) => ({ image_id: id, name, value }));
      if (props.length > 0) await tx.insertInto('image_property').values(props).execute();
      if (tags.length > 0) await tx.insertInto('image_tag').values(tags.map((value) => ({ image_id: id, value }))).execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Image with identifier ${id} already exists!`);
    throw err;
  }
  return (await findImage(deps.db, id))!;
}
