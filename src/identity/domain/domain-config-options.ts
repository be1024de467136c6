// The options Keystone lets a domain override in the database (its explicit allow-list, so a new
// option is never exposed by accident), with the defaults GET .../config/default reports.
// Nimbus has no LDAP driver: stored options are kept and served, but no domain switches driver.

export type ConfigValue = string | number | boolean | null | readonly string[];

const LDAP_DEFAULTS: Readonly<Record<string, ConfigValue>> = {
  url: 'ldap://localhost', user: null, suffix: 'cn=example,cn=com', query_scope: 'one', page_size: 0,
  alias_dereferencing: 'default', debug_level: null, chase_referrals: null, user_tree_dn: null, user_filter: null,
  user_objectclass: 'inetOrgPerson', user_id_attribute: 'cn', user_name_attribute: 'sn', user_mail_attribute: 'mail',
  user_description_attribute: 'description', user_pass_attribute: 'userPassword', user_enabled_attribute: 'enabled',
  user_enabled_invert: false, user_enabled_mask: 0, user_enabled_default: 'True', user_attribute_ignore: ['default_project_id'],
  user_default_project_id_attribute: null, user_enabled_emulation: false, user_enabled_emulation_dn: null,
  user_enabled_emulation_use_group_config: false, user_additional_attribute_mapping: [], group_tree_dn: null,
  group_filter: null, group_objectclass: 'groupOfNames', group_id_attribute: 'cn', group_name_attribute: 'ou',
  group_members_are_ids: false, group_member_attribute: 'member', group_desc_attribute: 'description',
  group_attribute_ignore: [], group_additional_attribute_mapping: [], tls_cacertfile: null, tls_cacertdir: null,
  use_tls: false, tls_req_cert: 'demand', use_pool: true, pool_size: 10, pool_retry_max: 3, pool_retry_delay: 0.1,
  pool_connection_timeout: -1, pool_connection_lifetime: 600, use_auth_pool: true, auth_pool_size: 100,
  auth_pool_connection_lifetime: 60,
};

/** Options stored and returned, with their defaults, per group. */
export const WHITELISTED: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>> = {
  identity: { driver: 'sql', list_limit: null },
  ldap: LDAP_DEFAULTS,
};

/** Options stored but never returned (they may be substituted into whitelisted values). */
export const SENSITIVE: Readonly<Record<string, readonly string[]>> = {
  identity: [],
  ldap: ['password'],
};

export const isSupportedGroup = (group: string): boolean => Object.hasOwn(WHITELISTED, group);

export function isSensitive(group: string, option: string): boolean {
  return SENSITIVE[group]?.includes(option) ?? false;
}

export function isSupportedOption(group: string, option: string): boolean {
  return Object.hasOwn(WHITELISTED[group] ?? {}, option) || isSensitive(group, option);
}
