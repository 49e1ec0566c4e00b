import * as fs from 'node:fs';
import * as path from 'node:path';
// smol-toml ships CommonJS for require(); its types are ESM-only, hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });
import { normalizeSettings, type Settings } from '../config/settings';

/**
 * Reads `[tool.pypy-bindings]` (select, ignore, severity; include-paths and library-headers, paths relative
 * to the pyproject.toml) from the nearest pyproject.toml above `start`.
 */
export function settingsFromPyproject(start: string, problems: string[], cache = new Map<string, Settings>()): Settings {
  let dir = path.resolve(start);
  const seen: string[] = [];
  for (;;) {
    const hit = cache.get(dir);
    if (hit) return remember(hit);
    seen.push(dir);
    const file = path.join(dir, 'pyproject.toml');
    if (fs.existsSync(file)) {
      let table: Record<string, unknown> = {};
      try {
        const doc = parse(fs.readFileSync(file, 'utf8')) as { tool?: Record<string, unknown> };
        table = (doc.tool?.['pypy-bindings'] ?? {}) as Record<string, unknown>;
      } catch (e) {
        problems.push(`${file}: cannot parse: ${(e as Error).message}`);
      }
      const local: string[] = [];
      const rawPaths = table['include-paths'];
      const includePaths = Array.isArray(rawPaths) ? rawPaths.map((p) => (typeof p === 'string' ? path.resolve(dir, p) : p)) : rawPaths;
      const settings = normalizeSettings({ lint: { select: table.select, ignore: table.ignore, severity: table.severity }, c: { includePaths, libraryHeaders: table['library-headers'] } }, local);
      problems.push(...local.map((p) => `${file}: ${p.replace('pypyBindings.lint.', '[tool.pypy-bindings] ').replace('pypyBindings.c.includePaths', '[tool.pypy-bindings] include-paths').replace('pypyBindings.c.libraryHeaders', '[tool.pypy-bindings] library-headers')}`));
      return remember(settings);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return remember(normalizeSettings({}));
    dir = parent;
  }
  function remember(s: Settings): Settings {
    for (const d of seen) cache.set(d, s);
    return s;
  }
}
