// The `rule:` reference graph between named rules: used at load time to refuse cycles and to list
// references to rules that do not exist (which evaluate to false).
import type { PolicyNode } from './ast.js';

export function ruleReferences(node: PolicyNode): string[] {
  const found = new Set<string>();
  const visit = (n: PolicyNode): void => {
    if (n.kind === 'rule') found.add(n.name);
    else if (n.kind === 'not') visit(n.operand);
    else if (n.kind === 'and' || n.kind === 'or') n.operands.forEach(visit);
  };
  visit(node);
  return [...found];
}

/** A reference cycle such as ['a', 'b', 'a'], or undefined when the rules form a DAG. */
export function findCycle(rules: ReadonlyMap<string, PolicyNode>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const start = path.indexOf(name);
    if (start >= 0) return [...path.slice(start), name];
    const node = rules.get(name);
    if (done.has(name) || node === undefined) return undefined;
    path.push(name);
    for (const ref of ruleReferences(node)) {
      const cycle = visit(ref);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    done.add(name);
    return undefined;
  };
  for (const name of rules.keys()) {
    const cycle = visit(name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/** Every `rule:` reference whose target is not defined, as { rule, missing } pairs. */
export function undefinedReferences(
  rules: ReadonlyMap<string, PolicyNode>,
): { readonly rule: string; readonly missing: string }[] {
  const out: { rule: string; missing: string }[] = [];
  for (const [rule, node] of rules) {
    for (const missing of ruleReferences(node)) if (!rules.has(missing)) out.push({ rule, missing });
  }
  return out;
}
