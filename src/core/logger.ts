// Structured JSON logs (pino, as Fastify uses). Request loggers carry the request id.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'nimbus'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
