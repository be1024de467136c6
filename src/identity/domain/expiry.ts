// expires_at of application credentials and trusts. Keystone parses with iso8601 (a timestamp
// without zone is UTC), keeps microseconds, and renders Python datetimes; JavaScript dates only
// hold milliseconds, so the stored form keeps all six digits: YYYY-MM-DDTHH:MM:SS.ffffffZ.
import { badRequest } from '../../core/errors.js';

const TAIL = 'The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';

const PATTERN = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?(Z|[+-]\d\d(?::?\d\d)?)?$/;

/** Parses a client timestamp to the stored form; undefined when it is not one. */
export function parseTimestamp(value: string): string | undefined {
  const m = PATTERN.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls 2030-02-30 over into March: a changed month or day means no such date.
  if (Number.isNaN(ms) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)
    || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  const micro = frac.padEnd(6, '0').slice(0, 6);
  return `${new Date(ms).toISOString().slice(0, 19)}.${micro}Z`;
}

/** Keystone's parse_expiration_date: a malformed or past expiry is a 400. */
export function parseExpiry(value: string, now = Date.now()): string {
  const stored = parseTimestamp(value);
  if (stored === undefined) throw badRequest(`Timestamp not in expected format. ${TAIL}`);
  if (Date.parse(stored) <= now) throw badRequest(`The 'expires_at' must not be before now. ${TAIL}`);
  return stored;
}

/** Python's naive datetime.isoformat(): microseconds only when non-zero, no zone. */
export function pythonIsoformat(stored: string): string {
  const micro = stored.slice(20, 26);
  return micro === '000000' ? stored.slice(0, 19) : stored.slice(0, 26);
}

/** keystone.common.utils.isotime(subsecond=True): always six digits and a Z. */
export function isotimeSubsecond(stored: string): string {
  return `${stored.slice(0, 26)}Z`;
}
