// An image as the domain sees it: the row with typed booleans and numbers, plus its extra
// properties and tags. Loading is batched so a list page costs three queries, not 3N.
import type { Kysely } from 'kysely';
import type { ImageDb, ImageRow } from '../db/schema.js';

export interface ImageRecord {
  readonly id: string;
  readonly name: string | null;
  readonly owner: string | null;
  readonly status: string;
  readonly visibility: string;
  readonly protected: boolean;
  readonly os_hidden: boolean;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly size: number | null;
  readonly virtual_size: number | null;
  readonly checksum: string | null;
  readonly os_hash_algo: string | null;
  readonly os_hash_value: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
}

type Db = Kysely<ImageDb>;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function fromRow(row: ImageRow, properties: Record<string, string> = {}, tags: string[] = []): ImageRecord {
  return {
    id: row.id, name: row.name, owner: row.owner, status: row.status, visibility: row.visibility,
    protected: Number(row.protected) === 1, os_hidden: Number(row.os_hidden) === 1,
    disk_format: row.disk_format, container_format: row.container_format,
    min_disk: Number(row.min_disk), min_ram: Number(row.min_ram),
    size: num(row.size), virtual_size: num(row.virtual_size),
    checksum: row.checksum, os_hash_algo: row.os_hash_algo, os_hash_value: row.os_hash_value,
    created_at: row.created_at, updated_at: row.updated_at, properties, tags,
  };
}

export async function findImageRow(db: Db, id: string): Promise<ImageRow | undefined> {
  // Glance's ids are 36 characters; anything longer cannot exist (and must not reach PostgreSQL).
  if (id.length > 36) return undefined;
  return db.selectFrom('image').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Attaches properties and tags to rows, preserving their order. */
export async function withDetails(db: Db, rows: readonly ImageRow[]): Promise<ImageRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [props, tags] = await Promise.all([
    db.selectFrom('image_property').selectAll().where('image_id', 'in', ids).orderBy('name').execute(),
    db.selectFrom('image_tag').selectAll().where('image_id', 'in', ids).orderBy('value').execute(),
  ]);
  const propsOf = new Map<string, Record<string, string>>();
  for (const p of props) {
    const bag = propsOf.get(p.image_id) ?? {};
    bag[p.name] = p.value;
    propsOf.set(p.image_id, bag);
  }
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) tagsOf.set(t.image_id, [...(tagsOf.get(t.image_id) ?? []), t.value]);
  return rows.map((r) => fromRow(r, propsOf.get(r.id) ?? {}, tagsOf.get(r.id) ?? []));
}

export async function findImage(db: Db, id: string): Promise<ImageRecord | undefined> {
  const row = await findImageRow(db, id);
  return row === undefined ? undefined : (await withDetails(db, [row]))[0];
}
