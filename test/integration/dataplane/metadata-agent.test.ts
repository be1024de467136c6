// The metadata path against the real kernel (root only): an instance namespace sends
// `wget http://169.254.169.254/...` over a veth to a proxy namespace where haproxy (from
// metadataProxyDaemon) listens on 169.254.169.254:80 and forwards to the MetadataAgent's unix
// socket; the agent looks the port up with a stub client and forwards to a test upstream (the
// compute metadata API stand-in) on 127.0.0.1, which records what it was sent.
// Namespaces are named nimbus-t<pid>-… and removed in after().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, run } from '../../../src/hostnet/index.js';
import { INTERNAL_ERROR_MESSAGE, MetadataAgent } from '../../../src/network/agents/metadata/metadata-agent.js';
import { metadataProxyDaemon } from '../../../src/network/agents/metadata/proxy.js';
import type { MetadataLookup } from '../../../src/network/agents/common/state.js';

const isRoot = process.getuid?.() === 0;
const PROXY_NS = `nimbus-t${process.pid}-mdp`;
const CLIENT_NS = `nimbus-t${process.pid}-mdc`;
const NET = '3c9a0b1e-7d2f-4e11-9a00-00000000beef';
const INSTANCE = 'c0ffee00-1111-4222-8333-444455556666';
const SECRET = 'metadata-secret';
const PROXY_ID = 'haproxy-mdtest';

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

describe('metadata agent behind a metadata proxy', { skip: isRoot ? false : 'needs root' }, () => {
  let stateDir = '';
  let upstream: http.Server;
  let upstreamPort = 0;
  const seen: Seen[] = [];
  const lookups: Array<{ ip_address: string; router_id?: string; network_id?: string }> = [];
  let answer: MetadataLookup | null = { instance_id: INSTANCE, project_id: 'proj-1', port_id: 'port-1' };
  let daemons: Daemons;
  let agent: MetadataAgent;

  async function wget(path: string, extra: string[] = []): Promise<string> {
    // (busybox 1.35 wget segfaults with -T: the run() timeout bounds it instead.)
    const { stdout } = await run('busybox', ['wget', '-q', '-O', '-', ...extra, `http://169.254.169.254${path}`],
      { netns: CLIENT_NS, timeoutMs: 15_000 });
    return stdout;
  }

  /** A request straight to the agent's socket, as haproxy would send it. */
  function viaSocket(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: agent.socketPath, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-metadata-'));
    upstream = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/boom') { res.writeHead(500); res.end('trace'); return; }
        if (req.url === '/missing') { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('no such thing'); return; }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(req.url === '/latest/meta-data/instance-id' ? String(req.headers['x-instance-id']) : `got ${req.method} ${body}`);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as AddressInfo).port;

    const client = {
      async metadataPort(args: { ip_address: string; router_id?: string; network_id?: string }): Promise<MetadataLookup | null> {
        lookups.push(args);
        return args.ip_address === '10.88.0.5' && args.network_id === NET ? answer : null;
      },
    };
    agent = new MetadataAgent({ host: 'h1', namespacePrefix: '', stateDir }, client,
      { socketPath: join(stateDir, 'metadata_proxy'), novaMetadataUrl: `http://127.0.0.1:${upstreamPort}`, sharedSecret: SECRET });
    await agent.reconcile();

    await ensureNetns(PROXY_NS);
    await ensureNetns(CLIENT_NS);
    const proxyHost = new NetnsHost(PROXY_NS);
    const clientHost = new NetnsHost(CLIENT_NS);
    await proxyHost.addVeth('p0', 'c0', { peerNetns: CLIENT_NS });
    await proxyHost.setLink('p0', { up: true });
    await clientHost.setLink('c0', { up: true });
    await proxyHost.addAddress('p0', '10.88.0.2/24');
    await proxyHost.addAddress('p0', '169.254.169.254/32');
    await clientHost.addAddress('c0', '10.88.0.5/24');
    await clientHost.replaceRoute({ dst: '169.254.169.254/32', via: '10.88.0.2' });

    daemons = new Daemons(stateDir);
    await daemons.ensure(metadataProxyDaemon({
      id: PROXY_ID, netns: PROXY_NS, bindAddress: '169.254.169.254', port: 80, networkId: NET,
      socketPath: agent.socketPath, stateDir: join(stateDir, 'proxy'),
    }));
  });

  after(async () => {
    await daemons?.stop(PROXY_ID, 1000).catch(() => undefined);
    await agent?.close().catch(() => undefined);
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    await deleteNetns(CLIENT_NS).catch(() => undefined);
    await deleteNetns(PROXY_NS).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('an instance gets its metadata; the upstream sees signed instance headers', async () => {
    const body = await wget('/latest/meta-data/instance-id');
    assert.equal(body, INSTANCE);
    const last = seen.at(-1)!;
    assert.equal(last.method, 'GET');
    assert.equal(last.url, '/latest/meta-data/instance-id');
    assert.equal(last.headers['x-forwarded-for'], '10.88.0.5');
    assert.equal(last.headers['x-instance-id'], INSTANCE);
    assert.equal(last.headers['x-tenant-id'], 'proj-1');
    assert.equal(last.headers['x-instance-id-signature'], createHmac('sha256', SECRET).update(INSTANCE).digest('hex'));
    assert.deepEqual(lookups.at(-1), { ip_address: '10.88.0.5', network_id: NET });
    assert.deepEqual(agent.configurations(), {
      metadata_proxy_socket: agent.socketPath, nova_metadata_host: '127.0.0.1', nova_metadata_port: upstreamPort, log_agent_heartbeats: false,
    });
  });

  it('an instance cannot claim another address, network or router', async () => {
    await wget('/latest/meta-data/instance-id', [
      '--header', 'X-Forwarded-For: 10.99.99.99',
      '--header', 'X-Neutron-Network-ID: 00000000-0000-4000-8000-000000000000',
      '--header', 'X-Neutron-Router-ID: 00000000-0000-4000-8000-000000000001',
    ]);
    assert.deepEqual(lookups.at(-1), { ip_address: '10.88.0.5', network_id: NET });
    assert.equal(seen.at(-1)!.headers['x-forwarded-for'], '10.88.0.5');
  });

  it('POST bodies are forwarded; upstream statuses come back', async () => {
    const posted = await wget('/openstack/2013-04-04/password', ['--post-data', 'secret-password']);
    assert.equal(posted, 'got POST secret-password');
    const headers = { 'X-Forwarded-For': '10.88.0.5', 'X-Neutron-Network-ID': NET };
    const missing = await viaSocket('GET', '/missing', headers);
    assert.deepEqual(missing, { status: 404, body: 'no such thing' });
    const boom = await viaSocket('GET', '/boom', headers);
    assert.equal(boom.status, 500);
    assert.match(boom.body, new RegExp(INTERNAL_ERROR_MESSAGE.replace(/\./g, '\\.')));
  });

  it('an unknown instance gets 404; an unreachable upstream gives 500', async () => {
    answer = null;
    try {
      await assert.rejects(wget('/latest/meta-data/instance-id'), /404/);
    } finally {
      answer = { instance_id: INSTANCE, project_id: 'proj-1', port_id: 'port-1' };
    }
    const headers = { 'X-Forwarded-For': '10.88.0.5', 'X-Neutron-Network-ID': NET };
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    const down = await viaSocket('GET', '/latest/meta-data/', headers);
    assert.equal(down.status, 500);
    assert.match(down.body, /Remote metadata server experienced an internal server error\./);
  });

  it('close() stops listening and removes the socket; reconcile() listens again', async () => {
    await agent.close();
    assert.equal(existsSync(agent.socketPath), false);
    await agent.reconcile();
    assert.equal(existsSync(agent.socketPath), true);
    await agent.reconcile(); // idempotent
  });
});
