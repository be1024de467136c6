// The two Keystone v3 requests the identity benchmark times, over Node's fetch (undici, keep-alive).
export interface IdentityHttp {
  /** POST /v3/auth/tokens, password method, scoped to the project; returns the new token. */
  issueToken(): Promise<string>;
  /** POST /v3/auth/tokens, token method (no password hash), scoped to the same project. */
  issueTokenFromToken(token: string): Promise<string>;
  /** GET /v3/auth/tokens: `authToken` asks about `subjectToken`; throws unless 200. */
  validateToken(authToken: string, subjectToken: string): Promise<void>;
}

export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
  readonly project: string;
  readonly domain: string;
}

const TIMEOUT_MS = 30_000;

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  // Reading the body to the end returns the connection to the pool for the next request.
  const body = await response.text();
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status} ${body.slice(0, 200)}`);
}

export function identityHttp(identityUrl: string, credentials: PasswordCredentials): IdentityHttp {
  const tokensUrl = `${identityUrl}/auth/tokens`;
  const domain = { name: credentials.domain };
  const scope = { project: { name: credentials.project, domain } };
  const passwordBody = JSON.stringify({
    auth: { identity: { methods: ['password'], password: { user: { name: credentials.username, password: credentials.password, domain } } }, scope },
  });
  const issue = async (body: string): Promise<string> => {
    const response = await fetch(tokensUrl, {
      method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await expectStatus(response, 201, 'token issue');
    const token = response.headers.get('x-subject-token');
    if (!token) throw new Error('token issue: no X-Subject-Token header');
    return token;
  };
  return {
    issueToken: () => issue(passwordBody),
    issueTokenFromToken: (token) => issue(JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: token } }, scope } })),
    async validateToken(authToken, subjectToken) {
      const response = await fetch(tokensUrl, {
        headers: { 'x-auth-token': authToken, 'x-subject-token': subjectToken }, signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await expectStatus(response, 200, 'token validate');
    },
  };
}
