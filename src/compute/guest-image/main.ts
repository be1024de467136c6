// `node dist/src/compute/guest-image/main.js [--out DIR] [--force]`: builds nimbus-cirros and
// prints {path, sha256, sizeBytes, …} as JSON (scripts/build-guest-image.sh wraps this).
import { resolve } from 'node:path';
import { buildGuestImage } from './build.js';

const args = process.argv.slice(2);
let outDir = resolve('dist/guest-image');
let force = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out' && args[i + 1] !== undefined) outDir = resolve(args[++i]!);
  else if (a === '--force') force = true;
  else {
    process.stderr.write('usage: build-guest-image [--out DIR] [--force]\n');
    process.exit(2);
  }
}
const started = Date.now();
buildGuestImage({ outDir, force }).then((image) => {
  process.stdout.write(`${JSON.stringify({ ...image, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
}, (error: unknown) => {
  process.stderr.write(`build-guest-image: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
