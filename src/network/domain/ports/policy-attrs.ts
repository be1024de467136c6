// Which `<action>:<attr>` rules a request must pass: every attribute the client sent (on create
// only when it differs from the attribute's default, as Neutron's _is_attribute_explicitly_set),
// plus the sub-attribute rules of list-of-dict attributes (fixed_ips:ip_address, …).
import { ATTR_DEFAULTS } from './attr-map.js';

const SUB_ATTRS: Readonly<Record<string, readonly string[]>> = {
  fixed_ips: ['ip_address', 'subnet_id'],
  allowed_address_pairs: ['mac_address', 'ip_address'],
};

export function policedAttributes(attrs: Readonly<Record<string, unknown>>, keys: Iterable<string>, creating: boolean): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const value = attrs[key];
    if (creating && key in ATTR_DEFAULTS && ATTR_DEFAULTS[key] === value) continue;
    out.push(key);
    const subs = SUB_ATTRS[key];
    if (subs === undefined || !Array.isArray(value)) continue;
    for (const sub of subs) {
      if (value.some((item) => typeof item === 'object' && item !== null && sub in item)) out.push(`${key}:${sub}`);
    }
  }
  return out;
}
