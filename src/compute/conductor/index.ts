export { conductorHandlers, serveConductor, type ConductorDeps } from './conductor.js';
export * from './protocol.js';
