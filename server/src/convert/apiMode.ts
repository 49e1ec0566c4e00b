/**
 * API out-of-line output: a `_<module>_build.py` with cdef/set_source/compile, the module importing
 * `ffi, lib` from the compiled extension, and the `cffi_modules` entry merged into an existing setup.py.
 *
 * The C compiler sees the cdef, so the cdef must speak C: a struct class that a header declares gets the
 * header's spelling (`struct tm` for a class `TM`, the typedef `div_t`), read from the functions' C
 * prototypes (the workspace model's, the installed headers', the built-in table's); a struct the program
 * defines itself is written out in the C source too. Existing files are never overwritten: a taken build
 * file name makes the next free one, setup.py is merged as New Binding Module does, or left with a note.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BindingModel } from '../analysis/model';
import { findDeclarations, headerDeclarations, includeDirs } from '../analysis/headers/cHeaders';
import { lookupGlobal, lookupPrototype } from '../data/cPrototypes';
import { mergeCffiModule } from '../newModule/setupPy';
import { type CdefBlock, cdefCalls } from './cdefFromCtypes';
import { type CtypesProgram, type FunctionDecl, type Library, structType } from './readCtypes';
import type { Rewriter } from './rewrite/rewriter';
import { stringLiteral, unparen } from './syntax';
import type { CType } from './typeNames';

/** A function's C prototype and the `#include` that declares it (`<zlib.h>`), when known. */
export interface CPrototypeHint {
  returns: string;
  params: readonly string[];
  include?: string;
}

/** What API mode may know of the files around the module (the CLI reads the disk, the server its documents too). */
export interface ApiWorkspace {
  /** The text of a file beside the module, undefined when there is none. */
  readFile(relativePath: string): string | undefined;
}

export interface ApiFiles {
  /** Files to create (never an existing one). */
  files: { relativePath: string; content: string }[];
  /** Existing files to change, whole texts before and after (setup.py's cffi_modules entry). */
  changes: { relativePath: string; before: string; after: string }[];
  notes: string[];
  header: (helpers: string[]) => string;
}

/** The C prototypes the workspace model attached (analysis/prototypes.ts), by function name. */
export function modelPrototypes(model: BindingModel): Map<string, CPrototypeHint> {
  const out = new Map<string, CPrototypeHint>();
  for (const fn of model.ctypes.functions) {
    const c = fn.cPrototype;
    if (c) out.set(fn.name, { returns: c.returns, params: c.params, include: c.source.kind === 'header' ? includeOf(c.source.path) : c.source.header });
  }
  return out;
}

export function moduleNameOf(uri: string): string {
  const base = decodeURIComponent(uri.replace(/[?#].*$/, '')).split(/[\\/]/).pop() ?? 'module.py';
  const stem = base.replace(/\.pyi?$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `_${stem}`;
}

/** The library a ctypes library object loads, as find_library takes it (`z`; `c` for CDLL(None)), undefined when unknown. */
function libraryStem(lib: Library): string | undefined {
  const p = lib.path ? unparen(lib.path) : undefined;
  if (!p || p.type === 'none') return p ? 'c' : undefined;
  if (p.type === 'call' && /find_library$/.test(p.childForFieldName('function')?.text ?? '')) {
    const arg = p.childForFieldName('arguments')?.namedChildren[0];
    return arg ? stringLiteral(arg)?.value : undefined;
  }
  const s = stringLiteral(p);
  return (s && /^(?:.*\/)?lib([A-Za-z0-9_+-]+)\.so/.exec(s.value)?.[1]) ?? undefined;
}

/** `/usr/include/sodium/core.h` → `<sodium/core.h>`. */
export function includeOf(file: string): string {
  for (const dir of includeDirs()) {
    const rel = path.relative(dir, file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return `<${rel}>`;
  }
  return `"${file}"`;
}

/** Each converted function's C prototype: the model's, else the built-in table's, else the library's installed headers'. */
export function apiPrototypes(program: CtypesProgram, known?: ReadonlyMap<string, CPrototypeHint>): Map<FunctionDecl, CPrototypeHint> {
  const out = new Map<FunctionDecl, CPrototypeHint>();
  const byStem = new Map<string, FunctionDecl[]>();
  for (const fn of program.functions.values()) {
    const hint = known?.get(fn.name);
    const table = lookupPrototype(fn.name);
    if (hint) out.set(fn, hint);
    else if (table) out.set(fn, { returns: table.returns, params: table.params, include: table.header });
    else {
      const stem = libraryStem(fn.lib);
      if (stem) byStem.set(stem, [...(byStem.get(stem) ?? []), fn]);
    }
  }
  for (const [stem, fns] of byStem) {
    if (SYSTEM_LIBRARIES.has(stem)) {
      systemPrototypes(fns, out);
      continue;
    }
    const found = findDeclarations(stem, fns.map((f) => f.name));
    for (const fn of fns) {
      const d = found.get(fn.name);
      if (d?.kind === 'function') out.set(fn, { returns: d.returns ?? 'int', params: d.params ?? [], include: includeOf(d.path) });
    }
  }
  return out;
}

/** The C library and its companions, whose headers are not named after them. */
const SYSTEM_LIBRARIES = new Set(['c', 'm', 'dl', 'rt', 'pthread']);
/** Where they declare what the prototype table lacks, in the order searched (each header is read once, cached). */
const SYSTEM_HEADERS = ['string.h', 'stdlib.h', 'stdio.h', 'time.h', 'unistd.h', 'math.h', 'wchar.h', 'ctype.h', 'fcntl.h', 'sys/stat.h', 'sys/time.h', 'signal.h', 'locale.h', 'dirent.h', 'sys/mman.h', 'dlfcn.h', 'pthread.h', 'sys/socket.h', 'netdb.h', 'poll.h', 'sys/wait.h', 'pwd.h', 'grp.h', 'sys/utsname.h', 'sys/resource.h', 'inttypes.h'];

function systemPrototypes(fns: FunctionDecl[], out: Map<FunctionDecl, CPrototypeHint>): void {
  let left = fns;
  const dirs = includeDirs();
  for (const h of SYSTEM_HEADERS) {
    if (!left.length) return;
    const dir = dirs.find((d) => fs.existsSync(path.join(d, h)));
    if (!dir) continue;
    const decls = headerDeclarations(path.join(dir, h));
    left = left.filter((fn) => {
      const d = decls.get(fn.name);
      if (d?.kind !== 'function') return true;
      out.set(fn, { returns: d.returns ?? 'int', params: d.params ?? [], include: `<${h}>` });
      return false;
    });
  }
}

const C_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'bool', 'size_t', 'ssize_t', 'wchar_t']);

/** The C spelling a header gives the struct at this position (`struct tm *` against POINTER(TM) → `struct tm`). */
function spellingAt(c: string, t: CType | undefined): string | undefined {
  let base = c.replace(/\b(?:const|volatile|restrict|__restrict)\b/g, ' ').replace(/\s+/g, ' ').trim();
  while (base.endsWith('*') && t?.k === 'ptr') {
    base = base.slice(0, -1).trim();
    t = t.to;
  }
  if (t?.k !== 'struct' || base.includes('*')) return undefined;
  if (/^(?:struct|union) \w+$/.test(base)) return base;
  if (/^[A-Za-z_]\w*$/.test(base) && !C_WORDS.has(base) && !/^u?int\d+_t$/.test(base)) return base;
  return undefined;
}

/**
 * Gives each struct class that a header declares its C spelling (on the shared CType, so every cdef
 * line and type string uses it), before the conversion writes anything. Returns the structs spelled.
 */
export function spellStructs(program: CtypesProgram, prototypes: ReadonlyMap<FunctionDecl, CPrototypeHint>): Set<string> {
  const spelled = new Set<string>();
  const taken = new Set<string>();
  for (const [fn, proto] of prototypes) {
    const positions: [string, CType | undefined][] = [[proto.returns, fn.restype?.type]];
    proto.params.forEach((p, i) => positions.push([p, fn.argtypes?.types?.[i]]));
    for (const [c, t] of positions) {
      let inner: CType | undefined = t;
      while (inner?.k === 'ptr') inner = inner.to;
      if (inner?.k !== 'struct' || spelled.has(inner.name)) continue;
      const s = program.structs.get(inner.name);
      const spelling = spellingAt(c, t);
      if (!s || !spelling || taken.has(spelling)) continue;
      const type = structType(s);
      if (spelling !== `${s.union ? 'union' : 'struct'} ${s.name}`) type.c = spelling;
      spelled.add(s.name);
      taken.add(spelling);
    }
  }
  return spelled;
}

/** The free build-file and extension names: `_m_build.py`/`_m_cffi`, else `_m_build_2.py`/`_m_cffi_2`, … */
function freeNames(mod: string, ws: ApiWorkspace | undefined): { buildFile: string; ext: string; skipped: string[] } {
  const skipped: string[] = [];
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `_${n}`;
    const buildFile = `_${mod}_build${suffix}.py`;
    if (ws?.readFile(buildFile) === undefined || n > 50) return { buildFile, ext: `_${mod}_cffi${suffix}`, skipped };
    skipped.push(buildFile);
  }
}

const HEAD = /^(struct|union) (\w+) \{/;

export function apiModeFiles(program: CtypesProgram, rw: Rewriter, blocks: CdefBlock[], uri: string, spelled: ReadonlySet<string>, prototypes: ReadonlyMap<FunctionDecl, CPrototypeHint>, ws?: ApiWorkspace): ApiFiles {
  const mod = moduleNameOf(uri);
  const { buildFile, ext, skipped } = freeNames(mod, ws);
  const notes: string[] = [];
  if (skipped.length) notes.push(`API mode: ${skipped.join(', ')} already exist${skipped.length === 1 ? 's' : ''} and ${skipped.length === 1 ? 'is' : 'are'} left as ${skipped.length === 1 ? 'it is' : 'they are'}; the build script is ${buildFile}`);
  const includes = new Set<string>();
  const libraries = new Set<string>();
  const unknown: string[] = [];
  for (const sig of rw.signatures.values()) {
    const proto = prototypes.get(sig.fn);
    if (proto?.include) includes.add(proto.include);
    else unknown.push(sig.fn.name);
  }
  for (const name of rw.externs.keys()) {
    const g = lookupGlobal(name);
    if (g) includes.add(g.header);
    else unknown.push(name);
  }
  for (const lib of new Set(program.libraries.values())) {
    const stem = libraryStem(lib);
    if (stem && stem !== 'c') libraries.add(stem);
    else if (stem === undefined && lib.path) notes.push(`API mode: could not tell which library ${lib.name} loads; add it to libraries= in ${buildFile}`);
  }

  // The cdef as C: header structs take the header's name and `...;` (the compiler fills in what ctypes did not
  // say); the program's own structs are exact and also written into the C source; typedefs the header makes go.
  const typedefSpellings = new Set([...spelled].map((n) => structType(program.structs.get(n)!).c).filter((c): c is string => !!c && !/^(?:struct|union) /.test(c)));
  const own: string[] = [];
  const bitFields = (line: string): boolean => /:\s*\d+\s*;/.test(line);
  /** `struct S { a; b; }` → `struct S { a; b; ...; }`: the compiler gives the layout. */
  const partial = (line: string, head: string, close: string): string => `${head}${line.slice(line.indexOf('{') + 1).replace(/\}\s*;\s*$/, '').replace(/\s*$/, '')} ...; }${close};`;
  const cdefBlocks: CdefBlock[] = blocks.map((b) => {
    const ownHere: string[] = [];
    // cffi's API mode takes pack= only as 0 or 1: a packed block of the program's own structs leaves the layout to the compiler
    const unpack = b.pack !== undefined && b.lines.every((l) => !HEAD.test(l) || !bitFields(l));
    const lines = b.lines.flatMap((line) => {
      const head = HEAD.exec(line);
      const s = head ? program.structs.get(head[2]!) : undefined;
      if (s && spelled.has(s.name)) {
        const c = structType(s).c;
        if (bitFields(line)) return [c && !/^(?:struct|union) /.test(c) ? `typedef ${line.replace(HEAD, `${head![1]} {`).replace(/\}\s*;\s*$/, `} ${c};`)}` : line.replace(HEAD, `${c ?? `${head![1]} ${s.name}`} {`)];
        return [c && !/^(?:struct|union) /.test(c) ? partial(line, `typedef ${head![1]} {`, ` ${c}`) : partial(line, `${c ?? `${head![1]} ${s.name}`} {`, '')];
      }
      if (s) {
        ownHere.push(line);
        if (unpack) return [partial(line, head![0], '')];
      }
      const typedef = /^typedef\b[\s\S]*?\b(\w+)\s*;\s*$/.exec(line);
      if (typedef && typedefSpellings.has(typedef[1]!)) return [];
      return [line];
    });
    if (ownHere.length) own.push(...(b.pack !== undefined ? [`#pragma pack(push, ${b.pack})`, ...ownHere, '#pragma pack(pop)'] : ownHere));
    return unpack ? { lines } : { ...b, lines };
  }).reduce<CdefBlock[]>((out, b) => {
    const last = out[out.length - 1];
    if (last && last.pack === undefined && b.pack === undefined) last.lines.push(...b.lines);
    else out.push({ ...b, lines: [...b.lines] });
    return out;
  }, []);
  for (const name of unknown) notes.push(`API mode: no header is known for ${name}; add its #include to ${buildFile} (the C compiler needs its prototype)`);

  const source = [...[...includes].sort().map((h) => `#include ${h}`)];
  if (own.length) {
    const text = own.join('\n');
    for (const [re, h] of [[/\b(?:u?int\d+_t|u?intptr_t)\b/, '<stdint.h>'], [/\b(?:size_t|wchar_t|ptrdiff_t)\b/, '<stddef.h>'], [/\bssize_t\b/, '<sys/types.h>']] as const) {
      if (re.test(text) && !source.includes(`#include ${h}`)) source.push(`#include ${h}`);
    }
    source.push(`/* the structures ${mod}.py defines itself */`, ...own);
  }
  const content = [
    `# Build script for the cffi extension ${ext} (API out-of-line mode), generated from ${mod}.py.`,
    `# Run it once (python ${buildFile}), or list it in setup.py: cffi_modules=["${buildFile}:ffibuilder"]`,
    'from cffi import FFI',
    '',
    'ffibuilder = FFI()',
    cdefCalls('ffibuilder', cdefBlocks),
    `ffibuilder.set_source(${JSON.stringify(ext)}, """`,
    ...source,
    `""", libraries=${JSON.stringify([...libraries].sort())})`,
    '',
    'if __name__ == "__main__":',
    '    ffibuilder.compile(verbose=True)',
    '',
  ].join('\n');

  const changes: ApiFiles['changes'] = [];
  const entry = `${buildFile}:ffibuilder`;
  const setupPy = ws?.readFile('setup.py');
  if (setupPy === undefined) notes.push(`API mode: add cffi_modules=["${entry}"] to your setup.py's setup() (with setup_requires=["cffi>=1.0.0"]), or run python ${buildFile}`);
  else {
    const merged = mergeCffiModule(setupPy, entry);
    if (!merged.ok) notes.push(`API mode: setup.py was not changed: ${merged.error}; add "${entry}" to cffi_modules yourself`);
    else if (merged.changed) {
      changes.push({ relativePath: 'setup.py', before: setupPy, after: merged.text });
      notes.push(`API mode: setup.py lists "${entry}" in cffi_modules`);
    }
  }
  return {
    files: [{ relativePath: buildFile, content }],
    changes,
    notes,
    header: (helpers) => [`from ${ext} import ffi, lib as _cffi_lib`, ...helpers].join('\n'),
  };
}
