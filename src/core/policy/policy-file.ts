// Operator overrides from an oslo-style policy file (JSON, or the flat YAML mapping). Every rule
// is parsed here, so a bad file fails at start-up with the file name and line of the bad rule.
import { readFileSync } from 'node:fs';
import { PolicyFileError, PolicySyntaxError } from './errors.js';
import { parseRule, type RuleSource } from './parse.js';
import { parsePolicyJson } from './policy-json.js';
import { parsePolicyYaml } from './policy-yaml.js';

export interface PolicyEntry {
  readonly name: string;
  readonly source: RuleSource;
  readonly line: number;
}

/** Reads and checks a policy file. Synchronous on purpose: it runs once, during start-up. */
export function loadPolicyFile(path: string): Readonly<Record<string, RuleSource>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyFileError(path, undefined, `cannot read policy file: ${(err as Error).message}`);
  }
  return parsePolicyText(text, path);
}

/** Parses file contents; `file` is only used in error messages. */
export function parsePolicyText(text: string, file: string): Readonly<Record<string, RuleSource>> {
  const entries = isJson(text) ? parsePolicyJson(text, file) : parsePolicyYaml(text, file);
  const lines = new Map<string, number>();
  for (const entry of entries) {
    const first = lines.get(entry.name);
    if (first !== undefined) throw new PolicyFileError(file, entry.line, `rule "${entry.name}" is already defined on line ${first}`);
    lines.set(entry.name, entry.line);
    validate(entry, file);
  }
  // fromEntries defines own properties, so a rule named "__proto__" stays an ordinary key.
  return Object.fromEntries(entries.map((entry) => [entry.name, entry.source]));
}

function validate(entry: PolicyEntry, file: string): void {
  try {
    parseRule(entry.name, entry.source);
  } catch (err) {
    if (err instanceof PolicySyntaxError) throw new PolicyFileError(file, entry.line, err.message);
    throw err;
  }
}

function isJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}
