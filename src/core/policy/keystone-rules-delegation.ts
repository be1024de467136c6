// Keystone defaults for credentials, EC2 credentials, access rules, trusts, the policy store,
// OAuth1 consumers and OS-EP-FILTER (policies/credential.py, ec2_credential.py, access_rule.py,
// trust.py, policy.py, consumer.py, endpoint_group.py, project_endpoint.py).
import type { RuleDefault } from './rule-set.js';
import {
  RULE_ADMIN_OR_OWNER, RULE_ADMIN_REQUIRED, RULE_SYSTEM_ADMIN_OR_OWNER, RULE_SYSTEM_READER_OR_OWNER,
  SYSTEM, SYSTEM_ADMIN, SYSTEM_PROJECT, SYSTEM_READER, rule,
} from './keystone-checks.js';

const ADMIN = RULE_ADMIN_REQUIRED;
const CRED_OWNER = 'user_id:%(target.credential.user_id)s';
const SYSTEM_READER_OR_CRED_OWNER = `(${SYSTEM_READER}) or ${CRED_OWNER}`;
const SYSTEM_ADMIN_OR_CRED_OWNER = `(${SYSTEM_ADMIN}) or ${CRED_OWNER}`;
// base.RULE_ADMIN_OR_CREDENTIAL_OWNER
const ADMIN_OR_CRED_OWNER = `rule:admin_required or (rule:owner and ${CRED_OWNER})`;

const ACCESS_RULE_OWNER = 'user_id:%(target.user.id)s';

const TRUSTOR = 'user_id:%(target.trust.trustor_user_id)s';
const TRUSTEE = 'user_id:%(target.trust.trustee_user_id)s';
const SYSTEM_READER_OR_TRUSTOR_OR_TRUSTEE = `${SYSTEM_READER} or ${TRUSTOR} or ${TRUSTEE}`;

// base.RULE_ADMIN_OR_SYSTEM_READER
const ADMIN_OR_SYSTEM_READER = `rule:admin_required or (${SYSTEM_READER})`;

const systemReader = rule(SYSTEM_READER, SYSTEM, ADMIN);
const systemAdmin = rule(SYSTEM_ADMIN, SYSTEM, ADMIN);

export const KEYSTONE_DELEGATION_RULES: Readonly<Record<string, RuleDefault>> = {
  'identity:get_credential': rule(SYSTEM_READER_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN),
  'identity:list_credentials': rule(SYSTEM_READER_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN),
  'identity:create_credential': rule(SYSTEM_ADMIN_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN),
  'identity:update_credential': rule(SYSTEM_ADMIN_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN),
  'identity:delete_credential': rule(SYSTEM_ADMIN_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN),

  'identity:ec2_get_credential': rule(SYSTEM_READER_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN_OR_CRED_OWNER),
  'identity:ec2_list_credentials': rule(RULE_SYSTEM_READER_OR_OWNER, SYSTEM_PROJECT, RULE_ADMIN_OR_OWNER),
  'identity:ec2_create_credential': rule(RULE_SYSTEM_ADMIN_OR_OWNER, SYSTEM_PROJECT, RULE_ADMIN_OR_OWNER),
  'identity:ec2_delete_credential': rule(SYSTEM_ADMIN_OR_CRED_OWNER, SYSTEM_PROJECT, ADMIN_OR_CRED_OWNER),

  'identity:get_access_rule': rule(`(${SYSTEM_READER}) or ${ACCESS_RULE_OWNER}`, SYSTEM_PROJECT),
  'identity:list_access_rules': rule(`(${SYSTEM_READER}) or ${ACCESS_RULE_OWNER}`, SYSTEM_PROJECT),
  'identity:delete_access_rule': rule(`(${SYSTEM_ADMIN}) or ${ACCESS_RULE_OWNER}`, SYSTEM_PROJECT),

  // base.RULE_TRUST_OWNER reads the request body's trust, not a `target.` key.
  'identity:create_trust': rule('user_id:%(trust.trustor_user_id)s', ['project']),
  'identity:list_trusts': rule(SYSTEM_READER, SYSTEM, ADMIN),
  'identity:list_trusts_for_trustor': rule(`${SYSTEM_READER} or ${TRUSTOR}`, SYSTEM_PROJECT),
  'identity:list_trusts_for_trustee': rule(`${SYSTEM_READER} or ${TRUSTEE}`, SYSTEM_PROJECT),
  'identity:list_roles_for_trust': rule(SYSTEM_READER_OR_TRUSTOR_OR_TRUSTEE, SYSTEM_PROJECT, `${TRUSTOR} or ${TRUSTEE}`),
  'identity:get_role_for_trust': rule(SYSTEM_READER_OR_TRUSTOR_OR_TRUSTEE, SYSTEM_PROJECT, `${TRUSTOR} or ${TRUSTEE}`),
  'identity:delete_trust': rule(`${SYSTEM_ADMIN} or ${TRUSTOR}`, SYSTEM_PROJECT, TRUSTOR),
  'identity:get_trust': rule(SYSTEM_READER_OR_TRUSTOR_OR_TRUSTEE, SYSTEM_PROJECT, `${TRUSTOR} or ${TRUSTEE}`),

  'identity:get_policy': systemReader,
  'identity:list_policies': systemReader,
  'identity:create_policy': systemAdmin,
  'identity:update_policy': systemAdmin,
  'identity:delete_policy': systemAdmin,

  'identity:get_consumer': systemReader,
  'identity:list_consumers': systemReader,
  'identity:create_consumer': systemAdmin,
  'identity:update_consumer': systemAdmin,
  'identity:delete_consumer': systemAdmin,

  'identity:create_endpoint_group': systemAdmin,
  'identity:list_endpoint_groups': systemReader,
  'identity:get_endpoint_group': systemReader,
  'identity:update_endpoint_group': systemAdmin,
  'identity:delete_endpoint_group': systemAdmin,
  'identity:list_projects_associated_with_endpoint_group': systemReader,
  'identity:list_endpoints_associated_with_endpoint_group': systemReader,
  'identity:get_endpoint_group_in_project': systemReader,
  'identity:list_endpoint_groups_for_project': systemReader,
  'identity:add_endpoint_group_to_project': systemAdmin,
  'identity:remove_endpoint_group_from_project': systemAdmin,

  'identity:list_projects_for_endpoint': rule(ADMIN_OR_SYSTEM_READER, SYSTEM_PROJECT, ADMIN),
  'identity:add_endpoint_to_project': rule(ADMIN, SYSTEM_PROJECT),
  'identity:check_endpoint_in_project': rule(ADMIN_OR_SYSTEM_READER, SYSTEM_PROJECT, ADMIN),
  'identity:list_endpoints_for_project': rule(ADMIN_OR_SYSTEM_READER, SYSTEM_PROJECT, ADMIN),
  'identity:remove_endpoint_from_project': rule(ADMIN, SYSTEM_PROJECT),
};
