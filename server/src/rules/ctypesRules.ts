import type { BindingModel, CallSite, CtypesStruct, Expr, ForeignFunction, Span } from '../analysis/model';
import { dottedText } from '../analysis/model';
import { lookupPrototype } from '../data/cPrototypes';
import { plainSpan, type RuleFinding } from './finding';

/** ctypes names that load a library (their first use is where PB101 goes when no library is assigned). */
const LOADER_NAMES = new Set(['CDLL', 'WinDLL', 'OleDLL', 'cdll', 'windll', 'oledll']);
/** ctypes API that PyPy lacks (PB201). */
const MISSING_ON_PYPY: Record<string, string> = {
  pythonapi: '`ctypes.pythonapi` does not exist on PyPy (no C-API to call): do without it',
  PyDLL: '`ctypes.PyDLL` does not exist on PyPy: load the library with CDLL, or use cffi',
  pydll: '`ctypes.pydll` does not exist on PyPy: load the library with cdll, or use cffi',
  resize: '`ctypes.resize` raises NotImplementedError on PyPy: allocate a new buffer and memmove',
};
const PYOBJ_FROMPTR = '`_ctypes.PyObj_FromPtr` does not exist on PyPy: keep the object, or use ffi.new_handle';
/** ctypes integer/pointer types whose constructor turns id(x) into an "address". */
const ADDRESS_TYPES = new Set(['c_void_p', 'c_size_t', 'c_ssize_t', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong', 'c_int64', 'c_uint64', 'c_char_p']);

const within = (inner: Span, outer: Span) => inner.start >= outer.start && inner.end <= outer.end;

/** PB101: once per ctypes library (its loading expression), or at the first loader use when none is assigned. */
export function pb101(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const message = (what: string) => `${what}, slow on PyPy: declare its functions in a cffi cdef and use ffi.dlopen`;
  for (const lib of model.ctypes.libraries) {
    if (lib.origin && lib.origin.via !== 'local') continue; // loaded in another module: reported there
    if (lib.loader === 'PyDLL' || (lib.loader === 'attribute' && /\bpydll\b/.test(model.text.slice(lib.loadSpan.start, lib.loadSpan.end)))) continue; // PB201
    out.push({ code: 'PB101', span: plainSpan(lib.loadSpan), message: message(`\`${lib.name}\` is loaded with ctypes`), data: { library: lib.name } });
  }
  if (out.length === 0) {
    const importSpans = model.imports.map((i) => i.span);
    const first = model.ctypes.uses.find((u) => LOADER_NAMES.has(u.name) && !importSpans.some((s) => within(u.span, s)));
    if (first) out.push({ code: 'PB101', span: plainSpan(first.call?.span ?? first.span), message: message('ctypes calls C here') });
  }
  return out;
}

/** PB201: ctypes API that PyPy does not have. */
export function pb201(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const seen = new Set<number>();
  const add = (span: Span, api: string, why: string) => {
    if (seen.has(span.start)) return;
    seen.add(span.start);
    out.push({ code: 'PB201', span: plainSpan(span), message: why, data: { api } });
  };
  for (const u of model.ctypes.uses) {
    const why = MISSING_ON_PYPY[u.name];
    if (why) add(u.span, u.name, why);
  }
  for (const { callee, call } of model.calls) {
    const m = /^ctypes\.(pythonapi|pydll)\./.exec(callee);
    if (m) add(call.calleeSpan, m[1]!, MISSING_ON_PYPY[m[1]!]!);
    if (callee === '_ctypes.PyObj_FromPtr' && model.text.slice(call.calleeSpan.start, call.calleeSpan.end).includes('.')) {
      add(call.calleeSpan, 'PyObj_FromPtr', PYOBJ_FROMPTR);
    }
  }
  for (const imp of model.imports) {
    if (imp.module !== '_ctypes') continue;
    for (const n of imp.names) if (n.name === 'PyObj_FromPtr') add(n.span, 'PyObj_FromPtr', PYOBJ_FROMPTR);
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

function idCalls(e: Expr | undefined, model: BindingModel, depth = 4): Expr[] {
  if (!e || depth < 0) return [];
  if (e.k === 'call') {
    if (e.callee.k === 'name' && model.qualify(e.callee.text) === 'id' && e.args.length === 1) return [e];
    return e.args.flatMap((a) => idCalls(a, model, depth - 1));
  }
  if (e.k === 'binop') return [...idCalls(e.left, model, depth - 1), ...idCalls(e.right, model, depth - 1)];
  if (e.k === 'tuple' || e.k === 'list') return e.items.flatMap((a) => idCalls(a, model, depth - 1));
  return [];
}

/** PB203: id(obj) taken as an address, py_object taken as a PyObject*. */
export function pb203(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const idMessage = (how: string) => `\`id()\` ${how}, but on PyPy it is no address: use ffi.new_handle(obj) instead`;
  for (const { callee, call } of model.calls) {
    const last = callee.slice(callee.lastIndexOf('.') + 1);
    let how: string | undefined;
    if (last === 'from_address' && callee.includes('.')) how = 'used as an address'
    else if (callee === 'ctypes.cast') how = 'cast to a pointer';
    else if (callee.startsWith('ctypes.') && ADDRESS_TYPES.has(callee.slice(7))) how = `made a ${callee.slice(7)}`;
    if (how) {
      const args = callee === 'ctypes.cast' ? call.args.slice(0, 1) : call.args;
      for (const id of args.flatMap((a) => idCalls(a, model))) out.push({ code: 'PB203', span: plainSpan(id.span), message: idMessage(how) });
    }
    if (callee === 'ctypes.cast' && model.qualify(dottedText(call.args[1]) ?? '') === 'ctypes.py_object') {
      out.push({ code: 'PB203', span: plainSpan(call.args[1]!.span), message: PY_OBJECT_MESSAGE });
    }
    if (callee === 'ctypes.py_object.from_address') {
      out.push({ code: 'PB203', span: plainSpan(call.calleeSpan), message: PY_OBJECT_MESSAGE });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

const PY_OBJECT_MESSAGE = '`py_object` is no PyObject* on PyPy: keep the object itself, or use ffi.new_handle';

function fnLabel(fn: ForeignFunction): string {
  return `${fn.library.name}.${fn.name}`;
}

function fnData(fn: ForeignFunction): Record<string, unknown> {
  return { library: fn.library.name, function: fn.name };
}

/** PB204: result of a foreign function used with no restype anywhere in the file. */
export function pb204(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const fn of model.ctypes.functions) {
    if (fn.restype || fn.declaredElsewhere?.restype) continue;
    const used = fn.calls.find((c) => c.resultUsed);
    if (!used) continue;
    const proto = fn.cPrototype ?? lookupPrototype(fn.name);
    const returns = proto?.returns.replace(/\s+/g, ' ').trim();
    // The C int default is right for a known int-returning function; with errcheck the author handles the result.
    if (returns === 'int' || returns === 'signed int') continue;
    if (!proto && (fn.errcheck || fn.declaredElsewhere?.errcheck)) continue;
    const known = returns ? `, C returns \`${returns}\`` : '';
    out.push({
      code: 'PB204',
      span: plainSpan(used.calleeSpan),
      message: `\`${fnLabel(fn)}\` result used without restype (ctypes assumes int${known}): set its restype`,
      data: { ...fnData(fn), ...(returns ? { returns } : {}) },
    });
  }
  return out;
}

/** PB205: a foreign function called with arguments but no argtypes. */
export function pb205(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const fn of model.ctypes.functions) {
    if (fn.argtypes || fn.declaredElsewhere?.argtypes) continue;
    const call: CallSite | undefined = fn.calls.find((c) => c.args.length > 0 || c.keywords.length > 0);
    if (!call) continue;
    const proto = fn.cPrototype ?? lookupPrototype(fn.name);
    if (proto && proto.params.length === 0 && !proto.variadic) continue;
    out.push({
      code: 'PB205',
      span: plainSpan(call.calleeSpan),
      message: `\`${fnLabel(fn)}\` called without argtypes, so nothing checks its arguments: set its argtypes`,
      data: fnData(fn),
    });
  }
  return out;
}

function hasBitFields(s: CtypesStruct, byName: Map<string, CtypesStruct>, depth = 8): boolean {
  if (s.hasBitFields) return true;
  const parent = byName.get(s.base);
  return !!parent && parent !== s && depth > 0 && hasBitFields(parent, byName, depth - 1);
}

/** PB206: bytes()/memoryview() of a Structure with bit-fields (raises ValueError on PyPy). */
export function pb206(model: BindingModel): RuleFinding[] {
  if (model.ctypes.structs.length === 0) return [];
  const byName = new Map(model.ctypes.structs.map((s) => [s.name, s]));
  const instances = new Map(model.ctypes.instances.map((i) => [i.name, i.struct]));
  const out: RuleFinding[] = [];
  for (const { callee, call } of model.calls) {
    if ((callee !== 'bytes' && callee !== 'memoryview') || call.args.length !== 1) continue;
    const arg = call.args[0]!;
    const name = dottedText(arg);
    const struct = name ? instances.get(name) : arg.k === 'call' ? byName.get(dottedText(arg.callee) ?? '') : undefined;
    if (!struct || !hasBitFields(struct, byName)) continue;
    out.push({
      code: 'PB206',
      span: plainSpan(call.span),
      message: `\`${callee}()\` of bit-field Structure \`${struct.name}\` raises ValueError on PyPy: use ctypes.string_at`,
      data: { struct: struct.name },
    });
  }
  return out;
}

export const CTYPES_RULES = [pb101, pb201, pb203, pb204, pb205, pb206];
