// Shared pieces of identity handlers: policy checks, links, collections, JSON columns.
import type { FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../../core/errors.js';
import { policyCredentials, type AuthContext } from '../../core/http/auth-context.js';
import { baseUrl } from '../../core/http/server.js';
import type { IdentityDeps } from './deps.js';

/** Authenticates the caller and enforces `rule` against `target`; throws 401/403. */
export async function authorize(deps: IdentityDeps, request: FastifyRequest, rule: string, target: Record<string, unknown> = {}): Promise<AuthContext> {
  const ctx = await request.requireAuth();
  if (!deps.policy.authorize(rule, target, policyCredentials(ctx))) {
    throw forbidden(`You are not authorized to perform the requested action: ${rule}.`);
  }
  return ctx;
}

export function selfLink(request: FastifyRequest, path: string): { self: string } {
  return { self: `${baseUrl(request)}/v3/${path}` };
}

export function collection<T>(request: FastifyRequest, key: string, items: T[]): Record<string, unknown> {
  const url = `${baseUrl(request)}${request.url}`;
  return { [key]: items, links: { self: url, previous: null, next: null } };
}

export function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function mustFind<T>(row: T | undefined, what: string, id: string): T {
  if (row === undefined) throw notFound(`Could not find ${what}: ${id}.`);
  return row;
}

export type Params = Record<string, string>;
export type Query = Record<string, string | string[] | undefined>;

/** Keystone list filters are plain query parameters; only the first value of a repeated one counts. */
export function queryValue(query: Query, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Keystone accepts true/false in any case, and a bare `?enabled` as true. */
export function queryBool(query: Query, key: string): boolean | undefined {
  const v = queryValue(query, key);
  if (v === undefined) return undefined;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}
