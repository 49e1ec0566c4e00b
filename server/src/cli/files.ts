import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders never worth walking: VCS data, dependencies, caches. Virtualenvs are found by their pyvenv.cfg. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tox', '.nox', '.mypy_cache', '.ruff_cache', '.pytest_cache', 'venv', '.venv', 'env', '.env', 'site-packages', 'dist-packages', 'build', 'dist']);

export const PYTHON_EXT = /\.pyw?$/;
export const C_EXT = /\.(c|cc|cpp|cxx|h|hh|hpp|hxx)$/;

/**
 * `isFile` for the package walks of a run (`__init__.py` above each file), answered once per path: the files of
 * one folder ask the same questions, and a failed stat that throws costs more than the walk.
 */
export function cachedIsFile(): (p: string) => boolean {
  const known = new Map<string, boolean>();
  return (p) => {
    let hit = known.get(p);
    if (hit === undefined) known.set(p, (hit = fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true));
    return hit;
  };
}

/**
 * The Python files of the workspace the CLI links: those it checks, and every module of the top-level
 * packages they belong to (so `from .ffi import lib` in a file given alone still resolves).
 */
export function workspaceFiles(files: readonly string[], errors: string[], isFile: (p: string) => boolean = cachedIsFile()): string[] {
  const out = new Set(files.filter((f) => PYTHON_EXT.test(f)).map((f) => path.resolve(f)));
  const tops = new Set<string>();
  for (const f of out) {
    let dir = path.dirname(f);
    let top: string | undefined;
    while (isFile(path.join(dir, '__init__.py'))) {
      top = dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (top) tops.add(top);
  }
  for (const top of tops) for (const f of collectFiles([top], errors)) if (PYTHON_EXT.test(f)) out.add(path.resolve(f));
  return [...out];
}

/** Lists the files to check below the given paths (files given explicitly are always kept). */
export function collectFiles(paths: string[], errors: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push(`${dir}: ${(e as Error).message}`);
      return;
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg')) return;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile() && (PYTHON_EXT.test(e.name) || C_EXT.test(e.name))) {
        out.push(p);
      }
    }
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      errors.push(`${p}: no such file or directory`);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** The module names an import must name for the file to bind (`_ctypes` for PB201's PyObj_FromPtr), or `ffi` (an out-of-line module). */
const HINT_NAMES = 'ctypes|_ctypes|cffi|cppyy|_rawffi|_ffi|_cffi_backend|ffi';
/**
 * An import statement naming one: on its line, on a line it continues with `\`, or in the parenthesized
 * names of a `from … import (…)` (`from _foo_cffi import (\n    ffi,\n    lib)`).
 */
const IMPORT_HINT = `^[ \\t]*(?:import|from)[ \\t]+(?:[^\\n\\\\]|\\\\[^])*?\\b(?:${HINT_NAMES})\\b|^[ \\t]*from[ \\t]+[\\w.]+[ \\t]+import[ \\t]*\\([^)]*?\\b(?:${HINT_NAMES})\\b`;

/**
 * A cheap test run before parsing. The analysis learns of binding modules only from import statements, so a
 * file can get a finding only if it imports one (or an out-of-line `ffi`), defines a MixedModule, or calls
 * `Extension(...)` (`import_module('ctypes')` counts too); words in comments and docstrings do not.
 */
export const BINDING_HINT = new RegExp(`${IMPORT_HINT}|(?:import_module|__import__)\\(\\s*['"](?:ctypes|cffi|cppyy|_rawffi|_ffi)|MixedModule|\\bExtension\\s*\\(`, 'm');

/** BINDING_HINT's alternatives one by one: an import naming a binding module, … */
const IMPORT_STATEMENT_HINT = new RegExp(IMPORT_HINT, 'm');
/** … `import_module('ctypes')` (tried where the call's name ends), … */
const DYNAMIC_IMPORT_AT = /\(\s*['"](?:ctypes|cffi|cppyy|_rawffi|_ffi)/y;
/** … a setuptools/distutils `Extension(` (tried where the name ends). */
const EXTENSION_AT = /\s*\(/y;
/**
 * The literal words BINDING_HINT's alternatives need, in one pass: every module name it accepts contains
 * `ctypes`, `cppyy` or `ffi`. All are word characters, so a hit inside a module name that is a whole word is
 * never hidden by an earlier hit (that one would lie in the same word).
 */
const HINT_LITERALS = /MixedModule|Extension|import_module|__import__|ctypes|cppyy|ffi/g;

/**
 * BINDING_HINT, without running it over the whole text: one scan for its literal words, the call alternatives
 * tried only where their word occurs, and the import alternative only when a module name occurs as a whole
 * word (it needs one). Equal to `BINDING_HINT.test(text)` (test/unit/cliPrefilter.test.ts compares them on the
 * standard library), and faster (one scan instead of one per word: 60 → 30 ms warm on pyenv's 30 MB).
 */
export function mayBind(text: string): boolean {
  const re = new RegExp(HINT_LITERALS); // its own lastIndex: callers may interleave
  let named = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = m[0];
    const i = m.index;
    const after = i + w.length;
    if (w === 'MixedModule') return true;
    if (w === 'Extension') {
      if (i > 0 && isWordCode(text.charCodeAt(i - 1))) continue;
      EXTENSION_AT.lastIndex = after;
      if (EXTENSION_AT.test(text)) return true;
      continue;
    }
    if (w === 'import_module' || w === '__import__') {
      DYNAMIC_IMPORT_AT.lastIndex = after;
      if (DYNAMIC_IMPORT_AT.test(text)) return true;
      continue;
    }
    // most hits are inside other words (`diff`, `suffix`)
    if (!named && isHintWordAt(text, i, w.length)) named = true;
  }
  return named && IMPORT_STATEMENT_HINT.test(text);
}

/** The module names IMPORT_HINT accepts (each a whole word: `\b` on both sides). */
const HINT_WORDS = HINT_NAMES.split('|');

const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Whether the run of word characters (`\w`) around text[at, at + length) is one of HINT_WORDS (compared in place, no string made). */
function isHintWordAt(text: string, at: number, length: number): boolean {
  let s = at;
  while (s > 0 && isWordCode(text.charCodeAt(s - 1))) s--;
  let e = at + length;
  while (e < text.length && isWordCode(text.charCodeAt(e))) e++;
  for (const h of HINT_WORDS) if (h.length === e - s && text.startsWith(h, s)) return true;
  return false;
}
