// Console auth tokens (nova/objects/console_auth_token.py): a random token is handed out once, in
// the console URL, and only its SHA-256 is stored with where the console is. The proxy uses it up
// on the first connection (consume: one DELETE, so of two racing connections one wins) and it
// expires after [consoleauth] token_ttl (600 s) unused. Expired rows go when the next one is made.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ComputeDb, ConsoleAuthTokenRow } from '../db/schema.js';
import { inTransaction, nowIso } from '../db/transaction.js';

export type ConsoleType = 'novnc' | 'serial';

/** Where the proxy finds the console: a TCP server, or a unix socket on the compute host. */
export type ConsoleEndpoint =
  | { readonly host: string; readonly port: number }
  | { readonly host: string; readonly unixSocket: string };

/** What a valid token stands for. */
export interface ConsoleAuthorization {
  readonly instanceUuid: string;
  readonly consoleType: ConsoleType;
  readonly endpoint: ConsoleEndpoint;
  readonly accessUrlBase: string;
  /** Epoch seconds. */
  readonly expires: number;
}

/** Tokens are UUIDs as Nova's (uuidutils.generate_uuid): 122 random bits, URL-safe. */
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** The URL a client opens (ConsoleAuthToken.access_url): noVNC wants the token inside `path`. */
export function consoleAccessUrl(base: string, type: ConsoleType, token: string): string {
  const query = type === 'novnc' ? new URLSearchParams({ path: `?token=${token}` }).toString() : `token=${token}`;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

export interface NewConsoleToken {
  readonly instanceUuid: string;
  readonly consoleType: ConsoleType;
  readonly endpoint: ConsoleEndpoint;
  readonly accessUrlBase: string;
  readonly ttlSeconds: number;
}

/** Stores a fresh token (and drops expired ones); the token itself, which is never stored. */
export async function createConsoleToken(db: Kysely<ComputeDb>, request: NewConsoleToken, nowMs = Date.now()): Promise<string> {
  const token = randomUUID();
  const endpoint = request.endpoint;
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('nova_console_auth_token').where('expires', '<=', epochSeconds(nowMs)).execute();
    await trx.insertInto('nova_console_auth_token').values({
      token_hash: hashToken(token),
      instance_uuid: request.instanceUuid,
      console_type: request.consoleType,
      host: endpoint.host,
      port: 'port' in endpoint ? endpoint.port : null,
      unix_socket: 'unixSocket' in endpoint ? endpoint.unixSocket : null,
      access_url_base: request.accessUrlBase,
      expires: epochSeconds(nowMs) + request.ttlSeconds,
      created_at: nowIso(),
    }).execute();
  });
  return token;
}

function authorizationOf(row: ConsoleAuthTokenRow): ConsoleAuthorization {
  return {
    instanceUuid: row.instance_uuid,
    consoleType: row.console_type === 'serial' ? 'serial' : 'novnc',
    endpoint: row.unix_socket !== null ? { host: row.host, unixSocket: row.unix_socket } : { host: row.host, port: Number(row.port) },
    accessUrlBase: row.access_url_base,
    expires: Number(row.expires),
  };
}

/** A token's authorization if it is known and unexpired (ConsoleAuthToken.validate); kept. */
export async function showConsoleToken(db: Kysely<ComputeDb>, token: string, nowMs = Date.now()): Promise<ConsoleAuthorization | undefined> {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db.selectFrom('nova_console_auth_token').selectAll()
    .where('token_hash', '=', hashToken(token)).where('expires', '>', epochSeconds(nowMs)).executeTakeFirst();
  return row ? authorizationOf(row) : undefined;
}

/**
 * Uses a token of console type `type` up: its authorization if it was valid, and it is gone either
 * way (a token of another type is left alone: it belongs to the other proxy). Of two callers
 * racing with one token only the one whose DELETE removed the row gets it.
 */
export async function consumeConsoleToken(db: Kysely<ComputeDb>, token: string, type: ConsoleType, nowMs = Date.now()): Promise<ConsoleAuthorization | undefined> {
  if (!isWellFormedToken(token)) return undefined;
  const hash = hashToken(token);
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('nova_console_auth_token').selectAll()
      .where('token_hash', '=', hash).where('console_type', '=', type).executeTakeFirst();
    if (!row) return undefined;
    const removed = await trx.deleteFrom('nova_console_auth_token').where('token_hash', '=', hash).executeTakeFirst();
    if (Number(removed.numDeletedRows) !== 1 || Number(row.expires) <= epochSeconds(nowMs)) return undefined;
    return authorizationOf(row);
  });
}
