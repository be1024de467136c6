// Resolves `%(target.user.domain_id)s` paths. Keystone flattens its target dict before enforcing
// ({"target.user.domain_id": ...}), callers here may also pass nested objects, or a mix of both;
// the longest matching key wins at every level, as a flat Python dict lookup would.

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const NOT_FOUND: Lookup = { found: false };

export function lookupPath(root: unknown, path: string): Lookup {
  return resolve(root, path.split('.'));
}

function resolve(node: unknown, segments: readonly string[]): Lookup {
  if (!isRecord(node)) return NOT_FOUND;
  for (let n = segments.length; n >= 1; n--) {
    const key = segments.slice(0, n).join('.');
    // Own properties only: a path like `constructor` must not reach Object.prototype.
    if (!Object.hasOwn(node, key)) continue;
    const value = node[key];
    // An undefined property is how TypeScript spells "absent": treat it as a missing key.
    if (value === undefined) continue;
    if (n === segments.length) return { found: true, value };
    const inner = resolve(value, segments.slice(n));
    if (inner.found) return inner;
  }
  return NOT_FOUND;
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
