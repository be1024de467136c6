export { createSandbox, destroySandbox, sandboxNamespaces, type Sandbox, type SandboxHost, type SandboxOptions } from './sandbox.js';
export {
  MAX_SANDBOX_HOSTS, SANDBOX_DEFAULTS, assertSandboxName, hostNetns, planSandbox, sandboxMac, sandboxPrefix, uplinkDeviceName,
  type PlannedHost, type SandboxPlan,
} from './topology.js';
export { SandboxConfigError } from './ipv4.js';
export { killNamespaceProcesses } from './processes.js';
