// Splits a check string into parentheses, keywords and check words. Unlike oslo.policy's
// whitespace split, a parenthesis ends a word (so `not(role:a)` works), while `%(name)s`
// substitutions and quoted literals ('my project') stay inside their word.
import { PolicySyntaxError } from './errors.js';

export type Token =
  | { readonly kind: '(' | ')' | 'and' | 'or' | 'not'; readonly offset: number }
  | { readonly kind: 'check'; readonly text: string; readonly offset: number };

export function tokenize(rule: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, offset: i });
      i++;
    } else {
      const end = scanWord(rule, source, i);
      const text = source.slice(i, end);
      const lowered = text.toLowerCase();
      // oslo.policy accepts the operators in any case.
      if (lowered === 'and' || lowered === 'or' || lowered === 'not') tokens.push({ kind: lowered, offset: i });
      else tokens.push({ kind: 'check', text, offset: i });
      i = end;
    }
  }
  return tokens;
}

function scanWord(rule: string, source: string, start: number): number {
  let i = start;
  let colon = -1;
  while (i < source.length) {
    const c = source[i]!;
    if (isSpace(c) || c === '(' || c === ')') break;
    // Quotes only open a literal at the start of the kind or right after the first colon.
    if ((c === "'" || c === '"') && (i === start || i === colon + 1)) {
      i = skipQuoted(rule, source, i);
    } else if (c === '%' && source[i + 1] === '(') {
      const close = source.indexOf(')', i + 2);
      if (close < 0) throw new PolicySyntaxError(rule, `unterminated substitution at column ${i + 1}`);
      i = close + 1;
    } else {
      if (c === ':' && colon < 0) colon = i;
      i++;
    }
  }
  return i;
}

/** Index just past the closing quote that matches the one at `start`. */
export function skipQuoted(rule: string, source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i + 1;
  }
  throw new PolicySyntaxError(rule, `unterminated quoted string at column ${start + 1}`);
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
