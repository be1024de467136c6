// Availability zones (nova/availability_zones.py): a compute service's zone is the
// availability_zone metadata of the aggregates holding its host (joined with ',' when several),
// else the default zone; every other service lives in the internal zone. A zone is available
// when an enabled service is in it, and listed as not available when only disabled ones are.
import type { Kysely } from 'kysely';
import type { ComputeConfig } from '../config.js';
import type { ComputeDb, ServiceRow } from '../db/schema.js';

export interface ZonedService extends ServiceRow {
  readonly availability_zone: string;
}

export const API_SERVICE_BINARIES: readonly string[] = ['nova-osapi_compute', 'nova-metadata'];

export function isComputeService(service: Pick<ServiceRow, 'binary' | 'topic'>): boolean {
  return service.topic === 'compute' || service.binary === 'nova-compute';
}

/** servicegroup's is_up(): a heartbeat within service_down_time and not forced down. */
export function serviceIsUp(service: Pick<ServiceRow, 'forced_down' | 'last_seen_up' | 'updated_at' | 'created_at'>, compute: ComputeConfig, now = Date.now()): boolean {
  if (service.forced_down) return false;
  const seen = service.last_seen_up ?? service.updated_at ?? service.created_at;
  const at = Date.parse(seen);
  return !Number.isNaN(at) && Math.abs(now - at) <= compute.serviceDownTimeSeconds * 1000;
}

/** host → the zones of its aggregates (set_availability_zones' metadata lookup). */
export async function hostZones(db: Kysely<ComputeDb>): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('nova_aggregate_host')
    .innerJoin('nova_aggregate_metadata', 'nova_aggregate_metadata.aggregate_id', 'nova_aggregate_host.aggregate_id')
    .select(['nova_aggregate_host.host', 'nova_aggregate_metadata.value'])
    .where('nova_aggregate_metadata.key', '=', 'availability_zone')
    .orderBy('nova_aggregate_host.aggregate_id')
    .execute();
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const zones = out.get(row.host) ?? [];
    if (!zones.includes(row.value)) zones.push(row.value);
    out.set(row.host, zones);
  }
  return out;
}

/** Every service with its zone, in id order. */
export async function zonedServices(db: Kysely<ComputeDb>, compute: ComputeConfig): Promise<ZonedService[]> {
  const services = await db.selectFrom('nova_service').selectAll().orderBy('id').execute();
  const zones = await hostZones(db);
  return services.map((s) => ({
    ...s,
    availability_zone: isComputeService(s)
      ? (zones.get(s.host)?.join(',') ?? compute.defaultAvailabilityZone)
      : compute.internalAvailabilityZone,
  }));
}

/** get_availability_zones(): zones with an enabled service, and zones with only disabled ones. */
export function splitZones(services: readonly ZonedService[]): { available: string[]; notAvailable: string[] } {
  const available: string[] = [];
  for (const s of services) if (!s.disabled && !available.includes(s.availability_zone)) available.push(s.availability_zone);
  const notAvailable: string[] = [];
  for (const s of services) {
    if (s.disabled && !available.includes(s.availability_zone) && !notAvailable.includes(s.availability_zone)) notAvailable.push(s.availability_zone);
  }
  return { available, notAvailable };
}
