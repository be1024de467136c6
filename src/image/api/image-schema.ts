// The image JSON Schema Glance publishes at /v2/schemas/image (base properties plus the
// operator properties of the stock schema-image.json). The same object drives validation of
// create bodies and JSON-Patch values, so what clients read is what the service enforces.
import { CONTAINER_FORMATS, DISK_FORMATS, STATUSES, VISIBILITIES } from '../domain/constants.js';

export interface PropertySchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly items?: PropertySchema;
  readonly readOnly?: boolean;
  readonly description?: string;
  readonly [extra: string]: unknown;
}

const UUID = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
const KEYS_DOC = 'https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html';

export const IMAGE_BASE_PROPERTIES: Readonly<Record<string, PropertySchema>> = {
  id: { type: 'string', description: 'An identifier for the image', pattern: UUID },
  name: { type: ['null', 'string'], description: 'Descriptive name for the image', maxLength: 255 },
  status: { type: 'string', readOnly: true, description: 'Status of the image', enum: [...STATUSES] },
  visibility: { type: 'string', description: 'Scope of image accessibility', enum: [...VISIBILITIES] },
  protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
  os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
  checksum: { type: ['null', 'string'], readOnly: true, description: 'md5 hash of image contents.', maxLength: 32 },
  os_hash_algo: { type: ['null', 'string'], readOnly: true, description: 'Algorithm to calculate the os_hash_value', maxLength: 64 },
  os_hash_value: {
    type: ['null', 'string'], readOnly: true, maxLength: 128,
    description: 'Hexdigest of the image contents using the algorithm specified by the os_hash_algo',
  },
  owner: { type: ['null', 'string'], description: 'Owner of the image', maxLength: 255 },
  size: { type: ['null', 'integer'], readOnly: true, description: 'Size of image file in bytes' },
  virtual_size: { type: ['null', 'integer'], readOnly: true, description: 'Virtual size of image in bytes' },
  container_format: { type: ['null', 'string'], description: 'Format of the container', enum: [null, ...CONTAINER_FORMATS] },
  disk_format: { type: ['null', 'string'], description: 'Format of the disk', enum: [null, ...DISK_FORMATS] },
  created_at: { type: 'string', readOnly: true, description: 'Date and time of image registration' },
  updated_at: { type: 'string', readOnly: true, description: 'Date and time of the last image modification' },
  tags: { type: 'array', description: 'List of strings related to the image', items: { type: 'string', maxLength: 255 } },
  direct_url: { type: 'string', readOnly: true, description: 'URL to access the image file kept in external store' },
  min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
  min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
  self: { type: 'string', readOnly: true, description: 'An image self url' },
  file: { type: 'string', readOnly: true, description: 'An image file url' },
  stores: {
    type: 'string', readOnly: true,
    description: 'Store in which image data resides.  Only present when the operator has enabled multiple stores.  May be a comma-separated list of store identifiers.',
  },
  schema: { type: 'string', readOnly: true, description: 'An image schema url' },
  locations: {
    type: 'array', description: 'A set of URLs to access the image file kept in external store',
    items: { type: 'object', properties: { url: { type: 'string', maxLength: 255 }, metadata: { type: 'object' } }, required: ['url', 'metadata'] },
  },
};

/** The operator-defined properties Glance ships in etc/schema-image.json. */
export const IMAGE_CUSTOM_PROPERTIES: Readonly<Record<string, PropertySchema>> = {
  kernel_id: {
    type: ['null', 'string'], pattern: UUID, is_base: false,
    description: 'ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.',
  },
  ramdisk_id: {
    type: ['null', 'string'], pattern: UUID, is_base: false,
    description: 'ID of image stored in Glance that should be used as the ramdisk when booting an AMI-style image.',
  },
  instance_uuid: {
    type: 'string', is_base: false,
    description: 'Metadata which can be used to record which instance this image is associated with. (Informational only, does not create an instance snapshot.)',
  },
  architecture: { type: 'string', is_base: false, description: `Operating system architecture as specified in ${KEYS_DOC}` },
  os_distro: { type: 'string', is_base: false, description: `Common name of operating system distribution as specified in ${KEYS_DOC}` },
  os_version: { type: 'string', is_base: false, description: 'Operating system version as specified by the distributor.' },
  description: { type: 'string', is_base: false, description: 'A human-readable string describing this image.' },
  cinder_encryption_key_id: {
    type: 'string', is_base: false,
    description: 'Identifier in the OpenStack Key Management Service for the encryption key for the Block Storage Service to use when mounting a volume created from this image',
  },
  cinder_encryption_key_deletion_policy: {
    type: 'string', is_base: false, enum: ['on_image_deletion', 'do_not_delete'],
    description: "States the condition under which the Image Service will delete the object associated with the 'cinder_encryption_key_id' image property.  If this property is missing, the Image Service will take no action",
  },
};

export const IMAGE_PROPERTIES: Readonly<Record<string, PropertySchema>> = { ...IMAGE_BASE_PROPERTIES, ...IMAGE_CUSTOM_PROPERTIES };

/** Any property not described above must be a string (Glance's PermissiveSchema). */
export const ADDITIONAL_PROPERTY: PropertySchema = { type: 'string' };

export function imageSchema(): Record<string, unknown> {
  return {
    name: 'image',
    properties: IMAGE_PROPERTIES,
    additionalProperties: ADDITIONAL_PROPERTY,
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function schemaFor(property: string): PropertySchema {
  return IMAGE_PROPERTIES[property] ?? ADDITIONAL_PROPERTY;
}
