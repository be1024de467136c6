export { conductorHandlers, serveConductor, type ConductorDeps } from './conductor.js';
export * from './protocol.js';
export * from './instance-protocol.js';
export { NO_VALID_HOST, SCHEDULE_EVENT, scheduleAndBuildInstances } from './build.js';
export { retriesExhausted } from './instance-handlers.js';
export type { ConductorSource } from './conductor.js';
