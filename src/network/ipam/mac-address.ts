import { invalidAttribute } from './errors.js';

/** Neutron's default `base_mac`: OpenStack's locally administered OUI. */
export const DEFAULT_BASE_MAC = 'fa:16:3e:00:00:00';

const MAC_RE = /^([0-9a-fA-F]{2})([:-][0-9a-fA-F]{2}){5}$/;

/** Parses a MAC into its six bytes; lowercased colon form is what Neutron returns. */
export function tryParseMac(text: string): number[] | undefined {
  if (typeof text !== 'string' || !MAC_RE.test(text)) return undefined;
  return text.split(/[:-]/).map((b) => parseInt(b, 16));
}

export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * neutron_lib's `validate_mac_address`: six octets, not all-zero, and unicast
 * (an I/G bit set on the first octet means multicast/broadcast).
 */
export function parseMac(text: string): string {
  const bytes = tryParseMac(text);
  const first = bytes?.[0];
  if (!bytes || first === undefined || bytes.every((b) => b === 0) || (first & 1) === 1) {
    throw invalidAttribute('mac_address', `'${String(text)}' is not a valid MAC address`);
  }
  return formatMac(bytes);
}

/**
 * A random MAC under the base MAC's first three octets (Neutron's
 * `get_random_mac`); the caller retries on a collision within the network.
 * `randomByte` is injectable so tests stay deterministic.
 */
export function generateMac(
  baseMac = DEFAULT_BASE_MAC,
  randomByte: () => number = () => Math.floor(Math.random() * 256),
): string {
  const base = tryParseMac(baseMac);
  if (!base) throw new TypeError(`base_mac '${baseMac}' is not a valid MAC address`);
  return formatMac([...base.slice(0, 3), randomByte() & 0xff, randomByte() & 0xff, randomByte() & 0xff]);
}
