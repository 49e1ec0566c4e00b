/**
 * Name lookups the editor features share: which ffi, cffi lib, ctypes library or foreign function a dotted
 * name written in the file stands for, and the C declarations behind each. Read from the binding model;
 * declarations of other files (an out-of-line module's build script) come through `ExternalDeclarations`.
 */
import type { BindingModel, CDeclaration, CtypesLibrary, FfiLib, FfiObject, ForeignFunction } from '../analysis/model';
import { allPrototypes, lookupPrototype, type CLibrary, type CPrototype } from '../data/cPrototypes';

/** A cdef declaration and the document it lives in. */
export interface LocatedDeclaration {
  decl: CDeclaration;
  uri: string;
  /** The document text the spans index (to turn them into positions). */
  text: string;
}

/** A C prototype from a header, with the header's file and 1-based line when it was read from one. */
export interface HeaderPrototype {
  prototype: CPrototype;
  uri?: string;
  line?: number;
}

/** Declarations other files provide: an out-of-line module's build script, the library's installed headers. */
export interface ExternalDeclarations {
  /** The cdef declarations of `from _foo import ffi, lib`, from the build script of `_foo`. */
  cdefsOf(model: BindingModel, ffi: FfiObject): LocatedDeclaration[];
  /** A function's prototype from the library's header (ctypes functions, and cffi lib functions a cdef lacks). */
  headerPrototype?(model: BindingModel, name: string): HeaderPrototype | undefined;
  /** Every function a ctypes library's headers declare (for completion). */
  headerFunctionsOf?(model: BindingModel, lib: CtypesLibrary): readonly CPrototype[];
}

export const NO_EXTERNAL: ExternalDeclarations = { cdefsOf: () => [] };

/** Every declaration an ffi sees: this file's cdefs, then those of other files. */
export function declarationsOf(model: BindingModel, ffi: FfiObject, ext: ExternalDeclarations = NO_EXTERNAL): LocatedDeclaration[] {
  const own = ffi.cdefs.flatMap((c) => c.declarations.map((decl) => ({ decl, uri: model.uri, text: model.text })));
  return own.length || !ffi.outOfLine ? own : ext.cdefsOf(model, ffi);
}

/** What `lib.NAME` can be: the declarations reachable as attributes of a cffi lib. */
export function isLibMember(d: CDeclaration): boolean {
  return d.kind === 'function' || d.kind === 'variable' || d.kind === 'enumerator' || d.kind === 'macro';
}

export function isTypeDeclaration(d: CDeclaration): boolean {
  return d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum' || d.kind === 'typedef';
}

export function ffiByName(model: BindingModel, name: string): FfiObject | undefined {
  return model.cffi.ffis.find((f) => f.name === name);
}

export function ffiLibByName(model: BindingModel, name: string): { ffi: FfiObject; lib: FfiLib } | undefined {
  for (const ffi of model.cffi.ffis) for (const lib of ffi.libs) if (lib.name === name) return { ffi, lib };
  return undefined;
}

export function ctypesLibraryByName(model: BindingModel, name: string): CtypesLibrary | undefined {
  return model.ctypes.libraries.find((l) => l.name === name);
}

/**
 * The foreign function a callee names: the call the model already links at this spot, else `libc.strlen`,
 * a local alias (`strlen = libc.strlen`), or a name the model saw called as that function elsewhere
 * (`_magic_file(...)`, `error_string(...)` bound by a helper).
 */
export function foreignFunction(model: BindingModel, callee: string, calleeStart?: number): ForeignFunction | undefined {
  const fns = model.ctypes.functions;
  if (calleeStart !== undefined) {
    const here = fns.find((f) => f.calls.some((c) => c.calleeSpan.start === calleeStart));
    if (here) return here;
  }
  const dot = callee.lastIndexOf('.');
  if (dot > 0) {
    const lib = ctypesLibraryByName(model, callee.slice(0, dot));
    const fn = lib?.functions.find((f) => f.name === callee.slice(dot + 1));
    if (fn) return fn;
  }
  return (
    fns.find((f) => f.aliases.includes(callee)) ??
    fns.find((f) => f.calls.some((c) => model.text.slice(c.calleeSpan.start, c.calleeSpan.end) === callee))
  );
}

/** Which C library (of the built-in prototype table) a ctypes library loads, judged from how it is loaded. */
export function cLibraryOf(model: BindingModel, lib: CtypesLibrary): CLibrary | undefined {
  const what = lib.attributeName ?? (lib.path ? model.text.slice(lib.path.span.start, lib.path.span.end) : '');
  if (lib.path?.k === 'none') return 'c';
  const named = (short: string, long: RegExp) => long.test(what) || new RegExp(`^(['"]?)${short}\\1$|\\(\\s*['"]${short}['"]\\s*\\)`).test(what);
  if (named('c', /\blibc\b|msvcrt/)) return 'c';
  if (named('m', /\blibm\b/)) return 'm';
  if (named('z', /\blibz\b|zlib/)) return 'z';
  return undefined;
}

/** The prototypes the library's headers declare (installed headers, then the built-in table), for completion. */
export function headerPrototypesOf(model: BindingModel, lib: CtypesLibrary, ext: ExternalDeclarations = NO_EXTERNAL): readonly CPrototype[] {
  const which = cLibraryOf(model, lib);
  const table = which ? allPrototypes().filter((p) => p.library === which) : [];
  return [...(ext.headerFunctionsOf?.(model, lib) ?? []), ...table];
}

/** A prototype for a function name: the workspace's headers first, then the built-in table. */
export function headerPrototype(model: BindingModel, name: string, ext: ExternalDeclarations = NO_EXTERNAL): CPrototype | undefined {
  return ext.headerPrototype?.(model, name)?.prototype ?? lookupPrototype(name);
}

/** How this file spells the ctypes module in front of a name: `ctypes.`, `C.` or '' after `from ctypes import *`. */
export function ctypesPrefix(model: BindingModel): string {
  const mod = model.imports.find((i) => i.module === 'ctypes' && i.boundName);
  if (mod) return `${mod.boundName}.`;
  if (model.imports.some((i) => i.module === 'ctypes' && (i.star || i.names.length))) return '';
  return 'ctypes.';
}
