// Prints a node back in the policy language, in oslo.policy's str() style: every and/or group is
// parenthesised, so the printed form shows exactly how precedence was applied.
import type { PolicyNode } from './ast.js';

export function renderRule(node: PolicyNode): string {
  switch (node.kind) {
    case 'true':
      return '@';
    case 'false':
      return '!';
    case 'not':
      return `not ${renderRule(node.operand)}`;
    case 'and':
    case 'or':
      return `(${node.operands.map(renderRule).join(` ${node.kind} `)})`;
    case 'rule':
      return `rule:${node.name}`;
    case 'role':
      return `role:${node.match.source}`;
    case 'credential':
    case 'literal':
      return `${node.source}:${node.match.source}`;
  }
}
