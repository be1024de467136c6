// Evaluates a parsed rule against a target and a credential view, as oslo.policy's checks do.
// Nothing here throws for missing data: an absent substitution or attribute makes that check false.
import type { PolicyNode } from './ast.js';
import { pyStr } from './py-str.js';
import { isRecord } from './target-lookup.js';
import { substitute } from './template.js';

/** What the API layer knows about the object being acted on; dotted paths may be nested or flat. */
export type PolicyTarget = Readonly<Record<string, unknown>>;

export interface EvaluationContext {
  readonly target: PolicyTarget;
  /** Usually credentialView(creds), so `token.*` paths resolve. */
  readonly creds: Readonly<Record<string, unknown>>;
  /** Named rules reachable through `rule:`. */
  readonly rules: ReadonlyMap<string, PolicyNode>;
}

export function evaluate(node: PolicyNode, ctx: EvaluationContext): boolean {
  return check(node, ctx, new Set());
}

// `active` holds the rules being evaluated on this path: re-entering one is a cycle, and a cycle
// can only deny (the Enforcer also rejects cycles when rules are loaded).
function check(node: PolicyNode, ctx: EvaluationContext, active: Set<string>): boolean {
  switch (node.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'not':
      return !check(node.operand, ctx, active);
    case 'and':
      return node.operands.every((operand) => check(operand, ctx, active));
    case 'or':
      return node.operands.some((operand) => check(operand, ctx, active));
    case 'rule':
      return checkRule(node.name, ctx, active);
    case 'role': {
      const match = substitute(node.match, ctx.target);
      return match !== undefined && hasRole(ctx.creds['roles'], match);
    }
    case 'credential': {
      const match = substitute(node.match, ctx.target);
      return match !== undefined && attributeMatches(ctx.creds, node.path, match);
    }
    case 'literal':
      return substitute(node.match, ctx.target) === node.value;
  }
}

function checkRule(name: string, ctx: EvaluationContext, active: Set<string>): boolean {
  const rule = ctx.rules.get(name);
  if (rule === undefined || active.has(name)) return false;
  active.add(name);
  try {
    return check(rule, ctx, active);
  } finally {
    active.delete(name);
  }
}

function hasRole(roles: unknown, match: string): boolean {
  if (!Array.isArray(roles)) return false;
  const wanted = match.toLowerCase();
  return roles.some((role) => typeof role === 'string' && role.toLowerCase() === wanted);
}

// oslo.policy's GenericCheck._find_in_dict: walk the dotted path, fanning out over lists, and
// compare str(value) with the match. Unlike oslo.policy an absent (null) credential never
// matches, so a project token's empty domain_id cannot equal a target's empty domain_id.
function attributeMatches(value: unknown, path: readonly string[], match: string): boolean {
  if (path.length === 0) return value !== null && value !== undefined && pyStr(value) === match;
  const [key, ...rest] = path;
  if (!isRecord(value) || key === undefined || !Object.hasOwn(value, key)) return false;
  const next = value[key];
  if (Array.isArray(next)) return next.some((item) => attributeMatches(item, rest, match));
  return attributeMatches(next, rest, match);
}
