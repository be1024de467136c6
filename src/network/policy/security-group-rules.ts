// Neutron's policy defaults for this resource family (see base-rules.ts for the target shape).
import type { RuleDefault } from '../../core/policy/index.js';

export const NEUTRON_SECURITY_GROUP_RULES: Readonly<Record<string, RuleDefault>> = {};
