// The service catalog as tokens and /v3/auth/catalog carry it, rebuilt only after identity writes.
import type { Kysely } from 'kysely';
import type { IdentityDb } from '../db/schema.js';
import type { ChangeCounter } from './change-counter.js';

export interface CatalogEndpoint { id: string; interface: string; region_id: string | null; region: string | null; url: string }
export interface CatalogEntry { id: string; type: string; name: string; endpoints: CatalogEndpoint[] }

export class CatalogCache {
  private cached: { generation: number; entries: CatalogEntry[] } | undefined;

  constructor(private readonly db: Kysely<IdentityDb>, private readonly changes: ChangeCounter) {}

  async get(): Promise<CatalogEntry[]> {
    if (this.cached && this.cached.generation === this.changes.value) return this.cached.entries;
    const generation = this.changes.value;
    const services = await this.db.selectFrom('service').selectAll().where('enabled', '=', 1).orderBy('type').execute();
    const endpoints = await this.db.selectFrom('endpoint').selectAll().where('enabled', '=', 1).orderBy('interface').execute();
    const entries = services.map((s) => ({
      id: s.id,
      type: s.type,
      name: s.name,
      endpoints: endpoints.filter((e) => e.service_id === s.id).map((e) => ({
        id: e.id, interface: e.interface, region_id: e.region_id, region: e.region_id, url: e.url,
      })),
    }));
    this.cached = { generation, entries };
    return entries;
  }
}
