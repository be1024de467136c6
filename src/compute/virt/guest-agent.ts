// The QEMU guest agent (qemu-ga inside the guest) over the virtio-serial channel QEMU exposes as a
// unix socket on the host (VmSpec.guestAgentSocketPath). Its protocol is QMP's JSON without a
// greeting: a client first sends guest-sync with a random id and drops every line until that id
// comes back (stale answers of an earlier client may still be in the channel), then one command.
// A guest without an agent never answers: every exchange has a deadline.
import { randomInt } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export class GuestAgentError extends Error {
  constructor(message: string, readonly errorClass?: string) {
    super(message);
    this.name = 'GuestAgentError';
  }
}

type Reply = { return?: unknown; error?: { class?: string; desc?: string } };

/** Reads newline-separated JSON replies from the socket, one at a time. */
class ReplyReader {
  #buffer = '';
  #waiting: ((line: string) => void) | undefined;
  readonly #lines: string[] = [];

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      // guest-sync-delimited answers start with 0xFF; plain guest-sync may leave junk: skip both.
      this.#buffer += chunk.toString('utf8').replace(/\uFFFD|\xFF/g, '');
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl).trim();
        this.#buffer = this.#buffer.slice(nl + 1);
        if (line) this.#lines.push(line);
      }
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#waiting && this.#lines.length > 0) {
      const deliver = this.#waiting;
      this.#waiting = undefined;
      deliver(this.#lines.shift()!);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve) => { this.#waiting = resolve; this.#flush(); });
  }
}

async function exchange(socket: Socket, reader: ReplyReader, command: string, args: Record<string, unknown>, accept: (reply: Reply) => boolean): Promise<Reply> {
  socket.write(`${JSON.stringify({ execute: command, arguments: args })}\n`);
  for (;;) {
    let reply: Reply;
    try {
      reply = JSON.parse(await reader.next()) as Reply;
    } catch {
      continue; // not JSON: leftovers of another exchange
    }
    if (reply.error) throw new GuestAgentError(`guest agent ${command}: ${reply.error.class ?? 'GenericError'}: ${reply.error.desc ?? ''}`, reply.error.class);
    if (accept(reply)) return reply;
  }
}

/** Runs one guest agent command (after guest-sync) and resolves its `return`; rejects after `timeoutMs`. */
export async function guestAgentCommand(socketPath: string, command: string, args: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
  const socket = connect(socketPath);
  const reader = new ReplyReader(socket);
  let timer: NodeJS.Timeout | undefined;
  let step = 'guest-sync';
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GuestAgentError(`the guest agent did not answer ${step} within ${timeoutMs} ms`)), timeoutMs);
  });
  const failed = new Promise<never>((_, reject) => {
    socket.once('error', (err) => reject(new GuestAgentError(`guest agent socket ${socketPath}: ${err.message}`)));
    socket.once('close', () => reject(new GuestAgentError('the guest agent channel closed')));
  });
  try {
    const work = (async () => {
      const id = randomInt(1, 2 ** 31);
      await exchange(socket, reader, 'guest-sync', { id }, (r) => r.return === id);
      step = command;
      return (await exchange(socket, reader, command, args, (r) => 'return' in r)).return;
    })();
    return await Promise.race([work, deadline, failed]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/** guest-set-user-password: the password given in clear (base64 on the wire, crypted false). */
export async function setGuestUserPassword(socketPath: string, username: string, password: string, timeoutMs?: number): Promise<void> {
  await guestAgentCommand(socketPath, 'guest-set-user-password', {
    username, password: Buffer.from(password, 'utf8').toString('base64'), crypted: false,
  }, timeoutMs);
}
