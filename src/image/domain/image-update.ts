// Applying a parsed JSON-Patch to an image, with Glance's rules: attributes cannot be removed,
// extra properties must exist to be replaced or removed, a draft-4 (v2.0 patch) `add` may not
// overwrite, and only an admin changes the owner. All changes are checked before anything is
// written; the writes touch only changed columns, in one transaction.
import { conflict, forbidden } from '../../core/errors.js';
import type { Caller } from './caller.js';
import { WRITABLE_ATTRIBUTES } from './constants.js';
import type { ImageDomainDeps } from './deps.js';
import { assertMutable, enforceOnImage, imageTarget, loadVisibleImage, noSuchImage } from './image-access.js';
import { findImage, type ImageRecord } from './image-record.js';
import {
  assertFormatChangeable, assertMinValue, assertPropertyQuota, assertTagQuota, enforceVisibility, uniqueTags,
} from './image-rules.js';

export interface ImageChange {
  readonly op: 'add' | 'replace' | 'remove';
  /** The top-level attribute or property name (JSON-Patch paths here are one level deep). */
  readonly name: string;
  readonly value?: unknown;
  /** 4 for application/openstack-images-v2.0-json-patch, 10 for v2.1. */
  readonly draft: 4 | 10;
}

interface Pending {
  attrs: Record<string, unknown>;
  properties: Record<string, string>;
  tags: string[] | undefined;
}

export async function updateImage(deps: ImageDomainDeps, caller: Caller, id: string, changes: readonly ImageChange[]): Promise<ImageRecord> {
  const visible = await loadVisibleImage(deps, caller, id);
  const { image } = visible;
  enforceOnImage(deps, caller, 'modify_image', visible);
  assertMutable(image, caller);
  if (changes.length === 0) return image;

  const next: Pending = { attrs: {}, properties: { ...image.properties }, tags: undefined };
  const target = imageTarget(image, caller, visible.memberStatus);
  for (const change of changes) {
    if (WRITABLE_ATTRIBUTES.has(change.name)) applyAttribute(deps, caller, image, next, change, target);
    else applyProperty(next, change);
  }
  assertPropertyQuota(Object.keys(next.properties).length);
  await writeChanges(deps, image, next);
  return (await findImage(deps.db, id))!;
}

function applyAttribute(
  deps: ImageDomainDeps, caller: Caller, image: ImageRecord, next: Pending, change: ImageChange, target: Record<string, unknown>,
): void {
  const { name, value } = change;
  if (change.op === 'remove') throw forbidden(`Property ${name} may not be removed.`);
  if (change.op === 'add' && change.draft === 4) throw conflict(`Property ${name} already present.`);
  const current = name === 'tags' ? image.tags : (image as unknown as Record<string, unknown>)[name];
  switch (name) {
    case 'owner':
      if (!caller.isAdmin) throw forbidden("Owner can't be updated by non admin.");
      break;
    case 'visibility':
      enforceVisibility(deps, caller, value as string, target);
      break;
    case 'disk_format':
    case 'container_format':
      if (value !== current) assertFormatChangeable(name, image.status);
      break;
    case 'min_disk':
    case 'min_ram':
      assertMinValue(name, value as number);
      break;
    case 'tags': {
      next.tags = uniqueTags(value as string[]);
      assertTagQuota(next.tags.length);
      return;
    }
  }
  next.attrs[name] = value;
}

function applyProperty(next: Pending, change: ImageChange): void {
  const { name } = change;
  const exists = Object.hasOwn(next.properties, name);
  if (change.op === 'remove') {
    if (!exists) throw conflict(`Property ${name} does not exist.`);
    delete next.properties[name];
    return;
  }
  if (change.op === 'replace' && !exists) throw conflict(`Property ${name} does not exist.`);
  if (change.op === 'add' && change.draft === 4 && exists) throw conflict(`Property ${name} already present.`);
  next.properties[name] = change.value as string;
}

const BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(['protected', 'os_hidden']);

async function writeChanges(deps: ImageDomainDeps, image: ImageRecord, next: Pending): Promise<void> {
  const columns: Record<string, unknown> = { updated_at: new Date().toISOString() };
  for (const [name, value] of Object.entries(next.attrs)) {
    columns[name] = BOOLEAN_COLUMNS.has(name) ? (value ? 1 : 0) : value;
  }
  const removed = Object.keys(image.properties).filter((k) => !Object.hasOwn(next.properties, k));
  const changed = Object.entries(next.properties).filter(([k, v]) => image.properties[k] !== v);
  await deps.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('image').set(columns).where('id', '=', image.id).executeTakeFirst();
    // Deleted while we checked the changes: nothing to write to.
    if (Number(updated.numUpdatedRows) === 0) noSuchImage(image.id);
    if (removed.length > 0) {
      await tx.deleteFrom('image_property').where('image_id', '=', image.id).where('name', 'in', removed).execute();
    }
    for (const [name, value] of changed) {
      await tx.deleteFrom('image_property').where('image_id', '=', image.id).where('name', '=', name).execute();
      await tx.insertInto('image_property').values({ image_id: image.id, name, value }).execute();
    }
    if (next.tags !== undefined) {
      await tx.deleteFrom('image_tag').where('image_id', '=', image.id).execute();
      if (next.tags.length > 0) {
        await tx.insertInto('image_tag').values(next.tags.map((value) => ({ image_id: image.id, value }))).execute();
      }
    }
  });
}
