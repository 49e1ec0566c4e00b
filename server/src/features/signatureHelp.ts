/**
 * Signature help: the C prototype of the cffi or ctypes function being called (from its cdef, its
 * argtypes/restype, or a header), or the ffi method's Python signature; the active parameter follows the cursor.
 */
import type { ParameterInformation, SignatureHelp, SignatureInformation } from 'vscode-languageserver';
import type { BindingModel, CDeclaration, CtypesType, ForeignFunction } from '../analysis/model';
import type { ParsedDocument } from '../documents/parsedDocument';
import { cTypeOf } from '../hover/cSpelling';
import { ffiMember } from '../hover/ffiApi';
import type { CPrototype } from '../data/cPrototypes';
import { declarationsOf, ffiByName, ffiLibByName, foreignFunction, headerPrototype, NO_EXTERNAL, type ExternalDeclarations } from './bindings';
import { cursorContext, type OpenCall } from './scan';

export function signatureHelpAt(model: BindingModel, doc: ParsedDocument, offset: number, ext: ExternalDeclarations = NO_EXTERNAL): SignatureHelp | null {
  const region = doc.regionAt(offset) ?? doc.regionAt(offset - 1);
  const from = region ? region.offset : model.text.lastIndexOf('\n', offset - 1) + 1;
  const ctx = cursorContext(model.text, from, offset);
  if (!ctx.call?.callee || ctx.inComment) return null;
  const sig = signatureFor(model, ctx.call, ext);
  if (!sig) return null;
  const active = activeParameter(model.text, ctx.call, offset, sig);
  return { signatures: [sig.info], activeSignature: 0, activeParameter: active };
}

interface Built {
  info: SignatureInformation;
  /** Parameter names (for keyword arguments), '' when unnamed. */
  names: string[];
  variadic: boolean;
}

function signatureFor(model: BindingModel, call: OpenCall, ext: ExternalDeclarations): Built | undefined {
  const dot = call.callee.lastIndexOf('.');
  const object = dot > 0 ? call.callee.slice(0, dot) : '';
  const member = call.callee.slice(dot + 1);
  if (object) {
    const onLib = ffiLibByName(model, object);
    if (onLib) {
      const found = declarationsOf(model, onLib.ffi, ext).find((d) => d.decl.kind === 'function' && d.decl.name === member);
      if (found) return fromCdef(found.decl, `declared in the cdef of \`${onLib.ffi.name}\``);
      // not in the cdef: what the library's header declares, said as such
      const header = ext.headerPrototype?.(model, member);
      return header ? fromPrototype(header.prototype, `from ${header.prototype.header}; not declared in the cdef of \`${onLib.ffi.name}\``) : undefined;
    }
    const ffi = ffiByName(model, object);
    if (ffi) return fromPython(member, ffi.name);
  }
  const fn = foreignFunction(model, call.callee, call.calleeSpan.start);
  if (fn) return fromCtypes(model, fn, ext);
  return undefined;
}

const CFFI_VARIADIC = 'Variadic: any number of further arguments. Pass each as cdata of the exact C type (`ffi.cast("int", n)`): cffi cannot know the type C expects.';
const CTYPES_VARIADIC = 'Variadic: any number of further arguments. ctypes converts each by its Python type (`int` → `int`, `bytes` → `char *`); wrap others in their ctypes type (`c_double(x)`).';

/** Builds a label `ret name(p1, p2, ...)` with each parameter's [start, end) in it. */
function build(prefix: string, params: string[], variadic: boolean, doc: string, names: string[], variadicNote = CFFI_VARIADIC): Built {
  let label = `${prefix}(`;
  const parameters: ParameterInformation[] = [];
  const all = variadic ? [...params, '...'] : params;
  all.forEach((p, i) => {
    if (i) label += ', ';
    parameters.push({ label: [label.length, label.length + p.length], ...(p === '...' && variadic ? { documentation: { kind: 'markdown', value: variadicNote } } : {}) });
    label += p;
  });
  label += ')';
  return { info: { label, parameters, documentation: { kind: 'markdown', value: doc } }, names, variadic };
}

function fromCdef(d: CDeclaration, where: string): Built {
  const params = (d.params ?? []).map((p) => (p.name ? `${p.type}${p.type.endsWith('*') ? '' : ' '}${p.name}` : p.type));
  const ret = d.returns ?? 'int';
  return build(`${ret}${ret.endsWith('*') ? '' : ' '}${d.name}`, params, !!d.variadic, `C function ${where}.`, (d.params ?? []).map((p) => p.name ?? ''));
}

function fromPrototype(p: CPrototype, where: string, variadicNote?: string): Built {
  return build(`${p.returns}${p.returns.endsWith('*') ? '' : ' '}${p.name}`, [...p.params], p.variadic, `C function ${where}.`, p.params.map(() => ''), variadicNote);
}

function fromCtypes(model: BindingModel, fn: ForeignFunction, ext: ExternalDeclarations): Built | undefined {
  const ctx = { structs: new Map(model.ctypes.structs.map((s) => [s.name, s])), prototypes: new Map(model.ctypes.prototypes.map((p) => [p.name, p])) };
  const proto = headerPrototype(model, fn.name, ext);
  // this file's argtypes/restype, else those another module of the workspace sets
  const elsewhere = fn.argtypes ? undefined : fn.declaredElsewhere;
  const argtypes = fn.argtypes?.types ?? elsewhere?.argtypes;
  if (argtypes) {
    const spell = (t: CtypesType) => cTypeOf(t, ctx) ?? (t.kind === 'unknown' ? t.text : t.kind === 'funcptr' || t.kind === 'struct' ? t.name : '?');
    const params = argtypes.map(spell);
    const restype = fn.restype?.type ?? (fn.restype ? undefined : elsewhere?.restype);
    const ret = restype ? spell(restype) : 'int';
    const note = restype ? '' : ' `restype` is not set: the result is read as C `int`.';
    const where = elsewhere ? `set in \`${elsewhere.module}\`` : '';
    // argtypes list only the fixed parameters of a variadic function
    const variadic = !!proto?.variadic && proto.params.length === params.length;
    const header = proto && !/^<?(stdio|stdlib|string|math)/.test(proto.header) ? `\n\n${proto.header} declares \`${proto.returns}${proto.returns.endsWith('*') ? '' : ' '}${fn.name}(${[...proto.params, ...(proto.variadic ? ['...'] : [])].join(', ') || 'void'})\`.` : '';
    return build(`${ret}${ret.endsWith('*') ? '' : ' '}${fn.name}`, params, variadic, `ctypes foreign function of \`${fn.library.name}\`, from its \`argtypes\`/\`restype\`${where ? ' ' + where : ''}.${note}${header}`, params.map(() => ''), CTYPES_VARIADIC);
  }
  if (proto) return fromPrototype(proto, `from ${proto.header} (\`argtypes\` is not set, so ctypes checks nothing)`, CTYPES_VARIADIC);
  return undefined;
}

/** `ffi.new(cdecl, init=None)` → parameters split at top-level commas. */
function fromPython(member: string, ffiName: string): Built | undefined {
  const m = ffiMember(member);
  if (!m) return undefined;
  const sig = m.signature.replace(/^@/, '');
  const open = sig.indexOf('(');
  if (open < 0) return undefined;
  const inner = sig.slice(open + 1, sig.lastIndexOf(')'));
  const params: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      params.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) params.push(cur.trim());
  const variadic = params[params.length - 1] === '...';
  if (variadic) params.pop();
  const name = `${ffiName}.${sig.slice(sig.indexOf('.') + 1, open)}`;
  return build(name, params, variadic, m.summary + (m.pitfall ? `\n\n**Pitfall:** ${m.pitfall}` : ''), params.map((p) => /^\[?(\w+)/.exec(p)?.[1] ?? ''));
}

function activeParameter(text: string, call: OpenCall, offset: number, sig: Built): number {
  const kw = /^\s*(\w+)\s*=/.exec(text.slice(call.argStart, offset));
  if (kw) {
    const i = sig.names.indexOf(kw[1]!);
    if (i >= 0) return i;
  }
  const count = sig.info.parameters?.length ?? 0;
  return sig.variadic ? Math.min(call.argIndex, count - 1) : call.argIndex;
}
