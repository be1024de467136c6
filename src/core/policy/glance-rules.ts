// Glance's registered policy defaults (glance/policies/*.py, 2023 releases: secure RBAC with the
// legacy `rule:default` fallback). Targets are built by the image API: `project_id` and `owner`
// are the image's owner, `visibility` its visibility, and `member_id` the caller's project when
// that project is a member of the (shared) image. With enforceScope false the deprecated
// `rule:default` (anyone) is OR-ed in, exactly as Glance does while enforce_new_defaults is off;
// ownership is then enforced by the image service itself, as Glance's authorization layer does.
import type { RuleDefault } from './rule-set.js';
import { rule } from './keystone-checks.js';

const PROJECT = ['project'] as const;
const PROJECT_MEMBER = 'role:member and project_id:%(project_id)s';
const PROJECT_READER = 'role:reader and project_id:%(project_id)s';
const ADMIN_OR_PROJECT_MEMBER = `role:admin or (${PROJECT_MEMBER})`;
const ADMIN_OR_PROJECT_READER = `role:admin or (${PROJECT_READER})`;
const ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE = `role:admin or (${PROJECT_MEMBER} and project_id:%(owner)s)`;
const ADMIN_OR_PROJECT_READER_GET_IMAGE =
  'role:admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s or ' +
  "'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))";
const ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE =
  'role:admin or (role:member and (project_id:%(project_id)s or project_id:%(member_id)s or ' +
  "'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s))";
const ADMIN_OR_SHARED_MEMBER = 'role:admin or (role:member and project_id:%(member_id)s)';
const ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER =
  'role:admin or (role:reader and (project_id:%(project_id)s or project_id:%(member_id)s))';

const LEGACY = 'rule:default';
const memberRule = rule(ADMIN_OR_PROJECT_MEMBER, [...PROJECT], LEGACY);
const readerRule = rule(ADMIN_OR_PROJECT_READER, [...PROJECT], LEGACY);
const adminOnly = rule('role:admin', [...PROJECT]);

export const GLANCE_BASE_RULES: Readonly<Record<string, RuleDefault>> = {
  default: { check: '' },
  context_is_admin: { check: 'role:admin' },
};

export const GLANCE_IMAGE_RULES: Readonly<Record<string, RuleDefault>> = {
  add_image: rule(ADMIN_OR_PROJECT_MEMBER_CREATE_IMAGE, [...PROJECT], LEGACY),
  delete_image: memberRule,
  get_image: rule(ADMIN_OR_PROJECT_READER_GET_IMAGE, [...PROJECT], LEGACY),
  get_images: readerRule,
  modify_image: memberRule,
  publicize_image: adminOnly,
  communitize_image: memberRule,
  download_image: rule(ADMIN_OR_PROJECT_MEMBER_DOWNLOAD_IMAGE, [...PROJECT], LEGACY),
  upload_image: memberRule,
  deactivate: memberRule,
  reactivate: memberRule,
  copy_image: adminOnly,
  get_image_location: readerRule,
  set_image_location: memberRule,
  delete_image_location: adminOnly,
  add_member: memberRule,
  delete_member: memberRule,
  get_member: rule(ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, [...PROJECT], LEGACY),
  get_members: rule(ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, [...PROJECT], LEGACY),
  modify_member: rule(ADMIN_OR_SHARED_MEMBER, [...PROJECT], LEGACY),
  manage_image_cache: adminOnly,
  stores_info_detail: adminOnly,
  tasks_api_access: adminOnly,
  get_task: rule('rule:default', [...PROJECT]),
  get_tasks: rule('rule:default', [...PROJECT]),
};

// Metadata definitions: reads for everyone (private namespaces are filtered by owner in the
// service), writes for admins.
const metadefRead = rule('rule:metadef_default', [...PROJECT]);
const metadefWrite = rule('rule:metadef_admin', [...PROJECT]);

export const GLANCE_METADEF_RULES: Readonly<Record<string, RuleDefault>> = {
  metadef_default: { check: '' },
  metadef_admin: { check: 'role:admin' },
  get_metadef_namespace: metadefRead,
  get_metadef_namespaces: metadefRead,
  modify_metadef_namespace: metadefWrite,
  add_metadef_namespace: metadefWrite,
  delete_metadef_namespace: metadefWrite,
  get_metadef_object: metadefRead,
  get_metadef_objects: metadefRead,
  modify_metadef_object: metadefWrite,
  add_metadef_object: metadefWrite,
  delete_metadef_object: metadefWrite,
  list_metadef_resource_types: metadefRead,
  get_metadef_resource_type: metadefRead,
  add_metadef_resource_type_association: metadefWrite,
  remove_metadef_resource_type_association: metadefWrite,
  get_metadef_property: metadefRead,
  get_metadef_properties: metadefRead,
  modify_metadef_property: metadefWrite,
  add_metadef_property: metadefWrite,
  remove_metadef_property: metadefWrite,
  get_metadef_tag: metadefRead,
  get_metadef_tags: metadefRead,
  modify_metadef_tag: metadefWrite,
  add_metadef_tag: metadefWrite,
  add_metadef_tags: metadefWrite,
  delete_metadef_tag: metadefWrite,
  delete_metadef_tags: metadefWrite,
};

/** Pass to `new Enforcer(glanceDefaults, { enforceScope, overrides })`. */
export const glanceDefaults: Readonly<Record<string, RuleDefault>> = {
  ...GLANCE_BASE_RULES,
  ...GLANCE_IMAGE_RULES,
  ...GLANCE_METADEF_RULES,
};
