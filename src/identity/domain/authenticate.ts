// POST /v3/auth/tokens: identify the user by each method, resolve the scope, and mint a token.
// Every failure to identify says the same thing, so responses do not reveal which users exist.
import type { Kysely } from 'kysely';
import { ApiError, badRequest, notFound, unauthorized } from '../../core/errors.js';
import type { SecurityComplianceConfig } from '../../core/config.js';
import type { AppCredRow, IdentityDb, UserRow } from '../db/schema.js';
import { clearFailedLogins, isLockedOut, recordFailedLogin } from './lockout.js';
import { effectiveRoles } from './effective-roles.js';
import type { PasswordHasher } from './password-hasher.js';
import { newAuditId, type TokenPayload, type TokenScope } from './token-payload.js';
import type { TokenService, ValidatedToken } from './token-service.js';

export interface AuthDeps {
  readonly db: Kysely<IdentityDb>;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly tokenLifetimeMs: number;
  readonly compliance: SecurityComplianceConfig;
}

type Json = Record<string, unknown>;

interface Identified {
  readonly user: UserRow;
  readonly expiresAt?: number;
  readonly auditChain?: string;
  readonly appCred?: AppCredRow;
  readonly fromToken?: ValidatedToken;
}

const failed = (): ApiError => unauthorized('The request you have made requires authentication.');

function obj(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`Invalid input for field '${field}': expected an object.`);
  }
  return value as Json;
}

function optStr(o: Json, key: string, field: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 255) throw badRequest(`Invalid input for field '${field}.${key}': expected a string of at most 255 characters.`);
  return v;
}

async function findDomainId(deps: AuthDeps, ref: unknown, field: string): Promise<string | undefined> {
  const d = obj(ref, field);
  const id = optStr(d, 'id', field);
  const name = optStr(d, 'name', field);
  if (id !== undefined) return id;
  if (name === undefined) throw badRequest(`Expecting to find id or name in ${field}.`);
  const row = await deps.db.selectFrom('domain').select('id').where('name', '=', name).executeTakeFirst();
  return row?.id;
}

async function findUser(deps: AuthDeps, ref: Json, field: string): Promise<UserRow | undefined> {
  const id = optStr(ref, 'id', field);
  if (id !== undefined) return deps.db.selectFrom('identity_user').selectAll().where('id', '=', id).executeTakeFirst();
  const name = optStr(ref, 'name', field);
  if (name === undefined || ref.domain === undefined) throw badRequest(`Expecting to find id, or name and domain, in ${field}.`);
  const domainId = await findDomainId(deps, ref.domain, `${field}.domain`);
  if (domainId === undefined) return undefined;
  return deps.db.selectFrom('identity_user').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
}

async function usable(deps: AuthDeps, user: UserRow | undefined): Promise<UserRow> {
  if (!user || !user.enabled) throw failed();
  const domain = await deps.db.selectFrom('domain').select('enabled').where('id', '=', user.domain_id).executeTakeFirst();
  if (!domain?.enabled) throw failed();
  return user;
}

async function byPassword(deps: AuthDeps, body: Json): Promise<Identified> {
  const userRef = obj(obj(body.password, 'identity.password').user, 'identity.password.user');
  const password = userRef.password;
  if (typeof password !== 'string') throw badRequest(`Invalid input for field 'identity.password.user.password': expected a string.`);
  const user = await findUser(deps, userRef, 'identity.password.user');
  const ok = await deps.hasher.verify(password, user?.password_hash);
  if (user && isLockedOut(user, deps.compliance)) throw failed();
  if (!ok) {
    if (user) await recordFailedLogin(deps.db, user, deps.compliance);
    throw failed();
  }
  await clearFailedLogins(deps.db, user!);
  return { user: await usable(deps, user) };
}

async function byToken(deps: AuthDeps, body: Json): Promise<Identified> {
  const id = obj(body.token, 'identity.token').id;
  // Tokens are longer than names: the 255-character limit of other fields does not apply.
  if (typeof id !== 'string' || id.length > 8192) throw badRequest(`Invalid input for field 'identity.token.id': a token id is required.`);
  // As Keystone: an invalid token offered as a method is "not found", not an auth failure.
  const original = await deps.tokens.validateFull(id).catch(() => { throw notFound(`Could not find token: ${id.slice(0, 64)}.`); });
  // Keystone refuses to rescope application credential tokens: they must keep their limits.
  if (original.applicationCredential) throw failed();
  return { user: original.user, expiresAt: original.payload.expiresAt, auditChain: original.payload.auditIds.at(-1)!, fromToken: original };
}

async function byApplicationCredential(deps: AuthDeps, body: Json): Promise<Identified> {
  const ref = obj(body.application_credential, 'identity.application_credential');
  const secret = ref.secret;
  if (typeof secret !== 'string') throw badRequest(`Invalid input for field 'identity.application_credential.secret': expected a string.`);
  const id = optStr(ref, 'id', 'identity.application_credential');
  let cred: AppCredRow | undefined;
  if (id !== undefined) {
    cred = await deps.db.selectFrom('application_credential').selectAll().where('id', '=', id).executeTakeFirst();
  } else {
    const name = optStr(ref, 'name', 'identity.application_credential');
    if (name === undefined || ref.user === undefined) throw badRequest('Expecting to find id, or name and user, in identity.application_credential.');
    const user = await findUser(deps, obj(ref.user, 'identity.application_credential.user'), 'identity.application_credential.user');
    cred = user && await deps.db.selectFrom('application_credential').selectAll()
      .where('user_id', '=', user.id).where('name', '=', name).executeTakeFirst();
  }
  const ok = await deps.hasher.verify(secret, cred?.secret_hash);
  if (!ok || !cred) throw failed();
  if (cred.expires_at && Date.parse(cred.expires_at) <= Date.now()) throw failed();
  const user = await usable(deps, await deps.db.selectFrom('identity_user').selectAll().where('id', '=', cred.user_id).executeTakeFirst());
  return { user, appCred: cred, ...(cred.expires_at ? { expiresAt: Date.parse(cred.expires_at) } : {}) };
}

const METHODS: Record<string, (deps: AuthDeps, identity: Json) => Promise<Identified>> = {
  password: byPassword,
  token: byToken,
  application_credential: byApplicationCredential,
};

async function resolveScope(deps: AuthDeps, scope: unknown, who: Identified): Promise<TokenScope> {
  if (who.appCred) {
    const own: TokenScope = who.appCred.system ? { kind: 'system' } : { kind: 'project', id: who.appCred.project_id! };
    if (scope !== undefined && scope !== 'unscoped') {
      const asked = await resolveScope(deps, scope, { user: who.user });
      if (asked.kind !== own.kind || ('id' in asked && 'id' in own && asked.id !== own.id)) throw failed();
    }
    return own;
  }
  if (scope === 'unscoped') return { kind: 'unscoped' };
  if (scope === undefined) {
    if (who.fromToken && who.fromToken.payload.scope.kind !== 'unscoped') return who.fromToken.payload.scope;
    const defaultProject = who.user.default_project_id;
    if (defaultProject && (await effectiveRoles(deps.db, who.user.id, { kind: 'project', id: defaultProject })).length > 0) {
      return { kind: 'project', id: defaultProject };
    }
    return { kind: 'unscoped' };
  }
  const s = obj(scope, 'scope');
  const kinds = ['project', 'domain', 'system', 'OS-TRUST:trust'].filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) throw badRequest('Specify exactly one of project, domain or system in the scope.');
  if (s.system !== undefined) {
    if (obj(s.system, 'scope.system').all !== true) throw badRequest(`Invalid input for field 'scope.system': only {"all": true} is supported.`);
    return { kind: 'system' };
  }
  if (s.domain !== undefined) {
    const id = await findDomainId(deps, s.domain, 'scope.domain');
    return { kind: 'domain', id: id ?? '' };
  }
  if (s.project !== undefined) {
    const ref = obj(s.project, 'scope.project');
    const id = optStr(ref, 'id', 'scope.project');
    if (id !== undefined) return { kind: 'project', id };
    const name = optStr(ref, 'name', 'scope.project');
    if (name === undefined || ref.domain === undefined) throw badRequest('Expecting to find id, or name and domain, in scope.project.');
    const domainId = await findDomainId(deps, ref.domain, 'scope.project.domain');
    const row = domainId === undefined ? undefined
      : await deps.db.selectFrom('project').select('id').where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
    return { kind: 'project', id: row?.id ?? '' };
  }
  throw badRequest('Trust scoped tokens are not supported.');
}

/** Runs the whole authentication and returns the new token, already validated. */
export async function authenticate(deps: AuthDeps, body: unknown): Promise<ValidatedToken> {
  const auth = obj(obj(body, 'request body').auth, 'auth');
  const identity = obj(auth.identity, 'auth.identity');
  const methods = identity.methods;
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => typeof m !== 'string')) {
    throw badRequest(`Invalid input for field 'identity.methods': expected a non-empty list of method names.`);
  }
  let who: Identified | undefined;
  for (const method of new Set(methods as string[])) {
    const handler = METHODS[method];
    if (!handler) throw unauthorized(`Attempted to authenticate with an unsupported method.`);
    const found = await handler(deps, identity);
    if (who && who.user.id !== found.user.id) throw failed();
    who = { ...who, ...found };
  }
  const scope = await resolveScope(deps, auth.scope, who!);
  const now = Date.now();
  const expiresAt = Math.min(who!.expiresAt ?? Infinity, now + deps.tokenLifetimeMs);
  const auditId = newAuditId();
  const payload: TokenPayload = {
    userId: who!.user.id,
    // A rescoped token records how the user first proved who they are, as Keystone's does.
    methods: [...new Set([...(who!.fromToken?.payload.methods ?? []), ...(methods as string[])])],
    scope,
    issuedAt: now,
    expiresAt,
    auditIds: who!.auditChain ? [auditId, who!.auditChain] : [auditId],
    ...(who!.appCred ? { applicationCredentialId: who!.appCred.id } : {}),
  };
  const token = deps.tokens.issue(payload);
  try {
    return await deps.tokens.validateFull(token);
  } catch (err) {
    // A scope the user holds no roles on (or that does not exist) is an authentication failure.
    if (err instanceof ApiError && err.status === 401) {
      throw unauthorized(scope.kind === 'unscoped' ? 'The request you have made requires authentication.'
        : `User ${who!.user.id} has no access to the requested ${scope.kind} scope.`);
    }
    throw err;
  }
}
