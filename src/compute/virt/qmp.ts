// A QMP (QEMU Machine Protocol) client over a unix socket: the greeting, capabilities negotiation,
// commands with ids and timeouts, asynchronous events, and close. One JSON object per line.
// QEMU serves one client per monitor at a time: a second connection waits until the first closes.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** QEMU answered a command with an error object. */
export class QmpError extends Error {
  readonly errorClass: string;
  readonly command: string;
  constructor(command: string, errorClass: string, desc: string) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
    this.name = 'QmpError';
    this.errorClass = errorClass;
    this.command = command;
  }
}

/** No answer in time, or the connection is gone. */
export class QmpConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QmpConnectionError';
  }
}

export interface QmpConnectOptions {
  /** Overall time for connecting, the greeting and qmp_capabilities. */
  timeoutMs?: number;
  /** Keep retrying while the socket does not exist / refuses (QEMU still starting). */
  retry?: boolean;
  /** Default timeout of execute(). */
  commandTimeoutMs?: number;
}

interface Pending { command: string; resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

const MAX_LINE = 16 * 1024 * 1024;

export class QmpClient extends EventEmitter {
  readonly greeting: QmpGreeting;
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closedError: Error | undefined;
  private readonly commandTimeoutMs: number;
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;

  private constructor(socket: Socket, greeting: QmpGreeting, rest: string, commandTimeoutMs: number) {
    super();
    this.socket = socket;
    this.greeting = greeting;
    this.commandTimeoutMs = commandTimeoutMs;
    let buffer = rest;
    let closedResolve!: () => void;
    this.closed = new Promise((resolve) => { closedResolve = resolve; });
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      if (buffer.length > MAX_LINE && !buffer.includes('\n')) {
        socket.destroy(new QmpConnectionError('QMP line too long'));
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) this.handleLine(line);
      }
    };
    socket.on('data', onData);
    socket.on('error', (error) => { this.closedError ??= new QmpConnectionError(`QMP connection error: ${error.message}`); });
    socket.on('close', () => {
      const error = this.closedError ?? new QmpConnectionError('QMP connection closed');
      this.closedError = error;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new QmpConnectionError(`QMP ${p.command}: ${error.message}`));
      }
      closedResolve();
      this.emit('close');
    });
    if (buffer.includes('\n')) setImmediate(() => onData(Buffer.alloc(0)));
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const client = await QmpClient.connectOnce(path, Math.max(1, deadline - Date.now()), options.commandTimeoutMs ?? 30_000);
        try {
          await client.execute('qmp_capabilities', undefined, { timeoutMs: Math.max(1, deadline - Date.now()) });
        } catch (error) {
          client.close();
          throw error;
        }
        return client;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const retriable = options.retry && (code === 'ENOENT' || code === 'ECONNREFUSED');
        if (!retriable || Date.now() + 50 >= deadline) {
          if (error instanceof QmpConnectionError || error instanceof QmpError) throw error;
          throw new QmpConnectionError(`QMP connect ${path}: ${(error as Error).message}`);
        }
        await sleep(50);
      }
    }
  }

  private static connectOnce(path: string, timeoutMs: number, commandTimeoutMs: number): Promise<QmpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      let buffer = '';
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new QmpConnectionError(`QMP ${path}: no greeting within ${timeoutMs} ms (another client connected?)`)), timeoutMs);
      socket.on('error', fail);
      socket.on('close', () => fail(new QmpConnectionError(`QMP ${path}: closed before the greeting`)));
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const nl = buffer.indexOf('\n');
        if (nl < 0) {
          if (buffer.length > MAX_LINE) fail(new QmpConnectionError('QMP greeting too long'));
          return;
        }
        let greeting: QmpGreeting | undefined;
        try {
          greeting = (JSON.parse(buffer.slice(0, nl)) as { QMP?: QmpGreeting }).QMP;
        } catch { /* handled below */ }
        if (!greeting) {
          fail(new QmpConnectionError(`QMP ${path}: not a QMP greeting: ${buffer.slice(0, 200)}`));
          return;
        }
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve(new QmpClient(socket, greeting, buffer.slice(nl + 1), commandTimeoutMs));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  /** Runs a command; resolves its "return", rejects with QmpError on an "error" answer. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedError) return Promise.reject(new QmpConnectionError(`QMP ${command}: ${this.closedError.message}`));
    const id = `nimbus-${this.nextId++}`;
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpConnectionError(`QMP ${command}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Resolves with the next event named `name` (matching `predicate`), or rejects on timeout / close. */
  waitForEvent(name: string, timeoutMs: number, predicate: (event: QmpEvent) => boolean = () => true): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('close', onClose);
      };
      const onEvent = (event: QmpEvent): void => {
        if (event.event === name && predicate(event)) {
          cleanup();
          resolve(event);
        }
      };
      const onClose = (): void => {
        cleanup();
        reject(new QmpConnectionError(`QMP closed while waiting for ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new QmpConnectionError(`no QMP ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('event', onEvent);
      this.on('close', onClose);
      if (this.closedError) onClose();
    });
  }

  /** Closes the connection (QEMU keeps running); pending commands are rejected. */
  close(): void {
    this.closedError ??= new QmpConnectionError('QMP connection closed by the client');
    this.socket.destroy();
  }

  private handleLine(line: string): void {
    let msg: Record<string, any>;
    try {
      msg = JSON.parse(line) as Record<string, any>;
    } catch {
      return; // not JSON: ignore (QEMU never sends that)
    }
    if (typeof msg.event === 'string') {
      this.emit('event', msg as QmpEvent);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (!pending || id === undefined) return; // an answer to a command that timed out
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (msg.error && typeof msg.error === 'object') {
      pending.reject(new QmpError(pending.command, String(msg.error.class ?? 'GenericError'), String(msg.error.desc ?? '')));
    } else {
      pending.resolve(msg.return);
    }
  }
}

export interface QmpStatus { status: string; running: boolean; singlestep?: boolean }
