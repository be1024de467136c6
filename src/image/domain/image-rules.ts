// Value rules Glance's domain model enforces whatever the schema allows: non-negative 4-byte
// min_disk/min_ram, formats frozen once data exists, visibility changes gated by policy.
import { ApiError, badRequest, forbidden } from '../../core/errors.js';
import type { PolicyTarget } from '../../core/policy/index.js';
import type { Caller } from './caller.js';
import { MAX_DB_INT, MAX_PROPERTIES, MAX_TAGS } from './constants.js';
import type { ImageDomainDeps } from './deps.js';
import { enforce } from './image-access.js';

export function assertMinValue(field: 'min_disk' | 'min_ram', value: number): void {
  if (value < 0) throw badRequest(`Invalid value '${value}' for parameter '${field}': Cannot be a negative value.`);
  if (value > MAX_DB_INT) throw badRequest(`'${field}' value out of range, must not exceed ${MAX_DB_INT}.`);
}

/**
 * disk_format and container_format may change only before data is checked against them: while
 * queued, or staged and not yet importing (a saving or importing image has its formats frozen).
 */
export function assertFormatChangeable(field: 'disk_format' | 'container_format', status: string): void {
  if (status !== 'queued' && status !== 'uploading') {
    throw forbidden(`Attribute ${field} can be only replaced for a queued image.`);
  }
}

/** Making an image public needs publicize_image (admin); community needs communitize_image. */
export function enforceVisibility(deps: ImageDomainDeps, caller: Caller, visibility: string, target: PolicyTarget): void {
  if (visibility === 'public') enforce(deps, caller, 'publicize_image', target);
  if (visibility === 'community') enforce(deps, caller, 'communitize_image', target);
}

export function assertTagQuota(count: number): void {
  if (count > MAX_TAGS) throw new ApiError(413, `Maximum number of tags exceeded: attempted ${count}, maximum ${MAX_TAGS}.`);
}

export function assertPropertyQuota(count: number): void {
  if (count > MAX_PROPERTIES) {
    throw new ApiError(413, `Maximum number of image properties exceeded: attempted ${count}, maximum ${MAX_PROPERTIES}.`);
  }
}

/** Tags are a set: duplicates collapse, order of first appearance is kept. */
export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
