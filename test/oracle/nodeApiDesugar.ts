/**
 * The desugaring of table loops and declaring helpers as it was through web-tree-sitter's node API (before
 * server/src/convert/desugar.ts read the flat copy of the tree): the oracle of test/unit/readCtypes.test.ts.
 */
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../../server/src/convert/edits';
import type { Desugared } from '../../server/src/convert/desugar';
import { callParts, dotted, functionLocals, indentAt, stringLiteral, unparen, walk } from '../../server/src/convert/syntax';


const lineStart = (text: string, off: number): number => text.lastIndexOf('\n', off - 1) + 1;

/** The statement's whole lines, with its line end. */
function wholeLines(text: string, st: Node): { start: number; end: number } {
  const start = lineStart(text, st.startIndex);
  const nl = text.indexOf('\n', st.endIndex);
  return { start, end: nl < 0 ? text.length : nl + 1 };
}

/** `v = getattr(L, n)`, `v.restype = r`, `v.argtypes = a` (either order), optionally `return v`: the parts, or undefined. */
function declaringBody(stmts: Node[], allowReturn: boolean): { v: string; lib: Node; name: Node; res: string; args: string; order: ('restype' | 'argtypes')[] } | undefined {
  const body = stmts.filter((s) => s.type !== 'comment');
  const first = body[0]?.type === 'expression_statement' ? body[0].namedChildren[0] : undefined;
  if (first?.type !== 'assignment' || first.childForFieldName('left')?.type !== 'identifier') return undefined;
  const g = callParts(first.childForFieldName('right')!);
  if (!g || g.callee.text !== 'getattr' || g.args.length !== 2 || g.keywords.size || g.splat || !dotted(g.args[0])) return undefined;
  const v = first.childForFieldName('left')!.text;
  const rest = body.slice(1);
  if (allowReturn) {
    const last = rest.pop();
    if (last?.type !== 'return_statement' || last.namedChildren[0]?.text !== v) return undefined;
  }
  if (rest.length !== 2) return undefined;
  const attrs = new Map<string, string>();
  const order: ('restype' | 'argtypes')[] = [];
  for (const st of rest) {
    const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
    const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    const r = a?.childForFieldName('right');
    const which = l?.type === 'attribute' && l.childForFieldName('object')?.text === v ? l.childForFieldName('attribute')!.text : undefined;
    if ((which !== 'restype' && which !== 'argtypes') || r?.type !== 'identifier' || attrs.has(which)) return undefined;
    attrs.set(which, r.text);
    order.push(which);
  }
  return { v, lib: g.args[0]!, name: g.args[1]!, res: attrs.get('restype')!, args: attrs.get('argtypes')!, order };
}

export function nodeApiDesugar(text: string, root: Node): Desugared | undefined {
  const all = [...walk(root)];
  const ids = new Map<string, Node[]>();
  for (const n of all) {
    if (n.type !== 'identifier') continue;
    const p = n.parent;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === n.startIndex) continue;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === n.startIndex) continue;
    ids.set(n.text, [...(ids.get(n.text) ?? []), n]);
  }
  // a name a function binds (a parameter, an assignment, no `global`) is that function's own, not the module's
  const locals = new Map<number, Set<string>>();
  const localNames = (fn: Node): Set<string> => {
    let set = locals.get(fn.id);
    if (set) return set;
    set = functionLocals(fn);
    locals.set(fn.id, set);
    return set;
  };
  const moduleUse = (n: Node): boolean => {
    for (let p = n.parent; p; p = p.parent) if ((p.type === 'function_definition' || p.type === 'lambda') && (p.type === 'lambda' || localNames(p).has(n.text))) return false;
    return true;
  };
  const inside = (n: Node, ranges: Node[]): boolean => ranges.some((r) => r.startIndex <= n.startIndex && n.endIndex <= r.endIndex);
  /** For a module-level loop: the name's module-level uses are all inside the ranges. */
  const onlyModuleUsesIn = (name: string, ranges: Node[]): boolean => (ids.get(name) ?? []).every((n) => inside(n, ranges) || !moduleUse(n));
  const onlyIn = (name: string, ranges: Node[]): boolean => (ids.get(name) ?? []).every((n) => inside(n, ranges));
  const edits: TextEdit[] = [];
  const declared: string[] = [];

  // table loops: the loops' own names may be shared between them (each loop binds them before it reads them)
  const loops: { scope: Node[]; names: string[]; atModule: boolean; edit: TextEdit; declared: string[] }[] = [];
  for (const loop of all) {
    if (loop.type !== 'for_statement') continue;
    const left = loop.childForFieldName('left');
    const right = loop.childForFieldName('right');
    const parts = left?.type === 'pattern_list' ? left.namedChildren : [];
    const pair = parts[1]?.type === 'tuple_pattern' ? parts[1].namedChildren : [];
    if (parts.length !== 2 || parts[0]!.type !== 'identifier' || pair.length !== 2 || pair.some((p) => p.type !== 'identifier')) continue;
    const items = right ? callParts(right) : undefined;
    const obj = items?.callee.type === 'attribute' && items.callee.childForFieldName('attribute')?.text === 'items' && !items.args.length ? unparen(items.callee.childForFieldName('object')!) : undefined;
    if (!obj || loop.childForFieldName('alternative')) continue;
    let dict: Node | undefined;
    let tableStatement: Node | undefined;
    if (obj.type === 'dictionary') dict = obj;
    else if (obj.type === 'identifier') {
      // `TABLE = {…}` just before the loop, in the same block, used only by it
      const prev = loop.previousNamedSibling;
      const a = prev?.type === 'expression_statement' ? prev.namedChildren[0] : undefined;
      if (a?.type === 'assignment' && a.childForFieldName('left')?.text === obj.text && a.childForFieldName('right')?.type === 'dictionary') {
        dict = a.childForFieldName('right')!;
        tableStatement = prev!;
      }
    }
    const d = declaringBody(loop.childForFieldName('body')?.namedChildren ?? [], false);
    if (!dict || !d || d.name.text !== parts[0]!.text || d.res !== pair[0]!.text || d.args !== pair[1]!.text) continue;
    const scope = [loop, ...(tableStatement ? [tableStatement] : [])];
    const names = [d.v, parts[0]!.text, pair[0]!.text, pair[1]!.text, ...(tableStatement ? [obj.text] : [])];
    const entries: { name: string; res: string; args: string }[] = [];
    let ok = true;
    for (const e of dict.namedChildren) {
      if (e.type === 'comment') continue;
      const key = e.type === 'pair' ? e.childForFieldName('key') : undefined;
      const lit = key ? stringLiteral(key) : undefined;
      const val = e.type === 'pair' ? unparen(e.childForFieldName('value')!) : undefined;
      const tv = val?.type === 'tuple' ? val.namedChildren.filter((c) => c.type !== 'comment') : [];
      if (!lit || lit.bytes || !/^[A-Za-z_]\w*$/.test(lit.value) || tv.length !== 2) {
        ok = false;
        break;
      }
      entries.push({ name: lit.value, res: tv[0]!.text, args: tv[1]!.text });
    }
    if (!ok || !entries.length || new Set(entries.map((e) => e.name)).size !== entries.length) continue;
    const indent = indentAt(text, (tableStatement ?? loop).startIndex);
    const L = dotted(d.lib)!;
    const lines = entries.flatMap((e) => d.order.map((w) => `${indent}${L}.${e.name}.${w} = ${w === 'restype' ? e.res : e.args}\n`));
    const span = wholeLines(text, loop);
    const start = tableStatement ? wholeLines(text, tableStatement).start : span.start;
    loops.push({ scope, names, atModule: loop.parent?.type === 'module', edit: { start, end: span.end, newText: lines.join('') }, declared: entries.map((e) => `${L}.${e.name}`) });
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
  for (const def of all) {
    if (def.type !== 'function_definition' || def.parent?.type === 'decorated_definition') continue;
    const params = def.childForFieldName('parameters')?.namedChildren ?? [];
    if (params.length !== 4 || params.some((p) => p.type !== 'identifier')) continue;
    const [pl, pn, pr, pa] = params.map((p) => p.text) as [string, string, string, string];
    const d = declaringBody(def.childForFieldName('body')?.namedChildren ?? [], true);
    if (!d || d.lib.text !== pl || d.name.text !== pn || d.res !== pr || d.args !== pa) continue;
    const name = def.childForFieldName('name')!.text;
    const uses = (ids.get(name) ?? []).filter((n) => n.startIndex !== def.childForFieldName('name')!.startIndex);
    const calls: { st: Node; target: string; lib: string; fname: string; res: Node; args: Node }[] = [];
    for (const u of uses) {
      const call = u.parent?.type === 'call' && u.parent.childForFieldName('function')?.startIndex === u.startIndex ? u.parent : undefined;
      const c = call ? callParts(call) : undefined;
      const a = call?.parent?.type === 'assignment' && call.parent.childForFieldName('right')?.startIndex === call.startIndex ? call.parent : undefined;
      const st = a?.parent?.type === 'expression_statement' ? a.parent : undefined;
      // a plain name: the single-file engine follows `x = lib.f` aliases bound to names only
      const target = a?.childForFieldName('left')?.type === 'identifier' ? a.childForFieldName('left')!.text : undefined;
      const lit = c?.args[1] ? stringLiteral(c.args[1]) : undefined;
      const lib = c?.args[0] ? dotted(c.args[0]) : undefined;
      if (!c || !st || !target || c.args.length !== 4 || c.keywords.size || c.splat || !lit || lit.bytes || !/^[A-Za-z_]\w*$/.test(lit.value) || !lib) {
        calls.length = 0;
        break;
      }
      calls.push({ st, target, lib, fname: lit.value, res: c.args[2]!, args: c.args[3]! });
    }
    if (!calls.length || calls.length !== uses.length) continue;
    for (const c of calls) {
      const indent = indentAt(text, c.st.startIndex);
      const lines = [`${c.target} = ${c.lib}.${c.fname}`, ...d.order.map((w) => `${indent}${c.target}.${w} = ${w === 'restype' ? c.res.text : c.args.text}`)];
      edits.push({ start: c.st.startIndex, end: c.st.endIndex, newText: lines.join('\n') });
      declared.push(c.target);
    }
    const span = wholeLines(text, def);
    edits.push({ start: span.start, end: span.end, newText: '' });
  }
  // `f.argtypes, f.restype = [...], T` → one statement each (the values are type expressions)
  for (const st of all) {
    const a = st.type === 'expression_statement' && st.namedChildren.length === 1 ? st.namedChildren[0] : undefined;
    const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    const r = a?.childForFieldName('right');
    if (!l || !r || (l.type !== 'pattern_list' && l.type !== 'tuple_pattern') || (r.type !== 'expression_list' && r.type !== 'tuple')) continue;
    const targets = l.namedChildren;
    const values = r.namedChildren.filter((c) => c.type !== 'comment');
    if (targets.length !== values.length || !targets.every((t) => t.type === 'attribute' && /^(argtypes|restype)$/.test(t.childForFieldName('attribute')!.text) && dotted(t))) continue;
    const indent = indentAt(text, st.startIndex);
    edits.push({ start: st.startIndex, end: st.endIndex, newText: targets.map((t, i) => `${t.text} = ${values[i]!.text}`).join(`\n${indent}`) });
    for (const t of targets) declared.push(dotted(t.childForFieldName('object'))!);
  }
  // `f = getattr(lib, "f")` is `f = lib.f`; `f = lib["f"]` too when nothing else reads lib.f (ctypes makes a fresh object)
  for (const st of all) {
    const a = st.type === 'expression_statement' && st.namedChildren.length === 1 ? st.namedChildren[0] : undefined;
    const l = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
    const right = l ? a!.childForFieldName('right') : undefined;
    const r = right ? unparen(right) : undefined;
    if (l?.type !== 'identifier' || !r) continue;
    let lib: string | undefined;
    let fname: string | undefined;
    const g = callParts(r);
    if (g && g.callee.text === 'getattr' && g.args.length === 2 && !g.keywords.size && !g.splat) {
      lib = dotted(g.args[0]);
      const lit = stringLiteral(g.args[1]!);
      fname = lit && !lit.bytes ? lit.value : undefined;
    } else if (r.type === 'subscript') {
      lib = dotted(r.childForFieldName('value'));
      const sub = r.childForFieldName('subscript');
      const lit = sub ? stringLiteral(sub) : undefined;
      fname = lit && !lit.bytes ? lit.value : undefined;
      if (fname && all.some((n) => n.type === 'attribute' && n.childForFieldName('attribute')?.text === fname && n.childForFieldName('object')?.text === lib)) fname = undefined;
    }
    if (!lib || !fname || !/^[A-Za-z_]\w*$/.test(fname)) continue;
    edits.push({ start: r.startIndex, end: r.endIndex, newText: `${lib}.${fname}` });
    declared.push(l.text);
  }
  if (!edits.length) return undefined;
  // nested shapes (a loop inside a helper) are not spelled out twice
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return undefined;
  return { edits: sorted, declared };
}
