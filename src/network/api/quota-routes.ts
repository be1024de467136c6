// PLACEHOLDER: filled in by the work that owns this resource.
import type { FastifyInstance } from 'fastify';
import type { NetworkDeps } from './deps.js';

export function registerQuotaRoutes(app: FastifyInstance, deps: NetworkDeps): void {
  void app;
  void deps;
}
