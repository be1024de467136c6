// os-instance_usage_audit_log (nova/api/openstack/compute/instance_usage_audit_log.py), admin:
//   GET /os-instance_usage_audit_log                      the last completed month
//   GET /os-instance_usage_audit_log/{before_timestamp}   the last month completed before it
// The report sums the hosts' instance_usage_audit task logs over every compute service. Nimbus'
// agents run no usage audit (Nova's [DEFAULT] instance_usage_audit, off by default), so no host
// has a log: every compute host is reported as not run, which is what Nova answers then too.
import { badRequest } from '../../core/errors.js';
import { enforce } from '../domain/policy.js';
import type { ComputeRouter, Ctx } from './router.js';

/** strptime's "%Y-%m-%d %H:%M:%S" and "%Y-%m-%d %H:%M:%S.%f" (the latter when the id holds a dot). */
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$/;

export function parseAuditTimestamp(id: string): Date | undefined {
  const m = TIMESTAMP.exec(id);
  if (!m || (id.includes('.') && m[7] === undefined)) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000)));
  // Date.UTC rolls over (Feb 30 → Mar 2); strptime refuses such dates.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 61) return undefined;
  return date;
}

/** nova.utils.last_completed_audit_period(unit='month'): the month that ended before `now`. */
export function lastCompletedMonth(now: Date): { begin: Date; end: Date } {
  const firstOfMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  // The period ending at this month's first day is complete only once that instant has passed.
  const end = firstOfMonth < now.getTime() ? new Date(firstOfMonth) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { begin: new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1)), end };
}

/** Python's str(datetime) of a whole second: "2024-01-01 00:00:00". */
const pyDatetime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

async function auditReport(ctx: Ctx, before: Date): Promise<Record<string, unknown>> {
  const { begin, end } = lastCompletedMonth(before);
  // Disabled compute services count too: they may still hold servers (Nova's note).
  const hosts = [...new Set((await ctx.deps.db.selectFrom('nova_service').select('host').where('topic', '=', 'compute').orderBy('id').execute()).map((s) => s.host))];
  return {
    period_beginning: pyDatetime(begin), period_ending: pyDatetime(end),
    num_hosts: hosts.length, num_hosts_done: 0, num_hosts_running: 0, num_hosts_not_run: hosts.length, hosts_not_run: hosts,
    total_instances: 0, total_errors: 0,
    overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${hosts.length}`} hosts done. 0 errors.`,
    log: {},
  };
}

export function registerInstanceUsageAuditLogRoutes(router: ComputeRouter): void {
  router.route('GET', '/os-instance_usage_audit_log', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-instance-usage-audit-log:list', {});
      return { instance_usage_audit_logs: await auditReport(ctx, new Date()) };
    },
  });
  router.route('GET', '/os-instance_usage_audit_log/:before', {
    handler: async (ctx) => {
      enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-instance-usage-audit-log:show', {});
      const id = ctx.params.before!;
      const before = parseAuditTimestamp(id);
      if (before === undefined) throw badRequest(`Invalid timestamp for date ${id.slice(0, 255)}`);
      return { instance_usage_audit_log: await auditReport(ctx, before) };
    },
  });
}
