// Simple tenant usage (nova/api/openstack/compute/simple_tenant_usage.py): for a period, every
// server that ran in it (launched before its end, not terminated before its start), deleted ones
// included, with the hours it ran inside the period and its flavor's size; per project the sums
// of hours, vCPU-hours, MB-hours and GB-hours. Times are Nova's: naive UTC, microseconds.
import type { Kysely } from 'kysely';
import { badRequest } from '../../core/errors.js';
import type { ComputeDb, InstanceRow } from '../db/schema.js';
import type { FlavorSnapshot } from '../rpc/compute-protocol.js';
import { isoSeconds } from '../db/transaction.js';

export interface Period { readonly start: Date; readonly stop: Date }

const FORMATS = [/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/, /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{1,6})$/, /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,6})$/];

/** timeutils.parse_strtime with Nova's three formats; anything else is a 400. */
export function parseUsageTime(text: string): Date {
  for (const format of FORMATS) {
    const m = format.exec(text);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(micros / 1000)));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return date;
  }
  throw badRequest('Invalid input received: Datetime is in invalid format');
}

/** The period asked for: start and end default to now; start after end is a 400. */
export function usagePeriod(start: string | undefined, end: string | undefined, now = new Date()): Period {
  const period = { start: start === undefined ? now : parseUsageTime(start), stop: end === undefined ? now : parseUsageTime(end) };
  if (period.start > period.stop) throw badRequest('Invalid start time. The start time cannot occur after the end time.');
  return period;
}

/** Nova's strtime: 2026-11-23T10:00:00.000000. */
export function usageTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}.${String(date.getUTCMilliseconds() * 1000).padStart(6, '0')}`;
}

export interface ServerUsage {
  readonly instance_id: string;
  readonly name: string;
  readonly tenant_id: string;
  readonly flavor: string;
  readonly hours: number;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly vcpus: number;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly state: string;
  readonly uptime: number;
}

export interface TenantUsage {
  readonly start: string;
  readonly stop: string;
  readonly tenant_id: string;
  readonly total_hours: number;
  readonly total_local_gb_usage: number;
  readonly total_memory_mb_usage: number;
  readonly total_vcpus_usage: number;
  readonly server_usages: ServerUsage[];
}

function ended(row: InstanceRow): Date | undefined {
  const at = row.terminated_at ?? (row.deleted ? row.deleted_at : null);
  return at === null ? undefined : new Date(at);
}

/** _hours_for: the hours the server ran inside the period. */
function hoursIn(row: InstanceRow, period: Period): number {
  if (row.launched_at === null) return 0;
  const launched = new Date(row.launched_at);
  const terminated = ended(row);
  if (terminated !== undefined && terminated < period.start) return 0;
  if (launched > period.stop) return 0;
  const from = launched > period.start ? launched : period.start;
  const to = terminated !== undefined && terminated < period.stop ? terminated : period.stop;
  return Math.max(0, to.getTime() - from.getTime()) / 3_600_000;
}

/** Servers that ran in the period (oldest first), optionally of one project, after `afterId`, at most `limit`. */
export async function serversInPeriod(
  db: Kysely<ComputeDb>, period: Period, options: { projectId?: string; afterId?: number; limit?: number } = {},
): Promise<InstanceRow[]> {
  let q = db.selectFrom('nova_instance').selectAll()
    .where('launched_at', 'is not', null).where('launched_at', '<', isoSeconds(period.stop))
    .where((eb) => eb.or([
      eb.and([eb('terminated_at', 'is', null), eb.or([eb('deleted', '=', 0), eb('deleted_at', '>', isoSeconds(period.start))])]),
      eb('terminated_at', '>', isoSeconds(period.start)),
    ]))
    .orderBy('id');
  if (options.projectId !== undefined) q = q.where('project_id', '=', options.projectId);
  if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
  if (options.limit !== undefined) q = q.limit(options.limit);
  return q.execute();
}

/** Usage per project of the given servers, in the order projects first appear. */
export function tenantUsages(rows: readonly InstanceRow[], period: Period, now = new Date()): TenantUsage[] {
  const byProject = new Map<string, { usage: TenantUsage; servers: ServerUsage[] }>();
  const totals = new Map<string, { hours: number; gb: number; mb: number; vcpus: number }>();
  for (const row of rows) {
    const flavor = JSON.parse(row.flavor) as Partial<FlavorSnapshot>;
    const hours = hoursIn(row, period);
    const terminated = ended(row);
    const state = row.deleted ? 'terminated' : row.vm_state;
    const started = row.launched_at === null ? null : new Date(row.launched_at);
    const server: ServerUsage = {
      instance_id: row.uuid, name: row.display_name, tenant_id: row.project_id, flavor: flavor.name ?? '',
      hours, memory_mb: row.memory_mb, local_gb: row.root_gb + row.ephemeral_gb, vcpus: row.vcpus,
      started_at: started === null ? null : usageTime(started),
      ended_at: state === 'terminated' && terminated !== undefined ? usageTime(terminated) : null,
      state,
      uptime: started === null ? 0 : Math.floor(((state === 'terminated' && terminated !== undefined ? terminated : now).getTime() - started.getTime()) / 1000),
    };
    let entry = byProject.get(row.project_id);
    if (entry === undefined) {
      entry = { servers: [], usage: undefined as unknown as TenantUsage };
      byProject.set(row.project_id, entry);
      totals.set(row.project_id, { hours: 0, gb: 0, mb: 0, vcpus: 0 });
    }
    entry.servers.push(server);
    const t = totals.get(row.project_id)!;
    t.hours += hours;
    t.gb += server.local_gb * hours;
    t.mb += server.memory_mb * hours;
    t.vcpus += server.vcpus * hours;
  }
  return [...byProject].map(([projectId, entry]) => {
    const t = totals.get(projectId)!;
    return {
      start: usageTime(period.start), stop: usageTime(period.stop), tenant_id: projectId,
      total_hours: t.hours, total_local_gb_usage: t.gb, total_memory_mb_usage: t.mb, total_vcpus_usage: t.vcpus,
      server_usages: entry.servers,
    };
  });
}
