// What a token carries. Tokens are never stored: everything validation needs is in here,
// encrypted and authenticated with the key repository.
import { randomBytes } from 'node:crypto';

export type TokenScope =
  | { readonly kind: 'unscoped' }
  | { readonly kind: 'project'; readonly id: string }
  | { readonly kind: 'domain'; readonly id: string }
  | { readonly kind: 'system' };

export interface TokenPayload {
  readonly userId: string;
  readonly methods: readonly string[];
  readonly scope: TokenScope;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** [own audit id, audit id of the token it was rescoped from (the chain)]. */
  readonly auditIds: readonly string[];
  readonly applicationCredentialId?: string;
}

const METHOD_BITS = ['password', 'token', 'application_credential', 'totp', 'external'] as const;

export function newAuditId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

function methodsToBits(methods: readonly string[]): number {
  return methods.reduce((bits, m) => bits | (1 << Math.max(0, METHOD_BITS.indexOf(m as (typeof METHOD_BITS)[number]))), 0);
}

function bitsToMethods(bits: number): string[] {
  return METHOD_BITS.filter((_, i) => (bits & (1 << i)) !== 0);
}

export function encodePayload(p: TokenPayload): Buffer {
  const scope = p.scope.kind === 'project' ? ['p', p.scope.id]
    : p.scope.kind === 'domain' ? ['d', p.scope.id]
    : p.scope.kind === 'system' ? ['s'] : ['u'];
  const fields: unknown[] = [1, p.userId, methodsToBits(p.methods), scope, p.issuedAt, p.expiresAt, p.auditIds];
  if (p.applicationCredentialId) fields.push(p.applicationCredentialId);
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

export function decodePayload(raw: Buffer): TokenPayload | undefined {
  let fields: unknown;
  try {
    fields = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields[0] !== 1) return undefined;
  const [, userId, bits, scope, issuedAt, expiresAt, auditIds, appCred] = fields as [number, string, number, string[], number, number, string[], string?];
  const scopeValue: TokenScope = scope[0] === 'p' ? { kind: 'project', id: scope[1]! }
    : scope[0] === 'd' ? { kind: 'domain', id: scope[1]! }
    : scope[0] === 's' ? { kind: 'system' } : { kind: 'unscoped' };
  return {
    userId, methods: bitsToMethods(bits), scope: scopeValue, issuedAt, expiresAt, auditIds,
    ...(appCred ? { applicationCredentialId: appCred } : {}),
  };
}
