import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The dotted module name of a Python file, from the chain of packages (folders with `__init__.py`) above
 * it: `/ws/pkg/sub/mod.py` with `pkg/__init__.py` and `pkg/sub/__init__.py` is `pkg.sub.mod`; a package's
 * `__init__.py` is the package itself. `isFile` is injectable so tests and the server can answer from
 * what they already know.
 */
export function moduleNameOf(file: string, isFile: (p: string) => boolean = existsFile): { name: string; root: string } {
  const abs = path.resolve(file);
  const base = path.basename(abs).replace(/\.pyw?$/, '');
  const parts = base === '__init__' ? [] : [base];
  let dir = path.dirname(abs);
  while (isFile(path.join(dir, '__init__.py'))) {
    parts.unshift(path.basename(dir));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { name: parts.join('.') || base, root: dir };
}

function existsFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
