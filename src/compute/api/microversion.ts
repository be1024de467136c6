// Nova's microversions (nova/api/openstack/api_version_request.py and wsgi.py): a request names
// its version in `OpenStack-API-Version: compute 2.61` (2.27+) or the legacy
// `X-OpenStack-Nova-API-Version: 2.61`; the new header wins when both are sent; none means 2.1;
// `latest` means the newest served. A malformed version is a 400, one outside [min, max] a 406.
// Every response of the versioned API echoes the version in both headers, plus `Vary`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';

export const API_VERSION_HEADER = 'openstack-api-version';
export const LEGACY_API_VERSION_HEADER = 'x-openstack-nova-api-version';
export const SERVICE_TYPE = 'compute';

/** One X.Y version; compares numerically (2.10 > 2.9). */
export class ApiVersion {
  private constructor(readonly major: number, readonly minor: number) {}

  static of(major: number, minor: number): ApiVersion {
    return new ApiVersion(major, minor);
  }

  /** "2.61" → 2.61; anything else (including "02.1", "2.01", "2") → undefined, as Nova's regex. */
  static parse(text: string): ApiVersion | undefined {
    const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
    if (m === null) return undefined;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return undefined;
    return new ApiVersion(major, minor);
  }

  compare(other: ApiVersion): number {
    return this.major !== other.major ? this.major - other.major : this.minor - other.minor;
  }

  lessThan(other: ApiVersion): boolean {
    return this.compare(other) < 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

const parsedCache = new Map<string, ApiVersion>();

/** A version literal from our own code ('2.55'); a typo is a bug, so it throws. */
export function v(text: string): ApiVersion {
  let parsed = parsedCache.get(text);
  if (parsed === undefined) {
    parsed = ApiVersion.parse(text);
    if (parsed === undefined) throw new Error(`bad microversion literal ${text}`);
    parsedCache.set(text, parsed);
  }
  return parsed;
}

/**
 * The version a request asked for, with the helpers handlers gate fields by:
 *   if (request.microversion.atLeast('2.55')) flavor.description = …
 */
export class Microversion {
  constructor(readonly version: ApiVersion, readonly range: VersionRange) {}

  /** Nova's api_version_request.is_supported(req, min): version ≥ min. */
  atLeast(min: string): boolean {
    return !this.version.lessThan(v(min));
  }

  /** version ≤ max. */
  atMost(max: string): boolean {
    return !v(max).lessThan(this.version);
  }

  /** min ≤ version ≤ max (max omitted: no upper bound). */
  within(min: string, max?: string): boolean {
    return this.atLeast(min) && (max === undefined || this.atMost(max));
  }

  lessThan(version: string): boolean {
    return this.version.lessThan(v(version));
  }

  toString(): string {
    return this.version.toString();
  }
}

export interface VersionRange {
  readonly min: ApiVersion;
  readonly max: ApiVersion;
}

export function versionRange(min: string, max: string): VersionRange {
  return { min: v(min), max: v(max) };
}

/**
 * microversion_parse.get_version(): the compute entry of OpenStack-API-Version (a comma-separated
 * list of "service version" pairs, possibly repeated), else the legacy header. undefined: none.
 */
export function requestedVersionText(headers: FastifyRequest['headers']): string | undefined {
  const standard = headers[API_VERSION_HEADER];
  if (standard !== undefined) {
    const values = (Array.isArray(standard) ? standard : [standard]).flatMap((h) => h.split(','));
    for (const item of values) {
      const parts = item.trim().split(/\s+/);
      if (parts.length >= 2 && parts[0]!.toLowerCase() === SERVICE_TYPE) return parts.slice(1).join(' ');
    }
  }
  const legacy = headers[LEGACY_API_VERSION_HEADER];
  if (legacy !== undefined) {
    const value = Array.isArray(legacy) ? legacy.join(',') : legacy;
    return value.trim();
  }
  return undefined;
}

const showVersion = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}...` : text);

/** Nova's set_api_version_request(): the negotiated version, or a 400/406 fault. */
export function negotiate(text: string | undefined, range: VersionRange): Microversion {
  if (text === undefined) return new Microversion(range.min, range);
  if (text.toLowerCase() === 'latest') return new Microversion(range.max, range);
  const requested = ApiVersion.parse(text);
  if (requested === undefined) {
    throw new ApiError(400, `API Version String ${showVersion(text)} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  if (requested.lessThan(range.min) || range.max.lessThan(requested)) {
    throw new ApiError(406, `Version ${requested} is not supported by the API. Minimum is ${range.min} and maximum is ${range.max}.`);
  }
  return new Microversion(requested, range);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The negotiated compute microversion (2.1 outside the versioned API). */
    microversion: Microversion;
  }
}

const outcomes = new WeakMap<FastifyRequest, ApiError | true>();

/**
 * Negotiates the version of every request whose path `versioned()` accepts and echoes it on the
 * response (faults included). Other paths (the root version list) get the minimum, unechoed.
 * A bad version is reported by assertNegotiated(), which routes call after authentication:
 * keystonemiddleware answers an unauthenticated request before Nova looks at its version.
 */
export function registerMicroversions(app: FastifyInstance, range: VersionRange, versioned: (path: string) => boolean): void {
  const minimum = new Microversion(range.min, range);
  app.decorateRequest('microversion', null as unknown as Microversion);
  app.addHook('onRequest', async (request) => {
    request.microversion = minimum;
    const path = request.url.split('?', 1)[0] ?? '/';
    if (!versioned(path)) return;
    try {
      request.microversion = negotiate(requestedVersionText(request.headers), range);
      outcomes.set(request, true);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      outcomes.set(request, err);
    }
  });
  app.addHook('onSend', async (request, reply) => {
    if (outcomes.get(request) !== true) return;
    const version = request.microversion.toString();
    reply.header('OpenStack-API-Version', `${SERVICE_TYPE} ${version}`);
    reply.header('X-OpenStack-Nova-API-Version', version);
    reply.header('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
  });
}

/** Throws the 400/406 of a request whose version header could not be honoured. */
export function assertNegotiated(request: FastifyRequest): void {
  const outcome = outcomes.get(request);
  if (outcome instanceof ApiError) throw outcome;
}
