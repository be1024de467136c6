// Placement's microversions: `OpenStack-API-Version: placement 1.x` (or `latest`), the 1.0 default
// when the header is absent, a 400 for a malformed version and a 406 for one outside 1.0–1.39.
// A Version is compared as (major, minor); gates name the microversion that introduced a feature.
import { ApiError } from '../../core/errors.js';

export interface Version { readonly major: number; readonly minor: number }

export const MIN_VERSION: Version = { major: 1, minor: 0 };
export const MAX_VERSION: Version = { major: 1, minor: 39 };
export const SERVICE_TYPE = 'placement';

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor;
}

/** `v` is at least `min` (a "major.minor" string such as '1.14'). */
export function atLeast(v: Version, min: string): boolean {
  let parsed = gates.get(min);
  if (parsed === undefined) gates.set(min, (parsed = parseVersionString(min)));
  return compareVersions(v, parsed) >= 0;
}

/** Gates are a few dozen literals, asked about per rendered item: parse each once. */
const gates = new Map<string, Version>();

/** microversion_parse.parse_version_string: "1.2" → {1, 2}; anything else throws TypeError. */
export function parseVersionString(text: string): Version {
  const m = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
  if (m === null) throw new TypeError(`invalid version string: ${text}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) throw new TypeError(`invalid version string: ${text}`);
  return { major, minor };
}

/**
 * The placement entry of OpenStack-API-Version headers (one or several, comma-separated
 * `service version` pairs, service matched case-insensitively), or undefined when absent.
 */
export function placementHeaderValue(headers: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const header of headers) {
    for (const part of header.split(',')) {
      const trimmed = part.trim();
      const space = trimmed.search(/\s/);
      const service = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
      if (service !== SERVICE_TYPE) continue;
      found = space < 0 ? '' : trimmed.slice(space).trim();
    }
  }
  return found;
}

export interface VersionError { readonly status: 400 | 406; readonly message: string }

/**
 * The version a request asks for, or the error placement answers: 400 "invalid version string"
 * for a malformed one, 406 "Unacceptable version header" for one outside the supported range.
 */
export function negotiateVersion(headerValue: string | undefined): Version | VersionError {
  if (headerValue === undefined) return MIN_VERSION;
  if (headerValue.toLowerCase() === 'latest') return MAX_VERSION;
  let v: Version;
  try {
    v = parseVersionString(headerValue);
  } catch {
    return { status: 400, message: `invalid version string: ${headerValue}` };
  }
  if (compareVersions(v, MIN_VERSION) < 0 || compareVersions(v, MAX_VERSION) > 0) {
    return { status: 406, message: `Unacceptable version header: ${formatVersion(v)}` };
  }
  return v;
}

export function isVersionError(x: Version | VersionError): x is VersionError {
  return 'status' in x;
}

/** The 404 (or 405) placement answers when a handler does not exist at the requested version. */
export function requireVersion(v: Version, min: string, status: 404 | 405 = 404, max?: string): void {
  if (!atLeast(v, min) || (max !== undefined && compareVersions(v, parseVersionString(max)) > 0)) {
    throw status === 404
      ? new ApiError(404, 'The resource could not be found.')
      : new ApiError(405, 'The method specified is not allowed for this resource.');
  }
}
