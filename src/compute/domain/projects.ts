// Nova's identity.verify_project_id(): before storing quotas or flavor access for a project, ask
// Keystone (with the caller's own token) whether the project exists. Only a definite 404 refuses
// the request; when Keystone cannot be asked or will not say, Nova lets it through, and so do we.
import type { Caller } from './caller.js';
import { invalidProject } from './errors.js';

export interface ProjectVerifier {
  /** true: exists, false: Keystone says 404, undefined: could not tell. */
  exists(projectId: string, token: string): Promise<boolean | undefined>;
}

/** Over the identity API: GET {identityUrl}/projects/{id}. */
export function httpProjectVerifier(identityUrl: string, timeoutMs = 5000): ProjectVerifier {
  const base = identityUrl.replace(/\/+$/, '');
  return {
    async exists(projectId, token) {
      try {
        const res = await fetch(`${base}/projects/${encodeURIComponent(projectId)}`, {
          headers: { 'x-auth-token': token, accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        return res.status === 404 ? false : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export async function verifyProjectId(projects: ProjectVerifier, caller: Caller, projectId: string): Promise<void> {
  if ((await projects.exists(projectId, caller.auth.token)) === false) throw invalidProject(projectId);
}
