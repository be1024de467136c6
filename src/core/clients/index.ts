// Typed clients for Nimbus services talking to each other over their public HTTP APIs.
export * from './errors.js';
export * from './http-client.js';
export * from './service-auth.js';
export * from './network-client.js';
export * from './image-client.js';
export * from './placement-client.js';
