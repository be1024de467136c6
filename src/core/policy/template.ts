// The match side of a check is a Python %-format string applied to the target dict. Only the
// `%(path)s` and `%%` forms are meaningful in policy files, so anything else is rejected when the
// rule is loaded rather than failing on some later request.
import type { Template, TemplatePart } from './ast.js';
import { PolicySyntaxError } from './errors.js';
import { pyStr } from './py-str.js';
import { lookupPath } from './target-lookup.js';

export function compileTemplate(rule: string, source: string): Template {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c !== '%') {
      text += c;
      i++;
      continue;
    }
    if (source[i + 1] === '%') {
      text += '%';
      i += 2;
      continue;
    }
    const close = source[i + 1] === '(' ? source.indexOf(')', i + 2) : -1;
    if (close < 0 || source[close + 1] !== 's' || close === i + 2) {
      throw new PolicySyntaxError(rule, `bad substitution in "${source}" (use %(name)s, or %% for a literal %)`);
    }
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'ref', path: source.slice(i + 2, close) });
    i = close + 2;
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return { source, parts };
}

/** A template holding no substitutions: used for quoted literals, which are never interpolated. */
export function literalTemplate(source: string, text: string): Template {
  return { source, parts: text === '' ? [] : [{ kind: 'text', text }] };
}

/** The match string for this target, or undefined when a substitution is missing (check is false). */
export function substitute(template: Template, target: unknown): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const found = lookupPath(target, part.path);
    if (!found.found) return undefined;
    out += pyStr(found.value);
  }
  return out;
}
