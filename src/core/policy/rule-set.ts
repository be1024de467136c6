// Combines registered defaults, operator overrides and the enforceScope switch into the rules
// that are actually evaluated, the way oslo.policy's Enforcer does when it loads:
// - an override replaces a rule outright (no deprecated fallback);
// - otherwise, while scope is not enforced, a default with a deprecated (pre-scope) check string
//   is evaluated as `new OR deprecated` — why a project-scoped admin still acts as cloud admin;
// - rules that reach themselves through `rule:` are refused here rather than at request time.
import type { PolicyNode } from './ast.js';
import type { TokenScope } from './credentials.js';
import { PolicyCycleError } from './errors.js';
import { parseRule, type RuleSource } from './parse.js';
import { findCycle } from './rule-graph.js';

export interface RuleDefault {
  readonly check: string;
  /** Token scopes the API accepts; enforced only with enforceScope (oslo.policy scope_types). */
  readonly scopeTypes?: readonly TokenScope[];
  /** The legacy check string OR-ed in while scope is not enforced (oslo.policy DeprecatedRule). */
  readonly deprecated?: string;
}

export type DefaultRules = Readonly<Record<string, string | RuleDefault>>;

export interface RuleSetOptions {
  /** Operator overrides, e.g. from loadPolicyFile(); may also define extra helper rules. */
  readonly overrides?: Readonly<Record<string, RuleSource>>;
  /**
   * DevStack's ENFORCE_SCOPE: oslo.policy's enforce_scope and enforce_new_defaults together.
   * false (the default, Keystone 2023's behaviour) ORs deprecated rules in and ignores scopeTypes.
   */
  readonly enforceScope?: boolean;
}

export interface RuleSet {
  /** Every named rule after overrides and deprecations, ready to evaluate. */
  readonly rules: ReadonlyMap<string, PolicyNode>;
  /** The registered defaults, which are the only names authorize() accepts. */
  readonly registered: ReadonlyMap<string, RuleDefault>;
}

export function buildRuleSet(defaults: DefaultRules, options: RuleSetOptions = {}): RuleSet {
  const overrides = options.overrides ?? {};
  const rules = new Map<string, PolicyNode>();
  const registered = new Map<string, RuleDefault>();
  for (const [name, entry] of Object.entries(defaults)) {
    const rule: RuleDefault = typeof entry === 'string' ? { check: entry } : entry;
    registered.set(name, rule);
    if (!Object.hasOwn(overrides, name)) rules.set(name, defaultNode(name, rule, options.enforceScope ?? false));
  }
  for (const [name, source] of Object.entries(overrides)) rules.set(name, parseRule(name, source));
  const cycle = findCycle(rules);
  if (cycle !== undefined) throw new PolicyCycleError(cycle);
  return { rules, registered };
}

function defaultNode(name: string, rule: RuleDefault, enforceScope: boolean): PolicyNode {
  const current = parseRule(name, rule.check);
  if (enforceScope || rule.deprecated === undefined || rule.deprecated === rule.check) return current;
  return { kind: 'or', operands: [current, parseRule(`${name} (deprecated)`, rule.deprecated)] };
}
