// Neutron's policy defaults for this resource family (see base-rules.ts for the target shape).
import type { RuleDefault } from '../../core/policy/index.js';

export const NEUTRON_ROUTER_RULES: Readonly<Record<string, RuleDefault>> = {};
