// accessIPv4/accessIPv6 as Nova keeps them: its IPAddress column stores the canonical form, so
// "0000::babe:220.12.22.2" reads back as "::babe:dc0c:1602" (Tempest compares exactly that).
import { tryParseIp, formatIp } from '../../../network/ipam/ip-address.js';

/** The canonical text of an address the schema accepted; anything unparsable ('' included) as given. */
export function storedAccessIp(text: string): string {
  const ip = tryParseIp(text);
  return ip ? formatIp(ip) : text;
}
