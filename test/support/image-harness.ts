// A real image service on the identity harness's database and data directory, authenticated by
// real identity tokens (the identity service's own TokenValidator), driven through inject().
// Two extra projects each get a member user, for ownership and sharing tests.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { createLogger } from '../../src/core/logger.js';
import type { ImageDb } from '../../src/image/db/schema.js';
import type { ImageDeps } from '../../src/image/api/deps.js';
import { buildImageDeps, createImageService, migrateImage, prepareImageService } from '../../src/image/service.js';
import type { ImageDataStore } from '../../src/image/store/image-data-store.js';
import { makeTenant, type Tenant } from './tenant.js';
import { startIdentity, type Harness } from './identity-harness.js';

export type { Tenant };

export interface RequestOptions {
  /** JSON body (sent as application/json unless contentType says otherwise). */
  readonly body?: unknown;
  /** Raw bytes or text, sent as is. */
  readonly payload?: Buffer | string;
  readonly contentType?: string;
  /** Defaults to the admin's token; null sends none. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export interface ImageHarness {
  readonly identity: Harness;
  readonly app: FastifyInstance;
  readonly deps: ImageDeps;
  readonly db: Kysely<ImageDb>;
  readonly adminToken: string;
  readonly adminProjectId: string;
  /** Two ordinary projects, each with a `member` user. */
  readonly alice: Tenant;
  readonly bob: Tenant;
  request(method: string, url: string, options?: RequestOptions): Promise<LightMyRequestResponse>;
  /** POST /v2/images, insisting on 201; returns the image. */
  createImage(body: Record<string, unknown>, token?: string): Promise<Record<string, any>>;
  /** PUT …/file with octet-stream bytes; returns the response. */
  upload(id: string, data: Buffer, token?: string): Promise<LightMyRequestResponse>;
  /** A fresh project with a user holding `role` there. */
  tenant(role?: string): Promise<Tenant>;
  close(): Promise<void>;
}

export async function startImage(overrides: Record<string, unknown> = {}, store?: ImageDataStore): Promise<ImageHarness> {
  const identity = await startIdentity(overrides);
  const db = identity.deps.db as unknown as Kysely<ImageDb>;
  await migrateImage(db);
  const deps = buildImageDeps(identity.config, db, undefined, store);
  await prepareImageService(deps);
  const { app } = createImageService(deps, identity.deps.tokens, createLogger('silent'));
  await app.ready();

  const tenant = (role = 'member'): Promise<Tenant> => makeTenant(identity, role);

  const request: ImageHarness['request'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers['x-auth-token'] = options.token ?? identity.adminToken;
    let payload: Buffer | string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload = JSON.stringify(options.body);
    } else if (options.payload !== undefined) {
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
      payload = options.payload;
    } else if (options.contentType !== undefined) {
      headers['content-type'] = options.contentType;
    }
    return app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
  };

  const harness: ImageHarness = {
    identity, app, deps, db,
    adminToken: identity.adminToken, adminProjectId: identity.adminProjectId,
    alice: await tenant(), bob: await tenant(),
    request,
    async createImage(body, token) {
      const res = await request('POST', '/v2/images', { body, ...(token !== undefined ? { token } : {}) });
      if (res.statusCode !== 201) throw new Error(`create image failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    upload: (id, data, token) => request('PUT', `/v2/images/${id}/file`, {
      payload: data, contentType: 'application/octet-stream', ...(token !== undefined ? { token } : {}),
    }),
    tenant,
    async close() {
      await app.close();
      await identity.close();
    },
  };
  return harness;
}
