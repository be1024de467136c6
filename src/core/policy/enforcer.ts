// The object services hold: built once at start-up from defaults plus overrides, then asked
// per request. authorize() refuses names that were never registered, so a typo in a handler
// fails its tests instead of silently denying (or allowing) in production.
import type { PolicyNode } from './ast.js';
import { credentialView, tokenScope, type Credentials } from './credentials.js';
import { PolicyForbidden, PolicyNotRegistered } from './errors.js';
import { evaluate, type PolicyTarget } from './evaluate.js';
import { renderRule } from './render.js';
import { buildRuleSet, type DefaultRules, type RuleDefault, type RuleSetOptions } from './rule-set.js';

export type EnforcerOptions = RuleSetOptions;

export class Enforcer {
  readonly #rules: ReadonlyMap<string, PolicyNode>;
  readonly #registered: ReadonlyMap<string, RuleDefault>;
  readonly #enforceScope: boolean;

  /** Throws PolicySyntaxError or PolicyCycleError: bad policy must stop start-up. */
  constructor(defaults: DefaultRules, options: EnforcerOptions = {}) {
    const set = buildRuleSet(defaults, options);
    this.#rules = set.rules;
    this.#registered = set.registered;
    this.#enforceScope = options.enforceScope ?? false;
  }

  /** Is `creds` allowed `rule` on `target`? `rule` must be a registered default. */
  authorize(rule: string, target: PolicyTarget, creds: Credentials): boolean {
    if (!this.#registered.has(rule)) throw new PolicyNotRegistered(rule);
    return this.enforce(rule, target, creds);
  }

  /** authorize(), throwing PolicyForbidden (a 403 for the API layer) when denied. */
  assertAuthorized(rule: string, target: PolicyTarget, creds: Credentials): void {
    if (!this.authorize(rule, target, creds)) throw new PolicyForbidden(rule);
  }

  /** oslo.policy's enforce(): any rule name, unknown names are simply denied. */
  enforce(rule: string, target: PolicyTarget, creds: Credentials): boolean {
    const node = this.#rules.get(rule);
    if (node === undefined || !this.#scopeAllowed(rule, creds)) return false;
    return evaluate(node, { target, creds: credentialView(creds), rules: this.#rules });
  }

  /** The effective check string of a rule (after overrides and deprecations), for logs and docs. */
  describe(rule: string): string | undefined {
    const node = this.#rules.get(rule);
    return node === undefined ? undefined : renderRule(node);
  }

  isRegistered(rule: string): boolean {
    return this.#registered.has(rule);
  }

  // oslo.policy raises InvalidScope here and Keystone turns it into a 403; a plain false is enough.
  #scopeAllowed(rule: string, creds: Credentials): boolean {
    const scopeTypes = this.#registered.get(rule)?.scopeTypes;
    return !this.#enforceScope || scopeTypes === undefined || scopeTypes.includes(tokenScope(creds));
  }
}
