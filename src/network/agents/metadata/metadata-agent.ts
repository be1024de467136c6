// Neutron's metadata agent: an HTTP server on a unix socket that every metadata proxy (haproxy in
// the qrouter-/qdhcp- namespaces of this host) forwards instance requests to. It identifies the
// instance from the source address (X-Forwarded-For, set by the proxy) and the router or network
// the request came through (X-Neutron-Router-ID / X-Neutron-Network-ID), asks the network server
// which port that is (get_metadata_port), and forwards the request to the compute metadata API
// with the headers Nova checks: X-Instance-ID, X-Tenant-ID, X-Forwarded-For and
// X-Instance-ID-Signature (HMAC-SHA256 of the instance id with the shared secret).
import { createHmac } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { canonicalIp, tryParseIp } from '../../ipam/ip-address.js';
import type { AgentSettings, ReconcilingAgent } from '../common/agent-loop.js';
import type { PluginClient } from '../common/plugin-client.js';

export interface MetadataAgentOptions {
  /** The unix socket the metadata proxies forward to. */
  readonly socketPath: string;
  /** The compute metadata API, e.g. http://127.0.0.1:8775. */
  readonly novaMetadataUrl: string;
  /** metadata_proxy_shared_secret, shared with the compute metadata API. */
  readonly sharedSecret: string;
  /** Upstream request timeout (default 30 s). */
  readonly timeoutMs?: number;
}

export type MetadataClient = Pick<PluginClient, 'metadataPort'>;

export const INTERNAL_ERROR_MESSAGE = 'Remote metadata server experienced an internal server error.';
export const UNKNOWN_ERROR_MESSAGE = 'An unknown error has occurred. Please try your request again.';

/** X-Instance-ID-Signature: hex HMAC-SHA256 of the instance id, keyed with the shared secret. */
export function instanceIdSignature(sharedSecret: string, instanceId: string): string {
  return createHmac('sha256', sharedSecret).update(instanceId).digest('hex');
}

/** The instance's address: the last X-Forwarded-For entry, the one our proxy appended. */
export function forwardedAddress(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  const last = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0).pop();
  return last && tryParseIp(last) ? canonicalIp(last) : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  const t = v?.trim();
  return t ? t : undefined;
}

export class MetadataAgent implements ReconcilingAgent {
  readonly kind = 'metadata' as const;
  /** Nothing to reconcile on API changes: each request looks its port up. */
  readonly triggers: readonly string[] = [];
  readonly #upstream: URL;
  #server: http.Server | undefined;
  #listening: Promise<void> | undefined;

  constructor(
    readonly settings: AgentSettings,
    private readonly client: MetadataClient,
    private readonly options: MetadataAgentOptions,
  ) {
    this.#upstream = new URL(options.novaMetadataUrl);
    if (this.#upstream.protocol !== 'http:' && this.#upstream.protocol !== 'https:') {
      throw new Error(`metadata agent: unsupported nova metadata URL ${options.novaMetadataUrl}`);
    }
  }

  get socketPath(): string { return this.options.socketPath; }

  /** Makes sure the socket server listens (restarts it if its socket file went away). */
  async reconcile(): Promise<void> {
    if (this.#server?.listening && socketExists(this.options.socketPath)) return;
    if (this.#listening) return this.#listening;
    this.#listening = this.#listen().finally(() => { this.#listening = undefined; });
    return this.#listening;
  }

  configurations(): Record<string, unknown> {
    const port = this.#upstream.port || (this.#upstream.protocol === 'https:' ? '443' : '80');
    return {
      metadata_proxy_socket: this.options.socketPath,
      nova_metadata_host: this.#upstream.hostname,
      nova_metadata_port: Number(port),
      log_agent_heartbeats: false,
    };
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    if (socketExists(this.options.socketPath)) rmSync(this.options.socketPath, { force: true });
  }

  async #listen(): Promise<void> {
    if (this.#server) {
      const old = this.#server;
      this.#server = undefined;
      await new Promise<void>((resolve) => { old.close(() => resolve()); old.closeAllConnections(); });
    }
    const path = this.options.socketPath;
    mkdirSync(dirname(path), { recursive: true });
    if (socketExists(path)) rmSync(path, { force: true }); // stale socket of a previous run
    const server = http.createServer((req, res) => { void this.#handle(req, res); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => { server.off('error', reject); resolve(); });
    });
    this.#server = server;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const ip = forwardedAddress(req.headers['x-forwarded-for']);
      const routerId = single(req.headers['x-neutron-router-id']);
      const networkId = single(req.headers['x-neutron-network-id']);
      if (!ip || (!routerId && !networkId)) return notFound(req, res);
      const found = await this.client.metadataPort({
        ip_address: ip,
        ...(routerId ? { router_id: routerId } : { network_id: networkId as string }),
      });
      if (!found) return notFound(req, res);
      await this.#forward(req, res, ip, found.instance_id, found.project_id);
    } catch {
      if (!res.headersSent) plain(res, 500, `500 Internal Server Error\n\n${UNKNOWN_ERROR_MESSAGE}\n`);
      else res.destroy();
    }
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse, ip: string, instanceId: string, projectId: string): Promise<void> {
    const base = this.#upstream;
    const prefix = base.pathname.replace(/\/+$/, '');
    const headers: http.OutgoingHttpHeaders = {
      'X-Forwarded-For': ip,
      'X-Instance-ID': instanceId,
      'X-Tenant-ID': projectId,
      'X-Instance-ID-Signature': instanceIdSignature(this.options.sharedSecret, instanceId),
    };
    for (const name of ['content-type', 'content-length', 'accept', 'transfer-encoding'] as const) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const transport = base.protocol === 'https:' ? https : http;
    return new Promise<void>((resolve) => {
      const upstream = transport.request({
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: base.port || undefined,
        method: req.method ?? 'GET',
        path: `${prefix}${req.url ?? '/'}`,
        headers,
        timeout: this.options.timeoutMs ?? 30_000,
      }, (answer) => {
        const status = answer.statusCode ?? 500;
        if (status >= 500) {
          answer.resume();
          plain(res, 500, `500 Internal Server Error\n\n${INTERNAL_ERROR_MESSAGE}\n`);
          resolve();
          return;
        }
        const out: http.OutgoingHttpHeaders = {};
        for (const name of ['content-type', 'content-length', 'transfer-encoding', 'location'] as const) {
          const value = answer.headers[name];
          if (value !== undefined) out[name] = value;
        }
        res.writeHead(status, out);
        answer.pipe(res);
        answer.on('end', () => resolve());
        answer.on('error', () => { res.destroy(); resolve(); });
      });
      upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
      upstream.on('error', () => {
        if (!res.headersSent) plain(res, 500, `500 Internal Server Error\n\n${INTERNAL_ERROR_MESSAGE}\n`);
        else res.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }
}

function socketExists(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

function plain(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function notFound(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  plain(res, 404, '404 Not Found\n\nThe resource could not be found.\n\n');
}
