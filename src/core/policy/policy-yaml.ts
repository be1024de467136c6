// Reads the one YAML shape oslo policy files use: a flat mapping of rule name to check string,
// keys and values quoted or plain, with # comments. Anything richer (nesting, flow collections,
// multi-line scalars) is refused with the line, rather than guessed at.
import { PolicyFileError } from './errors.js';
import type { PolicyEntry } from './policy-file.js';

// Plain scalars starting with these are YAML syntax (tags, anchors, flow collections, blocks).
const INDICATORS = new Set(['[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', ',']);
// Plain scalars YAML would read as something other than a string.
const NON_STRINGS = /^(true|false|yes|no|on|off|[-+]?[0-9][0-9_.eE+-]*)$/i;

export function parsePolicyYaml(text: string, file: string): PolicyEntry[] {
  const entries: PolicyEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fail = (detail: string): PolicyFileError => new PolicyFileError(file, line, detail);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (trimmed === '---' && entries.length === 0) return;
    if (/^\s/.test(raw)) throw fail('indented lines are not supported (a policy file is a flat mapping)');
    const { name, rest } = readKey(raw.trimEnd(), fail);
    entries.push({ name, source: readValue(rest, fail), line });
  });
  return entries;
}

type Fail = (detail: string) => PolicyFileError;

function readKey(line: string, fail: Fail): { name: string; rest: string } {
  if (line.startsWith('"') || line.startsWith("'")) {
    const { value, end } = readQuoted(line, 0, fail);
    const rest = line.slice(end).trimStart();
    if (!/^:(\s|$)/.test(rest)) throw fail('expected ": " after the rule name');
    return { name: value, rest: rest.slice(1) };
  }
  // Rule names contain colons (identity:get_user); the key ends at the first ": " or final ":".
  const colon = line.search(/:(\s|$)/);
  if (colon <= 0) throw fail('expected "rule_name: check string"');
  return { name: line.slice(0, colon).trimEnd(), rest: line.slice(colon + 1) };
}

function readValue(rest: string, fail: Fail): string {
  const text = rest.trim();
  // An empty value is YAML null, which oslo.policy treats as the always-true rule.
  if (text === '' || text.startsWith('#') || text === '~' || text === 'null') return '';
  if (text.startsWith('"') || text.startsWith("'")) {
    const { value, end } = readQuoted(text, 0, fail);
    const after = text.slice(end);
    if (after !== '' && !/^\s+#/.test(after)) throw fail('unexpected text after the quoted check string');
    return value;
  }
  const value = text.replace(/\s+#.*$/, '');
  if (INDICATORS.has(value[0]!) || value.startsWith('- ')) throw fail(`quote check strings that start with "${value[0]}"`);
  if (value.includes(': ')) throw fail('quote check strings that contain ": "');
  if (NON_STRINGS.test(value)) throw fail(`YAML reads ${value} as a boolean or number; quote it`);
  return value;
}

// Double quotes take JSON-style escapes; single quotes escape themselves by doubling ('').
function readQuoted(text: string, start: number, fail: Fail): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'" && c === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 };
      value += "'";
      i++;
    } else if (quote === '"' && c === '"') {
      return { value, end: i + 1 };
    } else if (quote === '"' && c === '\\') {
      value += unescape(text[i + 1], fail);
      i++;
    } else {
      value += c;
    }
  }
  throw fail('unterminated quoted string');
}

function unescape(c: string | undefined, fail: Fail): string {
  const simple: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', ' ': ' ' };
  if (c === undefined || simple[c] === undefined) throw fail(`unsupported escape "\\${c ?? ''}"`);
  return simple[c];
}
