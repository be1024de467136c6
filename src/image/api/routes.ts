// Every image route module, registered in one place.
import type { FastifyInstance } from 'fastify';
import type { ImageDeps } from './deps.js';

export function registerImageRoutes(_app: FastifyInstance, _deps: ImageDeps): void {
  // Routes are added here as they are written.
}
