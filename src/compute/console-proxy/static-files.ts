// noVNC's client library (npm @novnc/novnc: core/ and vendor/) served as files, beside the page.
// Only .js files below those two folders of the package are served; anything else is a 404.
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder (its entry point is core/rfb.js). */
export function novncRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.resolve('@novnc/novnc'))));
}

/** A file of the library by URL path ("/core/rfb.js"), or undefined when there is none to serve. */
export async function novncFile(root: string, urlPath: string): Promise<Buffer | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = normalize(decoded).replace(/^[/\\]+/, '');
  if (!/^(core|vendor)[/\\]/.test(relative) || !relative.endsWith('.js') || relative.split(sep).includes('..')) return undefined;
  return readFile(join(root, relative)).catch(() => undefined);
}
