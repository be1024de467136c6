// The same free-port choice as the tests' (below the ephemeral range, so no outgoing connection takes it).
export { freePort } from '../test/support/free-port.js';
