// Revocation events (Keystone's model): an event revokes every token issued at or before
// `issued_before` whose attributes match all of the event's non-null fields.
import type { Kysely } from 'kysely';
import type { IdentityDb, RevocationEventRow } from '../db/schema.js';
import { newHexId } from '../../core/ids.js';
import type { TokenPayload } from './token-payload.js';

export interface RevocationFields {
  readonly userId?: string;
  readonly projectId?: string;
  readonly domainId?: string;
  readonly auditId?: string;
  readonly auditChainId?: string;
}

export interface TokenFacts {
  readonly payload: TokenPayload;
  readonly projectId?: string;
  readonly domainId?: string;
}

export class RevocationList {
  private events: RevocationEventRow[] = [];
  private loadedAt = 0;

  constructor(private readonly db: Kysely<IdentityDb>, private readonly maxTokenLifetimeMs: number, private readonly refreshMs = 1000) {}

  async revoke(fields: RevocationFields, issuedBefore = new Date()): Promise<void> {
    const now = new Date().toISOString();
    const row: RevocationEventRow = {
      id: newHexId(), user_id: fields.userId ?? null, project_id: fields.projectId ?? null,
      domain_id: fields.domainId ?? null, role_id: null, audit_id: fields.auditId ?? null,
      audit_chain_id: fields.auditChainId ?? null, issued_before: issuedBefore.toISOString(), revoked_at: now,
    };
    await this.db.insertInto('revocation_event').values(row).execute();
    this.events.push(row);
  }

  /** Events written by other processes become visible within refreshMs. */
  async isRevoked(token: TokenFacts): Promise<boolean> {
    if (Date.now() - this.loadedAt > this.refreshMs) await this.reload();
    const issued = token.payload.issuedAt;
    const [auditId, chainId] = token.payload.auditIds;
    return this.events.some((e) =>
      Date.parse(e.issued_before) >= issued
      && (e.user_id === null || e.user_id === token.payload.userId)
      && (e.project_id === null || e.project_id === token.projectId)
      && (e.domain_id === null || e.domain_id === token.domainId)
      && (e.audit_id === null || e.audit_id === auditId)
      && (e.audit_chain_id === null || e.audit_chain_id === (chainId ?? auditId)));
  }

  private async reload(): Promise<void> {
    // Events older than the longest token lifetime can no longer match anything.
    const horizon = new Date(Date.now() - this.maxTokenLifetimeMs).toISOString();
    this.events = await this.db.selectFrom('revocation_event').selectAll().where('issued_before', '>=', horizon).execute();
    this.loadedAt = Date.now();
  }
}
