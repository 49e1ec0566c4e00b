import type { BindingModel, CallSite, CtypesStruct, Expr, ForeignFunction, Span } from '../analysis/model';
import { dottedText } from '../analysis/model';
import { lookupPrototype } from '../data/cPrototypes';
import { plainSpan, type RuleFinding } from './finding';
import { perRegionCalls } from './regionCache';
import { boundName } from './boundName';

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
  const seen = new Set<string>();
  for (const lib of model.ctypes.libraries) {
    if (lib.origin && lib.origin.via !== 'local') continue; // loaded in another module: reported there
    if (seen.has(lib.name)) continue; // one library loaded in several platform branches
    seen.add(lib.name);
    if (lib.loader === 'PyDLL' || (lib.loader === 'attribute' && /\bpydll\b/.test(model.text.slice(lib.loadSpan.start, lib.loadSpan.end)))) continue; // PB201
    out.push({ code: 'PB101', span: plainSpan(lib.loadSpan), message: message(`\`${lib.name}\` is loaded with ctypes`), data: { library: lib.name } });
  }
  if (out.length === 0) {
    const importSpans = model.imports.map((i) => i.span);
    const first = model.ctypes.uses.find((u) => LOADER_NAMES.has(u.name) && !importSpans.some((s) => within(u.span, s)) && !isLoaderAlias(model, u.span) && u.call?.resultUsed !== false);
    if (first) out.push({ code: 'PB101', span: plainSpan(first.call?.span ?? first.span), message: message('ctypes calls C here') });
  }
  return out;
}

/** (A loader call whose result is dropped, `CDLL(path, RTLD_GLOBAL)`, only makes symbols global: no C is called.) */
/** `ctypes.windll = ctypes.cdll`: a loader aliased to another (a monkeypatch that loads and calls nothing). */
function isLoaderAlias(model: BindingModel, span: Span): boolean {
  const start = model.text.lastIndexOf('\n', span.start - 1) + 1;
  const nl = model.text.indexOf('\n', span.end);
  const line = model.text.slice(start, nl < 0 ? model.text.length : nl);
  return /^\s*[\w.]+\s*=\s*[\w.]+\s*(#.*)?$/.test(line) && /\b(cdll|windll|oledll|CDLL|WinDLL|OleDLL)\b.*=|=.*\b(cdll|windll|oledll|CDLL|WinDLL|OleDLL)\b/.test(line);
}

/** PB201 candidates among one region's calls (before the de-duplication by place). */
const pb201Calls = new WeakMap<BindingModel['regionCalls'][number], readonly { span: Span; api: string; why: string }[]>();

/** PB201: ctypes API that PyPy does not have. */
export function pb201(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const seen = new Set<number>();
  const add = (span: Span, api: string, why: string) => {
    if (seen.has(span.start)) return;
    seen.add(span.start);
    out.push({ code: 'PB201', span, message: why, data: { api } });
  };
  for (const u of model.ctypes.uses) {
    const why = MISSING_ON_PYPY[u.name];
    if (why) add(plainSpan(u.span), u.name, why);
  }
  const fromCalls = perRegionCalls(model, pb201Calls, (calls) => {
    const found: { span: Span; api: string; why: string }[] = [];
    for (const { callee, call } of calls) {
      if (callee.startsWith('ctypes.p')) {
        const m = /^ctypes\.(pythonapi|pydll)\./.exec(callee);
        if (m) found.push({ span: call.calleeSpan, api: m[1]!, why: MISSING_ON_PYPY[m[1]!]! });
      }
      if (callee === '_ctypes.PyObj_FromPtr' && model.text.slice(call.calleeSpan.start, call.calleeSpan.end).includes('.')) {
        found.push({ span: call.calleeSpan, api: 'PyObj_FromPtr', why: PYOBJ_FROMPTR });
      }
    }
    return found;
  });
  for (const f of fromCalls) add(f.span, f.api, f.why);
  for (const imp of model.imports) {
    if (imp.module !== '_ctypes') continue;
    for (const n of imp.names) if (n.name === 'PyObj_FromPtr') add(plainSpan(n.span), 'PyObj_FromPtr', PYOBJ_FROMPTR);
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

const idMessage = (how: string) => `\`id()\` ${how}, but on PyPy it is no address: use ffi.new_handle(obj) instead`;
/** PB203 findings of one region's calls (their spans anchored to the region). */
const pb203Calls = new WeakMap<BindingModel['regionCalls'][number], readonly RuleFinding[]>();

/** PB203: id(obj) taken as an address, py_object taken as a PyObject*. */
export function pb203(model: BindingModel): RuleFinding[] {
  const out = perRegionCalls(model, pb203Calls, (calls) => {
    const found: RuleFinding[] = [];
    for (const { callee, call } of calls) {
      let how: string | undefined;
      if (callee.endsWith('.from_address')) how = 'used as an address';
      else if (callee === 'ctypes.cast') how = 'cast to a pointer';
      else if (callee.startsWith('ctypes.') && ADDRESS_TYPES.has(callee.slice(7))) how = `made a ${callee.slice(7)}`;
      if (how) {
        const args = callee === 'ctypes.cast' ? call.args.slice(0, 1) : call.args;
        for (const id of args.flatMap((a) => idCalls(a, model))) found.push({ code: 'PB203', span: id.span, message: idMessage(how) });
      }
      if (callee === 'ctypes.cast' && model.qualify(dottedText(call.args[1]) ?? '') === 'ctypes.py_object') {
        found.push({ code: 'PB203', span: call.args[1]!.span, message: PY_OBJECT_MESSAGE });
      }
      if (callee === 'ctypes.POINTER' && model.qualify(dottedText(call.args[0]) ?? '') === 'ctypes.py_object') {
        found.push({ code: 'PB203', span: call.span, message: PY_OBJECT_MESSAGE });
      }
      if (callee === 'ctypes.py_object.from_address') {
        found.push({ code: 'PB203', span: call.calleeSpan, message: PY_OBJECT_MESSAGE });
      }
    }
    return found;
  });
  // id(obj) handed straight to a foreign function, ctypes or cffi
  const seen = new Set(out.map((f) => f.span.start));
  const passedToC = (arg: Expr) => {
    if (seen.has(arg.span.start)) return;
    seen.add(arg.span.start);
    out.push({ code: 'PB203', span: arg.span, message: idMessage('passed to C') });
  };
  // ctypes calls, then cffi calls (no array of every foreign call: a file may have thousands); a function's
  // id() arguments are kept while its calls are the same (a reused function: the same imports, so `id` is)
  for (const f of model.ctypes.functions) {
    let m = f.lintMemo?.pb203 as { calls: CallSite[]; callCount: number; ids: Expr[] } | undefined;
    if (!m || m.calls !== f.calls || m.callCount !== f.calls.length) {
      const ids: Expr[] = [];
      for (const call of f.calls) for (const arg of call.args) if (isIdCall(model, arg)) ids.push(arg);
      (f.lintMemo ??= {}).pb203 = m = { calls: f.calls, callCount: f.calls.length, ids };
    }
    for (const id of m.ids) passedToC(id);
  }
  for (const a of model.cffi.libAccesses) if (a.call) for (const arg of a.call.args) if (isIdCall(model, arg)) passedToC(arg);
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** `id(x)`, with `id` the builtin. */
function isIdCall(model: BindingModel, arg: Expr): boolean {
  return arg.k === 'call' && arg.callee.k === 'name' && arg.args.length === 1 && model.qualify(arg.callee.text) === 'id';
}

const PY_OBJECT_MESSAGE = '`py_object` is no PyObject* on PyPy: keep the object itself, or use ffi.new_handle';

function fnLabel(fn: ForeignFunction): string {
  return `${fn.library.name}.${fn.name}`;
}

function fnData(fn: ForeignFunction): Record<string, unknown> {
  return { library: fn.library.name, function: fn.name };
}

/** C result types for which ctypes' default `int` restype is right. */
const INT_LIKE = /^(?:(?:signed|unsigned|const)\s+)*(?:int|short|short int|char|_Bool|bool|int8_t|uint8_t|int16_t|uint16_t|int32_t|uint32_t|enum\s+\w+)$/;
/** Spellings that are surely wider than int or not integers: pointers, 64-bit integers, floating point. */
const NOT_INT = /\*|\[|^(?:(?:const|unsigned|signed)\s+)*(?:long|long int|long long|size_t|ssize_t|off_t|off64_t|time_t|intptr_t|uintptr_t|ptrdiff_t|int64_t|uint64_t|float|double|long double|intmax_t|uintmax_t|clock_t|HANDLE|LPVOID|PVOID|LPSTR|LPCSTR|LPWSTR|LPCWSTR)$/;

/** Calls whose argument is then read as a pointer, a size or a string (the result cannot have been an int). */
const POINTER_READERS = /^ctypes\.(string_at|wstring_at|cast|c_char_p|c_void_p|c_wchar_p|memmove|memset)$/;
const HANDLE_RELEASERS = /(free|destroy|release|close|unref|delete|dispose|fini)/i;

type RegionCalls = BindingModel['regionCalls'][number];
/** A candidate call's place, sortable: region × REGION_SLOT + index in the region. */
const REGION_SLOT = 2 ** 26;

/**
 * What resultEvidence reads of one region's calls: the calls by the start of an argument that is a call
 * (relative to the region's first call, so a region that only moved keeps its index) and by the dotted text
 * of an argument (`x`, `self.buf`); kept per region while its array of calls is the same object (its text and
 * the imports unchanged: BindingModel.regionCalls), so a keystroke indexes one region, not the file.
 */
interface RegionEvidence {
  byCallArg: Map<number, number[]>;
  byNameArg: Map<string, number[]>;
}
const regionEvidence = new WeakMap<RegionCalls, RegionEvidence>();

function regionEvidenceOf(calls: RegionCalls): RegionEvidence {
  let index = regionEvidence.get(calls);
  if (index) return index;
  index = { byCallArg: new Map(), byNameArg: new Map() };
  const add = <K>(map: Map<K, number[]>, key: K, i: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  const base = calls.length ? calls[0]!.call.span.start : 0;
  for (let i = 0; i < calls.length; i++) {
    for (const a of calls[i]!.call.args) {
      if (a.k === 'call') add(index.byCallArg, a.span.start - base, i);
      const d = dottedText(a);
      if (d !== undefined) add(index.byNameArg, d, i);
    }
  }
  regionEvidence.set(calls, index);
  return index;
}

/**
 * What resultEvidence reads of the whole model, once per lint: the regions with calls (in text order, for
 * finding a call's region by its start) and, for each dotted name followed by `.decode`, the last offset where
 * it starts. (It once ran a loop over every call and a regex over the rest of the file per call: quadratic.)
 */
interface EvidenceIndex {
  regions: RegionCalls[];
  decodedLast?: Map<string, number>;
}

const evidenceIndexes = new WeakMap<BindingModel, EvidenceIndex>();

function evidenceIndex(model: BindingModel): EvidenceIndex {
  let index = evidenceIndexes.get(model);
  if (!index) evidenceIndexes.set(model, (index = { regions: model.regionCalls.filter((c) => c.length > 0) }));
  return index;
}

function decodedLastOf(model: BindingModel, index: EvidenceIndex): Map<string, number> {
  if (index.decodedLast) return index.decodedLast;
  const decodedLast = (index.decodedLast = new Map<string, number>());
  // `a.b.c .decode`: `c`, `b.c` and `a.b.c` are each a name followed by `.decode` (as `\bNAME\s*\.\s*decode\b` reads it)
  for (const m of decodedNames(model.text)) {
    const parts = m.name.split('.');
    let at = m.at + m.name.length;
    for (let k = parts.length - 1; k >= 0; k--) {
      at -= parts[k]!.length;
      const name = parts.slice(k).join('.');
      decodedLast.set(name, Math.max(decodedLast.get(name) ?? -1, at));
      at -= 1; // the dot
    }
  }
  return decodedLast;
}

/** The region (its calls) holding a call: the last region whose first call starts at or before it. */
function regionOfCall(regions: readonly RegionCalls[], call: CallSite): number {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (regions[mid]![0]!.call.span.start <= call.span.start) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const DECODED_NAME = /(?<!\w)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?=\s*\.\s*decode\b)/g;
const NAME_OR_SPACE = /[\w.\s]/;
const nameOrSpaceAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 32 || (c >= 9 && c <= 13);
  return NAME_OR_SPACE.test(text[i]!);
};

/**
 * The matches of DECODED_NAME in a text, without running it over the whole text (at every identifier of a long
 * file): a match and its lookahead hold only word characters, dots and spaces, and end at a `decode`, so the
 * regex runs only over the stretch of those characters before each `decode`; the character before a stretch
 * cannot belong to a match, so the matches are the same as over the whole text.
 */
export function decodedNames(text: string): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  let done = 0;
  for (let d = text.indexOf('decode'); d >= 0; d = text.indexOf('decode', d + 1)) {
    let start = d;
    while (start > done && nameOrSpaceAt(text, start - 1)) start--;
    // merge with the stretches of the next `decode`s that this one runs into
    let last = d;
    for (let next = text.indexOf('decode', d + 1); next >= 0; next = text.indexOf('decode', next + 1)) {
      let i = last;
      while (i < next && nameOrSpaceAt(text, i)) i++;
      if (i < next) break;
      last = next;
    }
    const window = text.slice(start, Math.min(text.length, last + 'decode'.length + 1));
    for (const m of window.matchAll(DECODED_NAME)) out.push({ name: m[0], at: start + m.index! });
    done = last;
    d = last;
  }
  return out;
}

/** `f(...).decode(...)`: the result is read as a string in the call's own statement. */
function decodedRightAway(model: BindingModel, call: CallSite): boolean {
  return /^\s*\.\s*decode\b/.test(model.text.slice(call.span.end, call.span.end + 12));
}

/** What the code shows about a result: 'a pointer', 'a handle' or 'a string' when it is used as one, else undefined. */
function resultEvidence(model: BindingModel, fn: ForeignFunction, call: CallSite): string | undefined {
  const callText = model.text.slice(call.span.start, call.span.end);
  if (decodedRightAway(model, call)) return 'a string';
  const bound = boundName(model.text, call.span.start);
  const isResult = (e: Expr) => (e.k === 'call' && e.text === callText && e.span.start === call.span.start) || (!!bound && dottedText(e) === bound);
  const index = evidenceIndex(model);
  // the calls that take the result as an argument, in text order: those with this call as an argument are in
  // its own statement (its region); those with its bound name anywhere (each region's by name)
  const candidates: number[] = [];
  if (index.regions.length) {
    const own = regionOfCall(index.regions, call);
    const calls = index.regions[own]!;
    for (const j of regionEvidenceOf(calls).byCallArg.get(call.span.start - calls[0]!.call.span.start) ?? []) candidates.push(own * REGION_SLOT + j);
    if (bound) {
      for (let r = 0; r < index.regions.length; r++) for (const j of regionEvidenceOf(index.regions[r]!).byNameArg.get(bound) ?? []) candidates.push(r * REGION_SLOT + j);
    }
    candidates.sort((a, b) => a - b);
  }
  let previous = -1;
  for (const i of candidates) {
    if (i === previous) continue;
    previous = i;
    const { callee, call: c } = index.regions[Math.floor(i / REGION_SLOT)]![i % REGION_SLOT]!;
    if (!c.args.some(isResult)) continue;
    const q = model.qualify(callee);
    if (POINTER_READERS.test(q)) return q === 'ctypes.string_at' || q === 'ctypes.c_char_p' ? 'a string' : 'a pointer';
    const last = callee.slice(callee.lastIndexOf('.') + 1);
    if (model.ctypes.functions.some((f) => f !== fn && f.name === last && f.library === fn.library) && HANDLE_RELEASERS.test(last)) return 'a handle';
  }
  if (bound && (decodedLastOf(model, index).get(bound) ?? -1) >= call.span.end) return 'a string';
  return undefined;
}

/**
 * PB204: a result read with ctypes' default `int` restype where that is wrong: the C result type (header,
 * table) is not int-like, or, with neither, the code itself uses the result as a pointer, handle or string.
 */
export function pb204(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const fn of model.ctypes.functions) {
    const hit = memoOf(pb204Memo, fn);
    if (hit) {
      if (hit.finding) out.push(hit.finding);
      continue;
    }
    const found = pb204Of(model, fn);
    // a finding from the rest of the file (a later use of the result) is not kept: other regions may change
    if (found.local) memoSet(pb204Memo, fn, found.finding);
    if (found.finding) out.push(found.finding);
  }
  return out;
}

/** PB204 of one function; `local` when only the function and the text of its own calls decided it. */
function pb204Of(model: BindingModel, fn: ForeignFunction): { finding?: RuleFinding; local: boolean } {
  if (fn.restype || fn.declaredElsewhere?.restype) return { local: true };
  if (!fn.calls.some((c) => c.resultUsed)) return { local: true };
  const proto = fn.cPrototype ?? lookupPrototype(fn.name);
  const returns = proto?.returns.replace(/\s+/g, ' ').trim();
  let at: CallSite | undefined;
  let known = '';
  let local = true;
  if (returns !== undefined) {
    if (INT_LIKE.test(returns) || returns === 'void' || !NOT_INT.test(returns)) return { local: true }; // int is right, or a typedef we cannot size
    at = fn.calls.find((c) => c.resultUsed);
    known = `C returns \`${returns}\``;
  } else {
    if (fn.errcheck || fn.declaredElsewhere?.errcheck) return { local: true };
    for (const c of fn.calls) {
      if (!c.resultUsed) continue;
      let ev = decodedRightAway(model, c) ? 'a string' : undefined;
      if (!ev) {
        local = false;
        ev = resultEvidence(model, fn, c);
      }
      if (ev) {
        at = c;
        known = `the result is used as ${ev}`;
        break;
      }
    }
  }
  if (!at) return { local };
  return {
    local,
    finding: {
      code: 'PB204',
      span: at.calleeSpan,
      message: `\`${fnLabel(fn)}\` result used without restype: ctypes reads an int, but ${known}`,
      data: { ...fnData(fn), ...(returns ? { returns } : {}) },
    },
  };
}

/** How ctypes converts an argument without argtypes, against the C parameter type it goes to. */
function defaultConversionProblem(arg: Expr, cType: string | undefined): string | undefined {
  const isFloatLit = arg.k === 'num' && /[.eE]/.test(arg.text) && !/^-?0[xX]/.test(arg.text);
  if (isFloatLit) return 'is a float (ArgumentError)';
  if (!cType) return undefined;
  const t = cType.replace(/\s+/g, ' ').trim();
  if (/^(const )?(float|double|long double)$/.test(t) && arg.k === 'num') return `goes to \`${t}\` as a C int`;
  if (/^(const )?(float|double)$/.test(t) && (arg.k === 'name' || arg.k === 'binop')) return `goes to \`${t}\` unconverted`;
  if (/\*/.test(t) && arg.k === 'str' && !arg.bytes && !/wchar_t/.test(t)) return `is a str (a wchar_t *) for \`${t}\``;
  if (/\*/.test(t) && arg.k === 'num' && arg.value !== 0) return `goes to \`${t}\` as a C int`;
  if (NOT_INT.test(t) && !/\*/.test(t) && arg.k === 'num' && Math.abs(arg.value) >= 2 ** 31) return `is cut to a C int for \`${t}\``;
  return undefined;
}

/**
 * What a per-function rule read of a function (by identity) and what it found: a function the link reused is
 * not read again while none of these changed (the workspace link may push to its calls: their count too).
 */
interface FunctionMemo {
  argtypes: ForeignFunction['argtypes'];
  restype: ForeignFunction['restype'];
  errcheck: ForeignFunction['errcheck'];
  elsewhere: ForeignFunction['declaredElsewhere'];
  proto: ForeignFunction['cPrototype'];
  library: ForeignFunction['library'];
  calls: CallSite[];
  callCount: number;
  finding: RuleFinding | undefined;
}
const pb204Memo = 'pb204';
const pb205Memo = 'pb205';

function memoOf(memo: string, fn: ForeignFunction): FunctionMemo | undefined {
  const m = fn.lintMemo?.[memo] as FunctionMemo | undefined;
  return m && m.argtypes === fn.argtypes && m.restype === fn.restype && m.errcheck === fn.errcheck && m.elsewhere === fn.declaredElsewhere && m.proto === fn.cPrototype && m.library === fn.library && m.calls === fn.calls && m.callCount === fn.calls.length ? m : undefined;
}

function memoSet(memo: string, fn: ForeignFunction, finding: RuleFinding | undefined): void {
  (fn.lintMemo ??= {})[memo] = { argtypes: fn.argtypes, restype: fn.restype, errcheck: fn.errcheck, elsewhere: fn.declaredElsewhere, proto: fn.cPrototype, library: fn.library, calls: fn.calls, callCount: fn.calls.length, finding } satisfies FunctionMemo;
}

/**
 * PB205: a call without argtypes: reported when ctypes converts an argument wrongly (by the C prototype from
 * the header or the table, or a float), or for a function of the built-in table (its fix is exact).
 */
export function pb205(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const fn of model.ctypes.functions) {
    const hit = memoOf(pb205Memo, fn);
    if (hit) {
      if (hit.finding) out.push(hit.finding);
      continue;
    }
    const finding = pb205Of(fn);
    memoSet(pb205Memo, fn, finding);
    if (finding) out.push(finding);
  }
  return out;
}

/** PB205 of one function (spans anchored as the calls' are). */
function pb205Of(fn: ForeignFunction): RuleFinding | undefined {
  if (fn.argtypes || fn.declaredElsewhere?.argtypes) return undefined;
  const proto = fn.cPrototype ?? lookupPrototype(fn.name);
  let problem: { call: CallSite; why: string } | undefined;
  for (const call of fn.calls) {
    for (const [i, arg] of call.args.entries()) {
      const why = defaultConversionProblem(arg, proto?.params[i]);
      if (why) {
        problem = { call, why: `argument ${i + 1} ${why}` };
        break;
      }
    }
    if (problem) break;
  }
  if (!problem) {
    // with a prototype (header or table) the fix writes the exact argtypes; with neither, nothing is known
    const call = fn.calls.find((c) => c.args.length > 0 || c.keywords.length > 0);
    if (!proto || proto.params.length === 0 || !call) return undefined;
    return { code: 'PB205', span: call.calleeSpan, message: `\`${fnLabel(fn)}\` called without argtypes, so nothing checks its arguments: set its argtypes`, data: fnData(fn) };
  }
  return {
    code: 'PB205',
    span: problem.call.calleeSpan,
    message: `\`${fnLabel(fn)}\` has no argtypes: ${problem.why}; set its argtypes`,
    data: fnData(fn),
  };
}

function hasBitFields(s: CtypesStruct, byName: Map<string, CtypesStruct>, depth = 8): boolean {
  if (s.hasBitFields) return true;
  const parent = byName.get(s.base);
  return !!parent && parent !== s && depth > 0 && hasBitFields(parent, byName, depth - 1);
}

/** PB206: bytes()/memoryview() of a Structure with bit-fields (raises ValueError on PyPy). */
export function pb206(model: BindingModel): RuleFinding[] {
  if (model.ctypes.structs.length === 0) return [];
  // the tables are built at the first bytes()/memoryview() call: most files have none, and thousands of structs
  let byName: Map<string, CtypesStruct> | undefined;
  let instances: Map<string, CtypesStruct> | undefined;
  const out: RuleFinding[] = [];
  for (const calls of model.regionCalls) for (const { callee, call } of calls) {
    if ((callee !== 'bytes' && callee !== 'memoryview') || call.args.length !== 1) continue;
    byName ??= new Map(model.ctypes.structs.map((s) => [s.name, s]));
    instances ??= new Map(model.ctypes.instances.map((i) => [i.name, i.struct]));
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
