// Turns one check word (`role:admin`, `project_id:%(project_id)s`, `True:%(x)s`, `@`) into a
// node. The left-hand side follows oslo.policy: `rule` and `role` are special, a Python literal
// is compared as a value, anything else is a dotted path into the credentials.
import { FALSE_NODE, TRUE_NODE, type PolicyNode, type Template } from './ast.js';
import { PolicySyntaxError } from './errors.js';
import { compileTemplate, literalTemplate } from './template.js';
import { skipQuoted } from './tokenize.js';

// oslo.policy's external HTTP(S) check calls out to a web service; Nimbus never does that.
const UNSUPPORTED_KINDS: ReadonlySet<string> = new Set(['http', 'https']);

export function parseCheck(rule: string, word: string): PolicyNode {
  if (word === '@') return TRUE_NODE;
  if (word === '!') return FALSE_NODE;
  const colon = isQuote(word[0]) ? skipQuoted(rule, word, 0) : word.indexOf(':');
  if (colon < 0 || word[colon] !== ':') {
    throw new PolicySyntaxError(rule, `"${word}" is not a check (expected kind:match, "@" or "!")`);
  }
  const kind = word.slice(0, colon);
  const matchSource = word.slice(colon + 1);
  if (kind === '') throw new PolicySyntaxError(rule, `"${word}" has an empty kind`);
  if (matchSource === '') throw new PolicySyntaxError(rule, `"${word}" has an empty match`);
  if (UNSUPPORTED_KINDS.has(kind)) throw new PolicySyntaxError(rule, `"${kind}:" checks are not supported`);

  if (kind === 'rule') return ruleNode(rule, matchSource);
  const match = parseMatch(rule, matchSource);
  if (kind === 'role') return { kind: 'role', match };
  const literal = pythonLiteral(kind);
  if (literal !== undefined) return { kind: 'literal', value: literal, source: kind, match };
  const path = kind.split('.');
  if (path.some((segment) => segment === '')) throw new PolicySyntaxError(rule, `"${kind}" is not a valid attribute path`);
  return { kind: 'credential', path, source: kind, match };
}

function ruleNode(rule: string, name: string): PolicyNode {
  if (name.includes('%')) throw new PolicySyntaxError(rule, `rule reference "${name}" cannot use substitutions`);
  return { kind: 'rule', name };
}

// A quoted match is a literal (a Nimbus convenience: oslo.policy would compare the quotes too).
function parseMatch(rule: string, source: string): Template {
  if (isQuote(source[0])) {
    if (skipQuoted(rule, source, 0) !== source.length) {
      throw new PolicySyntaxError(rule, `unexpected text after quoted match ${source}`);
    }
    return literalTemplate(source, unquote(source));
  }
  return compileTemplate(rule, source);
}

/**
 * str(ast.literal_eval(kind)) for the literals that make sense in a policy (True, False, None,
 * integers, floats, quoted strings); undefined when the kind is an attribute path instead.
 */
function pythonLiteral(kind: string): string | undefined {
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  if (isQuote(kind[0]) && kind.length >= 2 && kind.endsWith(kind[0]!)) return unquote(kind);
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(kind)) {
    const digits = BigInt(kind.replace(/^[-+]/, ''));
    return (kind.startsWith('-') ? -digits : digits).toString();
  }
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(kind)) {
    const n = Number(kind);
    return Number.isInteger(n) && Math.abs(n) < 1e16 ? n.toFixed(1) : String(n);
  }
  return undefined;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function isQuote(c: string | undefined): boolean {
  return c === "'" || c === '"';
}
