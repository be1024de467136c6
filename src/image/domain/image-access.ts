// Glance's authorization layer: who may see an image (is_image_visible), who may change it
// (is_image_mutable), and the policy target handed to the Enforcer. An image the caller may not
// see is reported as absent (404), never as forbidden, so ids do not leak.
import type { Kysely } from 'kysely';
import { forbidden, notFound } from '../../core/errors.js';
import type { PolicyTarget } from '../../core/policy/index.js';
import type { ImageDb } from '../db/schema.js';
import type { Caller } from './caller.js';
import type { ImageDomainDeps } from './deps.js';
import { findImage, type ImageRecord } from './image-record.js';

/** An image the caller can see, with the caller's membership status on it (if any). */
export interface VisibleImage {
  readonly image: ImageRecord;
  readonly memberStatus: string | undefined;
}

export async function membershipOf(db: Kysely<ImageDb>, imageId: string, project: string | null): Promise<string | undefined> {
  if (project === null) return undefined;
  const row = await db.selectFrom('image_member').select('status')
    .where('image_id', '=', imageId).where('member', '=', project).executeTakeFirst();
  return row?.status;
}

export function isVisible(image: ImageRecord, caller: Caller, memberStatus: string | undefined): boolean {
  if (caller.isAdmin || image.owner === null) return true;
  if (image.visibility === 'public' || image.visibility === 'community') return true;
  if (caller.project === null) return false;
  if (image.owner === caller.project) return true;
  // Any membership (pending and rejected too) lets a project look at a shared image by id.
  return image.visibility === 'shared' && memberStatus !== undefined;
}

export function isMutable(image: ImageRecord, caller: Caller): boolean {
  return caller.isAdmin || (image.owner !== null && caller.project !== null && image.owner === caller.project);
}

export function noSuchImage(id: string): never {
  throw notFound(`No image found with ID ${id}`);
}

export async function loadVisibleImage(deps: ImageDomainDeps, caller: Caller, id: string): Promise<VisibleImage> {
  const image = await findImage(deps.db, id);
  if (image === undefined) return noSuchImage(id);
  const memberStatus = await membershipOf(deps.db, id, caller.project);
  if (!isVisible(image, caller, memberStatus)) return noSuchImage(id);
  return { image, memberStatus };
}

/** Glance's ImageTarget: the image's attributes, owner as project_id, and member_id. */
export function imageTarget(image: ImageRecord, caller: Caller, memberStatus: string | undefined): PolicyTarget {
  return {
    ...image.properties,
    id: image.id, name: image.name, status: image.status, visibility: image.visibility,
    protected: image.protected, owner: image.owner, project_id: image.owner,
    ...(memberStatus !== undefined && caller.project !== null ? { member_id: caller.project } : {}),
  };
}

/** Enforces a Glance policy rule; a denial is Glance's 403 text. */
export function enforce(deps: ImageDomainDeps, caller: Caller, rule: string, target: PolicyTarget): void {
  if (!deps.policy.authorize(rule, target, caller.creds)) {
    throw forbidden(`You are not authorized to complete ${rule} action.`);
  }
}

export function enforceOnImage(deps: ImageDomainDeps, caller: Caller, rule: string, visible: VisibleImage): void {
  enforce(deps, caller, rule, imageTarget(visible.image, caller, visible.memberStatus));
}

/** Only the owner (or an admin) changes an image, whatever the policy file says. */
export function assertMutable(image: ImageRecord, caller: Caller, message = 'You do not own this image'): void {
  if (!isMutable(image, caller)) throw forbidden(message);
}
