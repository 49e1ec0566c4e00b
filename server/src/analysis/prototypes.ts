import { lookupPrototype } from '../data/cPrototypes';
import { findDeclarations, type HeaderOptions } from './headers/cHeaders';
import type { BindingModel, CPrototypeInfo, CtypesLibrary, CtypesType, ForeignFunction } from './model';
import { stemOf } from './workspace/evaluate';

/**
 * "What is the C prototype of lib.f": the signature the code declares (argtypes/restype, here or in
 * another module), else the library's installed header, else the built-in table, else unknown.
 */

export interface PrototypeLookup {
  /** Header search options; `false` turns header lookups off (the table still answers). */
  headers: HeaderOptions | false;
}

/** The lookup the settings ask for (`pypyBindings.c.*`). */
export function prototypeLookup(settings: { c: { includePaths: string[]; libraryHeaders: Record<string, string[]> } }): PrototypeLookup {
  return { headers: { includePaths: settings.c.includePaths, libraryHeaders: settings.c.libraryHeaders } };
}

/** The library name as find_library takes it: from the workspace evaluation, else the path as written. */
export function libraryStem(lib: CtypesLibrary): string | undefined {
  if (lib.origin?.stem) return lib.origin.stem;
  if (lib.attributeName) return stemOf(lib.attributeName);
  const p = lib.path;
  if (!p) return undefined;
  if (p.k === 'none') return 'c'; // CDLL(None): the process itself, libc and what it links
  if (p.k === 'str') return stemOf(p.value);
  if (p.k === 'call' && /find_library$/.test(p.callee.text) && p.args[0]?.k === 'str') return p.args[0].value;
  return undefined;
}

/** The C prototypes of a library's functions by name: its installed header's declaration, else the built-in table's. */
export function prototypesFor(stem: string | undefined, names: readonly string[], lookup?: PrototypeLookup): Map<string, CPrototypeInfo> {
  const found = lookup && lookup.headers !== false && stem ? findDeclarations(stem, names, lookup.headers) : undefined;
  const out = new Map<string, CPrototypeInfo>();
  for (const name of names) {
    const h = found?.get(name);
    if (h && h.kind === 'function') {
      out.set(name, { name, returns: h.returns ?? 'int', params: h.params ?? [], variadic: !!h.variadic, source: { kind: 'header', path: h.path, line: h.line } });
      continue;
    }
    const t = lookupPrototype(name);
    if (t) out.set(name, { name: t.name, returns: t.returns, params: [...t.params], variadic: t.variadic, source: { kind: 'table', header: t.header } });
  }
  return out;
}

/** Sets `cPrototype` on every foreign function of the model: the header's declaration, else the table's. */
export function attachPrototypes(model: BindingModel, lookup?: PrototypeLookup): void {
  const byLib = new Map<CtypesLibrary, ForeignFunction[]>();
  for (const fn of model.ctypes.functions) {
    let list = byLib.get(fn.library);
    if (!list) byLib.set(fn.library, (list = []));
    list.push(fn);
  }
  for (const [lib, fns] of byLib) {
    const found = prototypesFor(libraryStem(lib), fns.map((f) => f.name), lookup);
    for (const fn of fns) {
      const p = found.get(fn.name);
      // an equal prototype keeps its object: a function reused by the link then reads as unchanged (rules memoise by identity)
      if (!p) delete fn.cPrototype; // as a new function has none (a function reused by the link may have had one)
      else if (!samePrototype(fn.cPrototype, p)) fn.cPrototype = p;
    }
  }
}

function samePrototype(a: CPrototypeInfo | undefined, b: CPrototypeInfo | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.name !== b.name || a.returns !== b.returns || a.variadic !== b.variadic || a.params.length !== b.params.length || a.params.some((p, i) => p !== b.params[i])) return false;
  const x = a.source;
  const y = b.source;
  return x.kind === 'header' ? y.kind === 'header' && x.path === y.path && x.line === y.line : y.kind === 'table' && x.header === y.header;
}

export type SignatureSource =
  | { kind: 'argtypes'; uri: string; module?: string }
  | { kind: 'header'; path: string; line: number }
  | { kind: 'table'; header: string }
  | { kind: 'unknown' };

export interface FunctionSignature {
  /** ctypes types when the code declares them (here or in another module). */
  argtypes?: CtypesType[];
  restype?: CtypesType;
  argtypesSource: SignatureSource;
  restypeSource: SignatureSource;
  /** The C prototype (header or table), whatever the code declares. */
  c?: CPrototypeInfo;
}

/** The signature of a foreign function with where each half comes from. */
export function signatureOf(fn: ForeignFunction, uri: string): FunctionSignature {
  const c = fn.cPrototype;
  const cSource: SignatureSource = c ? (c.source.kind === 'header' ? { kind: 'header', path: c.source.path, line: c.source.line } : { kind: 'table', header: c.source.header }) : { kind: 'unknown' };
  const ext = fn.declaredElsewhere;
  const argtypes = fn.argtypes?.types ?? ext?.argtypes;
  const restype = fn.restype?.type ?? ext?.restype;
  const declared = (here: boolean): SignatureSource => (here ? { kind: 'argtypes', uri } : { kind: 'argtypes', uri: ext!.uri, module: ext!.module });
  return {
    argtypes,
    restype,
    argtypesSource: fn.argtypes ? declared(true) : ext?.argtypes ? declared(false) : cSource,
    restypeSource: fn.restype ? declared(true) : ext?.restype ? declared(false) : cSource,
    c,
  };
}
