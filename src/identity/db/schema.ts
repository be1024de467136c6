// Row types of the identity tables. Booleans are 0/1 integers and JSON is text, so the same
// queries run unchanged on SQLite and PostgreSQL.

export interface DomainRow { id: string; name: string; description: string; enabled: number; extra: string }
export interface ProjectRow {
  id: string; name: string; domain_id: string; parent_id: string | null; description: string;
  enabled: number; extra: string;
}
export interface ProjectTagRow { project_id: string; name: string }
export interface DomainTagRow { domain_id: string; name: string }
/** Options of a domain or project (Keystone's resource options); the value is JSON. */
export interface ResourceOptionRow { resource_id: string; option_name: string; option_value: string }
/** One domain-specific configuration option; the value is JSON. */
export interface DomainConfigRow { domain_id: string; group_name: string; option_name: string; value: string; sensitive: number }
export interface UserRow {
  id: string; name: string; domain_id: string; enabled: number; password_hash: string | null;
  password_created_at: string | null; password_expires_at: string | null; default_project_id: string | null;
  description: string; extra: string; options: string; created_at: string;
  failed_auth_count: number; failed_auth_at: string | null;
}
export interface PasswordHistoryRow { user_id: string; password_hash: string; created_at: string }
export interface GroupRow { id: string; name: string; domain_id: string; description: string; extra: string }
export interface MembershipRow { user_id: string; group_id: string }
export interface RoleRow { id: string; name: string; domain_id: string | null; description: string; options: string; extra: string }
export interface ImpliedRoleRow { prior_role_id: string; implied_role_id: string }
/** type is one of UserProject, GroupProject, UserDomain, GroupDomain, UserSystem, GroupSystem. */
export interface AssignmentRow { type: string; actor_id: string; target_id: string; role_id: string; inherited: number }
export interface RegionRow { id: string; description: string; parent_region_id: string | null; extra: string }
export interface ServiceRow { id: string; type: string; name: string; description: string; enabled: number; extra: string }
export interface EndpointRow {
  id: string; service_id: string; interface: string; url: string; region_id: string | null; enabled: number; extra: string;
}
export interface AppCredRow {
  id: string; name: string; user_id: string; project_id: string | null; system: string | null;
  description: string; secret_hash: string; expires_at: string | null; unrestricted: number; created_at: string;
}
export interface AppCredRoleRow { application_credential_id: string; role_id: string }
export interface AccessRuleRow { id: string; external_id: string; user_id: string; service: string; path: string; method: string }
export interface AppCredAccessRuleRow { application_credential_id: string; access_rule_id: string }
export interface RevocationEventRow {
  id: string; user_id: string | null; project_id: string | null; domain_id: string | null; role_id: string | null;
  audit_id: string | null; audit_chain_id: string | null; issued_before: string; revoked_at: string;
}
export interface CredentialRow { id: string; user_id: string; project_id: string | null; type: string; blob: string; extra: string }

// Catalog extensions and delegation (migration 0004).
export interface EndpointGroupRow { id: string; name: string; description: string | null; filters: string }
export interface ProjectEndpointRow { endpoint_id: string; project_id: string }
export interface ProjectEndpointGroupRow { endpoint_group_id: string; project_id: string }
export interface PolicyRow { id: string; type: string; blob: string; extra: string }
export interface OAuthConsumerRow { id: string; description: string | null; secret: string; extra: string }
export interface TrustRow {
  id: string; trustor_user_id: string; trustee_user_id: string; project_id: string | null; impersonation: number;
  expires_at: string | null; remaining_uses: number | null; redelegated_trust_id: string | null;
  redelegation_count: number | null; extra: string; created_at: string;
}
export interface TrustRoleRow { trust_id: string; role_id: string }

export interface IdentityDb {
  domain: DomainRow;
  project: ProjectRow;
  project_tag: ProjectTagRow;
  domain_tag: DomainTagRow;
  resource_option: ResourceOptionRow;
  domain_config: DomainConfigRow;
  identity_user: UserRow;
  password_history: PasswordHistoryRow;
  identity_group: GroupRow;
  membership: MembershipRow;
  role: RoleRow;
  implied_role: ImpliedRoleRow;
  assignment: AssignmentRow;
  region: RegionRow;
  service: ServiceRow;
  endpoint: EndpointRow;
  application_credential: AppCredRow;
  application_credential_role: AppCredRoleRow;
  access_rule: AccessRuleRow;
  application_credential_access_rule: AppCredAccessRuleRow;
  revocation_event: RevocationEventRow;
  credential: CredentialRow;
  endpoint_group: EndpointGroupRow;
  project_endpoint: ProjectEndpointRow;
  project_endpoint_group: ProjectEndpointGroupRow;
  policy: PolicyRow;
  oauth_consumer: OAuthConsumerRow;
  trust: TrustRow;
  trust_role: TrustRoleRow;
}
