// The image API (Glance v2) as Nova uses it: image records and their properties, image data
// streamed to a file and checked against the image's multihash (os_hash_algo/os_hash_value) and
// md5 checksum, and snapshots' create + upload.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ServiceUnavailableError } from './errors.js';
import { HttpClient, seg, type AuthProvider, type HttpClientOptions, type Query } from './http-client.js';

export interface Image {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly visibility: string;
  readonly protected: boolean;
  readonly os_hidden?: boolean;
  readonly owner: string | null;
  readonly size: number | null;
  readonly virtual_size: number | null;
  readonly checksum: string | null;
  readonly os_hash_algo: string | null;
  readonly os_hash_value: string | null;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly tags: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
  readonly file?: string;
  readonly self?: string;
  readonly schema?: string;
  /** Additional properties (hw_disk_bus, os_type, image_type, instance_uuid, …): strings. */
  readonly [property: string]: unknown;
}

export interface ImageCreate {
  readonly name?: string;
  readonly id?: string;
  readonly disk_format?: string;
  readonly container_format?: string;
  readonly visibility?: 'public' | 'private' | 'shared' | 'community';
  readonly min_disk?: number;
  readonly min_ram?: number;
  readonly protected?: boolean;
  readonly tags?: readonly string[];
  /** Additional properties are sent as top-level string fields, as Glance wants them. */
  readonly [property: string]: unknown;
}

/** A JSON-patch operation on an image (application/openstack-images-v2.1-json-patch). */
export type ImagePatchOp =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** The fields of Glance's image schema; everything else on an image is an additional property. */
export const CORE_IMAGE_FIELDS: ReadonlySet<string> = new Set([
  'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'size', 'virtual_size', 'checksum',
  'os_hash_algo', 'os_hash_value', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'tags',
  'created_at', 'updated_at', 'file', 'self', 'schema', 'locations', 'direct_url', 'stores',
]);

/** An image's additional properties (hw_*, os_*, img_*, instance_uuid, …). */
export function imageProperties(image: Image): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [key, value] of Object.entries(image)) {
    if (!CORE_IMAGE_FIELDS.has(key) && typeof value === 'string') props[key] = value;
  }
  return props;
}

/** The downloaded or uploaded bytes do not match what the image service says they should be. */
export class ImageVerificationError extends Error {
  constructor(readonly imageId: string, readonly what: string, readonly expected: string, readonly actual: string) {
    super(`image ${imageId}: ${what} mismatch (expected ${expected}, got ${actual})`);
    this.name = 'ImageVerificationError';
  }
}

/** The image has no data to download (not active, or the store lost it: Glance's 204). */
export class ImageDataUnavailableError extends Error {
  constructor(readonly imageId: string, readonly status: string) {
    super(`image ${imageId} has no data to download (status ${status})`);
    this.name = 'ImageDataUnavailableError';
  }
}

export interface TransferResult {
  readonly size: number;
  /** md5, hex. */
  readonly checksum: string;
  readonly hashAlgo: string;
  readonly hashValue: string;
}

export interface DownloadOptions {
  /** Check size, os_hash_value and checksum against the image record; default true. */
  readonly verify?: boolean;
  /** Give up when no byte arrives for this long; default 60 s. */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Counts and hashes the bytes that pass through it. */
class Hasher extends Transform {
  size = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly multi: Hash;

  constructor(readonly algo: string, private readonly onChunk?: () => void) {
    super();
    this.multi = createHash(algo);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    this.multi.update(chunk);
    this.onChunk?.();
    done(null, chunk);
  }

  result(): TransferResult {
    return { size: this.size, checksum: this.md5.digest('hex'), hashAlgo: this.algo, hashValue: this.multi.digest('hex') };
  }
}

function hashAlgorithm(image: Image): string {
  return image.os_hash_algo && image.os_hash_algo !== '' ? image.os_hash_algo : 'sha512';
}

function verify(image: Image, got: TransferResult, contentMd5?: string | null): void {
  if (image.size !== null && image.size !== got.size) throw new ImageVerificationError(image.id, 'size', String(image.size), String(got.size));
  if (image.os_hash_value && image.os_hash_value !== got.hashValue) {
    throw new ImageVerificationError(image.id, image.os_hash_algo ?? 'os_hash_value', image.os_hash_value, got.hashValue);
  }
  if (image.checksum && image.checksum !== got.checksum) throw new ImageVerificationError(image.id, 'checksum (md5)', image.checksum, got.checksum);
  if (contentMd5 && /^[0-9a-f]{32}$/i.test(contentMd5) && contentMd5.toLowerCase() !== got.checksum) {
    throw new ImageVerificationError(image.id, 'Content-MD5', contentMd5, got.checksum);
  }
}

export class ImageClient {
  constructor(readonly http: HttpClient) {}

  static create(auth: AuthProvider, options: Partial<HttpClientOptions> = {}): ImageClient {
    return new ImageClient(new HttpClient({ service: 'image', versionPrefix: '/v2', auth, ...options }));
  }

  withRequestId(requestId: string | undefined): ImageClient {
    return new ImageClient(this.http.with({ requestId }));
  }

  async getImage(id: string): Promise<Image> {
    return (await this.http.get<Image>(`/images/${seg(id)}`)).body;
  }

  /** The image, or undefined when it does not exist or is not visible (404). */
  async findImage(id: string): Promise<Image | undefined> {
    const res = await this.http.get<Image>(`/images/${seg(id)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.body;
  }

  /** Every image matching the filters, following Glance's `next` links. */
  async listImages(filters: Query = {}): Promise<Image[]> {
    const images: Image[] = [];
    let query: Query | undefined = filters;
    for (let pages = 0; query !== undefined && pages < 10_000; pages += 1) {
      const body: { images: Image[]; next?: string } = (await this.http.get<{ images: Image[]; next?: string }>('/images', { query })).body;
      images.push(...body.images);
      query = undefined;
      // A caller's limit asks for one page, not for the pages to be walked in steps of it.
      if (body.next && body.images.length > 0 && filters.limit === undefined) {
        const params = new URL(body.next, 'http://next.invalid').searchParams;
        const next: Record<string, string[]> = {};
        for (const [k, v] of params) (next[k] ??= []).push(v);
        query = next;
      }
    }
    return images;
  }

  async createImage(image: ImageCreate): Promise<Image> {
    return (await this.http.post<Image>('/images', image)).body;
  }

  async updateImage(id: string, ops: readonly ImagePatchOp[]): Promise<Image> {
    return (await this.http.request<Image>('PATCH', `/images/${seg(id)}`, {
      body: ops, contentType: 'application/openstack-images-v2.1-json-patch',
    })).body;
  }

  /** Sets (adds or replaces) additional properties; null removes one. */
  setProperties(id: string, properties: Readonly<Record<string, string | null>>): Promise<Image> {
    const ops: ImagePatchOp[] = Object.entries(properties).map(([key, value]) => {
      const path = `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return value === null ? { op: 'remove', path } : { op: 'add', path, value };
    });
    return this.updateImage(id, ops);
  }

  /** Deletes the image; false when it was already gone. */
  async deleteImage(id: string): Promise<boolean> {
    const res = await this.http.delete(`/images/${seg(id)}`, { accept: [404] });
    return res.status !== 404;
  }

  /**
   * Streams the image's data to `destPath` (through a temporary file beside it, renamed at the
   * end), checking size, multihash and md5 against the image record. Nothing is left at
   * `destPath` unless every check passed.
   */
  async downloadImage(id: string, destPath: string, options: DownloadOptions = {}): Promise<TransferResult & { image: Image }> {
    const image = await this.getImage(id);
    const idleMs = options.idleTimeoutMs ?? 60_000;
    const controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    let idleExpired = false;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => { idleExpired = true; controller.abort(); }, idleMs);
    };
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    const res = await this.http.stream('GET', `/images/${seg(id)}/file`, { signal });
    if (res.status === 204 || res.body === null) {
      await res.body?.cancel().catch(() => undefined);
      throw new ImageDataUnavailableError(id, image.status);
    }
    const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
    const hasher = new Hasher(hashAlgorithm(image), arm);
    arm();
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), hasher, createWriteStream(tmp, { mode: 0o600 }));
      const got = hasher.result();
      if (options.verify !== false) verify(image, got, res.headers.get('content-md5'));
      await rename(tmp, destPath);
      return { ...got, image };
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (idleExpired) throw new ServiceUnavailableError('image', 'GET', `/images/${id}/file`, 'timeout', { cause: err });
      throw err;
    } finally {
      clearTimeout(idle);
    }
  }

  /**
   * Sends a file (or a stream factory) as the image's data. Never retried: a second PUT to an
   * image that has data is a 409. Returns the size and hashes of what was sent.
   */
  async uploadImageData(id: string, source: string | (() => Readable), options: { timeoutMs?: number } = {}): Promise<TransferResult> {
    let hasher: Hasher | undefined;
    const open = () => {
      // A fresh hash per attempt: a 401 re-authentication resends the whole body.
      hasher = new Hasher('sha512');
      const input = typeof source === 'string' ? createReadStream(source) : source();
      // pipeline, not pipe: a read error fails the upload instead of leaving it waiting.
      pipeline(input, hasher).catch(() => undefined);
      return hasher;
    };
    if (typeof source === 'string') await stat(source);
    await this.http.request('PUT', `/images/${seg(id)}/file`, {
      data: { open, contentType: 'application/octet-stream' }, retry: false,
      timeoutMs: options.timeoutMs ?? 3_600_000,
    });
    return hasher!.result();
  }

  /**
   * A snapshot's image: create the record, upload the data, check the service's hashes against
   * what was sent; the record is deleted again when the upload fails (unless keepOnFailure).
   */
  async uploadImage(image: ImageCreate, source: string | (() => Readable), options: { keepOnFailure?: boolean; timeoutMs?: number } = {}): Promise<Image> {
    const created = await this.createImage(image);
    try {
      const sent = await this.uploadImageData(created.id, source, options);
      const stored = await this.getImage(created.id);
      verify({ ...stored, os_hash_value: stored.os_hash_algo === 'sha512' ? stored.os_hash_value : null }, sent);
      return stored;
    } catch (err) {
      if (!options.keepOnFailure) await this.deleteImage(created.id).catch(() => undefined);
      throw err;
    }
  }
}
