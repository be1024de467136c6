// How the compute service reaches the other services, as Nova does: image and network lookups a
// user makes (server create) go with the user's own token, so they see exactly what the user may
// see; the service's own work (Placement claims, port binding, info cache refreshes) goes with
// the service's credentials.
import type { NimbusConfig } from '../core/config.js';
import { serviceAuth, serviceUrls } from '../core/admin-credentials.js';
import { ImageClient, NetworkClient, PlacementClient, type AuthProvider } from '../core/clients/index.js';

export interface ComputeClients {
  /** The image service as the user with `token` sees it. */
  imageAs(token: string, requestId?: string): ImageClient;
  /** The network service as the user with `token` sees it. */
  networkAs(token: string, requestId?: string): NetworkClient;
  /** As the compute service itself. */
  readonly placement: PlacementClient;
  readonly network: NetworkClient;
  readonly image: ImageClient;
}

/** A fixed token (the caller's) with the configured endpoints: nothing to renew, nothing cached. */
export function userTokenAuth(token: string, endpoints: Readonly<Record<string, string>>): AuthProvider {
  return {
    token: async () => token,
    invalidate: () => undefined,
    endpoint: async (serviceType) => {
      const url = endpoints[serviceType];
      if (url === undefined) throw new Error(`no endpoint for ${serviceType}`);
      return url;
    },
  };
}

export function computeClients(config: NimbusConfig, service: AuthProvider = serviceAuth(config)): ComputeClients {
  const urls: Record<string, string> = { ...serviceUrls(config) };
  return {
    imageAs: (token, requestId) => ImageClient.create(userTokenAuth(token, urls)).withRequestId(requestId),
    networkAs: (token, requestId) => NetworkClient.create(userTokenAuth(token, urls)).withRequestId(requestId),
    placement: PlacementClient.create(service),
    network: NetworkClient.create(service),
    image: ImageClient.create(service),
  };
}
