import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders never worth walking: VCS data, dependencies, caches. Virtualenvs are found by their pyvenv.cfg. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tox', '.nox', '.mypy_cache', '.ruff_cache', '.pytest_cache', 'venv', '.venv', 'env', '.env', 'site-packages', 'dist-packages', 'build', 'dist']);

export const PYTHON_EXT = /\.pyw?$/;
export const C_EXT = /\.(c|cc|cpp|cxx|h|hh|hpp|hxx)$/;

/**
 * The Python files of the workspace the CLI links: those it checks, and every module of the top-level
 * packages they belong to (so `from .ffi import lib` in a file given alone still resolves).
 */
export function workspaceFiles(files: readonly string[], errors: string[]): string[] {
  const out = new Set(files.filter((f) => PYTHON_EXT.test(f)).map((f) => path.resolve(f)));
  const tops = new Set<string>();
  for (const f of out) {
    let dir = path.dirname(f);
    let top: string | undefined;
    while (fs.existsSync(path.join(dir, '__init__.py'))) {
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

/**
 * A cheap test run before parsing. The analysis learns of binding modules only from import statements, so a
 * file can get a finding only if it imports one (or an out-of-line `ffi`), defines a MixedModule, or calls
 * `Extension(...)` (`import_module('ctypes')` counts too); words in comments and docstrings do not.
 */
export const BINDING_HINT = /^[ \t]*(?:import|from)[ \t]+[^\n]*\b(?:ctypes|cffi|cppyy|_rawffi|_ffi|_cffi_backend|ffi)\b|(?:import_module|__import__)\(\s*['"](?:ctypes|cffi|cppyy|_rawffi|_ffi)|MixedModule|\bExtension\s*\(/m;

/** BINDING_HINT's alternatives one by one: an import line naming a binding module (it never spans a `\n`), … */
const IMPORT_LINE_HINT = /^[ \t]*(?:import|from)[ \t]+[^\n]*\b(?:ctypes|cffi|cppyy|_rawffi|_ffi|_cffi_backend|ffi)\b/m;
/** … `import_module('ctypes')`, … */
const DYNAMIC_IMPORT_HINT = /(?:import_module|__import__)\(\s*['"](?:ctypes|cffi|cppyy|_rawffi|_ffi)/;
/** … a setuptools/distutils `Extension(`. */
const EXTENSION_HINT = /\bExtension\s*\(/;
/** Every module name BINDING_HINT accepts contains one of these. */
const MODULE_WORDS = ['ctypes', 'cppyy', 'ffi'];

/**
 * BINDING_HINT, without running it over the whole text: each alternative only where its literal words occur
 * (the import-line one on the lines holding a module word). Equal to `BINDING_HINT.test(text)`
 * (test/unit/cliPrefilter.test.ts compares them on the standard library), and faster (~1.4× on pyenv's tree).
 */
export function mayBind(text: string): boolean {
  if (text.includes('MixedModule')) return true;
  if (text.includes('Extension') && EXTENSION_HINT.test(text)) return true;
  if ((text.includes('import_module') || text.includes('__import__')) && DYNAMIC_IMPORT_HINT.test(text)) return true;
  for (const w of MODULE_WORDS) {
    for (let i = text.indexOf(w); i >= 0; ) {
      // the regex needs one of its module names as a whole word: most hits are inside other words (`diff`, `suffix`)
      if (!HINT_WORDS.has(wordAt(text, i, w.length))) {
        i = text.indexOf(w, i + w.length);
        continue;
      }
      const start = text.lastIndexOf('\n', i) + 1;
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      if (IMPORT_LINE_HINT.test(text.slice(start, end))) return true;
      i = nl < 0 ? -1 : text.indexOf(w, end);
    }
  }
  return false;
}

/** The module names IMPORT_LINE_HINT accepts (each a whole word: `\b` on both sides). */
const HINT_WORDS = new Set(['ctypes', 'cffi', 'cppyy', '_rawffi', '_ffi', '_cffi_backend', 'ffi']);

/** The run of word characters (`\w`) around text[at, at + length). */
function wordAt(text: string, at: number, length: number): string {
  const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  let s = at;
  while (s > 0 && isWord(text.charCodeAt(s - 1))) s--;
  let e = at + length;
  while (e < text.length && isWord(text.charCodeAt(e))) e++;
  return text.slice(s, e);
}
