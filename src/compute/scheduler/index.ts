export * from './request-spec.js';
export * from './host-state.js';
export * from './scheduler.js';
export { DEFAULT_FILTERS, type FilterContext, type HostFilter } from './filters/index.js';
export { DEFAULT_WEIGHERS, normalize, weighHosts, type HostWeigher, type WeighedHost } from './weighers/index.js';
