// The service clients' transport over node:http: answers as fetch gave them (status, headers,
// text, a null body for 204), a repeat of an idempotent request whose kept-alive socket the
// server had closed, no repeat of a POST, and an abort that reaches into the body.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../../../src/core/clients/http-transport.js';

describe('http transport', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];
  // Sockets that have already answered once: the next request on them is cut off unanswered.
  const answered = new WeakSet<object>();
  let cutReused = false;

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (cutReused && answered.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      answered.add(req.socket);
      if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      } else {
        let body = '';
        req.on('data', (c) => { body += String(c); });
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-thing': 'a' }).end(JSON.stringify({ method: req.method, body })));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers with status, headers and text; a 204 has no body', async () => {
    const res = await send(`${base}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}', signal: new AbortController().signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-thing'), 'a');
    assert.deepEqual(JSON.parse(await res.text()), { method: 'POST', body: '{"a":1}' });
    const empty = await send(`${base}/empty`, { method: 'DELETE', headers: {}, signal: new AbortController().signal });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    assert.equal(await empty.text(), '');
  });

  it('sends an idempotent request again when its kept-alive socket was closed, not a POST', async () => {
    cutReused = true;
    try {
      const signal = new AbortController().signal;
      const first = await send(`${base}/one`, { method: 'GET', headers: {}, signal });
      await first.text();
      seen.length = 0;
      const again = await send(`${base}/two`, { method: 'GET', headers: {}, signal });
      assert.equal(again.status, 200);
      await again.text();
      assert.deepEqual(seen, ['GET /two', 'GET /two'], 'cut off on the reused socket, then answered on a new one');

      seen.length = 0;
      await assert.rejects(send(`${base}/three`, { method: 'POST', headers: {}, body: 'x', signal }), /socket hang up|ECONNRESET/);
      assert.deepEqual(seen, ['POST /three']);
    } finally {
      cutReused = false;
    }
  });

  it('aborts while the body is still arriving', async () => {
    const controller = new AbortController();
    const res = await send(`${base}/slow`, { method: 'GET', headers: {}, signal: controller.signal });
    assert.equal(res.status, 200);
    const text = res.text();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(text, (err: Error) => err.name === 'AbortError');
  });
});
