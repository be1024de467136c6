// What nova/console/websocketproxy.py reads from a websocket upgrade before it connects anything,
// as pure functions: the token (query `token`, else the `token` cookie noVNC's older pages set)
// and the Origin check (a browser's Origin host must be the Host it asked, or one of
// [console] allowed_origins; its scheme must fit the URL the token was handed out for — http for
// noVNC's page, ws or http for the serial websocket; X-Forwarded-Proto wins behind a TLS proxy).
// A request without Origin is not from a browser and passes, as in Nova.
import type { IncomingHttpHeaders } from 'node:http';

/** The token of an upgrade request, or undefined. */
export function tokenOf(url: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  const query = new URL(url ?? '/', 'http://proxy').searchParams.get('token');
  if (query) return query;
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'token') return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
  }
  return undefined;
}

/** The host name of a Host header (no port, no IPv6 brackets), lower-cased. */
export function hostNameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : undefined).toLowerCase();
  return host.split(':')[0]!.toLowerCase();
}

/** Why a browser's Origin is refused before the token is looked at, or undefined. */
export function originHostRefusal(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): string | undefined {
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const url = URL.canParse(origin) ? new URL(origin) : undefined;
  if (!url || url.hostname === '') return 'Origin header not valid.';
  const expected = [...allowedOrigins, hostNameOf(headers.host ?? '')];
  if (!expected.includes(hostNameOf(url.host))) return 'Origin header does not match this host.';
  return undefined;
}

/** verify_origin_proto: the Origin's scheme against the scheme of the URL handed out. */
export function originSchemeRefusal(headers: IncomingHttpHeaders, accessUrlBase: string): string | undefined {
  const origin = headers.origin;
  if (origin === undefined || !URL.canParse(origin)) return undefined;
  const forwarded = headers['x-forwarded-proto'];
  const scheme = (typeof forwarded === 'string' && forwarded !== '' ? forwarded : new URL(origin).protocol.replace(/:$/, '')).toLowerCase();
  const base = new URL(accessUrlBase).protocol.replace(/:$/, '');
  const expected = [base, ...(base === 'ws' ? ['http'] : base === 'wss' ? ['https'] : [])];
  return expected.includes(scheme) ? undefined : 'Origin header protocol does not match this host.';
}
