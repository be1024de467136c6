// The policy engine: oslo.policy's rule language, an Enforcer, Keystone's defaults and policy
// files. Services build one Enforcer at start-up and call authorize()/assertAuthorized().
export type { PolicyNode, Template, TemplatePart } from './ast.js';
export { credentialView, tokenScope, type Credentials, type TokenScope } from './credentials.js';
export {
  PolicyCycleError, PolicyError, PolicyFileError, PolicyForbidden, PolicyNotRegistered, PolicySyntaxError,
} from './errors.js';
export { evaluate, type EvaluationContext, type PolicyTarget } from './evaluate.js';
export { Enforcer, type EnforcerOptions } from './enforcer.js';
export { GLANCE_BASE_RULES, GLANCE_IMAGE_RULES, GLANCE_METADEF_RULES, glanceDefaults } from './glance-rules.js';
export { KEYSTONE_LEGACY_RULES, KEYSTONE_RULE_FAMILIES, keystoneDefaults } from './keystone-defaults.js';
export { parseRule, type RuleSource } from './parse.js';
export { loadPolicyFile, parsePolicyText } from './policy-file.js';
export { renderRule } from './render.js';
export { findCycle, ruleReferences, undefinedReferences } from './rule-graph.js';
export { buildRuleSet, type DefaultRules, type RuleDefault, type RuleSet, type RuleSetOptions } from './rule-set.js';
