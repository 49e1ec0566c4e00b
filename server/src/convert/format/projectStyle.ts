/**
 * The line length a project asks for, read from its own settings as its tools read them: ruff
 * (`line-length` in pyproject.toml, ruff.toml, .ruff.toml), black (pyproject.toml), flake8 and pycodestyle
 * (`max-line-length` in setup.cfg, tox.ini, .flake8, pyproject.toml) and `.editorconfig`
 * (`max_line_length` of a section matching `*.py`). The nearest folder (from the converted file's own,
 * upwards) that sets one wins; when several tools there set one, the smallest, so none of them complains.
 * 79 (PEP 8) when none does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
// smol-toml ships CommonJS for require(); its types are ESM-only, hence the typed require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof import('smol-toml', { with: { 'resolution-mode': 'import' } });

export const PEP8_LINE_LENGTH = 79;

export interface LineLength {
  max: number;
  /** Where it came from (`pyproject.toml [tool.ruff] line-length`), or `PEP 8` for the default. */
  source: string;
}

const positive = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** `[section]` → key → value of an ini file (setup.cfg, tox.ini, .flake8, .editorconfig); `;`/`#` comments. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      section = out.get(head[1]!.trim()) ?? new Map<string, string>();
      out.set(head[1]!.trim(), section);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*?)\s*(?:\s[;#].*)?$/.exec(line);
    if (kv && section) section.set(kv[1]!.trim().toLowerCase().replace(/_/g, '-'), kv[2]!);
  }
  return out;
}

function readText(file: string): string | undefined {
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

type Found = { max: number; source: string }[];

function fromPyproject(text: string, name: string, found: Found): void {
  let doc: { tool?: Record<string, Record<string, unknown> | undefined> };
  try {
    doc = parseToml(text) as typeof doc;
  } catch {
    return; // a broken pyproject.toml is the project's business; its other settings may still apply
  }
  const tool = doc.tool ?? {};
  const add = (table: string, key: string, v: unknown): void => {
    const n = positive(v);
    if (n) found.push({ max: n, source: `${name} [tool.${table}] ${key}` });
  };
  add('ruff', 'line-length', tool.ruff?.['line-length']);
  add('black', 'line-length', tool.black?.['line-length']);
  add('flake8', 'max-line-length', tool.flake8?.['max-line-length']);
  add('pycodestyle', 'max-line-length', tool.pycodestyle?.['max-line-length']);
}

function fromIni(text: string, name: string, sections: readonly string[], found: Found): void {
  const ini = parseIni(text);
  for (const s of sections) {
    const n = positive(ini.get(s)?.get('max-line-length'));
    if (n) found.push({ max: n, source: `${name} [${s}] max-line-length` });
  }
}

/** Does an .editorconfig section glob apply to a Python file? (`*`, `*.py`, `*.{py,pyi}`, `**.py`, `[*]`) */
function editorconfigMatchesPython(glob: string): boolean {
  const g = glob.replace(/^\*\*\/?/, '*');
  if (g === '*' || g === '**') return true;
  const alt = /^\*\.\{([^}]*)\}$/.exec(g);
  if (alt) return alt[1]!.split(',').some((e) => e.trim() === 'py');
  return /^\*\*?\.py$/.test(g) || /(^|\/)\*\.py$/.test(g);
}

function fromEditorconfig(text: string, found: Found): boolean {
  let max: number | undefined;
  let root = false;
  const ini = parseIni(`[__top__]\n${text}`);
  if (ini.get('__top__')?.get('root')?.toLowerCase() === 'true') root = true;
  for (const [section, values] of ini) {
    if (section === '__top__' || !editorconfigMatchesPython(section)) continue;
    const v = values.get('max-line-length');
    if (v === undefined) continue;
    // later sections override earlier ones; `off` turns the limit off
    max = v.toLowerCase() === 'off' ? undefined : positive(v) ?? max;
  }
  if (max) found.push({ max, source: '.editorconfig max_line_length' });
  return root;
}

/** The line length for a Python file at `file` (a path; its folder and the folders above are read). */
export function lineLengthFor(file: string): LineLength {
  let dir = path.dirname(path.resolve(file));
  let editorconfigDone = false;
  for (;;) {
    const found: Found = [];
    const pyproject = readText(path.join(dir, 'pyproject.toml'));
    if (pyproject !== undefined) fromPyproject(pyproject, 'pyproject.toml', found);
    for (const ruff of ['ruff.toml', '.ruff.toml']) {
      const t = readText(path.join(dir, ruff));
      if (t === undefined) continue;
      try {
        const n = positive((parseToml(t) as Record<string, unknown>)['line-length']);
        if (n) found.push({ max: n, source: `${ruff} line-length` });
      } catch {
        // unparsable: ignored like a missing file
      }
    }
    const setupCfg = readText(path.join(dir, 'setup.cfg'));
    if (setupCfg !== undefined) fromIni(setupCfg, 'setup.cfg', ['flake8', 'pycodestyle', 'pep8'], found);
    const tox = readText(path.join(dir, 'tox.ini'));
    if (tox !== undefined) fromIni(tox, 'tox.ini', ['flake8', 'pycodestyle', 'pep8'], found);
    const flake8 = readText(path.join(dir, '.flake8'));
    if (flake8 !== undefined) fromIni(flake8, '.flake8', ['flake8'], found);
    if (!editorconfigDone) {
      const ec = readText(path.join(dir, '.editorconfig'));
      // the nearest .editorconfig that sets it decides for editorconfig; `root = true` stops the search for it
      if (ec !== undefined && fromEditorconfig(ec, found)) editorconfigDone = true;
      if (found.some((f) => f.source.startsWith('.editorconfig'))) editorconfigDone = true;
    }
    if (found.length) return found.reduce((a, b) => (b.max < a.max ? b : a));
    const parent = path.dirname(dir);
    if (parent === dir) return { max: PEP8_LINE_LENGTH, source: 'PEP 8' };
    dir = parent;
  }
}

/** The line length for a document: its project's when it is a file on disk, else PEP 8's. */
export function lineLengthForUri(uri: string): LineLength {
  if (!uri.startsWith('file:')) return { max: PEP8_LINE_LENGTH, source: 'PEP 8' };
  try {
    return lineLengthFor(fileURLToPath(uri));
  } catch {
    return { max: PEP8_LINE_LENGTH, source: 'PEP 8' };
  }
}
