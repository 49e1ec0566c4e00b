import type { BindingModel, CallSite, CtypesType, Expr, ForeignFunction } from '../analysis/model';
import { dottedText } from '../analysis/model';
import { lookupPrototype } from '../data/cPrototypes';
import { plainSpan, type RuleFinding } from './finding';

/**
 * Rules on what a call hands to C: a `bytes` buffer C is meant to fill (PB207), and objects of the other FFI
 * (PB312: cdata given to a ctypes function, ctypes objects given to a cffi function).
 */

/** What is known of one parameter: a C spelling (header, table, cdef) or a ctypes argtype. */
type ParamInfo = { c: string } | { ctypes: CtypesType } | undefined;

function ctypesParam(fn: ForeignFunction, i: number): ParamInfo {
  const t = fn.argtypes?.types?.[i] ?? fn.declaredElsewhere?.argtypes?.[i];
  if (t) return { ctypes: t };
  const proto = fn.cPrototype ?? lookupPrototype(fn.name);
  const p = proto?.params[i];
  return p !== undefined ? { c: p } : undefined;
}

/** True when C may write through this parameter: a pointer whose target is not const (or a ctypes pointer type). */
function writable(p: ParamInfo): boolean {
  if (!p) return true; // nothing says otherwise; the buffer's shape says it is meant to be filled
  if ('ctypes' in p) {
    const t = p.ctypes;
    if (t.kind === 'pointer' || t.kind === 'unknown') return true;
    return t.kind === 'prim' && /^(c_char_p|c_void_p|c_wchar_p)$/.test(t.name);
  }
  const c = p.c.replace(/\s+/g, ' ').trim();
  const star = c.search(/\*|\[/);
  if (star < 0) return false;
  return !/\bconst\b/.test(c.slice(0, star));
}

/** The text of the assignment `name = …` that binds a plain name in this file, when there is exactly one. */
function soleAssignment(model: BindingModel, name: string, cache: Map<string, string | undefined>): string | undefined {
  if (cache.has(name)) return cache.get(name);
  const re = new RegExp(`^[ \\t]*${name.replace(/[.$]/g, '\\$&')}[ \\t]*=(?!=)[ \\t]*(.+)$`, 'gm');
  const values = [...model.text.matchAll(re)].map((m) => m[1]!.trim());
  const v = values.length === 1 ? values[0] : undefined;
  cache.set(name, v);
  return v;
}

const BYTES_BUFFER = /^(?:b(["'])(?:\\x00|\\0|\\000| )\1\s*\*\s*[\w.()+\-* ]+|[\w.()+\-* ]+\s*\*\s*b(["'])(?:\\x00|\\0|\\000| )\2|bytes\(\s*[\w.()+\-* ]+\s*\))$/;

/** What a name's buffer test reads of the file: the sole assignments asked for, and the names a buffer can be bound to. */
interface BufferNames {
  cache: Map<string, string | undefined>;
  candidates?: Set<string>;
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;
const ASSIGNED_NAME = /^[ \t]*([^ \t=]+)[ \t]*=(?!=)/;

/**
 * The names assigned on a line holding `bytes(`, `b"` or `b'` (lines as `soleAssignment`'s regex cuts them): a name
 * bound once to a buffer is bound on such a line, so any other name needs no scan of the file for its assignments.
 */
function bufferCandidates(text: string): Set<string> {
  const out = new Set<string>();
  const marker = /bytes\(|b["']/g;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    let start = m.index;
    while (start > 0 && !LINE_BREAK.test(text[start - 1]!)) start--;
    let end = m.index;
    while (end < text.length && !LINE_BREAK.test(text[end]!)) end++;
    const name = ASSIGNED_NAME.exec(text.slice(start, end))?.[1];
    if (name !== undefined) out.add(name);
    marker.lastIndex = end;
  }
  return out;
}

/** `b"\0" * n`, `n * b" "`, `bytes(n)`, or a name bound once to one of them. */
function bytesBuffer(model: BindingModel, e: Expr, names: BufferNames): boolean {
  if (e.k === 'binop' || e.k === 'call') return BYTES_BUFFER.test(e.text) && !/^bytes\(\s*b?["']/.test(e.text);
  if (e.k === 'name') {
    if (!(names.candidates ??= bufferCandidates(model.text)).has(e.text)) return false;
    const v = soleAssignment(model, e.text, names.cache);
    return !!v && BYTES_BUFFER.test(v.replace(/\s*#.*$/, ''));
  }
  return false;
}

/** PB207: an immutable `bytes` buffer passed where C writes (PyPy hands C a copy: the result is lost). */
export function pb207(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const names: BufferNames = { cache: new Map() };
  const report = (arg: Expr, callee: string, fix: string) =>
    out.push({ code: 'PB207', span: plainSpan(arg.span), message: `\`${callee}\` writes into this bytes, but PyPy passes C a copy: use ${fix}`, data: { replacement: fix } });
  for (const fn of model.ctypes.functions) {
    for (const call of fn.calls) {
      for (let i = 0; i < call.args.length; i++) {
        const arg = call.args[i]!;
        if (bytesBuffer(model, arg, names) && writable(ctypesParam(fn, i))) report(arg, `${fn.library.name}.${fn.name}`, 'ctypes.create_string_buffer(n)');
      }
    }
  }
  // cffi is not affected: on PyPy as on CPython it hands C the bytes' own memory (checked on PyPy 7.3.11)
  return out.sort((x, y) => x.span.start - y.span.start);
}

const FFI_CDATA_METHODS = new Set(['new', 'cast', 'from_buffer', 'addressof', 'gc', 'new_handle', 'new_allocator']);
const CTYPES_OBJECT_MAKERS = /^ctypes\.(c_\w+|byref|pointer|create_string_buffer|create_unicode_buffer|cast|addressof)$/;

/** Where each kind of object comes from, in this file. */
interface Origins {
  cdataNames: Set<string>;
  ffiNames: Set<string>;
  /** Built on first use: only ctypes objects handed to cffi read them, and a file may have thousands of structs. */
  structNames(): Set<string>;
  instanceNames(): Set<string>;
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

function origins(model: BindingModel): Origins {
  const cdataNames = new Set<string>();
  for (const a of model.cffi.assigns) {
    const t = dottedText(a.target);
    if (t && a.on === 'ffi' && FFI_CDATA_METHODS.has(a.member)) cdataNames.add(t);
  }
  return {
    cdataNames,
    ffiNames: new Set(model.cffi.ffis.map((f) => f.name)),
    structNames: once(() => new Set(model.ctypes.structs.map((s) => s.name))),
    instanceNames: once(() => new Set(model.ctypes.instances.map((i) => i.name))),
  };
}

/** Cdata made by an ffi of this file: `ffi.new(...)`, `ffi.cast(...)`, `ffi.NULL`, or a name bound to one. */
function isCdata(e: Expr, o: Origins): boolean {
  if (e.k === 'call' && (e.callee.k === 'dotted' || e.callee.k === 'attr')) {
    const owner = dottedText(e.callee.object);
    return !!owner && o.ffiNames.has(owner) && FFI_CDATA_METHODS.has(e.callee.attr);
  }
  if (e.k === 'dotted') return e.attr === 'NULL' && o.ffiNames.has(dottedText(e.object) ?? '');
  const d = dottedText(e);
  return !!d && o.cdataNames.has(d);
}

/** A ctypes object: `c_int(3)`, `byref(x)`, `create_string_buffer(n)`, an instance of this file's Structure. */
function isCtypesObject(model: BindingModel, e: Expr, o: Origins): boolean {
  if (e.k === 'call') {
    const callee = dottedText(e.callee);
    if (!callee) return false;
    return CTYPES_OBJECT_MAKERS.test(model.qualify(callee)) || o.structNames().has(callee);
  }
  const d = dottedText(e);
  return !!d && o.instanceNames().has(d);
}

function mixedFinding(arg: Expr, message: string): RuleFinding {
  return { code: 'PB312', span: plainSpan(arg.span), message };
}

/**
 * PB312: cdata handed to a ctypes function, or a ctypes object handed to a cffi function: both raise at run
 * time (ctypes.ArgumentError, TypeError). The converter calls this on its output to check a plan.
 */
export function pb312(model: BindingModel): RuleFinding[] {
  if (model.cffi.ffis.length === 0 || (model.ctypes.functions.length === 0 && model.cffi.libAccesses.length === 0)) return [];
  const o = origins(model);
  const out: RuleFinding[] = [];
  const each = (call: CallSite | undefined, test: (e: Expr) => boolean, message: (e: Expr) => string) => {
    for (const arg of call?.args ?? []) if (test(arg)) out.push(mixedFinding(arg, message(arg)));
  };
  for (const fn of model.ctypes.functions) {
    // (no closure per function: a file may have thousands)
    for (const call of fn.calls) {
      for (const arg of call.args) if (isCdata(arg, o)) out.push(mixedFinding(arg, `cffi cdata passed to ctypes function \`${fn.library.name}.${fn.name}\` raises ArgumentError: call it through cffi`));
    }
  }
  for (const a of model.cffi.libAccesses) {
    each(a.call, (e) => isCtypesObject(model, e, o), () => `ctypes object passed to cffi function \`${a.lib.name}.${a.name}\` raises TypeError: pass cdata (${a.ffi.name}.new)`);
  }
  return out.sort((x, y) => x.span.start - y.span.start);
}

export const ARGUMENT_RULES = [pb207, pb312];

