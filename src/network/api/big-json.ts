// JSON text with exact big integers. JSON.stringify cannot write a BigInt, and a Number loses
// digits past 2**53, yet Neutron (Python ints) answers e.g. total_ips 18446744073709551614 for an
// IPv6 /64 and clients compare it exactly. BigInt values are written as raw digits here;
// everything else is written as JSON.stringify would (undefined members skipped, null in arrays).
import type { FastifyReply } from 'fastify';

export function stringifyBig(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return stringifyBig(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => stringifyBig(v) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const text = stringifyBig(v);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/** Sends a body that may hold BigInt values as application/json. */
export function sendBigJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(stringifyBig(body) ?? 'null');
}
