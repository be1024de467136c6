// Drives scripts/rabbitmq-test-server.sh: a private RabbitMQ node per test process (own node
// name, ports, cookie and data dir), started and stopped by this process only.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../../scripts/rabbitmq-test-server.sh', import.meta.url));

export class PrivateRabbitMq {
  readonly #env: NodeJS.ProcessEnv;

  constructor(readonly node = `nimbus-test-${process.pid}`) {
    this.#env = { ...process.env, NIMBUS_RABBITMQ_NODE: node };
  }

  /** Resolves to the AMQP url; rejects loudly (with the script's output) if the node cannot start. */
  async start(): Promise<string> {
    try {
      const { stdout } = await run('bash', [SCRIPT, 'start'], { env: this.#env, timeout: 180_000 });
      const url = stdout.trim().split('\n').pop() ?? '';
      if (!url.startsWith('amqp://')) throw new Error(`no AMQP url in the output: ${stdout}`);
      return url;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(
        `could not start a private RabbitMQ (is the rabbitmq-server package installed?): ${String(error)}\n${stderr ?? ''}`,
      );
    }
  }

  /** rabbitmqctl against this node only. */
  async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [SCRIPT, 'ctl', ...args], { env: this.#env, timeout: 60_000 });
    return stdout;
  }

  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop'], { env: this.#env, timeout: 120_000 });
  }
}
