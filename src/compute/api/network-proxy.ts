// What the compute API's proxies to the network service share (os-security-groups,
// os-security-group-rules, os-floating-ips, os-floating-ip-pools and the server actions that touch
// ports): the network client with the caller's own token, the microversion the proxies end at,
// Neutron's fault type, the 503 for a network service that failed, and Nova's refresh_cache.
import { ApiError } from '../../core/errors.js';
import { isServiceApiError, type NetworkClient } from '../../core/clients/index.js';
import { refreshInfoCache } from '../domain/servers/vif-info.js';
import type { Ctx } from './router.js';

/** MAX_PROXY_API_SUPPORT_VERSION: the network proxies answer 404 after it. */
export const PROXY_MAX = '2.35';

/** The server actions of floating_ips.py and multinic.py end one microversion before 2.44. */
export const NETWORK_ACTION_MAX = '2.43';

export function network(ctx: Ctx): NetworkClient {
  return ctx.deps.clients.networkAs(ctx.caller.auth.token, ctx.caller.requestId);
}

/** Neutron's exception name ({"NeutronError": {"type": ...}}) of a refusal, if it gave one. */
export function neutronErrorType(err: unknown): string | undefined {
  if (!isServiceApiError(err)) return undefined;
  const type = (err.body as { NeutronError?: { type?: unknown } } | null | undefined)?.NeutronError?.type;
  return typeof type === 'string' ? type : undefined;
}

/** An ApiError passes; anything else is the network service failing. */
export function networkUnavailable(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(503, `The network service is unavailable: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Nova's @refresh_cache after a port or floating IP change: the server's info cache rebuilt from
 * its ports, so its addresses show the change. The change itself is done by then, so a failed
 * refresh is only logged (the next network-changed event repairs the cache).
 */
export async function refreshServerNetworkCache(ctx: Ctx, instanceUuid: string): Promise<void> {
  try {
    await refreshInfoCache(ctx.deps.db, ctx.deps.clients.network, instanceUuid);
  } catch (err) {
    ctx.request.log.warn({ err, instance: instanceUuid }, 'info cache refresh after a network change failed');
  }
}
