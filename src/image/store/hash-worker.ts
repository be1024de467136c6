// A worker thread that keeps one digest per upload for one algorithm. The image store runs two:
// MD5 and SHA-512, each hashing the same shared slots, while the event loop only copies bytes
// and does the stream plumbing. Inline, the two digests together cap an upload near 330 MiB/s of
// CPU on one core (about 180 MiB/s end to end on a 2-vCPU machine); MD5 on a worker and SHA-512
// inline gave 250–380 MiB/s there, both on workers 320–400 MiB/s (store) at the price of a second
// thread (~9–10 MiB resident): a 2 GiB upload through the API then grows the all-in-one by
// 55–63 MiB, inside the 64 MiB budget but with little room left.
import { createHash, type Hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// A slot's memory is shared once ('slot'); updates then name it by number: posting a
// SharedArrayBuffer costs about a millisecond, a number next to nothing.
export type HashRequest =
  | { readonly op: 'slot'; readonly job: number; readonly slot: number; readonly buffer: SharedArrayBuffer }
  | { readonly op: 'update'; readonly job: number; readonly slot: number; readonly length: number }
  | { readonly op: 'digest'; readonly job: number }
  | { readonly op: 'drop'; readonly job: number };

export type HashReply =
  | { readonly op: 'done'; readonly job: number; readonly slot: number }
  | { readonly op: 'digest'; readonly job: number; readonly hex: string };

const algorithm = (workerData as { algorithm: string }).algorithm;
const port = parentPort!;
const jobs = new Map<number, { readonly hash: Hash; readonly slots: Uint8Array[] }>();

function job(id: number): { readonly hash: Hash; readonly slots: Uint8Array[] } {
  let found = jobs.get(id);
  if (!found) jobs.set(id, (found = { hash: createHash(algorithm), slots: [] }));
  return found;
}

port.on('message', (request: HashRequest) => {
  if (request.op === 'slot') {
    job(request.job).slots[request.slot] = new Uint8Array(request.buffer);
  } else if (request.op === 'update') {
    const { hash, slots } = job(request.job);
    hash.update(slots[request.slot]!.subarray(0, request.length));
    port.postMessage({ op: 'done', job: request.job, slot: request.slot } satisfies HashReply);
  } else if (request.op === 'digest') {
    const hex = job(request.job).hash.digest('hex');
    jobs.delete(request.job);
    port.postMessage({ op: 'digest', job: request.job, hex } satisfies HashReply);
  } else {
    jobs.delete(request.job);
  }
});
