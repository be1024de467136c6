// A throw-away HTTP server on 127.0.0.1:0 for client tests: every request is recorded, and a
// handler decides the answer. fakeKeystone() adds a password-auth endpoint with a catalog.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: any;
}

export interface Answer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  readonly body?: unknown;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export type Handler = (req: Recorded) => Answer | Promise<Answer>;

export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Recorded[];
  handler: Handler;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler = () => ({ status: 404 }), port = 0): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const fake: { handler: Handler } = { handler };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://fake');
        let json: unknown;
        try { json = body === '' ? undefined : JSON.parse(body); } catch { json = undefined; }
        const recorded: Recorded = { method: req.method ?? 'GET', url: req.url ?? '/', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
        requests.push(recorded);
        let answer: Answer;
        try {
          answer = await fake.handler(recorded);
        } catch (err) {
          answer = { status: 500, body: { message: String(err) } };
        }
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        const headers: Record<string, string> = { ...answer.headers };
        let payload: string | Buffer | undefined;
        if (Buffer.isBuffer(answer.body) || typeof answer.body === 'string') payload = answer.body;
        else if (answer.body !== undefined) {
          payload = JSON.stringify(answer.body);
          headers['content-type'] ??= 'application/json';
        }
        if (!res.destroyed) {
          res.writeHead(answer.status ?? 200, headers);
          res.end(payload);
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    get handler() { return fake.handler; },
    set handler(h: Handler) { fake.handler = h; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface FakeKeystone extends FakeServer {
  /** Tokens issued so far (tok-1, tok-2, …). */
  issued: string[];
  /** Tokens the fake's other routes should answer 401 to. */
  revoked: Set<string>;
  /** Lifetime of the next tokens; default one hour. */
  lifetimeMs: number;
  /** The clock expires_at is computed from. */
  now: () => number;
  catalog: unknown[];
  /** Extra routes (anything but POST /v3/auth/tokens). */
  routes: Handler;
}

/** Password auth at /v3/auth/tokens (password 'secret'), answering with the configured catalog. */
export async function startFakeKeystone(catalog: unknown[] = []): Promise<FakeKeystone> {
  const server = await startFakeServer();
  const k = server as FakeKeystone;
  k.issued = [];
  k.revoked = new Set();
  k.lifetimeMs = 3_600_000;
  k.now = Date.now;
  k.catalog = catalog;
  k.routes = () => ({ status: 404, body: { error: { code: 404, message: 'not found' } } });
  server.handler = (req) => {
    if (req.method === 'POST' && req.path === '/v3/auth/tokens') {
      const password = req.json?.auth?.identity?.password?.user?.password;
      if (password !== 'secret') return { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } } };
      const id = `tok-${k.issued.length + 1}`;
      k.issued.push(id);
      const now = k.now();
      return {
        status: 201, headers: { 'x-subject-token': id },
        body: { token: {
          issued_at: new Date(now).toISOString(), expires_at: new Date(now + k.lifetimeMs).toISOString(),
          user: { id: 'svc-user', name: 'nova', domain: { id: 'default', name: 'Default' } },
          project: { id: 'svc-project', name: 'service', domain: { id: 'default', name: 'Default' } },
          roles: [{ id: 'r1', name: 'admin' }], methods: ['password'],
          ...(req.query.has('nocatalog') ? {} : { catalog: k.catalog }),
        } },
      };
    }
    return k.routes(req);
  };
  return k;
}

/** A catalog entry as Keystone renders one. */
export function catalogEntry(type: string, endpoints: { interface: string; region: string; url: string }[]): unknown {
  return {
    type, id: `${type}-id`, name: type,
    endpoints: endpoints.map((e, i) => ({ id: `${type}-ep-${i}`, interface: e.interface, region_id: e.region, region: e.region, url: e.url })),
  };
}
