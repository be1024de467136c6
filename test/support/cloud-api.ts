// An authenticated JSON client of a running all-in-one, logged in with its openrc (as a user's
// shell would source it): a project-scoped token and the endpoints of its catalog. Compute
// requests name `microversion` (default 2.1) in OpenStack-API-Version.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function parseOpenrc(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export (\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  }
  return env;
}

interface TokenBody { token: { project: { id: string }; catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } }

export class CloudApi {
  private constructor(
    readonly token: string, readonly projectId: string, private readonly catalog: Readonly<Record<string, string>>,
    private readonly microversion: string,
  ) {}

  static async login(dataDir: string, microversion = '2.1'): Promise<CloudApi> {
    const rc = parseOpenrc(readFileSync(join(dataDir, 'openrc'), 'utf8'));
    const res = await fetch(`${rc.OS_AUTH_URL!.replace(/\/$/, '')}/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: rc.OS_USERNAME, domain: { name: rc.OS_USER_DOMAIN_NAME }, password: rc.OS_PASSWORD } } },
        scope: { project: { name: rc.OS_PROJECT_NAME, domain: { name: rc.OS_PROJECT_DOMAIN_NAME } } },
      } }),
    });
    if (res.status !== 201) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
    const body = await res.json() as TokenBody;
    const catalog: Record<string, string> = {};
    for (const service of body.token.catalog) {
      const url = service.endpoints.find((e) => e.interface === (rc.OS_INTERFACE ?? 'public'))?.url;
      if (url) catalog[service.type] = url.replace(/\/$/, '');
    }
    return new CloudApi(res.headers.get('x-subject-token')!, body.token.project.id, catalog, microversion);
  }

  /** `service` is a catalog type; `expect` the accepted statuses; the parsed body (undefined when empty). */
  async request(service: string, method: string, path: string, expect: readonly number[], body?: unknown): Promise<any> {
    const base = this.catalog[service];
    if (!base) throw new Error(`no ${service} endpoint in the catalog`);
    const headers: Record<string, string> = { 'x-auth-token': this.token };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (service === 'compute') headers['openstack-api-version'] = `compute ${this.microversion}`;
    if (service === 'placement') headers['openstack-api-version'] = 'placement 1.28';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${service} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  /** Whether a GET answers 200 (404: false; anything else throws). */
  async exists(service: string, path: string): Promise<boolean> {
    try {
      await this.request(service, 'GET', path, [200]);
      return true;
    } catch (err) {
      if (/HTTP 404/.test(String(err))) return false;
      throw err;
    }
  }
}
