// Issues and validates tokens. Validation re-reads the user, scope and roles (a disabled user's
// tokens fail at once) and checks revocation events; results are cached until any identity write.
import type { Kysely } from 'kysely';
import { unauthorized } from '../../core/errors.js';
import type { AuthContext, TokenValidator } from '../../core/http/auth-context.js';
import type { AppCredRow, DomainRow, IdentityDb, ProjectRow, RoleRow, UserRow } from '../db/schema.js';
import type { ChangeCounter } from './change-counter.js';
import { effectiveRoles } from './effective-roles.js';
import { fernetDecrypt, fernetEncrypt } from './fernet.js';
import type { KeyRepository, TokenKey } from './key-repository.js';
import type { RevocationList } from './revocation.js';
import { decodePayload, encodePayload, type TokenPayload } from './token-payload.js';

export interface ValidatedToken {
  readonly token: string;
  readonly payload: TokenPayload;
  readonly user: UserRow;
  readonly userDomain: DomainRow;
  readonly project?: ProjectRow;
  readonly projectDomain?: DomainRow;
  readonly domain?: DomainRow;
  readonly roles: readonly RoleRow[];
  readonly applicationCredential?: AppCredRow;
}

interface CacheEntry { readonly value: ValidatedToken; readonly generation: number; readonly until: number }

const MAX_CACHE = 10_000;

export class TokenService implements TokenValidator {
  private keys: TokenKey[];
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly db: Kysely<IdentityDb>,
    private readonly keyRepo: KeyRepository,
    private readonly revocations: RevocationList,
    private readonly changes: ChangeCounter,
    private readonly cacheMs: number,
  ) {
    this.keys = keyRepo.load();
  }

  reloadKeys(): void {
    this.keys = this.keyRepo.load();
    this.cache.clear();
  }

  issue(payload: TokenPayload): string {
    return fernetEncrypt(this.keys[0]!, encodePayload(payload), payload.issuedAt);
  }

  async validate(token: string): Promise<AuthContext> {
    return toAuthContext(await this.validateFull(token));
  }

  /** Throws 401 when the token is not valid now. */
  async validateFull(token: string): Promise<ValidatedToken> {
    const cached = this.cache.get(token);
    if (cached && cached.generation === this.changes.value && cached.until > Date.now()
      && cached.value.payload.expiresAt > Date.now()) {
      return cached.value;
    }
    const validated = await this.check(token);
    if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(token, { value: validated, generation: this.changes.value, until: Date.now() + this.cacheMs });
    return validated;
  }

  private async check(token: string): Promise<ValidatedToken> {
    const raw = fernetDecrypt(this.keys, token);
    const payload = raw && decodePayload(raw);
    if (!payload || payload.expiresAt <= Date.now()) throw invalid();
    const user = await this.db.selectFrom('identity_user').selectAll().where('id', '=', payload.userId).executeTakeFirst();
    if (!user || !user.enabled) throw invalid();
    const userDomain = await this.enabledDomain(user.domain_id);
    let project: ProjectRow | undefined;
    let projectDomain: DomainRow | undefined;
    let domain: DomainRow | undefined;
    if (payload.scope.kind === 'project') {
      project = await this.db.selectFrom('project').selectAll().where('id', '=', payload.scope.id).executeTakeFirst();
      if (!project || !project.enabled) throw invalid();
      projectDomain = await this.enabledDomain(project.domain_id);
    } else if (payload.scope.kind === 'domain') {
      domain = await this.enabledDomain(payload.scope.id);
    }
    const revoked = await this.revocations.isRevoked({ payload, projectId: project?.id, domainId: domain?.id });
    if (revoked) throw invalid();
    let roles: RoleRow[] = payload.scope.kind === 'unscoped' ? [] : await effectiveRoles(this.db, user.id, payload.scope);
    let applicationCredential: AppCredRow | undefined;
    if (payload.applicationCredentialId) {
      applicationCredential = await this.db.selectFrom('application_credential').selectAll()
        .where('id', '=', payload.applicationCredentialId).executeTakeFirst();
      if (!applicationCredential) throw invalid();
      if (applicationCredential.expires_at && Date.parse(applicationCredential.expires_at) <= Date.now()) throw invalid();
      const allowed = new Set((await this.db.selectFrom('application_credential_role').select('role_id')
        .where('application_credential_id', '=', applicationCredential.id).execute()).map((r) => r.role_id));
      roles = roles.filter((r) => allowed.has(r.id));
    }
    if (payload.scope.kind !== 'unscoped' && roles.length === 0) throw invalid();
    return { token, payload, user, userDomain, project, projectDomain, domain, roles, applicationCredential };
  }

  private async enabledDomain(id: string): Promise<DomainRow> {
    const domain = await this.db.selectFrom('domain').selectAll().where('id', '=', id).executeTakeFirst();
    if (!domain || !domain.enabled) throw invalid();
    return domain;
  }
}

function invalid() {
  return unauthorized('The request you have made requires authentication.');
}

export function toAuthContext(v: ValidatedToken): AuthContext {
  return {
    token: v.token,
    userId: v.user.id,
    userName: v.user.name,
    userDomainId: v.userDomain.id,
    userDomainName: v.userDomain.name,
    ...(v.project ? { projectId: v.project.id, projectName: v.project.name } : {}),
    ...(v.projectDomain ? { projectDomainId: v.projectDomain.id, projectDomainName: v.projectDomain.name } : {}),
    ...(v.domain ? { domainId: v.domain.id, domainName: v.domain.name } : {}),
    ...(v.payload.scope.kind === 'system' ? { system: 'all' as const } : {}),
    roles: v.roles.map((r) => ({ id: r.id, name: r.name })),
    isAdminProject: false,
    methods: v.payload.methods,
    auditIds: v.payload.auditIds,
    expiresAt: new Date(v.payload.expiresAt),
    issuedAt: new Date(v.payload.issuedAt),
    ...(v.applicationCredential ? { applicationCredentialId: v.applicationCredential.id } : {}),
  };
}
