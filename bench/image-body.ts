// A generated upload body: fresh 64 KiB buffers, one per read, as a socket delivers them, so the
// garbage a real upload makes is part of what is measured. Never held in memory as a whole.
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

export function generatedBody(total: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(CHUNK, total - sent);
      sent += size;
      const chunk = Buffer.alloc(size);
      chunk.writeUInt32LE(sent >>> 0, 0);
      this.push(chunk);
    },
  });
}
