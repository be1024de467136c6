// Neutron's SubnetPoolReader: prefixes (non-empty, one IP version, compacted), the prefix-length
// bounds with their defaults (min 8 for IPv4 / 64 for IPv6, max 32/128, default = min), checked.
import { ApiError } from '../../../core/errors.js';
import { parseCidrs, compactPrefixes } from './prefix-space.js';
import { illegalPrefixBounds } from './pool-errors.js';

export interface PoolShape {
  readonly ipVersion: 4 | 6;
  readonly prefixes: string[];
  readonly minPrefixlen: number;
  readonly maxPrefixlen: number;
  readonly defaultPrefixlen: number;
}

export function readPoolShape(prefixes: readonly string[], bounds: { min?: number | undefined; max?: number | undefined; def?: number | undefined }): PoolShape {
  if (prefixes.length === 0) throw new ApiError(400, 'Empty subnet pool prefix list.', 'EmptySubnetPoolPrefixList');
  const cidrs = parseCidrs(prefixes);
  const version = cidrs[0]!.version;
  if (cidrs.some((c) => c.version !== version)) throw new ApiError(400, 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.', 'PrefixVersionMismatch');
  const bits = version === 4 ? 32 : 128;
  const min = bounds.min ?? (version === 4 ? 8 : 64);
  const max = bounds.max ?? bits;
  const def = bounds.def ?? min;
  if (min > max) throw illegalPrefixBounds('min_prefixlen', min, 'max_prefixlen', max);
  if (max > bits) throw illegalPrefixBounds('max_prefixlen', max, 'ip_version_max', bits);
  if (def < min) throw illegalPrefixBounds('default_prefixlen', def, 'min_prefixlen', min);
  if (def > max) throw illegalPrefixBounds('default_prefixlen', def, 'max_prefixlen', max);
  return { ipVersion: version, prefixes: compactPrefixes(cidrs), minPrefixlen: min, maxPrefixlen: max, defaultPrefixlen: def };
}
