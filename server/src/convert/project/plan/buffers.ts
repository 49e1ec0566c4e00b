/**
 * Stage B, string buffers: `create_string_buffer(…)`, `c_buffer(…)` and `(c_char * n)()` → a bytearray
 * (`_char_array` when returned to the caller or used at once, keeping `.raw`/`.value`); ctypes' memory functions
 * on them (`memmove`, `memset`, `string_at`, also at `addressof(buf) + k`), their items and `buf.value = v`.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral } from '../../syntax';
import { assignedName, isTarget, pyString } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { foreignParam, untypedArg, variadicArg } from './callees';
import { usesOf } from './values';

const FILE_METHODS_TAKING_BUFFERS = new Set(['readinto', 'readinto1', 'recv_into', 'write', 'send', 'sendall']);

export function planBuffer(pl: ModulePlanner, n: Node, args: Node[]): void {
  const fp = foreignParam(pl, n);
  let escapes = false;
  const rewriteCall = (): void => {
    // a buffer returned to the caller keeps ctypes' .raw and .value (a bytearray subclass)
    pl.plan.helpers.add(escapes ? 'charArray' : 'stringBuffer');
    pl.plan.converted.buffers++;
    pl.rewrite(n, (inner) => `${escapes ? '_char_array' : '_string_buffer'}(${args.map((a) => inner(a)).join(', ')})`);
  };
  if (fp || variadicArg(pl, n)) return rewriteCall();
  if (usedAtOnce(pl, n)) {
    // `len(create_string_buffer(b"mu"))`, `create_string_buffer(b"mu").raw`, a statement of its own (its ValueError)
    escapes = true;
    return rewriteCall();
  }
  const target = assignedName(n);
  const uses = target ? usesOf(pl, target) : undefined;
  if (!target || !uses) return pl.refuse(n, 'a create_string_buffer(…) the plan cannot follow');
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    const p = u.parent!;
    if (p.type === 'attribute') {
      const which = p.childForFieldName('attribute')!.text;
      const isRead = !isTarget(p);
      if (which === 'raw' && isRead) {
        rewrites.push([p, () => `bytes(${target.text})`]);
        continue;
      }
      if (which === 'value' && isRead) {
        rewrites.push([p, () => `bytes(${target.text}).split(b"\\0", 1)[0]`]);
        continue;
      }
      const asg = p.parent;
      if (which === 'value' && asg?.type === 'assignment' && asg.childForFieldName('left')?.id === p.id && asg.parent?.type === 'expression_statement') {
        // buf.value = v: the bytes, then a NUL if there is room (ValueError when too long, as ctypes)
        const value = asg.childForFieldName('right')!;
        pl.plan.helpers.add('bufferMemory');
        rewrites.push([asg, (inner) => `_buffer_set_value(${target.text}, ${inner(value)})`]);
        continue;
      }
      return pl.refuse(p, `${target.text}.${which} on a string buffer: not rewritten by this plan`);
    }
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === u.id && !isTarget(p)) {
      // a ctypes char array's item is a 1-byte bytes object and its slice bytes; a bytearray's are an int and a bytearray
      const sub = p.childForFieldName('subscript')!;
      if (p.namedChildren.length === 2) {
        rewrites.push([p, (inner) => (sub.type === 'slice' ? `bytes(${target.text}[${inner(sub)}])` : `bytes((${target.text}[${inner(sub)}],))`)]);
        continue;
      }
    }
    if (p.type === 'return_statement') {
      escapes = true;
      continue;
    }
    if (p.type === 'argument_list') {
      const call = callParts(p.parent!)!;
      const m = pl.ctypes(call.callee);
      const memory = memoryCall(pl, u, target.text);
      if (memory) {
        rewrites.push(memory);
        continue;
      }
      if (m === 'cast' || foreignParam(pl, u) || variadicArg(pl, u)) continue;
      if (m === 'sizeof' && call.args.length === 1 && !call.keywords.size && !call.splat) {
        // a char buffer's size is its length
        rewrites.push([p.parent!, () => `len(${target.text})`]);
        continue;
      }
      if (m === 'byref' && untypedArg(pl, p.parent!)) continue;
      if (['len', 'bytes', 'memoryview'].includes(call.callee.text)) continue;
      if (call.callee.type === 'attribute' && FILE_METHODS_TAKING_BUFFERS.has(call.callee.childForFieldName('attribute')!.text)) continue;
    }
    return pl.refuse(u, `${target.text} (a ctypes string buffer) is used here in a way the plan does not rewrite`);
  }
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  rewriteCall();
}

/** A buffer made and used in one expression: the argument of `len`/`bytes`, `.raw`/`.value` read, or a statement of its own. */
function usedAtOnce(pl: ModulePlanner, n: Node): boolean {
  const p = n.parent;
  if (p?.type === 'expression_statement') return true;
  if (p?.type === 'attribute' && p.childForFieldName('object')?.id === n.id) {
    const which = p.childForFieldName('attribute')!.text;
    return (which === 'raw' || which === 'value') && !isTarget(p);
  }
  if (p?.type !== 'argument_list' || p.namedChildren.length !== 1) return false;
  const callee = p.parent!.childForFieldName('function')!;
  return callee.type === 'identifier' && (callee.text === 'len' || callee.text === 'bytes') && !pl.b.assigned.has(callee.text);
}

const MEMORY_FUNCTIONS = new Set(['memmove', 'memset', 'string_at']);

/**
 * ctypes' memory functions on a buffer `buf` (the identifier u): `memmove(buf, src, n)`, `memset(buf, c, n)`,
 * `string_at(buf[, n])`, the same at `addressof(buf)` or `addressof(buf) + k`; memmove and memset only as
 * statements (ctypes returned the address). The rewrite of the whole call, or undefined.
 */
function memoryCall(pl: ModulePlanner, u: Node, buf: string): [Node, Rewrite] | undefined {
  let at: Node = u;
  let offset: Node | undefined;
  const outerOf = (x: Node): Node | undefined => (x.parent?.type === 'argument_list' ? x.parent.parent ?? undefined : undefined);
  const outer = outerOf(u)!;
  if (pl.ctypes(callParts(outer)!.callee) === 'addressof') {
    if (callParts(outer)!.args.length !== 1) return undefined;
    at = outer;
    const up = outer.parent;
    if (up?.type === 'binary_operator' && up.child(1)?.type === '+' && up.childForFieldName('left')?.id === outer.id) {
      offset = up.childForFieldName('right')!;
      at = up;
    }
  }
  const call = outerOf(at);
  const parts = call ? callParts(call) : undefined;
  const m = parts ? pl.ctypes(parts.callee) : undefined;
  if (!call || !parts || !m || !MEMORY_FUNCTIONS.has(m) || parts.keywords.size || parts.splat || parts.args[0]?.id !== at.id) return undefined;
  if (m !== 'string_at' && (parts.args.length !== 3 || call.parent?.type !== 'expression_statement')) return undefined;
  if (m === 'string_at' && parts.args.length > 2) return undefined;
  pl.plan.helpers.add('bufferMemory');
  pl.consumed.push(parts.callee);
  return [call, (inner) => {
    const off = offset ? inner(offset) : '0';
    const rest = parts.args.slice(1).map((a) => inner(a));
    return `_buffer_${m}(${[buf, off, ...rest].join(', ')})`;
  }];
}

/**
 * `create_unicode_buffer(n | s[, size])` → `ffi.new("wchar_t[]", …)`, when every use is handed to a converted
 * foreign call, `.value` read (`ffi.string`), `len`, `sizeof` or `wstring_at(buf)`.
 */
export function planUnicodeBuffer(pl: ModulePlanner, n: Node, args: Node[]): void {
  const f = pl.plan.ffi;
  const size = args[1] ? intLiteral(args[1]) : undefined;
  if (!args.length || args.length > 2 || (args[1] && (size === undefined || size < 0))) return pl.refuse(n, 'a create_unicode_buffer(…) the plan cannot follow');
  const make: Rewrite = (inner) => `${f}.new(${pyString(`wchar_t[${size ?? ''}]`)}, ${inner(args[0]!)})`;
  const planned = (): void => {
    pl.plan.usesFfi = true;
    pl.plan.converted.buffers++;
    pl.rewrite(n, make);
  };
  const takesIt = (x: Node): boolean => {
    const param = foreignParam(pl, x);
    return param?.k === 'ptr' || (param?.k === 'prim' && (param.ctypes === 'c_wchar_p' || param.ctypes === 'c_void_p')) || untypedArg(pl, x);
  };
  if (takesIt(n)) return planned();
  const target = assignedName(n);
  const uses = target ? usesOf(pl, target) : undefined;
  if (!target || !uses) return pl.refuse(n, 'a create_unicode_buffer(…) the plan cannot follow');
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    const p = u.parent!;
    if (p.type === 'attribute' && p.childForFieldName('attribute')!.text === 'value' && !isTarget(p)) {
      rewrites.push([p, () => `${f}.string(${target.text})`]);
      continue;
    }
    if (p.type === 'argument_list') {
      if (takesIt(u)) continue;
      const c = callParts(p.parent!)!;
      const m = pl.ctypes(c.callee);
      const only = c.args.length === 1 && !c.keywords.size && !c.splat;
      if (only && c.callee.type === 'identifier' && c.callee.text === 'len' && !pl.b.assigned.has('len')) continue;
      if (only && m === 'sizeof') {
        rewrites.push([p.parent!, () => `${f}.sizeof(${target.text})`]);
        continue;
      }
      if (only && m === 'wstring_at') {
        rewrites.push([p.parent!, () => `${f}.string(${target.text})`]);
        continue;
      }
    }
    return pl.refuse(u, `${target.text} (a ctypes unicode buffer) is used here in a way the plan does not rewrite`);
  }
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  planned();
}
