// Glance's fixed vocabularies and limits (glance-api.conf defaults, 2023 releases).

/** [image_format] disk_formats. */
export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
/** [image_format] container_formats. */
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;

export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const STATUSES = [
  'queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated',
] as const;

/** Statuses in which an image has data in the images area. */
export const STATUSES_WITH_DATA: ReadonlySet<string> = new Set(['active', 'deactivated']);

export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const;

/** The one store this service has; reported by /v2/info/stores and on images as `stores`. */
export const STORE_ID = 'file';
export const IMPORT_METHODS = ['glance-direct'] as const;

/** Attributes that may never be set by a client (Glance's _readonly_properties). */
export const READONLY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'created_at', 'updated_at', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema',
  'id', 'os_hash_algo', 'os_hash_value', 'stores',
]);
/** Refused on create (Glance's _disallowed_properties). */
export const DISALLOWED_ON_CREATE: ReadonlySet<string> = new Set(['direct_url', 'self', 'file', 'schema', 'stores']);
/** Property names reserved for Glance itself. */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set(['location', 'deleted', 'deleted_at']);
export const RESERVED_NAMESPACE = 'os_glance';

/** Image attributes a client may set (JSON-Patch paths that are not extra properties). */
export const WRITABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name', 'visibility', 'protected', 'os_hidden', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'owner', 'tags',
]);

/** Glance's per-image quotas: image_property_quota, image_tag_quota, image_member_quota. */
export const MAX_PROPERTIES = 128;
export const MAX_TAGS = 128;
export const MAX_MEMBERS = 128;

/** limit_param_default and api_limit_max. */
export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 1000;

/** Glance validates min_disk/min_ram as 4-byte database integers. */
export const MAX_DB_INT = 2 ** 31 - 1;

export const UUID_PATTERN = /^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$/;

export function isReservedName(name: string): boolean {
  return RESERVED_PROPERTIES.has(name) || name.startsWith(RESERVED_NAMESPACE);
}
