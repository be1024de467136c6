// The compute metadata API (Nova's nova-api-metadata, port 8775) behind the network metadata
// proxy: every request but `/` must carry X-Instance-ID, X-Tenant-ID and X-Instance-ID-Signature
// (hex HMAC-SHA256 of the instance id under the shared secret), as
// nova.api.metadata.handler.MetadataRequestHandler._handle_instance_id_request checks them:
// missing or repeated headers 400, a bad signature 403, an unknown or deleted instance or a
// tenant that is not the instance's project 404. No tokens: the signature is the authentication.
// Errors are webob's plain-text bodies; nothing a client sends yields a 5xx.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../core/logger.js';
import { newRequestId } from '../../core/ids.js';
import type { ComputeDeps } from '../api/deps.js';
import type { InstanceRow } from '../db/schema.js';
import { nowIso } from '../db/transaction.js';
import { EC2_VERSIONS, InstanceMetadata, MIME_TEXT, normalisePath, type InstanceKey, type MetadataNetworkInfo } from './content.js';
import { extractPassword, parseSystemMetadata, passwordEntries, PASSWORD_MAX_SIZE } from './password.js';

export type MetadataDeps = Pick<ComputeDeps, 'db' | 'compute'>;

export interface MetadataServiceOptions {
  /** Neutron's metadata_proxy_shared_secret (network/agents/dataplane.ts metadataSecret()). */
  readonly sharedSecret: string;
  /** The instance's ports for network_data.json and EC2 addresses (default: none). */
  readonly networkInfo?: (instance: InstanceRow) => MetadataNetworkInfo | Promise<MetadataNetworkInfo>;
  /** CONF.api.dhcp_domain (default 'novalocal', Nova's default; '' for bare hostnames). */
  readonly dhcpDomain?: string;
  /** vendor_data.json and vendor_data2.json (default {}). */
  readonly vendorData?: Record<string, unknown>;
  readonly vendorData2?: Record<string, unknown>;
}

/** X-Instance-ID-Signature as the proxy computes it. */
export function instanceSignature(sharedSecret: string, instanceId: string): string {
  return createHmac('sha256', sharedSecret).update(instanceId).digest('hex');
}

/** Constant-time comparison of the presented signature with the expected one. */
export function signatureMatches(sharedSecret: string, instanceId: string, signature: string): boolean {
  const expected = Buffer.from(instanceSignature(sharedSecret, instanceId));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
const DEFAULT_EXPLANATIONS: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
};

class MetadataError extends Error {
  constructor(readonly status: number, readonly explanation?: string) { super(explanation ?? REASONS[status] ?? 'Error'); }
}

/** webob.exc's plain-text error page. */
function sendError(reply: FastifyReply, status: number, explanation?: string): void {
  const reason = REASONS[status] ?? 'Error';
  const body = `${status} ${reason}\n\n${explanation ?? DEFAULT_EXPLANATIONS[status] ?? reason}\n\n   `;
  reply.code(status).type('text/plain; charset=UTF-8').send(body);
}

/** Every value a header was sent with (Node joins repeats of unknown headers with ', '). */
function headerValues(request: FastifyRequest, name: string): string[] {
  const raw = request.raw.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!);
  return values;
}

/** The request's path as webob's path_info: query dropped, percent-decoding applied. */
function pathInfo(url: string): string | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

const UNKNOWN_ERROR = 'An unknown error has occurred. Please try your request again.';

export function createMetadataService(deps: MetadataDeps, options: MetadataServiceOptions, logger: Logger): { app: FastifyInstance } {
  const app = Fastify({
    loggerInstance: logger.child({ service: 'compute-metadata' }) as unknown as FastifyBaseLogger,
    genReqId: () => newRequestId(),
    bodyLimit: 64 * 1024,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192 },
  });
  // Bodies matter only to the password POST, which takes them as they come (any media type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body); });

  const dhcpDomain = options.dhcpDomain ?? 'novalocal';

  /** _handle_instance_id_request: the headers, the signature, the instance, the tenant. */
  async function authenticate(request: FastifyRequest): Promise<InstanceMetadata> {
    const instanceIds = headerValues(request, 'x-instance-id');
    const tenantIds = headerValues(request, 'x-tenant-id');
    const signatures = headerValues(request, 'x-instance-id-signature');
    if (instanceIds.length === 0) throw new MetadataError(400, 'X-Instance-ID header is missing from request.');
    if (signatures.length === 0) throw new MetadataError(400, 'X-Instance-ID-Signature header is missing from request.');
    if (tenantIds.length === 0) throw new MetadataError(400, 'X-Tenant-ID header is missing from request.');
    if (instanceIds.length > 1) throw new MetadataError(400, 'Multiple X-Instance-ID headers found within request.');
    if (tenantIds.length > 1) throw new MetadataError(400, 'Multiple X-Tenant-ID headers found within request.');
    const instanceId = instanceIds[0]!;
    const tenantId = tenantIds[0]!;
    if (signatures.length > 1 || !signatureMatches(options.sharedSecret, instanceId, signatures[0]!)) {
      request.log.warn({ instanceId }, 'X-Instance-ID-Signature does not match the expected value');
      throw new MetadataError(403, 'Invalid proxy request signature.');
    }
    const forwarded = request.headers['x-forwarded-for'];
    const address = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
    const found = await load(instanceId, address);
    if (found === undefined) {
      request.log.error({ instanceId }, 'Failed to get metadata for instance id');
      throw new MetadataError(404);
    }
    if (found.source.instance.project_id !== tenantId) {
      request.log.warn({ instanceId, tenantId }, 'Tenant_id does not match tenant_id of instance');
      throw new MetadataError(404);
    }
    return found;
  }

  async function load(instanceId: string, address: string | undefined): Promise<InstanceMetadata | undefined> {
    if (instanceId.length > 36 || instanceId.includes('\u0000')) return undefined;
    const instance = await deps.db.selectFrom('nova_instance').selectAll().where('uuid', '=', instanceId).where('deleted', '=', 0).executeTakeFirst();
    if (instance === undefined) return undefined;
    const metaRows = await deps.db.selectFrom('nova_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', instance.uuid).execute();
    const meta: Record<string, string> = {};
    for (const row of metaRows) meta[row.key] = row.value;
    let key: InstanceKey | undefined;
    if (instance.key_name !== null) {
      const pair = await deps.db.selectFrom('nova_key_pair').select(['name', 'type', 'public_key'])
        .where('user_id', '=', instance.user_id).where('name', '=', instance.key_name).executeTakeFirst();
      // The key data snapshotted at boot wins (Nova's instance.keypairs); the key pair row gives its type.
      const data = instance.key_data ?? pair?.public_key;
      if (data !== undefined) key = { name: instance.key_name, type: pair?.type ?? 'ssh', data };
    }
    const network = options.networkInfo ? await options.networkInfo(instance) : {};
    // az.get_instance_availability_zone: the instance's zone, or the default zone of its host.
    const availabilityZone = instance.availability_zone ?? (instance.host !== null ? deps.compute.defaultAvailabilityZone : null);
    return new InstanceMetadata({
      instance, meta, key, network, availabilityZone, dhcpDomain, address,
      vendorData: options.vendorData ?? {}, vendorData2: options.vendorData2 ?? {},
    });
  }

  /** password.handle_password. */
  async function handlePassword(request: FastifyRequest, reply: FastifyReply, md: InstanceMetadata): Promise<void> {
    const current = extractPassword(parseSystemMetadata(md.source.instance.system_metadata));
    if (request.method === 'GET' || request.method === 'HEAD') {
      reply.code(200).type(MIME_TEXT).send(current);
      return;
    }
    if (request.method !== 'POST') throw new MetadataError(400);
    if (current !== '') throw new MetadataError(409);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > PASSWORD_MAX_SIZE || body.length > PASSWORD_MAX_SIZE) throw new MetadataError(400, 'Request is too large.');
    const uuid = md.source.instance.uuid;
    // Compare-and-set on the whole system metadata text: of two racing POSTs (on any database)
    // exactly one changes the row; the other re-reads, sees a password and answers 409.
    for (let attempt = 0; ; attempt++) {
      const row = await deps.db.selectFrom('nova_instance').select(['system_metadata']).where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
      if (row === undefined) throw new MetadataError(400, `Instance ${uuid} could not be found.`);
      const sys = parseSystemMetadata(row.system_metadata);
      if (extractPassword(sys) !== '') throw new MetadataError(409);
      Object.assign(sys, passwordEntries(body.toString('utf8')));
      const result = await deps.db.updateTable('nova_instance').set({ system_metadata: JSON.stringify(sys), updated_at: nowIso() })
        .where('uuid', '=', uuid).where('deleted', '=', 0).where('system_metadata', '=', row.system_metadata).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) break;
      if (attempt >= 5) throw new MetadataError(409);
    }
    reply.code(200).type(MIME_TEXT).send('');
  }

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const path = pathInfo(request.url);
    if (path === undefined) throw new MetadataError(404);
    if (path.includes('\u0000')) throw new MetadataError(404);
    // The EC2 version list needs no instance.
    if (normalisePath(path) === '/') {
      reply.code(200).type(MIME_TEXT).send([...EC2_VERSIONS, 'latest'].join('\n'));
      return;
    }
    const md = await authenticate(request);
    const found = md.lookup(path);
    if (found.kind === 'missing') throw new MetadataError(404);
    if (found.kind === 'password') {
      await handlePassword(request, reply, md);
      return;
    }
    reply.code(200).type(found.contentType).send(found.body);
  }

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/', handler: handle });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/*', handler: handle });
  app.addHook('onSend', async (request, reply) => { reply.header('x-openstack-request-id', request.id); });
  app.setNotFoundHandler((_request, reply) => { sendError(reply, 404); });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof MetadataError) {
      sendError(reply, error.status, error.explanation);
      return;
    }
    const e = error as { statusCode?: number; code?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      sendError(reply, 400, 'Request is too large.');
      return;
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      sendError(reply, e.statusCode);
      return;
    }
    // The database or the network callback failed: Nova's HTTPInternalServerError, the guest retries.
    request.log.error({ err: error }, 'Failed to get metadata');
    sendError(reply, 500, UNKNOWN_ERROR);
  });
  return { app };
}
