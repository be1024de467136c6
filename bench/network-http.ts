// A small JSON client for the network benchmark: node:http with one keep-alive agent, so the
// figures are the server's and the loopback's, not a heavyweight client's.
import { Agent, request } from 'node:http';

export interface JsonHttp {
  /** One request; rejects unless the status is one of `expect`. Returns the parsed body (or undefined). */
  call(method: string, path: string, expect: readonly number[], body?: unknown): Promise<any>;
  close(): void;
}

export function jsonHttp(baseUrl: string, token: string): JsonHttp {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return {
    call(method, path, expect, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(`${baseUrl}${path}`, {
          method, agent, timeout: 120_000,
          headers: { 'x-auth-token': token, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => { text += d; });
          res.on('end', () => {
            if (!expect.includes(res.statusCode ?? 0)) reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
            else resolve(text === '' ? undefined : JSON.parse(text));
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
