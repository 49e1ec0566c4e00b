import { CFFI_PREDEFINED_TYPES } from '../analysis/cdef';
import type { BindingModel, CDeclaration, CdefProblem, CdefSource, Expr, FfiObject, Span } from '../analysis/model';
import { dottedText } from '../analysis/model';
import { plainSpan, type RuleFinding } from './finding';

/**
 * The last table built from each list of cdefs, keyed by the first cdef's declarations: a cdef's declarations
 * array is cached with its parse (analysis/cdef.ts), so while every cdef is the same array the table is too.
 */
const declarationTables = new WeakMap<readonly CDeclaration[], { lists: readonly CDeclaration[][]; table: Map<string, CDeclaration> }>();

/** Declarations of an ffi by name (a later cdef overrides an earlier one). Read-only: the table is shared across lints. */
function declarationsOf(ffi: FfiObject): Map<string, CDeclaration> {
  const lists = ffi.cdefs.map((c) => c.declarations);
  const first = lists[0];
  const hit = first && declarationTables.get(first);
  if (hit && hit.lists.length === lists.length && hit.lists.every((l, i) => l === lists[i])) return hit.table;
  const m = new Map<string, CDeclaration>();
  for (const list of lists) for (const d of list) if (!(d.kind === 'struct' || d.kind === 'union' || d.kind === 'enum') || !m.has(d.name)) m.set(d.name, d);
  if (first) declarationTables.set(first, { lists, table: m });
  return m;
}

/** A cdef problem kind that means the declarations we read may be incomplete. */
const hasBlockingProblem = (cdef: CdefSource) => cdef.problems.some((p) => p.kind === 'syntax' || p.kind === 'directive');

/** True when every declaration of this ffi is in this file and was read: the only case PB305 may judge. */
function fullyKnown(model: BindingModel, ffi: FfiObject): boolean {
  if (ffi.outOfLine || ffi.cdefs.length === 0) return false;
  const cdefCalls = model.cffi.calls.filter((c) => c.ffi === ffi && (c.method === 'cdef' || c.method === 'embedding_api'));
  if (cdefCalls.length !== ffi.cdefs.length) return false; // a cdef built at run time
  if (model.cffi.calls.some((c) => c.ffi === ffi && c.method === 'include')) return false;
  // `parse_header(ffi, path)`: a helper may add cdefs we cannot see
  if (model.isPassedAsArgument(ffi.name)) return false;
  return ffi.cdefs.every((c) => c.exact && !hasBlockingProblem(c));
}

/** A non-empty span for a problem (tree-sitter reports a missing token as an empty range). */
function visibleSpan(model: BindingModel, s: Span): Span {
  if (s.end > s.start) return plainSpan(s);
  const ch = model.text[s.start];
  return ch !== undefined && ch !== '\n' && ch !== '\r' ? { start: s.start, end: s.start + 1 } : { start: Math.max(0, s.start - 1), end: s.start };
}

function problemSpan(model: BindingModel, cdef: CdefSource, p: CdefProblem): Span {
  if (cdef.exact) return visibleSpan(model, p.span);
  const start = cdef.stringSpan.start;
  const nl = model.text.indexOf('\n', start);
  return { start, end: nl < 0 || nl > cdef.stringSpan.end ? cdef.stringSpan.end : nl };
}

/** The usual POSIX typedefs on LP64 Linux, for PB310's suggestion. */
const POSIX_TYPEDEFS: Record<string, string> = {
  time_t: 'long', off_t: 'long', clock_t: 'long', suseconds_t: 'long', pid_t: 'int', uid_t: 'unsigned int', gid_t: 'unsigned int',
  mode_t: 'unsigned int', socklen_t: 'unsigned int', dev_t: 'unsigned long', ino_t: 'unsigned long', nfds_t: 'unsigned long',
};

/** True when a cdef of this ffi has a syntax error (its declarations may be misread). */
function syntaxBroken(ffi: FfiObject): boolean {
  return ffi.cdefs.some((c) => c.problems.some((p) => p.kind === 'syntax'));
}

/** PB301/PB302/PB303/PB310: problems found when the cdef string was parsed as C. */
export function cdefProblems(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const ffi of model.cffi.ffis) {
    const includes = model.cffi.calls.some((c) => c.ffi === ffi && c.method === 'include');
    for (const cdef of ffi.cdefs) {
      const blocked = hasBlockingProblem(cdef);
      for (const p of cdef.problems) {
        const span = problemSpan(model, cdef, p);
        if (p.kind === 'syntax') {
          // `int a[N]` with N a constant another cdef of this ffi defines is fine
          const constant = p.detail?.startsWith('constant:') ? p.detail.slice(9) : undefined;
          if (constant && ffi.cdefs.some((c) => c !== cdef && c.declarations.some((d) => d.name === constant && (d.kind === 'macro' || d.kind === 'enumerator')))) continue;
          out.push({ code: 'PB301', span, message: p.message });
        } else if (p.kind === 'directive') {
          const what = (p.detail ?? '').split(/\s/)[0] ?? '';
          const message = what.startsWith('#include')
            ? '`#include` is not allowed in a cdef: copy the declarations in, #include in set_source'
            : what.startsWith('#if') || what.startsWith('#el') || what.startsWith('#endif')
              ? `\`${what}\` is not allowed in a cdef (no preprocessor): write one cdef per case`
              : p.message;
          out.push({ code: 'PB302', span, message, data: { directive: p.detail } });
        } else if (p.kind === 'ellipsis') {
          if (ffi.mode !== 'abi') continue;
          out.push({ code: 'PB303', span, message: '`...` needs API mode (set_source), but this ffi uses dlopen: write the exact declaration' });
        } else if (p.kind === 'unknownType') {
          if (includes || blocked) continue;
          const name = p.detail ?? '';
          const exact = POSIX_TYPEDEFS[name] ? `\`typedef ${POSIX_TYPEDEFS[name]} ${name};\`` : 'its exact typedef';
          const fix = ffi.mode === 'abi' || POSIX_TYPEDEFS[name] ? exact : `\`typedef int... ${name};\` or its exact typedef`;
          out.push({ code: 'PB310', span, message: `unknown type name \`${name}\`: declare it first with ${fix}`, data: { type: name } });
        }
      }
    }
  }
  return out;
}

const PRIMITIVE_WORDS = /^(?:(?:const|volatile|signed|unsigned|short|long|int|char|float|double|void|_Bool|bool)\s*)+$/;

/** How a type string names an object for ffi.new: 'ok' (pointer/array), 'bad' (anything else), 'unknown'. */
function newTypeKind(t: string, decls: Map<string, CDeclaration>, depth = 4): 'ok' | 'bad' | 'unknown' {
  const type = t.replace(/\s+/g, ' ').trim();
  if (/\(\s*\*/.test(type)) return 'bad'; // a function pointer
  if (/[*\]]$/.test(type)) return 'ok';
  const base = type.replace(/\b(const|volatile)\b/g, '').trim();
  // Windows predefined names (PULONG, LPVOID, HANDLE…) are often pointers: only the C ones are judged
  if (/^(struct|union|enum) \w+$/.test(base) || PRIMITIVE_WORDS.test(base) || (CFFI_PREDEFINED_TYPES.has(base) && !/^[A-Z][A-Z0-9_]*$/.test(base))) return 'bad';
  const d = decls.get(base);
  if (d?.kind !== 'typedef' || depth <= 0) return 'unknown';
  const text = d.text.replace(/\s+/g, ' ');
  if (new RegExp(`\\(\\s*\\*\\s*${base}\\b`).test(text)) return 'bad'; // typedef of a function pointer
  if (new RegExp(`\\*\\s*${base}\\b`).test(text) || new RegExp(`\\b${base}\\s*\\[`).test(text)) return 'ok';
  const target = /^typedef\s+(.*?)\s*\b\w+\s*;?$/.exec(text)?.[1];
  if (!target || target.includes('{')) return 'bad'; // a struct/union/enum body: not a pointer
  return newTypeKind(target, decls, depth - 1);
}

function isCallTo(e: Expr | undefined, dotted: string): e is Extract<Expr, { k: 'call' }> {
  return !!e && e.k === 'call' && dottedText(e.callee) === dotted;
}

/** PB304: ffi.new with a type that is not a pointer or array, or ffi.new("char *", b"…"). */
export function pb304(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const declsByFfi = new Map<FfiObject, Map<string, CDeclaration>>();
  for (const c of model.cffi.calls) {
    if (c.method !== 'new') continue;
    const [typeArg, init] = c.call.args;
    if (typeArg?.k !== 'str' || typeArg.bytes) continue;
    const type = typeArg.value.replace(/\s+/g, ' ').trim();
    if (!declsByFfi.has(c.ffi)) declsByFfi.set(c.ffi, declarationsOf(c.ffi));
    const kind = newTypeKind(type, declsByFfi.get(c.ffi)!);
    if (kind === 'bad') {
      out.push({
        code: 'PB304', span: plainSpan(typeArg.span),
        message: `ffi.new needs a pointer or array type, not \`${type}\`: allocate \`${type} *\` and use p[0]`,
        data: { type, replacement: `${type} *` },
      });
    } else if (kind === 'ok' && /^(const )?(unsigned |signed )?char ?\*$/.test(type) && init?.k === 'str') {
      out.push({
        code: 'PB304', span: plainSpan(typeArg.span),
        message: `ffi.new("${type}", …) allocates one char, so this raises TypeError: use ffi.new("char[]", b"…")`,
        data: { type, replacement: 'char[]' },
      });
    }
  }
  return out;
}

/** PB305: lib.NAME not declared in any cdef of the ffi (only when the ffi's declarations are all in view). */
export function pb305(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const libNames = new Map<string, Set<FfiObject>>();
  for (const ffi of model.cffi.ffis) for (const l of ffi.libs) libNames.set(l.name, (libNames.get(l.name) ?? new Set()).add(ffi));
  const known = new Map<FfiObject, Map<string, CDeclaration> | undefined>();
  for (const a of model.cffi.libAccesses) {
    if (a.lib.via === 'import' || a.name.startsWith('__') || (libNames.get(a.lib.name)?.size ?? 0) > 1) continue;
    if (!known.has(a.ffi)) known.set(a.ffi, fullyKnown(model, a.ffi) ? declarationsOf(a.ffi) : undefined);
    const decls = known.get(a.ffi);
    if (!decls) continue;
    const d = decls.get(a.name);
    if (d && d.kind !== 'struct' && d.kind !== 'union' && d.kind !== 'enum' && d.kind !== 'typedef') continue;
    const why = d ? `is a type, which lives on \`${a.ffi.name}\`, not on the lib` : `is declared in no cdef of \`${a.ffi.name}\`: declare it or fix the name`;
    out.push({
      code: 'PB305', span: plainSpan(a.nameSpan),
      message: `\`${a.lib.name}.${a.name}\` ${why}`,
      data: { name: a.name, lib: a.lib.name, ffi: a.ffi.name },
    });
  }
  return out;
}

function isPointerParam(type: string, decls: Map<string, CDeclaration>): boolean {
  return /[*[]/.test(type) || newTypeKind(type, decls) === 'ok';
}

/** PB306/PB307/PB309: calls of lib functions checked against their cdef prototype. */
export function libCalls(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const declsByFfi = new Map<FfiObject, Map<string, CDeclaration>>();
  for (const a of model.cffi.libAccesses) {
    const call = a.call;
    if (!call || call.keywords.length > 0) continue;
    if (!declsByFfi.has(a.ffi)) declsByFfi.set(a.ffi, declarationsOf(a.ffi));
    const decls = declsByFfi.get(a.ffi)!;
    const d = decls.get(a.name);
    if (d?.kind !== 'function' || !d.params) continue;
    // a cdef with a syntax error (a missing comma…) gives no prototype to count against
    if (syntaxBroken(a.ffi)) continue;
    if (call.args.some((x) => x.k === 'other' && /splat/.test(x.type))) continue;
    const fixed = d.params.length;
    const n = call.args.length;
    const label = `${a.lib.name}.${a.name}`;
    if (d.variadic ? n < fixed : n !== fixed) {
      const expected = d.variadic ? `at least ${fixed}` : `${fixed}`;
      out.push({
        code: 'PB306', span: plainSpan(call.span),
        message: `\`${label}\` takes ${expected} argument${fixed === 1 && !d.variadic ? '' : 's'} (its cdef) but gets ${n}: cffi raises TypeError`,
        data: { name: a.name, expected: fixed, variadic: !!d.variadic, got: n },
      });
    }
    call.args.forEach((arg, i) => {
      if (i < fixed) {
        const param = d.params![i]!;
        if (arg.k === 'none' && isPointerParam(param.type, decls)) {
          out.push({
            code: 'PB309', span: plainSpan(arg.span),
            message: `\`None\` for pointer \`${param.type}\` of \`${label}\` raises TypeError in cffi: pass \`${a.ffi.name}.NULL\``,
            data: { replacement: `${a.ffi.name}.NULL` },
          });
        }
      } else if (d.variadic && (arg.k === 'num' || arg.k === 'str' || arg.k === 'true' || arg.k === 'false')) {
        const what = arg.k === 'str' ? (arg.bytes ? 'bytes' : 'str') : arg.k === 'num' ? (/[.eE]/.test(arg.text) && !/^-?0[xX]/.test(arg.text) ? 'float' : 'int') : 'bool';
        const wrap = what === 'bytes' ? `${a.ffi.name}.new("char[]", ${arg.text})` : what === 'float' ? `${a.ffi.name}.cast("double", ${arg.text})` : what === 'str' ? `${a.ffi.name}.new("char[]", ${arg.text}.encode())` : `${a.ffi.name}.cast("int", ${arg.text})`;
        out.push({
          code: 'PB307', span: plainSpan(arg.span),
          message: `plain ${what} in the variadic part of \`${label}\` raises TypeError: pass cdata, \`${wrap}\``,
          data: { replacement: wrap },
        });
      }
    });
  }
  return out.sort((x, y) => x.span.start - y.span.start);
}

/** The dotted root an assignment target stores into: `p.next` → `p`, `arr[0].s` → `arr`. */
function storeRoot(e: Expr): string | undefined {
  let cur: Expr = e;
  for (let i = 0; i < 8; i++) {
    if (cur.k === 'dotted' || cur.k === 'attr') cur = cur.object;
    else if (cur.k === 'subscript') cur = cur.value;
    else break;
    const d = dottedText(cur);
    if (d) return d;
  }
  return undefined;
}

/** PB308: an owning ffi.new() result that nothing keeps alive. */
export function pb308(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  const push = (span: Span, how: string) =>
    out.push({
      code: 'PB308', span: plainSpan(span),
      message: `this ffi.new() result is ${how} and freed at once: bind it to a variable first`,
    });
  for (const c of model.cffi.calls) {
    const newName = `${c.ffi.name}.new`;
    const [a0, a1] = c.call.args;
    if (c.method === 'cast' && isCallTo(a1, newName)) push(a1.span, 'cast and then dropped');
    if (c.method === 'addressof' && isCallTo(a0, newName)) push(a0.span, 'only used for its address');
    if (c.method === 'new' && a1) {
      const inits = a1.k === 'list' || a1.k === 'tuple' ? a1.items : [a1];
      for (const i of inits) if (isCallTo(i, newName)) push(i.span, 'used only as an initializer');
    }
  }
  // `p.field = ffi.new(...)` where p holds cdata (an ffi/lib call result) or is the lib itself
  const cdataNames = new Set<string>();
  for (const ffi of model.cffi.ffis) for (const l of ffi.libs) cdataNames.add(l.name);
  for (const a of model.cffi.assigns) {
    const target = dottedText(a.target);
    if (target && (a.on === 'lib' || /^(new|cast|addressof|gc|from_buffer|from_handle)$/.test(a.member))) cdataNames.add(target);
  }
  for (const a of model.cffi.assigns) {
    if (a.on !== 'ffi' || a.member !== 'new' || a.target.k === 'name') continue;
    const root = storeRoot(a.target);
    if (root && cdataNames.has(root)) push(a.value.span, `stored in C field \`${a.target.text.length > 30 ? a.target.text.slice(0, 30) + '…' : a.target.text}\``);
  }
  return out.sort((x, y) => x.span.start - y.span.start);
}

/** PB311: `#include <Python.h>` in the C source of set_source. */
export function pb311(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const c of model.cffi.calls) {
    const src = c.method === 'set_source' ? c.call.args[1] : undefined;
    if (src?.k !== 'str') continue;
    const m = /#\s*include\s*[<"]Python\.h[>"]/.exec(src.text);
    if (!m) continue;
    const start = src.span.start + m.index;
    out.push({ code: 'PB311', span: { start, end: start + m[0].length }, message: 'set_source includes Python.h, which PyPy runs through slow cpyext: pass objects with ffi.new_handle' });
  }
  return out;
}

export const CFFI_RULES = [cdefProblems, pb304, pb305, libCalls, pb308, pb311];
