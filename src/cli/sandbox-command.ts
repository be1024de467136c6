// `nimbus sandbox create|destroy|show`: the simulated hosts of the configuration's sandbox.
import type { NimbusConfig } from '../core/config.js';
import { destroySandbox, sandboxNamespaces } from '../hostnet/sandbox/index.js';
import { ensureSandbox } from '../network/agents/dataplane.js';

export async function sandboxCommand(config: NimbusConfig, args: readonly string[], usage: (message: string) => Error): Promise<void> {
  const name = config.network.dataplane.sandboxName;
  switch (args[0]) {
    case 'create': {
      const sandbox = await ensureSandbox(config);
      process.stdout.write(`sandbox ${sandbox.name}: ${sandbox.hosts.length} host(s), public ${sandbox.publicCidr} via ${sandbox.publicGateway}\n`);
      for (const host of sandbox.hosts) process.stdout.write(`  ${host.name.padEnd(16)} netns ${host.netns}  tunnel ${host.tunnelIp}\n`);
      if (sandbox.externalClient) process.stdout.write(`  external client  netns ${sandbox.externalClient.netns}  ${sandbox.externalClient.address}\n`);
      if (sandbox.uplinkDevice) process.stdout.write(`  uplink           ${sandbox.uplinkDevice} (root namespace)\n`);
      return;
    }
    case 'destroy':
      await destroySandbox(name);
      process.stdout.write(`sandbox ${name} destroyed\n`);
      return;
    case 'show':
      for (const ns of await sandboxNamespaces(name)) process.stdout.write(`${ns}\n`);
      return;
    default:
      throw usage('sandbox takes: create, destroy or show');
  }
}
