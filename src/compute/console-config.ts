// The console settings (`compute.console`; nova.conf's [vnc], [serial_console], [consoleauth] and
// [console] options): where the console proxy listens, the URL bases handed out in console URLs
// (Nova's novncproxy_base_url and serial_console base_url; unset, they are built from the
// public host and the ports), the tokens' lifetime and the extra origins a browser may come from.
import { ConfigError, type NimbusConfig } from '../core/config.js';

/** Nova's [consoleauth] token_ttl default. */
export const DEFAULT_TOKEN_TTL_SECONDS = 600;

export interface ConsoleConfig {
  /** nova-novncproxy's port: noVNC's page and its websocket. */
  readonly novncPort: number;
  /** nova-serialproxy's port: the serial console's websocket. */
  readonly serialPort: number;
  /** [vnc] novncproxy_base_url (default http://<publicHost>:<novncPort>/vnc_lite.html). */
  readonly novncBaseUrl: string | undefined;
  /** [serial_console] base_url (default ws://<publicHost>:<serialPort>/). */
  readonly serialBaseUrl: string | undefined;
  /** [consoleauth] token_ttl. */
  readonly tokenTtlSeconds: number;
  /** [console] allowed_origins: host names accepted in Origin besides the request's own Host. */
  readonly allowedOrigins: readonly string[];
}

type Raw = Record<string, unknown>;

function port(raw: Raw, key: string, fallback: number): number {
  const value = raw[key] ?? fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`compute.console.${key}`, 'must be an integer from 0 to 65535');
  return n;
}

function baseUrl(raw: Raw, key: string, schemes: readonly string[]): string | undefined {
  const value = raw[key];
  if (value === undefined || value === '') return undefined;
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !schemes.includes(url.protocol)) throw new ConfigError(`compute.console.${key}`, `must be a ${schemes.join(' or ')} URL`);
  return value as string;
}

export function parseConsoleConfig(raw: Raw): ConsoleConfig {
  const ttl = raw.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86400) throw new ConfigError('compute.console.tokenTtlSeconds', 'must be an integer from 1 to 86400');
  const origins = raw.allowedOrigins ?? [];
  if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string' && o !== '')) {
    throw new ConfigError('compute.console.allowedOrigins', 'must be a list of host names');
  }
  return Object.freeze({
    novncPort: port(raw, 'novncPort', 6080),
    serialPort: port(raw, 'serialPort', 6083),
    novncBaseUrl: baseUrl(raw, 'novncBaseUrl', ['http:', 'https:']),
    serialBaseUrl: baseUrl(raw, 'serialBaseUrl', ['ws:', 'wss:']),
    tokenTtlSeconds: ttl,
    allowedOrigins: Object.freeze(origins.map((o: string) => o.toLowerCase())),
  });
}

/** The URL bases handed out, configured or built from the public host and the ports. */
export function consoleBaseUrls(config: NimbusConfig, console: ConsoleConfig): { readonly novnc: string; readonly serial: string } {
  const host = config.publicHost.includes(':') ? `[${config.publicHost}]` : config.publicHost;
  return {
    novnc: console.novncBaseUrl ?? `http://${host}:${console.novncPort}/vnc_lite.html`,
    serial: console.serialBaseUrl ?? `ws://${host}:${console.serialPort}/`,
  };
}
