// A fake qemu-ga on a unix socket, where QEMU would expose the guest agent's channel: it answers
// each command line with `behaviour` (default: guest-sync echoes its id, anything else returns
// {}) and records what it got. It first writes a stale answer, as a channel may still hold one.
import { createServer, type Server, type Socket } from 'node:net';

export type GuestAgentBehaviour = (command: Record<string, any>, socket: Socket) => void;

/** guest-sync echoed, then `answer` for every other command. */
export const syncThen = (answer: (command: Record<string, any>) => unknown): GuestAgentBehaviour => (c, socket) => {
  socket.write(`${JSON.stringify(c.execute === 'guest-sync' ? { return: c.arguments.id } : answer(c))}\n`);
};

export async function startFakeGuestAgent(path: string, behaviour: GuestAgentBehaviour = syncThen(() => ({ return: {} }))): Promise<{ server: Server; got: Record<string, any>[] }> {
  const got: Record<string, any>[] = [];
  const server = createServer((socket) => {
    socket.write('{"return": 99}\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const command = JSON.parse(buffer.slice(0, nl)) as Record<string, any>;
        buffer = buffer.slice(nl + 1);
        got.push(command);
        behaviour(command, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { server, got };
}
