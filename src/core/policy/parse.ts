// Parses oslo.policy rules into nodes. Precedence is oslo.policy's: `not` binds tightest, then
// `and`, then `or`, so `a or b and not c` means `a or (b and (not c))`. Unlike oslo.policy, which
// logs and fails closed, a rule that does not parse is an error naming the rule.
import { FALSE_NODE, TRUE_NODE, type PolicyNode } from './ast.js';
import { PolicySyntaxError } from './errors.js';
import { parseCheck } from './parse-check.js';
import { tokenize, type Token } from './tokenize.js';

/** A check string, or the legacy list-of-lists form: an OR of ANDs of single checks. */
export type RuleSource = string | readonly (string | readonly string[])[];

export function parseRule(rule: string, source: RuleSource): PolicyNode {
  return typeof source === 'string' ? parseText(rule, source) : parseList(rule, source);
}

function parseText(rule: string, source: string): PolicyNode {
  // The empty rule always passes, as in oslo.policy ("" and "@" are equivalent).
  if (source === '') return TRUE_NODE;
  const tokens = tokenize(rule, source);
  if (tokens.length === 0) throw new PolicySyntaxError(rule, 'rule is blank (use "" or "@" to always allow)');
  const parser = new Parser(rule, tokens);
  const node = parser.or();
  parser.expectEnd();
  return node;
}

class Parser {
  #pos = 0;

  constructor(
    private readonly rule: string,
    private readonly tokens: readonly Token[],
  ) {}

  or(): PolicyNode {
    const operands = [this.and()];
    while (this.#accept('or')) operands.push(this.and());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  and(): PolicyNode {
    const operands = [this.not()];
    while (this.#accept('and')) operands.push(this.not());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  not(): PolicyNode {
    if (this.#accept('not')) return { kind: 'not', operand: this.not() };
    return this.atom();
  }

  atom(): PolicyNode {
    const token = this.tokens[this.#pos];
    if (token === undefined) throw this.#error('unexpected end of rule');
    this.#pos++;
    if (token.kind === 'check') return parseCheck(this.rule, token.text);
    if (token.kind !== '(') throw this.#error(`unexpected "${token.kind}" at column ${token.offset + 1}`);
    const inner = this.or();
    if (!this.#accept(')')) throw this.#error(`missing ")" for "(" at column ${token.offset + 1}`);
    return inner;
  }

  expectEnd(): void {
    const token = this.tokens[this.#pos];
    if (token === undefined) return;
    const what = token.kind === 'check' ? token.text : token.kind;
    throw this.#error(`unexpected "${what}" at column ${token.offset + 1}`);
  }

  #accept(kind: Token['kind']): boolean {
    if (this.tokens[this.#pos]?.kind !== kind) return false;
    this.#pos++;
    return true;
  }

  #error(detail: string): PolicySyntaxError {
    return new PolicySyntaxError(this.rule, detail);
  }
}

// The pre-2015 JSON form, e.g. [["role:admin"], ["project_id:%(project_id)s"]]. Each entry is a
// single check; an empty outer list allows, a list of only empty lists denies (as oslo.policy).
function parseList(rule: string, source: readonly (string | readonly string[])[]): PolicyNode {
  if (source.length === 0) return TRUE_NODE;
  const alternatives: PolicyNode[] = [];
  for (const inner of source) {
    const checks = typeof inner === 'string' ? [inner] : inner;
    if (checks.length === 0) continue;
    const nodes = checks.map((check) => parseSingleCheck(rule, check));
    alternatives.push(nodes.length === 1 ? nodes[0]! : { kind: 'and', operands: nodes });
  }
  if (alternatives.length === 0) return FALSE_NODE;
  return alternatives.length === 1 ? alternatives[0]! : { kind: 'or', operands: alternatives };
}

function parseSingleCheck(rule: string, check: unknown): PolicyNode {
  if (typeof check !== 'string') throw new PolicySyntaxError(rule, 'list-form entries must be strings');
  const tokens = tokenize(rule, check);
  const only = tokens[0];
  if (tokens.length !== 1 || only?.kind !== 'check') {
    throw new PolicySyntaxError(rule, `list-form entry "${check}" must be a single check`);
  }
  return parseCheck(rule, only.text);
}
