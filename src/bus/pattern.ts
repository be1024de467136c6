// Notification patterns are fnmatch-style globs over event types, as Ceilometer's event
// definitions use them: `*` matches any run of characters, dots included, so `port.*` matches
// `port.create.end` and `*` matches everything. Everything else is literal.
import { checkPattern } from './names.js';

export type EventTypeMatcher = (eventType: string) => boolean;

export function compilePattern(pattern: string): EventTypeMatcher {
  const source = checkPattern(pattern)
    .split('*')
    .map((literal) => literal.replaceAll('.', '\\.'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  return (eventType) => re.test(eventType);
}

/**
 * The dot-separated words before the first wildcard: the part a broker can filter on.
 * `identity.user.*` → ['identity', 'user']; `port*` → []; `port.create.end` → all three.
 */
export function literalPrefix(pattern: string): { readonly words: readonly string[]; readonly exact: boolean } {
  const words = checkPattern(pattern).split('.');
  const firstWild = words.findIndex((word) => word.includes('*'));
  return firstWild === -1 ? { words, exact: true } : { words: words.slice(0, firstWild), exact: false };
}
