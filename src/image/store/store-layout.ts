// Where the filesystem store keeps things, all under one root on one filesystem so that a rename
// from tmp/ into images/ or staging/ is atomic:
//   <root>/images/<id>    committed image data (what downloads read)
//   <root>/staging/<id>   data staged for interoperable import (glance-direct)
//   <root>/tmp/<id>.<r>   uploads in progress; anything here at start-up is crash debris
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataArea } from './image-data-store.js';
import { checkImageId } from './image-id.js';

export class StoreLayout {
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  areaDir(area: DataArea): string {
    if (area !== 'images' && area !== 'staging') throw new Error(`unknown data area: ${String(area)}`);
    return join(this.root, area);
  }

  dataPath(area: DataArea, imageId: string): string {
    return join(this.areaDir(area), checkImageId(imageId));
  }

  /** A fresh name per upload: two uploads to the same image never share a file. */
  tempPath(imageId: string): string {
    return join(this.tmpDir, `${checkImageId(imageId)}.${randomBytes(8).toString('hex')}`);
  }

  async create(): Promise<void> {
    for (const dir of [this.areaDir('images'), this.areaDir('staging'), this.tmpDir]) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
    }
  }

  /** Removes every temporary file: only safe while no upload runs (start-up). */
  async sweepTemporary(): Promise<number> {
    const names = await readdir(this.tmpDir);
    for (const name of names) await rm(join(this.tmpDir, name), { force: true, recursive: true });
    return names.length;
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
