// The image API of the real all-in-one over HTTP (node:http, one keep-alive agent): create an
// image, PUT its data from a stream, GET it back into a discarding sink, delete it. Bodies are
// streamed both ways, never held in memory.
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ImageHttp {
  /** POST /v2/images (raw/bare); returns the new image's id. */
  create(name: string): Promise<string>;
  /** PUT /v2/images/{id}/file with Content-Length; resolves on 204. */
  upload(id: string, body: Readable, length: number): Promise<void>;
  /** GET /v2/images/{id}: the image's status. */
  status(id: string): Promise<string>;
  /** GET /v2/images/{id}/file into a sink that drops the bytes; returns how many arrived. */
  download(id: string): Promise<number>;
  /** DELETE /v2/images/{id}. */
  remove(id: string): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 120_000;

function text(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (d: string) => { body += d; });
    response.on('end', () => resolve(body));
    response.on('error', reject);
  });
}

export function imageHttp(imageUrl: string, token: string): ImageHttp {
  const agent = new Agent({ keepAlive: true });
  const images = `${imageUrl}/v2/images`;

  /** One request; `send` writes the body (or ends it); the response is handed to `onResponse`. */
  const exchange = <T>(method: string, url: string, headers: Record<string, string>, send: (req: ReturnType<typeof request>) => Promise<void>,
    onResponse: (res: IncomingMessage) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const req = request(url, { method, agent, headers: { 'x-auth-token': token, ...headers }, timeout: TIMEOUT_MS });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
      req.on('error', reject);
      req.on('response', (res) => { onResponse(res).then(resolve, reject); });
      send(req).catch((err: unknown) => { req.destroy(); reject(err as Error); });
    });

  const expect = (what: string, status: number) => async (res: IncomingMessage): Promise<string> => {
    const body = await text(res);
    if (res.statusCode !== status) throw new Error(`${what}: HTTP ${res.statusCode} ${body.slice(0, 200)}`);
    return body;
  };
  const endWith = (body?: string) => async (req: ReturnType<typeof request>): Promise<void> => { req.end(body); };

  return {
    async create(name) {
      const body = JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' });
      const answer = await exchange('POST', images, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        endWith(body), expect('image create', 201));
      return (JSON.parse(answer) as { id: string }).id;
    },
    async upload(id, body, length) {
      await exchange('PUT', `${images}/${id}/file`, { 'content-type': 'application/octet-stream', 'content-length': String(length) },
        (req) => pipeline(body, req), expect('image upload', 204));
    },
    async status(id) {
      const answer = await exchange('GET', `${images}/${id}`, {}, endWith(), expect('image show', 200));
      return (JSON.parse(answer) as { status: string }).status;
    },
    download(id) {
      return exchange('GET', `${images}/${id}/file`, {}, endWith(), async (res) => {
        if (res.statusCode !== 200) throw new Error(`image download: HTTP ${res.statusCode} ${(await text(res)).slice(0, 200)}`);
        let bytes = 0;
        await pipeline(res, new Writable({ highWaterMark: 1024 * 1024, write: (chunk: Buffer, _enc, done) => { bytes += chunk.length; done(); } }));
        return bytes;
      });
    },
    async remove(id) {
      await exchange('DELETE', `${images}/${id}`, {}, endWith(), expect('image delete', 204));
    },
    close: () => agent.destroy(),
  };
}
