// Shared pieces of image handlers: the caller, Glance's timestamps and the JSON views.
import type { FastifyRequest } from 'fastify';
import type { ImageMemberRow, ImageTaskRow } from '../db/schema.js';
import { callerOf, type Caller } from '../domain/caller.js';
import { STATUSES_WITH_DATA, STORE_ID } from '../domain/constants.js';
import type { ImageRecord } from '../domain/image-record.js';
import type { ImageDeps } from './deps.js';

export type Params = Record<string, string>;

export async function callerFor(deps: ImageDeps, request: FastifyRequest): Promise<Caller> {
  return callerOf(await request.requireAuth(), deps.policy);
}

/** Glance's isotime: seconds precision, UTC, a trailing Z. */
export function glanceTime(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

export function renderImage(image: ImageRecord): Record<string, unknown> {
  return {
    ...image.properties,
    name: image.name,
    disk_format: image.disk_format,
    container_format: image.container_format,
    visibility: image.visibility,
    size: image.size,
    virtual_size: image.virtual_size,
    status: image.status,
    checksum: image.checksum,
    protected: image.protected,
    min_ram: image.min_ram,
    min_disk: image.min_disk,
    owner: image.owner,
    os_hidden: image.os_hidden,
    os_hash_algo: image.os_hash_algo,
    os_hash_value: image.os_hash_value,
    id: image.id,
    created_at: glanceTime(image.created_at),
    updated_at: glanceTime(image.updated_at),
    tags: [...image.tags],
    ...(STATUSES_WITH_DATA.has(image.status) ? { stores: STORE_ID } : {}),
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function renderMember(m: ImageMemberRow): Record<string, unknown> {
  return {
    member_id: m.member, image_id: m.image_id, status: m.status,
    created_at: glanceTime(m.created_at), updated_at: glanceTime(m.updated_at), schema: '/v2/schemas/member',
  };
}

/** Tasks keep Glance's database shape: microsecond timestamps without a zone. */
const taskTime = (iso: string | null): string | null => (iso === null ? null : `${iso.slice(0, 19)}.${iso.slice(20, 23).padEnd(6, '0')}`);

export function renderTask(t: ImageTaskRow): Record<string, unknown> {
  return {
    id: t.id, type: t.type, status: t.status, owner: t.owner,
    input: JSON.parse(t.input) as unknown, result: t.result === null ? null : (JSON.parse(t.result) as unknown), message: t.message,
    expires_at: taskTime(t.expires_at), created_at: taskTime(t.created_at), updated_at: taskTime(t.updated_at),
    deleted_at: null, deleted: false, image_id: t.image_id, request_id: t.request_id, user_id: t.user_id,
  };
}
