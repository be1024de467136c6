// Row types of the image tables. Booleans are 0/1 integers, JSON is text and timestamps are ISO
// strings, so the same queries run unchanged on SQLite and PostgreSQL. Byte counts are BIGINT:
// PostgreSQL returns those as strings, so readers convert with Number() (see domain/image-row.ts).

export interface ImageRow {
  id: string;
  name: string | null;
  owner: string | null;
  /** queued, saving, uploading, importing, active, deactivated, killed. */
  status: string;
  visibility: string;
  protected: number;
  os_hidden: number;
  disk_format: string | null;
  container_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | string | null;
  virtual_size: number | string | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  created_at: string;
  updated_at: string;
}

/** Glance's extra properties: arbitrary string key/value pairs. */
export interface ImagePropertyRow { image_id: string; name: string; value: string }
export interface ImageTagRow { image_id: string; value: string }
/** A project an image is shared with; status pending, accepted or rejected. */
export interface ImageMemberRow { image_id: string; member: string; status: string; created_at: string; updated_at: string }

/** What the store measured of data staged for import (glance-direct), checked at import time. */
export interface ImageStagedRow {
  image_id: string; size: number | string; checksum: string; os_hash_algo: string; os_hash_value: string;
  detected_format: string; virtual_size: number | string | null; safety_problems: string; created_at: string;
}

/** An import task (Glance's `api_image_import`); input and result are JSON. */
export interface ImageTaskRow {
  id: string; image_id: string; type: string; status: string; owner: string | null; user_id: string | null;
  request_id: string | null; input: string; result: string | null; message: string;
  created_at: string; updated_at: string; expires_at: string | null;
}

// Metadata definitions catalog (Glance metadefs): namespaces hold objects, properties and tags,
// and are associated with resource types. Object and property bodies are JSON text.
export interface MetadefNamespaceRow {
  namespace: string; display_name: string | null; description: string | null; visibility: string;
  protected: number; owner: string | null; created_at: string; updated_at: string;
}
export interface MetadefResourceTypeRow { name: string; protected: number; created_at: string; updated_at: string }
export interface MetadefNamespaceResourceTypeRow {
  namespace: string; resource_type: string; prefix: string | null; properties_target: string | null;
  created_at: string; updated_at: string;
}
export interface MetadefObjectRow {
  namespace: string; name: string; description: string | null; required: string; properties: string;
  created_at: string; updated_at: string;
}
export interface MetadefPropertyRow { namespace: string; name: string; body: string; created_at: string; updated_at: string }
export interface MetadefTagRow { namespace: string; name: string; created_at: string; updated_at: string }

export interface ImageDb {
  image: ImageRow;
  image_property: ImagePropertyRow;
  image_tag: ImageTagRow;
  image_member: ImageMemberRow;
  image_staged: ImageStagedRow;
  image_task: ImageTaskRow;
  metadef_namespace: MetadefNamespaceRow;
  metadef_resource_type: MetadefResourceTypeRow;
  metadef_namespace_resource_type: MetadefNamespaceResourceTypeRow;
  metadef_object: MetadefObjectRow;
  metadef_property: MetadefPropertyRow;
  metadef_tag: MetadefTagRow;
}
