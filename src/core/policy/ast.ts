// The parsed form of an oslo.policy check string. Parsing happens once, at load time; evaluation
// only walks these nodes.

/** A piece of a match template: literal text, or a `%(path)s` lookup in the target. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ref'; readonly path: string };

/** The right-hand side of a check, e.g. `%(target.project.id)s` or `admin`. */
export interface Template {
  /** As written in the rule, for rendering. */
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

export type PolicyNode =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'not'; readonly operand: PolicyNode }
  | { readonly kind: 'and'; readonly operands: readonly PolicyNode[] }
  | { readonly kind: 'or'; readonly operands: readonly PolicyNode[] }
  /** `rule:name` — evaluates another named rule; undefined names are false. */
  | { readonly kind: 'rule'; readonly name: string }
  /** `role:name` — case-insensitive membership in the credential roles. */
  | { readonly kind: 'role'; readonly match: Template }
  /** `a.b.c:match` — a credential attribute (dotted path) compared with the match. */
  | { readonly kind: 'credential'; readonly path: readonly string[]; readonly source: string; readonly match: Template }
  /** `True:%(x)s`, `'Member':%(role.name)s`, `None:...` — a literal compared with the match. */
  | { readonly kind: 'literal'; readonly value: string; readonly source: string; readonly match: Template };

export const TRUE_NODE: PolicyNode = { kind: 'true' };
export const FALSE_NODE: PolicyNode = { kind: 'false' };
