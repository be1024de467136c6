import type { Migration } from 'kysely';
import { images } from './0001-images.js';
import { metadefs } from './0002-metadefs.js';

/** Applied in key order; the image service keeps its own migration table. */
export const imageMigrations: Record<string, Migration> = {
  '0001-images': images,
  '0002-metadefs': metadefs,
};
