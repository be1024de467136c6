// The token document of POST/GET /v3/auth/tokens.
import type { CatalogEntry } from './catalog.js';
import { keystoneTime } from './time.js';
import type { ValidatedToken } from './token-service.js';

export function renderToken(v: ValidatedToken, catalog: CatalogEntry[] | undefined): { token: Record<string, unknown> } {
  const token: Record<string, unknown> = {
    methods: v.payload.methods,
    user: {
      id: v.user.id,
      name: v.user.name,
      domain: { id: v.userDomain.id, name: v.userDomain.name },
      password_expires_at: v.user.password_expires_at ? keystoneTime(Date.parse(v.user.password_expires_at)) : null,
    },
    audit_ids: v.payload.auditIds,
    expires_at: keystoneTime(v.payload.expiresAt),
    issued_at: keystoneTime(v.payload.issuedAt),
  };
  if (v.project && v.projectDomain) {
    token.project = { id: v.project.id, name: v.project.name, domain: { id: v.projectDomain.id, name: v.projectDomain.name } };
    token.is_domain = false;
  }
  if (v.domain) token.domain = { id: v.domain.id, name: v.domain.name };
  if (v.payload.scope.kind === 'system') token.system = { all: true };
  if (v.payload.scope.kind !== 'unscoped') token.roles = v.roles.map((r) => ({ id: r.id, name: r.name }));
  if (v.applicationCredential) {
    token.application_credential = {
      id: v.applicationCredential.id, name: v.applicationCredential.name, restricted: !v.applicationCredential.unrestricted,
    };
  }
  if (catalog && v.payload.scope.kind !== 'unscoped') token.catalog = catalog;
  return { token };
}
