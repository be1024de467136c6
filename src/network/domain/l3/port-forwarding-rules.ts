// Port forwarding input: the attribute map (floating-ip-port-forwarding with port ranges and
// description), the port/range normalisation and Neutron's collision rules.
import type { AttrMap, Attrs } from '../../api/attributes.js';
import { integer, invalid, ipAddress, nullable, pyRepr, string, uuid, type Validator } from '../../api/validators.js';
import type { PortForwardingRow } from '../../db/schema.js';
import { badRequest } from './errors.js';

const PROTOCOLS = ['tcp', 'udp'] as const;

const protocol: Validator<string> = (value, attr) => {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof v !== 'string' || !(PROTOCOLS as readonly string[]).includes(v)) return invalid(attr, `${pyRepr(value)} is not in ['tcp', 'udp']`);
  return v;
};

/** neutron_lib `type:port_range`: "N" or "N:M" within 1..65535, N <= M. */
const portRange: Validator<string> = (value, attr) => {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? /^(\d{1,5})(?::(\d{1,5}))?$/.exec(text) : null;
  if (match === null) return invalid(attr, `Port range ${pyRepr(value)} is not a valid port range`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535 || first > last) return invalid(attr, `Invalid port range ${text}`);
  return `${first}:${last}`;
};

export const PORT_FORWARDING_ATTRS: AttrMap = {
  protocol: { post: true, put: true, required: true, validate: protocol },
  internal_port_id: { post: true, put: true, required: true, validate: uuid },
  internal_ip_address: { post: true, put: true, required: true, validate: ipAddress },
  internal_port: { post: true, put: true, default: null, validate: nullable(integer(1, 65535)) },
  external_port: { post: true, put: true, default: null, validate: nullable(integer(1, 65535)) },
  internal_port_range: { post: true, put: true, default: null, validate: nullable(portRange) },
  external_port_range: { post: true, put: true, default: null, validate: nullable(portRange) },
  description: { post: true, put: true, default: '', validate: string(255) },
};

export interface Ports { internal: [number, number]; external: [number, number] }

function range(single: unknown, ranged: unknown, what: 'internal' | 'external'): [number, number] {
  if (single !== null && single !== undefined && ranged !== null && ranged !== undefined) {
    throw badRequest('port_forwarding', `Cannot specify both ${what}_port and ${what}_port_range`);
  }
  if (typeof single === 'number') return [single, single];
  if (typeof ranged === 'string') {
    const [a, b] = ranged.split(':').map(Number);
    return [a!, b!];
  }
  throw badRequest('port_forwarding', `Either ${what}_port or ${what}_port_range must be specified`);
}

/** The port ranges a create or update asks for, merged over the current row for an update. */
export function requestedPorts(attrs: Attrs, current?: PortForwardingRow): Ports {
  const keep = (key: 'internal' | 'external'): boolean =>
    current !== undefined && attrs[`${key}_port`] === undefined && attrs[`${key}_port_range`] === undefined;
  const internal: [number, number] = keep('internal') ? [current!.internal_port, current!.internal_port_end] : range(attrs.internal_port, attrs.internal_port_range, 'internal');
  const external: [number, number] = keep('external') ? [current!.external_port, current!.external_port_end] : range(attrs.external_port, attrs.external_port_range, 'external');
  const internalSpan = internal[1] - internal[0];
  if (internalSpan > 0 && internalSpan !== external[1] - external[0]) {
    throw badRequest('port_forwarding', 'Invalid ranges of internal and/or external ports. The relation between internal and external ports must be N-N or 1-N');
  }
  return { internal, external };
}

const show = (r: [number, number]): string => `${r[0]}:${r[1]}`;
const collides = (a: [number, number], b: [number, number]): boolean => Math.max(a[0], b[0]) <= Math.min(a[1], b[1]);

/** Neutron's _check_port_collisions against the other forwardings of the same protocol. */
export function checkCollisions(others: readonly PortForwardingRow[], fipId: string, row: Pick<PortForwardingRow, 'internal_port_id' | 'internal_ip_address' | 'protocol'>, ports: Ports): void {
  for (const o of others) {
    if (o.protocol !== row.protocol) continue;
    const theirs: [number, number] = [o.internal_port, o.internal_port_end];
    if (o.internal_port_id === row.internal_port_id && o.internal_ip_address === row.internal_ip_address && collides(theirs, ports.internal)) {
      throw badRequest('port_forwarding', `There is a port collision with the internal_port_range. The following ranges collides: ${show(theirs)} and ${show(ports.internal)}`);
    }
    const theirsExt: [number, number] = [o.external_port, o.external_port_end];
    if (o.floatingip_id === fipId && collides(theirsExt, ports.external)) {
      throw badRequest('port_forwarding', `There is a port collision with the external_port_range. The following ranges collides: ${show(theirsExt)} and ${show(ports.external)}`);
    }
  }
}

export function renderPortForwarding(row: PortForwardingRow): Record<string, unknown> {
  const singleInternal = row.internal_port === row.internal_port_end;
  const singleExternal = row.external_port === row.external_port_end;
  return {
    id: row.id,
    external_port: singleExternal ? row.external_port : null,
    internal_port: singleInternal ? row.internal_port : null,
    internal_ip_address: row.internal_ip_address,
    protocol: row.protocol,
    internal_port_id: row.internal_port_id,
    description: row.description,
    external_port_range: `${row.external_port}:${row.external_port_end}`,
    internal_port_range: `${row.internal_port}:${row.internal_port_end}`,
  };
}
