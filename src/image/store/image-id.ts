// Image ids become file names: only a canonical UUID may, so no id can name another path.
import { ImageStoreError } from './store-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isImageId(value: string): boolean {
  return UUID.test(value);
}

export function checkImageId(value: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new ImageStoreError('invalid-id', `Invalid image id: ${JSON.stringify(String(value).slice(0, 64))}`);
  }
  return value;
}
