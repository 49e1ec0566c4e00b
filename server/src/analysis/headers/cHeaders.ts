import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Installed C headers as a source of prototypes: for a library (`archive`, `magic`, `sodium`) find the
 * headers that declare the names the code uses, read them through the system C preprocessor when there is
 * one (a tolerant parse of the raw header when not), and cache what they declare. Only system tools run,
 * on header files: nothing from the workspace is executed.
 */

export interface HeaderDeclaration {
  kind: 'function' | 'typedef' | 'struct' | 'constant';
  name: string;
  /** The declaration as C text, attributes removed. */
  text: string;
  returns?: string;
  params?: string[];
  variadic?: boolean;
  /** The header file and 1-based line the declaration is written at. */
  path: string;
  line: number;
}

export interface HeaderOptions {
  /** Extra include directories (settings `pypyBindings.c.includePaths`, `[tool.pypy-bindings] include-paths`). */
  includePaths?: readonly string[];
  /** library stem → header names or paths (setting `pypyBindings.c.libraryHeaders`), overriding the search. */
  libraryHeaders?: Readonly<Record<string, readonly string[]>>;
  /** Use the C preprocessor when found (default true); false forces the raw-header parse (tests). */
  preprocessor?: boolean;
}

let defaultDirs: string[] | undefined;
let prefetching = false;
const CPP_SEARCH_LIST = ['-v', '-xc', '/dev/null', '-o', '/dev/null'];

/** The search list in `cpp -v`'s stderr, else the usual Unix directories. */
function searchList(stderr: string): string[] {
  const dirs: string[] = [];
  const m = /#include <\.\.\.> search starts here:\n([\s\S]*?)End of search list/.exec(stderr);
  if (m) for (const line of m[1]!.split('\n')) if (line.trim()) dirs.push(line.trim());
  if (dirs.length === 0) dirs.push('/usr/local/include', '/usr/include');
  return dirs.filter((d) => !/\/gcc\//.test(d));
}

/** The compiler's own `#include <...>` search list, else the usual Unix directories. */
export function defaultIncludeDirs(): string[] {
  if (defaultDirs) return defaultDirs;
  const r = spawnSync('cpp', CPP_SEARCH_LIST, { encoding: 'utf8', timeout: 5000 });
  defaultDirs = searchList(`${r.stderr ?? ''}`);
  return defaultDirs;
}

/**
 * Asks the compiler for its search list in the background (the language server, while it loads its
 * grammars), so the first analysis that looks for headers does not wait for `cpp` (~50 ms); the same list as
 * `defaultIncludeDirs`, which still runs `cpp` itself when asked first.
 */
export function prefetchIncludeDirs(): void {
  if (defaultDirs || prefetching) return;
  prefetching = true;
  execFile('cpp', CPP_SEARCH_LIST, { encoding: 'utf8', timeout: 5000 }, (_error, _stdout, stderr) => {
    defaultDirs ??= searchList(`${stderr ?? ''}`);
  });
}

const parsedCache = new Map<string, { mtime: number; decls: Map<string, HeaderDeclaration> }>();
let preprocessorMissing = false;
/** Header reads done (cache misses): a test and benchmark figure. */
export const headerStats = { reads: 0, preprocessed: 0, raw: 0 };

/** Everything a header declares (through its includes when preprocessed), cached by path and mtime. */
export function headerDeclarations(file: string, options: HeaderOptions = {}): Map<string, HeaderDeclaration> {
  let mtime = 0;
  try {
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    return new Map();
  }
  const includes = options.includePaths ?? [];
  const key = `${file}\0${includes.join('\0')}\0${options.preprocessor !== false}`;
  const hit = parsedCache.get(key);
  if (hit && hit.mtime === mtime) return hit.decls;
  headerStats.reads++;
  let decls: Map<string, HeaderDeclaration> | undefined;
  if (options.preprocessor !== false && !preprocessorMissing) {
    const r = spawnSync('cpp', ['-dD', ...includes.flatMap((d) => ['-I', d]), file], { encoding: 'utf8', timeout: 20_000, maxBuffer: 256 * 1024 * 1024 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') preprocessorMissing = true;
    else if (r.status === 0 && r.stdout) {
      headerStats.preprocessed++;
      decls = parseDeclarations(r.stdout, file, true);
    }
  }
  if (!decls) {
    headerStats.raw++;
    let raw = '';
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch {
      raw = '';
    }
    decls = parseDeclarations(raw, file, false);
  }
  parsedCache.set(key, { mtime, decls });
  return decls;
}

/** Include directories to search: the settings' first, then the compiler's. */
export function includeDirs(options: HeaderOptions = {}): string[] {
  return [...(options.includePaths ?? []), ...defaultIncludeDirs()];
}

const listCache = new Map<string, string[]>();

function headersIn(dir: string): string[] {
  let list = listCache.get(dir);
  if (!list) {
    try {
      list = fs.readdirSync(dir).filter((f) => f.endsWith('.h')).sort();
    } catch {
      list = [];
    }
    listCache.set(dir, list);
  }
  return list;
}

/**
 * The headers of a library: those the override names, else the headers whose names start with the library
 * stem (`archive.h`, `archive_entry.h`; `sodium.h`), in the settings' and the compiler's include directories.
 */
export function candidateHeaders(stem: string, options: HeaderOptions = {}): string[] {
  const dirs = includeDirs(options);
  const override = options.libraryHeaders?.[stem];
  if (override) {
    return override.flatMap((h) => {
      if (path.isAbsolute(h)) return [h];
      const dir = dirs.find((d) => fs.existsSync(path.join(d, h)));
      return dir ? [path.join(dir, h)] : [];
    });
  }
  const bare = stem.replace(/^lib/, '');
  if (bare.length < 2) return []; // libc, libm: the built-in table and the C library's own headers
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of dirs) {
    for (const f of headersIn(d)) {
      const base = f.slice(0, -2);
      if (base === bare || base === `lib${bare}` || base.startsWith(`${bare}_`) || base.startsWith(`${bare}-`) || (bare.length >= 3 && base.startsWith(bare))) {
        if (!seen.has(f)) {
          seen.add(f);
          out.push(path.join(d, f));
        }
      }
    }
  }
  return out;
}

/**
 * Which declarations of the library's headers match the names the code uses: the candidates are read, and
 * each name is looked up in the header that declares it (the first in search order).
 */
export function findDeclarations(stem: string | undefined, names: readonly string[], options: HeaderOptions = {}): Map<string, HeaderDeclaration> {
  const out = new Map<string, HeaderDeclaration>();
  if (!stem || names.length === 0) return out;
  for (const h of candidateHeaders(stem, options)) {
    const decls = headerDeclarations(h, options);
    for (const n of names) {
      if (out.has(n)) continue;
      const d = decls.get(n);
      if (d) out.set(n, d);
    }
    if (out.size === names.length) break;
  }
  return out;
}

// ---- a tolerant declaration reader (preprocessed output, or a raw header) ----

const ATTRIBUTE_WORDS = /\b(?:__extension__|__restrict|__restrict__|restrict|__inline|__inline__|inline|extern|__wur|__THROW|__nonnull|__attribute_pure__|__attribute_const__)\b/g;
const C_TYPE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', 'const', 'volatile', '_Bool', 'struct', 'union', 'enum', '__int128', '_Complex']);

/** Removes `__attribute__((...))`, `__asm__(...)`, `__declspec(...)` with balanced parentheses. */
function stripAttributes(s: string): string {
  let out = s;
  for (const kw of ['__attribute__', '__attribute', '__asm__', '__asm', 'asm', '__declspec', '__nonnull', '__attr_dealloc']) {
    for (let i = out.indexOf(kw); i >= 0; i = out.indexOf(kw, i)) {
      const before = i > 0 ? out[i - 1]! : ' ';
      const after = out[i + kw.length] ?? ' ';
      if (/\w/.test(before) || /\w/.test(after)) {
        i += kw.length;
        continue;
      }
      let j = i + kw.length;
      while (out[j] === ' ' || out[j] === '\t' || out[j] === '\n') j++;
      if (out[j] !== '(') {
        i += kw.length;
        continue;
      }
      let depth = 0;
      for (; j < out.length; j++) {
        if (out[j] === '(') depth++;
        else if (out[j] === ')' && --depth === 0) break;
      }
      out = out.slice(0, i) + ' ' + out.slice(j + 1);
    }
  }
  return out.replace(ATTRIBUTE_WORDS, ' ');
}

function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === sep && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/\s*\*\s*/g, ' *').replace(/\( \*/g, '(*').replace(/\* \*/g, '**').replace(/\* \*/g, '**').trim();

/** A parameter's type without its name: `const char *path` → `const char *`; `struct archive *` stays. */
export function paramType(p: string): string {
  const t = norm(p);
  if (/\(\s*\*/.test(t)) return t.replace(/\(\s*\*\s*\w+\s*\)/, '(*)'); // function pointer: drop the name
  const arr = /^(.*?)\s*\w+\s*((?:\[[^\]]*\])+)$/.exec(t);
  if (arr && arr[1] && /\w/.test(arr[1])) return `${arr[1]} *`; // an array parameter is a pointer
  const m = /^(.*[\s*])([A-Za-z_]\w*)$/.exec(t);
  if (!m) return t;
  const head = m[1]!.trim();
  const last = m[2]!;
  const words = head.split(/[\s*]+/).filter(Boolean);
  if (C_TYPE_WORDS.has(last)) return t;
  if (/\b(?:struct|union|enum)$/.test(head)) return t;
  if (words.length === 0 || words.every((w) => w === 'const' || w === 'volatile')) return t;
  return norm(head);
}

/**
 * Reads declarations from C text. `preprocessed` text carries `# line "file"` markers (what `cpp` prints);
 * only declarations written in `file` or in headers next to it are kept for names, so that a library's
 * header does not answer for libc's.
 */
export function parseDeclarations(text: string, file: string, preprocessed: boolean): Map<string, HeaderDeclaration> {
  const out = new Map<string, HeaderDeclaration>();
  const ownDir = path.dirname(file);
  let curFile = file;
  let curLine = 0;
  let buf = '';
  let bufFile = file;
  let bufLine = 0;
  let depth = 0;
  const keep = (f: string) => f === file || path.dirname(f) === ownDir || path.dirname(f).startsWith(path.join(ownDir, path.basename(file, '.h')));
  const emptyMacros = new Set<string>();
  // comments out of the way first (keeping line breaks), so that `;` and braces in them do not count
  const lines = (preprocessed ? text : text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))).split('\n');
  const flush = () => {
    const stmt = buf.trim();
    buf = '';
    if (!stmt || !keep(bufFile)) return;
    readStatement(stmt, bufFile, bufLine, out, emptyMacros);
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    curLine++;
    if (preprocessed) {
      const marker = /^#\s+(\d+)\s+"([^"]*)"/.exec(line);
      if (marker) {
        curLine = Number(marker[1]) - 1;
        curFile = marker[2]!;
        continue;
      }
    }
    if (/^\s*#/.test(line)) {
      // a directive (raw header, or -dD's #define): constants and macros that expand to nothing
      let directive = line;
      while (directive.endsWith('\\') && i + 1 < lines.length) {
        directive = directive.slice(0, -1) + ' ' + lines[++i];
        curLine++;
      }
      const def = /^\s*#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$/.exec(directive);
      if (def && keep(curFile)) {
        const value = def[3]!.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
        if (!def[2] && /^\(?\s*[-+]?(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?$/.test(value)) {
          out.set(def[1]!, { kind: 'constant', name: def[1]!, text: `#define ${def[1]} ${value}`, path: curFile, line: curLine });
        } else if (!def[2] && value === '') emptyMacros.add(def[1]!);
        else if (def[2] && /^__attribute__|^$/.test(value)) emptyMacros.add(def[1]!);
      }
      continue;
    }
    if (!preprocessed) line = line.replace(/\/\/.*$/, '');
    for (const ch of line) {
      if (!buf.trim() && /\S/.test(ch)) {
        bufFile = curFile;
        bufLine = curLine;
      }
      buf += ch;
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        // a function body or an extern "C" block closes a statement of its own
        if (depth === 0 && /\)\s*\{[\s\S]*\}$/.test(buf) && !/^\s*(?:typedef|struct|union|enum)\b/.test(buf)) {
          buf = buf.replace(/\{[\s\S]*\}$/, ';');
          flush();
        }
      } else if (ch === ';' && depth === 0) flush();
    }
    buf += '\n';
    if (/^\s*extern\s+"C"\s*\{\s*$/.test(buf)) {
      buf = '';
      depth = 0;
    }
  }
  return out;
}

function readStatement(raw: string, file: string, line: number, out: Map<string, HeaderDeclaration>, emptyMacros: Set<string>): void {
  let stmt = raw.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/;\s*$/, '');
  stmt = stripAttributes(stmt);
  if (emptyMacros.size) stmt = stmt.replace(/\b[A-Za-z_]\w*\b/g, (w) => (emptyMacros.has(w) ? ' ' : w));
  stmt = stmt.replace(/^\s*extern\s+"C"\s*\{?/, '').replace(/\s+/g, ' ').trim();
  if (!stmt) return;
  const text = stmt + ';';
  if (/^typedef\b/.test(stmt)) {
    const fp = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(/.exec(stmt);
    const name = fp ? fp[1] : /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])*\s*$/.exec(stmt)?.[1];
    if (name && !out.has(name)) out.set(name, { kind: 'typedef', name, text, path: file, line });
    const tag = /^typedef\s+(?:struct|union)\s+([A-Za-z_]\w*)\s*\{/.exec(stmt);
    if (tag && !out.has(`struct ${tag[1]}`)) out.set(`struct ${tag[1]}`, { kind: 'struct', name: tag[1]!, text, path: file, line });
    return;
  }
  const st = /^(struct|union)\s+([A-Za-z_]\w*)\s*\{/.exec(stmt);
  if (st) {
    out.set(`struct ${st[2]}`, { kind: 'struct', name: st[2]!, text, path: file, line });
    return;
  }
  // a function: `<returns> <name>(<params>)`, the name not inside parentheses (those are pointers to functions)
  const fn = /^(.*?[\s*])([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(stmt);
  if (!fn || /[{}=]/.test(fn[1]!)) return;
  const returns = norm(fn[1]!.replace(/\bstatic\b/g, ''));
  if (!returns || /^\W/.test(returns) || /\(/.test(returns)) return;
  const name = fn[2]!;
  const paramText = fn[3]!.trim();
  let params = paramText === '' || paramText === 'void' ? [] : splitTopLevel(paramText, ',').map((p) => p.trim());
  const variadic = params.length > 0 && params[params.length - 1] === '...';
  if (variadic) params = params.slice(0, -1);
  if (out.get(name)?.kind === 'function') return;
  out.set(name, { kind: 'function', name, text, returns, params: params.map(paramType), variadic, path: file, line });
}
