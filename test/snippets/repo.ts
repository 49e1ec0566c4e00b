import * as fs from 'node:fs';
import * as path from 'node:path';

/** The extension's root folder, found upwards from here so tests work from test/ (tsx) and out/test/ (tsc). */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'pypy-bindings') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pypy-bindings package.json above ${from}`);
  }
}
