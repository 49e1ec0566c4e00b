/**
 * Stage C, callbacks called from Python: a `CFUNCTYPE` callback (`@CB def f`, `f = CB(g)`, `CB(g)(…)`, `CB` named
 * or written inline) becomes a cffi callback, which Python can call too, but with cffi's argument conversions:
 * ctypes took an int address for a `c_void_p` or pointer parameter and gave `c_void_p`/`c_char_p` results as ints
 * and bytes, cffi takes cdata and gives cdata. Such a call is a refusal; one with numbers only crosses alike.
 */
import type { Node } from 'web-tree-sitter';
import { callParts } from '../../syntax';
import type { CType } from '../../typeNames';
import type { ModulePlanner } from './planner';
import { callbackSignature, typeOf } from './types';

export function refuseCallbackCalls(pl: ModulePlanner): void {
  const made = new Map<string, CType & { k: 'func' }>();
  for (const n of pl.nodes.calls) {
    // CB(g)(…): called at once
    const outer = n.parent?.type === 'call' && n.parent.childForFieldName('function')?.id === n.id ? n.parent : undefined;
    const parts = callParts(n);
    // P(func), P(lambda …): a callback; P(("name", lib)) and P(address) are foreign functions (functions.ts)
    const arg = parts && parts.args.length === 1 ? parts.args[0]! : undefined;
    const t = arg && ['identifier', 'lambda', 'attribute'].includes(arg.type) ? prototypeOf(pl, parts!.callee) : undefined;
    if (!t || !crossesDifferently(t)) continue;
    if (outer) pl.refuse(outer, calledText(n.text));
    const a = n.parent?.type === 'assignment' && n.parent.childForFieldName('right')?.id === n.id ? n.parent.childForFieldName('left') : undefined;
    if (a?.type === 'identifier') made.set(a.text, t);
  }
  const visit = (defs: readonly Node[]): void => {
    for (const d of defs) {
      if (d.type === 'class_definition') visit(d.childForFieldName('body')?.namedChildren ?? []);
      if (d.type !== 'decorated_definition') continue;
      const def = d.childForFieldName('definition');
      if (def?.type !== 'function_definition') continue;
      for (const dec of d.namedChildren.filter((c) => c.type === 'decorator')) {
        const e = dec.namedChildren[0];
        const t = e ? prototypeOf(pl, e) : undefined;
        if (t && crossesDifferently(t)) made.set(def.childForFieldName('name')!.text, t);
      }
    }
  };
  visit(pl.mod.root.namedChildren);
  for (const name of made.keys()) {
    for (const id of pl.nodes.identifiers.get(name) ?? []) {
      const call = id.parent;
      if (call?.type === 'call' && call.childForFieldName('function')?.id === id.id) pl.refuse(call, calledText(name));
    }
  }
}

function calledText(name: string): string {
  return `${name} (a ctypes callback) is called from Python here: ctypes converted the arguments by the callback's types (an int address for a pointer), a cffi callback takes cdata only (call the Python function itself)`;
}

/** The function type of a `CFUNCTYPE` prototype expression: this module's, another module's, or written inline. */
function prototypeOf(pl: ModulePlanner, e: Node): (CType & { k: 'func' }) | undefined {
  let t: CType | undefined;
  if (e.type === 'identifier') t = typeOf(pl, e);
  else if (e.type === 'attribute') {
    const m = pl.b.modules.get(e.childForFieldName('object')?.text ?? '');
    t = m ? pl.project.planner(m)?.prototypes.get(e.childForFieldName('attribute')!.text)?.type : undefined;
  } else {
    const parts = callParts(e);
    if (parts && pl.ctypes(parts.callee) === 'CFUNCTYPE' && !parts.keywords.size && !parts.splat) t = callbackSignature(pl, parts.args, '');
  }
  return t?.k === 'func' ? t : undefined;
}

function crossesDifferently(t: CType & { k: 'func' }): boolean {
  const pointer = (x: CType): boolean => x.k === 'ptr' || (x.k === 'prim' && x.ctypes === 'c_void_p');
  return t.args.some(pointer) || pointer(t.ret) || (t.ret.k === 'prim' && (t.ret.ctypes === 'c_char_p' || t.ret.ctypes === 'c_wchar_p'));
}
