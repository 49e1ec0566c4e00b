/**
 * Declarations made through a table loop or a declaring helper, spelled out before the single-file engine
 * reads the file, so each function gets its own `lib.f.restype = …` / `lib.f.argtypes = …` lines:
 *
 *   SIGS = {"memcpy": (c_void_p, [c_void_p, c_void_p, c_size_t])}      libc.memcpy.restype = c_void_p
 *   for _name, (_res, _args) in SIGS.items():                    →     libc.memcpy.argtypes = [c_void_p, c_void_p, c_size_t]
 *       f = getattr(libc, _name); f.restype = _res; f.argtypes = _args
 *
 *   def declare(lib, name, restype, argtypes):                          crc32 = libz.crc32
 *       fn = getattr(lib, name); fn.restype = restype; …; return fn   →  crc32.restype = c_ulong
 *   crc32 = declare(libz, "crc32", c_ulong, [c_ulong, c_char_p, c_uint])   crc32.argtypes = […]
 *
 * Only exact shapes are spelled out (a dict literal of string keys and (restype, argtypes) pairs; a helper
 * whose body is getattr, the two attributes from its parameters and `return`, called only as `x = h(lib, "f",
 * R, A)` statements), and only when the loop's and helper's names are used nowhere else: the spelled-out text
 * then does what the original did. The caller keeps the result only when it converts some of those declarations.
 */
import type { TextEdit } from './edits';
import type { InputTree } from './inputTree';
import { indentAt } from './syntax';

export interface Desugared {
  /** Edits on the original text that spell the declarations out. */
  edits: TextEdit[];
  /** `lib.f` / `x` expressions whose `.restype`/`.argtypes` the spelled-out text sets (to check they converted). */
  declared: string[];
}

const lineStart = (text: string, off: number): number => text.lastIndexOf('\n', off - 1) + 1;

/** The statement's whole lines, with its line end. */
function wholeLines(t: InputTree, st: number): { start: number; end: number } {
  const start = lineStart(t.text, t.start(st));
  const nl = t.text.indexOf('\n', t.end(st));
  return { start, end: nl < 0 ? t.text.length : nl + 1 };
}

/** `v = getattr(L, n)`, `v.restype = r`, `v.argtypes = a` (either order), optionally `return v`: the parts, or undefined. */
function declaringBody(t: InputTree, stmts: number[], allowReturn: boolean): { v: string; lib: number; name: number; res: string; args: string; order: ('restype' | 'argtypes')[] } | undefined {
  const f = t.f;
  const body = stmts.filter((s) => t.type(s) !== 'comment');
  const first = body[0] !== undefined && t.type(body[0]) === 'expression_statement' ? (t.named(body[0])[0] ?? -1) : -1;
  if (first < 0 || t.type(first) !== 'assignment' || t.type(t.field(first, f.left)) !== 'identifier') return undefined;
  const g = t.callParts(t.field(first, f.right));
  if (!g || t.textOf(g.callee) !== 'getattr' || g.args.length !== 2 || g.keywords.size || g.splat || !t.dotted(g.args[0]!)) return undefined;
  const v = t.textOf(t.field(first, f.left));
  const rest = body.slice(1);
  if (allowReturn) {
    const last = rest.pop();
    if (last === undefined || t.type(last) !== 'return_statement' || t.textOf(t.named(last)[0] ?? -1) !== v) return undefined;
  }
  if (rest.length !== 2) return undefined;
  const attrs = new Map<string, string>();
  const order: ('restype' | 'argtypes')[] = [];
  for (const st of rest) {
    const a = t.type(st) === 'expression_statement' ? (t.named(st)[0] ?? -1) : -1;
    const l = a >= 0 && t.type(a) === 'assignment' ? t.field(a, f.left) : -1;
    const r = t.field(a, f.right);
    const which = l >= 0 && t.type(l) === 'attribute' && t.textOf(t.field(l, f.object)) === v && t.field(l, f.object) >= 0 ? t.textOf(t.field(l, f.attribute)) : undefined;
    if ((which !== 'restype' && which !== 'argtypes') || r < 0 || t.type(r) !== 'identifier' || attrs.has(which)) return undefined;
    attrs.set(which, t.textOf(r));
    order.push(which);
  }
  return { v, lib: g.args[0]!, name: g.args[1]!, res: attrs.get('restype')!, args: attrs.get('argtypes')!, order };
}

export function desugarDeclarations(t: InputTree): Desugared | undefined {
  const f = t.f;
  const text = t.text;
  const ids = new Map<string, number[]>();
  const loopsFound: number[] = [];
  const defs: number[] = [];
  const statements: number[] = [];
  const attributes: number[] = [];
  for (let n = 0; n < t.count; n++) {
    if (!t.flat.isNamed(n)) continue;
    const type = t.type(n);
    if (type === 'for_statement') loopsFound.push(n);
    else if (type === 'function_definition') defs.push(n);
    else if (type === 'expression_statement') statements.push(n);
    else if (type === 'attribute') attributes.push(n);
    if (type !== 'identifier') continue;
    const p = t.parent(n);
    const pt = p >= 0 ? t.type(p) : '';
    if (pt === 'attribute' && t.start(t.field(p, f.attribute)) === t.start(n) && t.field(p, f.attribute) >= 0) continue;
    if (pt === 'keyword_argument' && t.field(p, f.name) >= 0 && t.start(t.field(p, f.name)) === t.start(n)) continue;
    const name = t.textOf(n);
    const list = ids.get(name);
    if (list) list.push(n);
    else ids.set(name, [n]);
  }
  // a name a function binds (a parameter, an assignment, no `global`) is that function's own, not the module's
  const locals = new Map<number, Set<string>>();
  const localNames = (fn: number): Set<string> => {
    let set = locals.get(fn);
    if (set) return set;
    set = t.functionLocals(fn);
    locals.set(fn, set);
    return set;
  };
  const moduleUse = (n: number): boolean => {
    for (let p = t.parent(n); p >= 0; p = t.parent(p)) {
      const pt = t.type(p);
      if ((pt === 'function_definition' || pt === 'lambda') && (pt === 'lambda' || localNames(p).has(t.textOf(n)))) return false;
    }
    return true;
  };
  const inside = (n: number, ranges: number[]): boolean => ranges.some((r) => t.start(r) <= t.start(n) && t.end(n) <= t.end(r));
  /** For a module-level loop: the name's module-level uses are all inside the ranges. */
  const onlyModuleUsesIn = (name: string, ranges: number[]): boolean => (ids.get(name) ?? []).every((n) => inside(n, ranges) || !moduleUse(n));
  const onlyIn = (name: string, ranges: number[]): boolean => (ids.get(name) ?? []).every((n) => inside(n, ranges));
  const edits: TextEdit[] = [];
  const declared: string[] = [];

  // table loops: the loops' own names may be shared between them (each loop binds them before it reads them)
  const loops: { scope: number[]; names: string[]; atModule: boolean; edit: TextEdit; declared: string[] }[] = [];
  for (const loop of loopsFound) {
    const left = t.field(loop, f.left);
    const right = t.field(loop, f.right);
    const parts = left >= 0 && t.type(left) === 'pattern_list' ? t.named(left) : [];
    const pair = parts[1] !== undefined && t.type(parts[1]) === 'tuple_pattern' ? t.named(parts[1]) : [];
    if (parts.length !== 2 || t.type(parts[0]!) !== 'identifier' || pair.length !== 2 || pair.some((p) => t.type(p) !== 'identifier')) continue;
    const items = right >= 0 ? t.callParts(right) : undefined;
    const obj = items && t.type(items.callee) === 'attribute' && t.textOf(t.field(items.callee, f.attribute)) === 'items' && t.field(items.callee, f.attribute) >= 0 && !items.args.length ? t.unparen(t.field(items.callee, f.object)) : -1;
    if (obj < 0 || t.field(loop, f.alternative) >= 0) continue;
    let dict = -1;
    let tableStatement = -1;
    if (t.type(obj) === 'dictionary') dict = obj;
    else if (t.type(obj) === 'identifier') {
      // `TABLE = {…}` just before the loop, in the same block, used only by it
      const prev = previousNamedSibling(t, loop);
      const a = prev >= 0 && t.type(prev) === 'expression_statement' ? (t.named(prev)[0] ?? -1) : -1;
      const ar = t.field(a, f.right);
      if (a >= 0 && t.type(a) === 'assignment' && t.field(a, f.left) >= 0 && t.textOf(t.field(a, f.left)) === t.textOf(obj) && ar >= 0 && t.type(ar) === 'dictionary') {
        dict = ar;
        tableStatement = prev;
      }
    }
    const body = t.field(loop, f.body);
    const d = declaringBody(t, body >= 0 ? t.named(body) : [], false);
    if (dict < 0 || !d || t.textOf(d.name) !== t.textOf(parts[0]!) || d.res !== t.textOf(pair[0]!) || d.args !== t.textOf(pair[1]!)) continue;
    const scope = [loop, ...(tableStatement >= 0 ? [tableStatement] : [])];
    const names = [d.v, t.textOf(parts[0]!), t.textOf(pair[0]!), t.textOf(pair[1]!), ...(tableStatement >= 0 ? [t.textOf(obj)] : [])];
    const entries: { name: string; res: string; args: string }[] = [];
    let ok = true;
    for (const e of t.named(dict)) {
      if (t.type(e) === 'comment') continue;
      const isPair = t.type(e) === 'pair';
      const key = isPair ? t.field(e, f.key) : -1;
      const lit = key >= 0 ? t.stringLiteral(key) : undefined;
      const val = isPair ? t.unparen(t.field(e, f.value)) : -1;
      const tv = val >= 0 && t.type(val) === 'tuple' ? t.items(val) : [];
      if (!lit || lit.bytes || !/^[A-Za-z_]\w*$/.test(lit.value) || tv.length !== 2) {
        ok = false;
        break;
      }
      entries.push({ name: lit.value, res: t.textOf(tv[0]!), args: t.textOf(tv[1]!) });
    }
    if (!ok || !entries.length || new Set(entries.map((e) => e.name)).size !== entries.length) continue;
    const indent = indentAt(text, t.start(tableStatement >= 0 ? tableStatement : loop));
    const L = t.dotted(d.lib)!;
    const lines = entries.flatMap((e) => d.order.map((w) => `${indent}${L}.${e.name}.${w} = ${w === 'restype' ? e.res : e.args}\n`));
    const span = wholeLines(t, loop);
    const start = tableStatement >= 0 ? wholeLines(t, tableStatement).start : span.start;
    loops.push({ scope, names, atModule: t.type(t.parent(loop)) === 'module', edit: { start, end: span.end, newText: lines.join('') }, declared: entries.map((e) => `${L}.${e.name}`) });
  }
  // a loop is spelled out when its names are used only in loops that are spelled out too
  for (let changed = true; changed; ) {
    const scopes = loops.flatMap((l) => l.scope);
    const before = loops.length;
    loops.splice(0, loops.length, ...loops.filter((l) => l.names.every((n) => (l.atModule ? onlyModuleUsesIn(n, scopes) : onlyIn(n, scopes)))));
    changed = loops.length !== before;
  }
  for (const l of loops) {
    edits.push(l.edit);
    declared.push(...l.declared);
  }

  // declaring helpers
  for (const def of defs) {
    if (t.type(t.parent(def)) === 'decorated_definition') continue;
    const paramList = t.field(def, f.parameters);
    const params = paramList >= 0 ? t.named(paramList) : [];
    if (params.length !== 4 || params.some((p) => t.type(p) !== 'identifier')) continue;
    const [pl, pn, pr, pa] = params.map((p) => t.textOf(p)) as [string, string, string, string];
    const body = t.field(def, f.body);
    const d = declaringBody(t, body >= 0 ? t.named(body) : [], true);
    if (!d || t.textOf(d.lib) !== pl || t.textOf(d.name) !== pn || d.res !== pr || d.args !== pa) continue;
    const nameNode = t.field(def, f.name);
    const name = t.textOf(nameNode);
    const uses = (ids.get(name) ?? []).filter((n) => t.start(n) !== t.start(nameNode));
    const calls: { st: number; target: string; lib: string; fname: string; res: number; args: number }[] = [];
    for (const u of uses) {
      const up = t.parent(u);
      const call = up >= 0 && t.type(up) === 'call' && t.start(t.field(up, f.function)) === t.start(u) && t.field(up, f.function) >= 0 ? up : -1;
      const c = call >= 0 ? t.callParts(call) : undefined;
      const cp = call >= 0 ? t.parent(call) : -1;
      const a = cp >= 0 && t.type(cp) === 'assignment' && t.field(cp, f.right) >= 0 && t.start(t.field(cp, f.right)) === t.start(call) ? cp : -1;
      const ap = a >= 0 ? t.parent(a) : -1;
      const st = ap >= 0 && t.type(ap) === 'expression_statement' ? ap : -1;
      // a plain name: the single-file engine follows `x = lib.f` aliases bound to names only
      const left = t.field(a, f.left);
      const target = left >= 0 && t.type(left) === 'identifier' ? t.textOf(left) : undefined;
      const lit = c?.args[1] !== undefined ? t.stringLiteral(c.args[1]) : undefined;
      const lib = c?.args[0] !== undefined ? t.dotted(c.args[0]) : undefined;
      if (!c || st < 0 || !target || c.args.length !== 4 || c.keywords.size || c.splat || !lit || lit.bytes || !/^[A-Za-z_]\w*$/.test(lit.value) || !lib) {
        calls.length = 0;
        break;
      }
      calls.push({ st, target, lib, fname: lit.value, res: c.args[2]!, args: c.args[3]! });
    }
    if (!calls.length || calls.length !== uses.length) continue;
    for (const c of calls) {
      const indent = indentAt(text, t.start(c.st));
      const lines = [`${c.target} = ${c.lib}.${c.fname}`, ...d.order.map((w) => `${indent}${c.target}.${w} = ${w === 'restype' ? t.textOf(c.res) : t.textOf(c.args)}`)];
      edits.push({ start: t.start(c.st), end: t.end(c.st), newText: lines.join('\n') });
      declared.push(c.target);
    }
    const span = wholeLines(t, def);
    edits.push({ start: span.start, end: span.end, newText: '' });
  }
  // `f.argtypes, f.restype = [...], T` → one statement each (the values are type expressions)
  const assignmentIn = (st: number): number => {
    const named = t.named(st);
    return named.length === 1 && t.type(named[0]!) === 'assignment' ? named[0]! : -1;
  };
  for (const st of statements) {
    const a = assignmentIn(st);
    const l = t.field(a, f.left);
    const r = t.field(a, f.right);
    if (l < 0 || r < 0 || (t.type(l) !== 'pattern_list' && t.type(l) !== 'tuple_pattern') || (t.type(r) !== 'expression_list' && t.type(r) !== 'tuple')) continue;
    const targets = t.named(l);
    const values = t.items(r);
    if (targets.length !== values.length || !targets.every((x) => t.type(x) === 'attribute' && /^(argtypes|restype)$/.test(t.textOf(t.field(x, f.attribute))) && t.dotted(x))) continue;
    const indent = indentAt(text, t.start(st));
    edits.push({ start: t.start(st), end: t.end(st), newText: targets.map((x, i) => `${t.textOf(x)} = ${t.textOf(values[i]!)}`).join(`\n${indent}`) });
    for (const x of targets) declared.push(t.dotted(t.field(x, f.object))!);
  }
  // `f = getattr(lib, "f")` is `f = lib.f`; `f = lib["f"]` too when nothing else reads lib.f (ctypes makes a fresh object)
  for (const st of statements) {
    const a = assignmentIn(st);
    const l = t.field(a, f.left);
    const right = l >= 0 ? t.field(a, f.right) : -1;
    const r = right >= 0 ? t.unparen(right) : -1;
    if (l < 0 || t.type(l) !== 'identifier' || r < 0) continue;
    let lib: string | undefined;
    let fname: string | undefined;
    const g = t.callParts(r);
    if (g && t.textOf(g.callee) === 'getattr' && g.args.length === 2 && !g.keywords.size && !g.splat) {
      lib = t.dotted(g.args[0]!);
      const lit = t.stringLiteral(g.args[1]!);
      fname = lit && !lit.bytes ? lit.value : undefined;
    } else if (t.type(r) === 'subscript') {
      lib = t.dotted(t.field(r, f.value));
      const sub = t.field(r, f.subscript);
      const lit = sub >= 0 ? t.stringLiteral(sub) : undefined;
      fname = lit && !lit.bytes ? lit.value : undefined;
      if (fname && attributes.some((n) => t.field(n, f.attribute) >= 0 && t.textOf(t.field(n, f.attribute)) === fname && t.field(n, f.object) >= 0 && t.textOf(t.field(n, f.object)) === lib)) fname = undefined;
    }
    if (!lib || !fname || !/^[A-Za-z_]\w*$/.test(fname)) continue;
    edits.push({ start: t.start(r), end: t.end(r), newText: `${lib}.${fname}` });
    declared.push(t.textOf(l));
  }
  if (!edits.length) return undefined;
  // nested shapes (a loop inside a helper) are not spelled out twice
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return undefined;
  return { edits: sorted, declared };
}

/** The named sibling before `n`, or -1. */
function previousNamedSibling(t: InputTree, n: number): number {
  const p = t.parent(n);
  if (p < 0) return -1;
  let prev = -1;
  for (let c = p + 1; c < n; c = t.flat.after[c]!) if (t.flat.isNamed(c)) prev = c;
  return prev;
}
