// Members of shared images: the owner shares an image with a project (pending); that project
// accepts, rejects or returns to pending; the owner removes the share. A member sees only its own
// membership, the owner (and admins) all of them. Only shared images have members.
import { ApiError, badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { ImageMemberRow } from '../db/schema.js';
import type { Caller } from './caller.js';
import { MAX_MEMBERS, MEMBER_STATUSES } from './constants.js';
import type { ImageDomainDeps } from './deps.js';
import { enforceOnImage, isMutable, loadVisibleImage, noSuchImage, type VisibleImage } from './image-access.js';

function assertShared(visible: VisibleImage): void {
  if (visible.image.visibility !== 'shared') {
    throw forbidden(`Error fetching members of image ${visible.image.id}: Only shared images have members.`);
  }
}

function memberNotFound(imageId: string, memberId: string): never {
  throw notFound(`${memberId} not found in the member list of the image ${imageId}.`);
}

async function findMember(deps: ImageDomainDeps, imageId: string, memberId: string): Promise<ImageMemberRow | undefined> {
  if (memberId.length > 255) return undefined;
  return deps.db.selectFrom('image_member').selectAll().where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
}

/** A member row the caller may look at: its own, or any when it owns the image. */
async function visibleMember(deps: ImageDomainDeps, caller: Caller, visible: VisibleImage, memberId: string): Promise<ImageMemberRow> {
  const row = await findMember(deps, visible.image.id, memberId);
  if (row === undefined) return memberNotFound(visible.image.id, memberId);
  if (!isMutable(visible.image, caller) && row.member !== caller.project) return memberNotFound(visible.image.id, memberId);
  return row;
}

export async function addMember(deps: ImageDomainDeps, caller: Caller, imageId: string, memberId: string): Promise<ImageMemberRow> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'add_member', visible);
  assertShared(visible);
  if (!isMutable(visible.image, caller)) throw forbidden(`Not allowed to create members for image ${imageId}.`);
  if (memberId.length > 255) throw badRequest(`Member ${memberId.slice(0, 40)}... is not a valid member id.`);
  const count = await deps.db.selectFrom('image_member').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('image_id', '=', imageId).executeTakeFirstOrThrow();
  if (Number(count.n) + 1 > MAX_MEMBERS) {
    throw new ApiError(413, `Image member limit exceeded for image ${imageId}: attempted ${Number(count.n) + 1}, maximum ${MAX_MEMBERS}.`);
  }
  const now = new Date().toISOString();
  const row: ImageMemberRow = { image_id: imageId, member: memberId, status: 'pending', created_at: now, updated_at: now };
  try {
    await deps.db.insertInto('image_member').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Member ${memberId} is duplicated for image ${imageId}`);
    if (isForeignKeyViolation(err)) noSuchImage(imageId);
    throw err;
  }
  return row;
}

export async function listMembers(deps: ImageDomainDeps, caller: Caller, imageId: string): Promise<ImageMemberRow[]> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'get_members', visible);
  assertShared(visible);
  let q = deps.db.selectFrom('image_member').selectAll().where('image_id', '=', imageId).orderBy('created_at').orderBy('member');
  if (!isMutable(visible.image, caller)) q = q.where('member', '=', caller.project ?? '');
  return q.execute();
}

export async function getMember(deps: ImageDomainDeps, caller: Caller, imageId: string, memberId: string): Promise<ImageMemberRow> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'get_member', visible);
  // Glance answers 404 rather than 403 here, so membership does not leak.
  if (visible.image.visibility !== 'shared') return memberNotFound(imageId, memberId);
  return visibleMember(deps, caller, visible, memberId);
}

export async function updateMemberStatus(
  deps: ImageDomainDeps, caller: Caller, imageId: string, memberId: string, status: unknown,
): Promise<ImageMemberRow> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'modify_member', visible);
  assertShared(visible);
  const row = await visibleMember(deps, caller, visible, memberId);
  if (typeof status !== 'string' || !(MEMBER_STATUSES as readonly string[]).includes(status)) {
    throw badRequest("Incorrect request: Status must be one of 'pending', 'accepted' or 'rejected'.");
  }
  // Only the member project decides whether it accepts a share (admins may act for it).
  if (!caller.isAdmin && caller.project !== row.member) throw forbidden(`Not allowed to update members for image ${imageId}.`);
  const updated: ImageMemberRow = { ...row, status, updated_at: new Date().toISOString() };
  await deps.db.updateTable('image_member').set({ status, updated_at: updated.updated_at })
    .where('image_id', '=', imageId).where('member', '=', memberId).execute();
  return updated;
}

export async function deleteMember(deps: ImageDomainDeps, caller: Caller, imageId: string, memberId: string): Promise<void> {
  const visible = await loadVisibleImage(deps, caller, imageId);
  enforceOnImage(deps, caller, 'delete_member', visible);
  assertShared(visible);
  await visibleMember(deps, caller, visible, memberId);
  if (!isMutable(visible.image, caller)) throw forbidden(`Not allowed to delete members for image ${imageId}.`);
  const result = await deps.db.deleteFrom('image_member').where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) memberNotFound(imageId, memberId);
}
