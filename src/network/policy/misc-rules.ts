// Neutron's policy defaults for quotas (neutron/conf/policies/quotas.py) and for the tag
// extension (`<action>_<parent>_tags`), with the legacy (enforce_new_defaults off) check strings.
// Tag targets carry the resource's owner and `shared` = seen only through an RBAC share.
import type { RuleDefault } from '../../core/policy/index.js';

const TAG_PARENTS = ['networks', 'subnets', 'ports', 'routers', 'floatingips', 'security_groups', 'subnetpools'];

function tagRules(): Record<string, RuleDefault> {
  const rules: Record<string, RuleDefault> = {};
  for (const parent of TAG_PARENTS) {
    rules[`get_${parent}_tags`] = { check: 'rule:admin_or_owner or rule:shared or rule:context_is_advsvc' };
    for (const action of ['create', 'update', 'delete']) rules[`${action}_${parent}_tags`] = { check: 'rule:admin_or_owner' };
  }
  return rules;
}

export const NEUTRON_MISC_RULES: Readonly<Record<string, RuleDefault>> = {
  // A project may always read its own quotas; these rules govern everyone else's.
  get_quota: { check: 'rule:admin_only' },
  update_quota: { check: 'rule:admin_only' },
  delete_quota: { check: 'rule:admin_only' },
  ...tagRules(),
};
