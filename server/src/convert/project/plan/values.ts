/**
 * Stage B, the ctypes values handed to foreign calls: `c_T(v)` cells and values (`x = c_size_t()` with
 * `byref(x)` and `x.value`), `byref(c_T())`, `c_T(v)` as an argument; the dispatch to casts and buffers.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, intLiteral, keyOf, stringLiteral, unparen } from '../../syntax';
import { type CType, PRIMITIVES as PRIMS, fitsCInteger, isIntegral, prim, typeString } from '../../typeNames';
import { constructedValue } from '../../constructedValue';
import { typeOf } from './types';
import { headName, within } from './moduleIndex';
import { assignedName, isTarget, otherBranch, pyString, scopeOf } from './syntax';
import type { ModulePlanner, Rewrite } from './planner';
import { foreignArgOf, foreignCallee, foreignParam, untypedArg, variadicArg } from './callees';
import { planCast } from './casts';
import { planBuffer, planUnicodeBuffer } from './buffers';
import { numberArrayType, planNumberArray } from './arrays';
import { planErrno } from './errno';
import { planFromAddress, planVoidAddress } from './addresses';
import { planInDll } from './globals';

const SCALARS = new Set(['c_bool', 'c_byte', 'c_ubyte', 'c_short', 'c_ushort', 'c_int', 'c_uint', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong', 'c_int8', 'c_int16', 'c_int32', 'c_int64', 'c_uint8', 'c_uint16', 'c_uint32', 'c_uint64', 'c_size_t', 'c_ssize_t', 'c_float', 'c_double', 'c_void_p']);

export function collectValues(pl: ModulePlanner): void {
  const f = pl.plan.ffi;
  const handled = new Set<string>();
  refuseExtraArguments(pl);
  for (const n of pl.nodes.calls) {
    // a callee that does not start with a ctypes name is none of the calls below
    const head = headName(pl.mod, n);
    if (head !== undefined && !pl.namesCtypes(head)) continue;
    if (handled.has(keyOf(n))) continue;
    const parts = callParts(n);
    if (!parts) continue;
    const m = pl.ctypes(parts.callee);
    const chars = m ? undefined : charArrayLength(pl, parts.callee);
    if (chars && !parts.args.length && !parts.keywords.size && !parts.splat) {
      // (c_char * n)(): n zero bytes, a string buffer
      pl.consumed.push(parts.callee);
      planBuffer(pl, n, [chars]);
      continue;
    }
    const numbers = m || chars ? undefined : numberArrayType(pl, parts.callee);
    if (numbers) {
      planNumberArray(pl, n, numbers);
      continue;
    }
    if (planFromAddress(pl, n) || planInDll(pl, n)) continue;
    if (!m) continue;
    if (m === 'cast' && parts.args.length === 2 && !parts.keywords.size) {
      planCast(pl, n, parts.args[0]!, parts.args[1]!);
      continue;
    }
    if (m === 'get_errno' || m === 'set_errno') {
      planErrno(pl, n, m, parts.args, parts.keywords.size + (parts.splat ? 1 : 0));
      continue;
    }
    if (m === 'create_unicode_buffer' && !parts.keywords.size && !parts.splat) {
      planUnicodeBuffer(pl, n, parts.args);
      continue;
    }
    if (m === 'create_string_buffer' || m === 'c_buffer') {
      planBuffer(pl, n, parts.args);
      continue;
    }
    // pointer(x) handed to a foreign call is byref(x) there: ctypes passes the same address
    if ((m === 'byref' || m === 'pointer') && parts.args.length === 1 && !parts.keywords.size && !parts.splat) {
      const inner = unparen(parts.args[0]!);
      const ip = callParts(inner);
      const im = ip ? pl.ctypes(ip.callee) : undefined;
      if (ip && im && SCALARS.has(im) && ip.args.length <= 1 && !ip.keywords.size) {
        // byref(c_size_t()) is a fresh out-parameter: a cffi pointer, if only foreign calls get it
        const reads: [Node, Rewrite][] = [];
        if (pointerFlowsToForeign(pl, n, reads, m === 'pointer')) {
          handled.add(keyOf(inner));
          pl.plan.usesFfi = true;
          pl.plan.converted.cells++;
          for (const [node, r] of reads) pl.rewrite(node, r);
          pl.rewrite(n, (inner2) => newCell(pl, im, ip.args[0] ? inner2(ip.args[0]) : undefined));
        } else pl.refuse(n, `${m}(…) of a new ctypes value that reaches code other than converted foreign calls`);
      } else if (inner.type === 'identifier' && untypedArg(pl, n) && (variadicArg(pl, n) || foreignParam(pl, n)!.k === 'ptr')) {
        // byref(x) handed to a function without argtypes: x itself (a cffi cell, a buffer, a parameter
        // holding one), which _CFunction passes by address
        pl.rewrite(n, () => inner.text);
      }
      continue;
    }
    if (m === 'sizeof' && parts.args.length === 1 && !parts.keywords.size && !parts.splat) {
      planSizeof(pl, n, parts.args[0]!);
      continue;
    }
    if (prim(m) && readAtOnce(pl, n, m, parts)) continue;
    if (SCALARS.has(m) || m === 'c_char_p' || m === 'c_wchar_p') {
      planValue(pl, n, m, parts.args, f);
    }
  }
  refuseCtypesByref(pl);
  refuseCtypesArrays(pl);
}

/**
 * A ctypes array no rule above converted (`(S * n)(…)` of a struct that stays ctypes), handed to a converted
 * foreign call at once or through the name it is assigned to: cffi takes no ctypes array (until session 11 this
 * was a TypeError at run time, no TODO: fixture ctypes-array-of-structs-to-cffi-function).
 */
function refuseCtypesArrays(pl: ModulePlanner): void {
  for (const n of pl.nodes.calls) {
    const callee = unparen(n.childForFieldName('function')!);
    if (callee.type !== 'binary_operator' || callee.child(1)?.type !== '*' || pl.plan.rewrites.has(keyOf(n))) continue;
    const target = assignedName(n);
    const scope = target && scopeOf(target);
    const uses = target ? within(pl.nodes.identifiers.get(target.text) ?? [], scope!.startIndex, scope!.endIndex) : [n];
    for (const u of uses) {
      const callee2 = foreignArgOf(pl, u);
      if (!callee2) continue;
      pl.refuse(u, `${u.text.slice(0, 40)} (a ctypes array, ${callee.text}, that stays ctypes) is handed to ${callee2}, which becomes a cffi function: cffi takes no ctypes objects`);
      break;
    }
  }
}

/** `byref(x)` handed to a converted foreign call and planned by nothing above (x a Structure instance, an array that stays): cffi takes no CArgObject. */
function refuseCtypesByref(pl: ModulePlanner): void {
  for (const n of pl.nodes.calls) {
    if (pl.plan.rewrites.has(keyOf(n))) continue;
    const parts = callParts(n);
    if (!parts || parts.args.length !== 1 || pl.ctypes(parts.callee) !== 'byref') continue;
    const callee = foreignArgOf(pl, n);
    if (callee) pl.refuse(n, `${n.text} hands a ctypes object to ${callee}, which becomes a cffi function: cffi takes no ctypes objects (convert ${parts.args[0]!.text} by hand)`);
  }
}

/** `(c_char * n)` with n a literal: the length node. */
function charArrayLength(pl: ModulePlanner, callee: Node): Node | undefined {
  const t = unparen(callee);
  const right = t.type === 'binary_operator' && t.child(1)?.type === '*' ? t.childForFieldName('right') : null;
  return right?.type === 'integer' && pl.ctypes(t.childForFieldName('left')) === 'c_char' ? right : undefined;
}

/** A call with more arguments than the argtypes of a function that is not variadic in C: ctypes passed the others as it guessed, cffi would raise TypeError. */
function refuseExtraArguments(pl: ModulePlanner): void {
  for (const n of pl.nodes.calls) {
    const d = foreignCallee(pl, n);
    const parts = d && !d.untyped && !d.variadic ? callParts(n) : undefined;
    if (parts && !parts.splat && !parts.keywords.size && parts.args.length > d!.params.length) {
      pl.refuse(n, `${d!.cname} gets ${parts.args.length} arguments here and its argtypes list ${d!.params.length}: ctypes passed the others as it guessed their C types; cffi would raise TypeError (declare them in argtypes)`);
    }
  }
}

/** `c_T(v).value`: the value itself, no ctypes object (the rule both engines share). */
function readAtOnce(pl: ModulePlanner, n: Node, m: string, parts: NonNullable<ReturnType<typeof callParts>>): boolean {
  const up = n.parent;
  if (up?.type !== 'attribute' || up.childForFieldName('attribute')?.text !== 'value' || isTarget(up) || parts.args.length > 1 || parts.keywords.size || parts.splat) return false;
  const arg = parts.args[0];
  if (constructedValue(prim(m)!, arg, (x) => x.text, pyString, pl.plan.ffi) === undefined) return false;
  pl.plan.usesFfi = true;
  pl.rewrite(up, (inner) => constructedValue(prim(m)!, arg, inner, pyString, pl.plan.ffi)!);
  return true;
}

/** `sizeof(c_T)`: ffi.sizeof of its C type (a string buffer's `sizeof(buf)` is planned with the buffer, buffers.ts). */
function planSizeof(pl: ModulePlanner, n: Node, arg: Node): void {
  const t = typeOf(pl, arg);
  if (!t || (t.k !== 'prim' && t.k !== 'ptr') || (t.k === 'prim' && t.ctypes === 'c_longdouble')) return;
  pl.consumed.push(arg);
  pl.plan.usesFfi = true;
  pl.rewrite(n, () => `${pl.plan.ffi}.sizeof(${pyString(typeString(t))})`);
}

/** `c_T(v)` handed to a function without argtypes: a cffi value of that C type, so it crosses as T did. */
function typedValue(pl: ModulePlanner, m: string, init: string | undefined): string {
  if (m === 'c_char_p' || m === 'c_wchar_p') return init ?? 'None';
  pl.plan.usesFfi = true;
  if (m === 'c_void_p') {
    pl.plan.helpers.add('pointer');
    return `_as_pointer(${init ?? 'None'})`;
  }
  return `${pl.plan.ffi}.cast(${pyString(PRIMS[m]!)}, ${init ?? '0'})`;
}

function newCell(pl: ModulePlanner, m: string, init: string | undefined): string {
  const c = PRIMS[m]!;
  const f = pl.plan.ffi;
  if (init === undefined) return `${f}.new(${pyString(`${c} *`)})`;
  // ctypes truncates an int to the C type without a range check; so does ffi.cast
  return isIntegral(prim(m)!) ? `${f}.new(${pyString(`${c} *`)}, ${f}.cast(${pyString(c)}, ${init}))` : `${f}.new(${pyString(`${c} *`)}, ${init})`;
}

/**
 * `x.value = v` / `x.value op= v` on a cffi cell: ctypes stores an integer truncated to the C type where cffi raises
 * OverflowError, so an integer other than a literal in range goes through `_c_integer` (which also raises ctypes'
 * TypeError for a non-int); a float as it is; a `_Bool` only a literal True/False/0/1 (ctypes stores any object's
 * truth). Undefined for any other store (a tuple target, an annotated one).
 */
function cellStore(pl: ModulePlanner, p: Node, cell: string, t: CType): [Node, Rewrite][] | undefined {
  const asg = p.parent;
  const right = asg?.childForFieldName('right');
  if (!asg || !right || asg.childForFieldName('left')?.id !== p.id || asg.childForFieldName('type')) return undefined;
  const c = typeString(t);
  const bool = t.k === 'prim' && t.ctypes === 'c_bool';
  const integer = isIntegral(t) && !bool;
  if (asg.type === 'assignment') {
    const lit = intLiteral(right);
    if (bool) return ['True', 'False', '0', '1'].includes(unparen(right).text) ? [[p, () => `${cell}[0]`]] : undefined;
    if (!integer) return unparen(right).type === 'string' ? undefined : [[p, () => `${cell}[0]`]];
    if (lit !== undefined && fitsCInteger(c, lit)) return [[p, () => `${cell}[0]`]];
    pl.plan.helpers.add('integer');
    return [[p, () => `${cell}[0]`], [right, (inner) => `_c_integer(${pyString(c)}, ${inner(right)})`]];
  }
  if (asg.type !== 'augmented_assignment' || bool) return undefined;
  if (!integer) return [[p, () => `${cell}[0]`]];
  const op = asg.child(1)?.type;
  if (!op?.endsWith('=') || op === '/=') return undefined;
  pl.plan.helpers.add('integer');
  return [[asg, (inner) => `${cell}[0] = _c_integer(${pyString(c)}, ${cell}[0] ${op.slice(0, -1)} (${inner(right)}))`]];
}

/**
 * Is this byref()/pointer() value only handed to converted foreign calls? Followed through a name it is assigned
 * to, a positional parameter of a plain function of this module it is passed to, and `return` from such a
 * function (to its calls); for pointer(), `p.contents.value` and `p[0]` read through a name are the cell's value
 * (`p[0]`). Those rewrites are added to `rewrites`; anything else the value may reach (stored, compared, handed
 * to other code) is false.
 */
function pointerFlowsToForeign(pl: ModulePlanner, n: Node, rewrites: [Node, Rewrite][] = [], pointerObject = false, depth = 0): boolean {
  if (depth > 4) return false;
  const p = foreignParam(pl, n);
  if (p) return takesPointer(p);
  if (variadicArg(pl, n)) return true;
  const target = assignedName(n);
  if (target) {
    if (otherBranch(n) !== undefined) return false;
    const uses = usesOf(pl, target);
    return uses !== undefined && uses.every((u) => (pointerObject && pointerRead(u, rewrites)) || pointerFlowsToForeign(pl, u, rewrites, pointerObject, depth + 1));
  }
  const param = helperParameter(pl, n);
  if (param) return param.uses.every((u) => (pointerObject && pointerRead(u, rewrites)) || pointerFlowsToForeign(pl, u, rewrites, pointerObject, depth + 1));
  const calls = returnedTo(pl, n);
  return calls !== undefined && calls.every((c) => pointerFlowsToForeign(pl, c, rewrites, pointerObject, depth + 1));
}

/** `p.contents.value` or `p[0]` read (not stored) of a pointer() object p: the cell's value, `p[0]` in cffi. */
function pointerRead(u: Node, rewrites: [Node, Rewrite][]): boolean {
  const a = u.parent!;
  if (a.type === 'subscript' && a.childForFieldName('value')?.id === u.id) {
    const subs = a.childrenForFieldName('subscript');
    return subs.length === 1 && subs[0]!.type === 'integer' && subs[0]!.text === '0' && !isTarget(a) && a.parent?.type !== 'delete_statement';
  }
  const v = a.type === 'attribute' && a.childForFieldName('attribute')?.text === 'contents' ? a.parent : undefined;
  if (v?.type !== 'attribute' || v.childForFieldName('attribute')?.text !== 'value' || isTarget(v) || v.parent?.type === 'delete_statement') return false;
  rewrites.push([v, () => `${u.text}[0]`]);
  return true;
}

/** A plain function of this module: `def name(…)` at module level, undecorated, the only binding of its name here, named in no other module. */
function moduleFunction(pl: ModulePlanner, name: string): Node | undefined {
  const defs = pl.mod.root.namedChildren.filter((c) => c.type === 'function_definition' && c.childForFieldName('name')?.text === name);
  if (defs.length !== 1) return undefined;
  const def = defs[0]!;
  const word = new RegExp(`\\b${name}\\b`);
  if (new RegExp(`['"]${name}['"]`).test(pl.mod.text) || /\b(globals|vars|setattr|exec|eval)\s*\(/.test(pl.mod.text)) return undefined;
  for (const o of pl.project.planners.values()) if (o !== pl && word.test(o.mod.text)) return undefined;
  for (const id of pl.nodes.identifiers.get(name) ?? []) {
    if (id.parent?.id === def.id) continue;
    // any other binding of the name in the module (an assignment, import, for, del, global, a parameter)
    if (isTarget(id) || ['global_statement', 'nonlocal_statement', 'delete_statement', 'parameters', 'default_parameter', 'typed_parameter', 'dotted_name', 'aliased_import', 'function_definition', 'class_definition', 'keyword_argument'].includes(id.parent!.type)) return undefined;
  }
  return def;
}

/** n is a positional argument of `f(…)`, f a plain function of this module: the uses of the parameter it lands on. */
function helperParameter(pl: ModulePlanner, n: Node): { uses: Node[] } | undefined {
  const list = n.parent;
  if (list?.type !== 'argument_list') return undefined;
  const callee = list.parent!.childForFieldName('function');
  if (callee?.type !== 'identifier') return undefined;
  const args = list.namedChildren.filter((c) => c.type !== 'comment');
  if (args.some((c) => c.type === 'list_splat' || c.type === 'dictionary_splat')) return undefined;
  const idx = args.findIndex((c) => c.id === n.id);
  const def = idx >= 0 ? moduleFunction(pl, callee.text) : undefined;
  const params = def?.childForFieldName('parameters')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
  // only plain leading parameters: a `*args` or keyword-only marker before it would move the argument
  if (!def || params.slice(0, idx + 1).some((c) => c.type !== 'identifier' && c.type !== 'default_parameter')) return undefined;
  const prm = params[idx];
  const name = prm?.type === 'identifier' ? prm : prm?.childForFieldName('name');
  if (name?.type !== 'identifier') return undefined;
  const body = def.childForFieldName('body')!;
  const uses: Node[] = [];
  for (const id of within(pl.nodes.identifiers.get(name.text) ?? [], body.startIndex, body.endIndex)) {
    const p = id.parent!;
    if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) continue;
    if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) continue;
    // reassigned, declared global, or read from a nested function, lambda or class: not followed
    if (isTarget(id) || p.type === 'global_statement' || p.type === 'nonlocal_statement' || p.type === 'delete_statement' || scopeOf(id).id !== def.id || nestedIn(id, def)) return undefined;
    uses.push(id);
  }
  return { uses };
}

function nestedIn(n: Node, def: Node): boolean {
  for (let q = n.parent; q && q.id !== def.id; q = q.parent) if (q.type === 'lambda' || q.type === 'class_definition' || q.type === 'function_definition' || q.type.endsWith('comprehension') || q.type === 'generator_expression') return true;
  return false;
}

/** n is `return n` in a plain function of this module that is not a generator: its calls, when every other use of the function is a call. */
function returnedTo(pl: ModulePlanner, n: Node): Node[] | undefined {
  let ret = n.parent;
  while (ret?.type === 'parenthesized_expression') ret = ret.parent;
  if (ret?.type !== 'return_statement') return undefined;
  const def = scopeOf(ret);
  if (def.type !== 'function_definition' || def.parent?.id !== pl.mod.root.id) return undefined;
  const name = def.childForFieldName('name')!.text;
  if (moduleFunction(pl, name)?.id !== def.id || /\byield\b/.test(def.text) || nestedIn(ret, def)) return undefined;
  const calls: Node[] = [];
  for (const id of pl.nodes.identifiers.get(name) ?? []) {
    if (id.parent?.id === def.id) continue;
    const call = id.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== id.id) return undefined;
    calls.push(call);
  }
  return calls;
}

/** A parameter a cffi pointer cell can be handed to: a typed pointer, or `void *` (ctypes' c_void_p took byref() too). */
function takesPointer(p: CType | undefined): boolean {
  return p?.k === 'ptr' || (p?.k === 'prim' && p.ctypes === 'c_void_p');
}

/** The other references to an assigned name in its scope; undefined when it is assigned more than once. */
export function usesOf(pl: ModulePlanner, target: Node): Node[] | undefined {
  const scope = scopeOf(target);
  const out: Node[] = [];
  let assignments = 0;
  let parameter = false;
  const all = within(pl.nodes.identifiers.get(target.text) ?? [], scope.startIndex, scope.endIndex);
  for (const n of all) {
    const p = n.parent!;
    if (p.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === n.startIndex) continue;
    if (isTarget(n)) {
      assignments++;
      continue;
    }
    if (p.type === 'global_statement' || p.type === 'nonlocal_statement') return undefined;
    if (p.type === 'parameters' || p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter') {
      parameter = true;
      continue;
    }
    out.push(n);
  }
  if (scope.type === 'module' && [...pl.project.planners.values()].some((o) => o !== pl && o.b.fromImports.get(target.text)?.[0] === pl.mod.name)) return undefined;
  if (assignments === 1 && !parameter) return out;
  // `n = c_size_t(n)` in a function's own block (no loop or branch around it), after the name's other
  // assignments: the uses after it see the new value, the ones before it the old one
  const st = target.parent?.type === 'assignment' ? target.parent.parent : undefined;
  if (scope.type !== 'function_definition' || st?.type !== 'expression_statement' || st.parent?.startIndex !== scope.childForFieldName('body')?.startIndex || st.parent?.type !== 'block') return undefined;
  const nested = (n: Node): boolean => {
    for (let q = n.parent; q && q.startIndex >= scope.startIndex && q !== scope && q.id !== scope.id; q = q.parent) if (q.type === 'function_definition' || q.type === 'lambda' || q.type === 'class_definition') return true;
    return false;
  };
  const later = all.filter((n) => n.startIndex >= st.endIndex);
  if (all.some(nested) || later.some((n) => isTarget(n))) return undefined;
  return later.filter((n) => !(n.parent!.type === 'keyword_argument' && n.parent!.childForFieldName('name')?.startIndex === n.startIndex));
}

/**
 * `x = c_char_p(b"…")` whose every use is `x.value` (read, or set to a literal) in x's own scope, or x handed to a
 * converted function's char * parameter: x is the bytes (str for c_wchar_p) themselves. Only literals without NUL,
 * or None: ctypes' `.value` reads up to the first NUL.
 */
function planStringValue(pl: ModulePlanner, n: Node, m: string, target: Node, init: Node | undefined): boolean {
  const literalOk = (v: Node): boolean => {
    const u = unparen(v);
    if (u.type === 'none') return true;
    const lit = stringLiteral(u);
    return !!lit && lit.bytes === (m === 'c_char_p') && !lit.value.includes('\0');
  };
  if (init && !literalOk(init)) return false;
  const uses = usesOf(pl, target);
  const scope = scopeOf(target);
  if (!uses || otherBranch(n) !== undefined) return false;
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    if (scopeOf(u).id !== scope.id) return false;
    const p = u.parent!;
    if (p.type === 'attribute' && p.childForFieldName('attribute')?.text === 'value') {
      const asg = p.parent;
      if (!isTarget(p)) rewrites.push([p, () => target.text]);
      else if (asg?.type === 'assignment' && asg.childForFieldName('left')?.id === p.id && literalOk(asg.childForFieldName('right')!)) rewrites.push([p, () => target.text]);
      else return false;
      continue;
    }
    const fp = foreignParam(pl, u);
    if ((fp?.k === 'prim' && fp.ctypes === m) || variadicArg(pl, u)) continue;
    return false;
  }
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  pl.rewrite(n, (inner) => (init ? inner(init) : 'None'));
  return true;
}

/** `x = c_int()` / `x = c_size_t(v)` (also in a tuple assignment or `c_T(a) if c else c_T(b)`): a cffi cell or value, if every use is one the plan rewrites. */
function planValue(pl: ModulePlanner, n: Node, m: string, args: Node[], f: string): void {
  // by value to a function without argtypes: a cffi value of the same C type (ctypes passed it as that type)
  if (untypedArg(pl, n) && args.length <= 1) {
    pl.rewrite(n, (inner) => typedValue(pl, m, args[0] ? inner(args[0]) : undefined));
    return;
  }
  // by value as a foreign argument: c_char_p(v), c_int(v) → v
  const param = foreignParam(pl, n);
  if (param && args.length === 1 && param.k === 'prim' && param.ctypes === m) {
    pl.rewrite(n, (inner) => inner(args[0]!));
    return;
  }
  const target = assignedName(n);
  if (target && (m === 'c_char_p' || m === 'c_wchar_p') && args.length <= 1 && planStringValue(pl, n, m, target, args[0])) return;
  // `end = c_char_p()` as an out-parameter (`byref(end)` to a `char **`): a cffi `char **` cell, its .value read as ctypes reads it
  const stringCell = (m === 'c_char_p' || m === 'c_wchar_p') && (!args.length || unparen(args[0]!).type === 'none');
  if (!target || (!SCALARS.has(m) && !stringCell) || args.length > 1 || (stringCell && otherBranch(n) !== undefined)) {
    pl.refuse(n, `a ctypes ${m} value used where the plan cannot follow it (it stays ctypes, so what receives it cannot become cffi)`);
    return;
  }
  const other = otherBranch(n);
  if (other !== undefined) {
    const op = other ? callParts(other) : undefined;
    if (!op || pl.ctypes(op.callee) !== m || op.args.length > 1 || op.keywords.size) {
      pl.refuse(n.parent!, `${target.text} is a ctypes ${m} on one branch only: the plan cannot follow it`);
      return;
    }
  }
  const planned = pl.valueTargets.get(keyOf(target));
  if (planned) {
    // the other branch of `c_T(a) if c else c_T(b)`: made the way the first one was
    pl.rewrite(n, (inner) => (planned === 'value' ? typedValue(pl, m, args[0] ? inner(args[0]) : undefined) : newCell(pl, m, args[0] ? inner(args[0]) : undefined)));
    return;
  }
  const uses = usesOf(pl, target);
  if (!uses) {
    pl.refuse(n, `${target.text} = ${m}(…) is assigned more than once or shared across modules: the plan cannot follow it`);
    return;
  }
  if (m === 'c_void_p' && planVoidAddress(pl, n, args, uses)) return;
  // only read (`.value`) and passed by value to functions without argtypes: an immutable cffi value
  const valueRead = (u: Node): boolean => u.parent!.type === 'attribute' && u.parent!.childForFieldName('attribute')?.text === 'value' && !isTarget(u.parent!);
  if (isIntegral(prim(m)!) && uses.some((u) => untypedArg(pl, u)) && uses.every((u) => valueRead(u) || untypedArg(pl, u))) {
    for (const u of uses) if (valueRead(u)) pl.rewrite(u.parent!, () => `int(${target.text})`);
    pl.valueTargets.set(keyOf(target), 'value');
    pl.plan.usesFfi = true;
    pl.plan.converted.cells++;
    pl.rewrite(n, (inner) => typedValue(pl, m, args[0] ? inner(args[0]) : undefined));
    return;
  }
  const rewrites: [Node, Rewrite][] = [];
  for (const u of uses) {
    const p = u.parent!;
    const bp = p.type === 'argument_list' ? callParts(p.parent!) : undefined;
    const how = bp ? pl.ctypes(bp.callee) : undefined;
    if (bp && (how === 'byref' || how === 'pointer') && bp.args.length === 1 && !bp.keywords.size && !bp.splat) {
      const byrefCall = p.parent!;
      if (!pointerFlowsToForeign(pl, byrefCall, rewrites, how === 'pointer')) return pl.refuse(byrefCall, `${how}(${target.text}) reaches code other than converted foreign calls`);
      rewrites.push([byrefCall, () => target.text]);
      continue;
    }
    if (p.type === 'attribute' && p.childForFieldName('attribute')?.text === 'value' && stringCell) {
      if (isTarget(p)) return pl.refuse(p, `${target.text}.value set on a ctypes ${m} out-parameter: not rewritten by this plan`);
      rewrites.push([p, () => `(None if ${target.text}[0] == ${f}.NULL else ${f}.string(${target.text}[0]))`]);
      continue;
    }
    if (p.type === 'attribute' && p.childForFieldName('attribute')?.text === 'value' && m !== 'c_void_p') {
      if (!isTarget(p)) {
        rewrites.push([p, () => `${target.text}[0]`]);
        continue;
      }
      const store = cellStore(pl, p, target.text, prim(m)!);
      if (!store) return pl.refuse(p, `${target.text}.value is set here in a way the plan does not rewrite (a ctypes ${m} stores what cffi would refuse)`);
      rewrites.push(...store);
      continue;
    }
    if (untypedArg(pl, u)) {
      // by value to a function without argtypes: the cell's value, as its C type
      rewrites.push([u, () => (m === 'c_void_p' ? `${target.text}[0]` : `${f}.cast(${pyString(PRIMS[m]!)}, ${target.text}[0])`)]);
      continue;
    }
    const fp = foreignParam(pl, u);
    if (fp && ((fp.k === 'prim' && fp.ctypes === m) || (m === 'c_void_p' && fp.k === 'prim' && fp.ctypes === 'c_void_p'))) {
      rewrites.push([u, () => `${target.text}[0]`]);
      continue;
    }
    return pl.refuse(u, `${target.text} (a ctypes ${m}) is used here in a way the plan does not rewrite`);
  }
  for (const [node, r] of rewrites) pl.rewrite(node, r);
  pl.valueTargets.set(keyOf(target), 'cell');
  pl.plan.usesFfi = true;
  pl.plan.converted.cells++;
  pl.rewrite(n, (inner) => (stringCell ? newCell(pl, m, undefined) : newCell(pl, m, args[0] ? inner(args[0]) : undefined)));
}
