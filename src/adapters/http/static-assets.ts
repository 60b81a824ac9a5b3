import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the dashboard (web/ compiled, web/static copied): dist/web. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export interface Asset {
  body: Buffer;
  contentType: string;
}

/**
 * The dashboard's files, read once at start-up: the set is small and fixed, and a request can
 * then only name a file that is in it (no path from a URL ever reaches the file system).
 */
export function loadAssets(dir: string = DASHBOARD_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (CONTENT_TYPES[extname(name)] !== undefined && !name.endsWith('.d.ts')) {
        assets.set(`/${relative(dir, path).split(sep).join('/')}`, { body: readFileSync(path), contentType: CONTENT_TYPES[extname(name)] as string });
      }
    }
  };
  walk(dir);
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  return assets;
}
