// The render walk and the propagation walk of the rewrite as they read the node API before they read the input's
// flat copy (server/src/convert/rewrite/rewriter.ts, staysCtypes.ts): the oracle of test/unit/flatRewrite.test.ts.
// Not product code.
import type { Node } from 'web-tree-sitter';
import { assignmentOf, functionKey } from '../../server/src/convert/readCtypes';
import { callParts, dotted, isStoreTarget, keyOf, unparen, walk } from '../../server/src/convert/syntax';
import { Rewriter } from '../../server/src/convert/rewrite/rewriter';
import { planFunction, calledFunction, structsIn, protosIn, typeConvertible } from '../../server/src/convert/rewrite/plan';
import { scopeKeyFor, kindOf, errcheckReturnsResult } from '../../server/src/convert/rewrite/kinds';
import { callbackDecoratorSig } from '../../server/src/convert/rewrite/callbacks';
import { demoteCallbacksIn, demoteParameters, demotedNameIn, leavePointerUses, readsDifferently } from '../../server/src/convert/rewrite/staysCtypes';

type Rule = (r: Rewriter) => string;

/** A Rewriter whose render walks web-tree-sitter Nodes, every node asked for its rule, and whose propagation walks them too. */
export class NodeApiRewriter extends Rewriter {
  private rule(n: Node): Rule | undefined {
    return (this as unknown as { ruleFor(n: Node): Rule | undefined }).ruleFor(n);
  }

  override R(n: Node): string {
    const rule = this.rule(n);
    if (rule) return rule(this);
    return this.splice(n);
  }

  override splice(n: Node): string {
    let out = '';
    let at = n.startIndex;
    for (const c of n.children) {
      if (!this.changes(c)) continue;
      out += this.p.text.slice(at, c.startIndex) + this.R(c);
      at = c.endIndex;
    }
    return out + this.p.text.slice(at, n.endIndex);
  }

  override changes(n: Node): boolean {
    if (this.rule(n)) return true;
    return n.children.some((c) => this.changes(c));
  }

  override collectEdits(root: Node, out: { start: number; end: number; newText: string }[]): void {
    if (this.deleted.has(keyOf(root)) || this.replaced.has(keyOf(root))) return;
    const rule = this.rule(root);
    if (rule) {
      const text = rule(this);
      if (text !== this.p.text.slice(root.startIndex, root.endIndex)) out.push({ start: root.startIndex, end: root.endIndex, newText: text });
      return;
    }
    for (const c of root.children) this.collectEdits(c, out);
  }

  override propagate(): void {
    nodeApiPropagateCtypes(this);
  }
}

/** Ranges whose code stays ctypes this round: statements left for a human, values of variables kept in ctypes. */
export function nodeApiComputeFrozen(rw: Rewriter): void {
  const ctypesCallables = findCtypesCallables(rw);
  // a statement demoted by an earlier round, when this tree has it (frozen is only asked `has`: no walk order to keep)
  for (const token of rw.demoted.keys()) {
    const m = /^stmt:(\d+):(\d+):(.+)$/.exec(token);
    if (m && rw.p.input.hasNode(Number(m[1]), Number(m[2]), m[3]!)) rw.frozen.add(token.slice('stmt:'.length));
  }
  for (const n of rw.p.input.nodesOf('call', 'assignment')) {
    // what a function that stays ctypes receives stays ctypes: a cffi value would reach it (ArgumentError)
    const call = n.type === 'call' ? callParts(n) : undefined;
    if (call && staysCtypes(rw, call.callee, ctypesCallables)) {
      rw.frozen.add(keyOf(call.argList));
      rw.ctypesArguments.push([call.argList.startIndex, call.argList.endIndex]);
    }
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const name = left && dotted(left);
      if (name && right && rw.demoted.has(`var:${scopeKeyFor(rw, n, name)}`)) rw.frozen.add(keyOf(right));
    }
  }
}

/** A foreign function without a cdef signature (it stays on the ctypes handle), or one a prototype made from `(name, lib)`. */
function staysCtypes(rw: Rewriter, callee: Node, ctypesCallables: { names: Set<string>; attrs: Set<string> }): boolean {
  const name = dotted(callee);
  if (name && ctypesCallables.names.has(name)) return true;
  if (callee.type === 'attribute' && ctypesCallables.attrs.has(callee.childForFieldName('attribute')!.text)) return true;
  const f = calledFunction(rw, callee);
  if (!f) return false;
  planFunction(rw, f);
  return !rw.signatures.has(functionKey(f.lib.name, f.name));
}

/** Names bound to a prototype instantiated from a library symbol (`P(("name", lib))`), and the attributes `self.f = P(…)` sets. */
function findCtypesCallables(rw: Rewriter): { names: Set<string>; attrs: Set<string> } {
  const names = new Set<string>();
  const attrs = new Set<string>();
  for (const n of rw.p.input.nodesOf('assignment')) {
    const a = assignmentOf(n.parent ?? n);
    const call = a ? callParts(unparen(a.right)) : undefined;
    const proto = call ? dotted(call.callee) : undefined;
    const name = a ? dotted(a.left) : undefined;
    if (name && proto && rw.p.prototypes.has(proto) && call!.args[0] && unparen(call!.args[0]).type === 'tuple') {
      names.add(name);
      // `self.f = P(…)` is called as `obj.f(…)` too
      if (name.startsWith('self.')) attrs.add(name.slice('self.'.length));
    }
  }
  return { names, attrs };
}

/** After a round: what else must stay in ctypes because it touches something that stays. */
function nodeApiPropagateCtypes(rw: Rewriter): void {
  leavePointerUses(rw);
  const ctypesVarsIn = (n: Node): { token: string; node: Node }[] => {
    const out: { token: string; node: Node }[] = [];
    for (const c of walk(n)) {
      if (c.type !== 'identifier' && !(c.type === 'attribute' && dotted(c)?.startsWith('self.'))) continue;
      if (c.parent?.type === 'attribute' && c.parent.childForFieldName('attribute')?.startIndex === c.startIndex) continue;
      const v = rw.rawVar(c);
      if (v) out.push({ token: v.token, node: c });
    }
    return out;
  };
  // names bound to a prototype instantiated from something (`P(("name", lib))`, `P(address)`), and decorated callbacks
  const { names: ctypesCallables, attrs: callableAttrs } = findCtypesCallables(rw);
  const decoratedDefs = rw.decoratedCallbacks;
  for (const n of rw.p.input.nodesOf('decorated_definition')) {
    if (callbackDecoratorSig(rw, n)) {
      const name = n.childForFieldName('definition')?.childForFieldName('name')?.text;
      if (name) decoratedDefs.set(name, n);
    }
  }
  for (const n of walk(rw.p.root)) {
    if (n.type === 'identifier' && rw.isFrozen(n) && !isStoreTarget(n)) {
      // code that stays ctypes names a struct class or a prototype: they stay ctypes too
      if (rw.convertedStructs.has(n.text)) rw.demote(`struct:${n.text}`, `${n.text} is used where ctypes stays`);
      const proto = rw.p.prototypes.get(n.text);
      if (proto && !proto.human) rw.demote(`proto:${n.text}`, `${n.text} is used where ctypes stays`);
      // a decorated callback handed to code that stays ctypes (a call to a ctypes function) stays a ctypes callback
      const def = decoratedDefs.get(n.text);
      if (def && !(def.startIndex <= n.startIndex && n.endIndex <= def.endIndex)) rw.demote(`stmt:${keyOf(def)}`, `the callback ${n.text} is passed where ctypes stays`);
    }
    if (rw.demoted.has(`stmt:${keyOf(n)}`)) {
      for (const v of ctypesVarsIn(n)) rw.demote(v.token, `${v.node.text} is used where ctypes stays (${rw.demoted.get(`stmt:${keyOf(n)}`)})`);
    }
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const name = left && dotted(left);
      const leftToken = name && (left!.type === 'identifier' || name.startsWith('self.')) ? `var:${scopeKeyFor(rw, n, name)}` : undefined;
      if (!right || !leftToken) continue;
      const rightVars = ctypesVarsIn(right);
      if (rw.demoted.has(leftToken)) for (const v of rightVars) rw.demote(v.token, `${v.node.text} flows into ${name}, which stays in ctypes`);
      if (rightVars.some((v) => rw.demoted.has(v.token))) rw.demote(leftToken, `${name} holds a value that stays in ctypes`);
    }
    if (n.type === 'call' || (n.type === 'attribute' && n.childForFieldName('attribute')?.text === '__class__')) {
      // type(s) / s.__class__ of a struct value: a cdata's type is not the ctypes class
      const call = n.type === 'call' ? callParts(n) : undefined;
      const of = call ? (call.callee.text === 'type' && call.args.length === 1 ? call.args[0] : undefined) : n.childForFieldName('object')!;
      const k = of ? kindOf(rw, of) : undefined;
      const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
      if (t?.k === 'struct' && rw.convertedStructs.has(t.name)) rw.demote(`struct:${t.name}`, `the type of a ${t.name} value is read (${n.text}): a cffi struct is not the ctypes class`);
      if (of && !k) {
        // an errcheck that does not plainly return its result may hand out the struct: nothing says this is not one
        for (const sig of rw.signatures.values()) {
          const r = sig.ret.k === 'ptr' ? sig.ret.to : sig.ret;
          if (sig.errcheckWrapper && r.k === 'struct' && rw.convertedStructs.has(r.name) && !errcheckReturnsResult(rw, sig.fn)) rw.demote(`struct:${r.name}`, `the type of a value ${sig.fn.name}'s errcheck may return is read (${n.text}): a cffi struct is not the ctypes class`);
        }
      }
    }
    if (n.type === 'call' && ctypesCallables.size) {
      // `qsort = QSORT_PROTO(("qsort", libc))` stays a ctypes function: what it is handed stays ctypes
      const call = callParts(n);
      const callee = call ? dotted(call.callee) : undefined;
      const attr = call?.callee.type === 'attribute' ? call.callee.childForFieldName('attribute')!.text : undefined;
      if (call && callee && (ctypesCallables.has(callee) || (attr && callableAttrs.has(attr)))) {
        for (const a of call.args) {
          for (const v of ctypesVarsIn(a)) rw.demote(v.token, `${v.node.text} is passed to ${callee}, a ctypes function`);
        }
        demoteCallbacksIn(rw, call.args, callee);
      }
    }
    if (n.type === 'call' && rw.demoted.size && n.childForFieldName('function')?.type === 'identifier') demoteParameters(rw, n);
    if (n.type === 'call') {
      const call = callParts(n);
      const f = call ? calledFunction(rw, call.callee) : undefined;
      if (!call || !f) continue;
      const key = functionKey(f.lib.name, f.name);
      const vars = call.args.flatMap(ctypesVarsIn);
      if (rw.signatures.has(key) && !f.lib.human) {
        const stuck = vars.find((v) => rw.demoted.has(v.token))?.node ?? demotedNameIn(rw, call.args);
        if (stuck) rw.demote(`fn:${key}`, `${f.name} is called with ${stuck.text}, which stays in ctypes`);
      } else {
        // '~': a variable kept for a library left out on purpose is not a problem to report
        for (const v of vars) rw.demote(v.token, `${f.lib.handle ? '~' : ''}${v.node.text} is passed to ${f.name}, which stays in ctypes`);
        demoteCallbacksIn(rw, call.args, f.name);
        for (const d of [f.argtypes?.types, f.restype?.type ? [f.restype.type] : undefined]) {
          for (const t of d ?? []) for (const sname of structsIn(t)) if (rw.convertedStructs.has(sname)) rw.demote(`struct:${sname}`, `${sname} is used by ${f.name}, which stays in ctypes`);
        }
      }
    }
  }
  // A field ctypes reads differently (bytes, int addresses, pointer objects) read from something the plan cannot type
  // (`it.name` for an `it` of unknown origin) would give a cdata: the structs with such a field stay ctypes.
  const special = new Map<string, string[]>();
  for (const name of rw.convertedStructs) {
    for (const fl of rw.p.structs.get(name)!.fields ?? []) {
      if (!fl.type || !readsDifferently(fl.type)) continue;
      special.set(fl.name, [...(special.get(fl.name) ?? []), name]);
    }
  }
  if (special.size) {
    for (const n of rw.p.input.nodesOf('attribute')) {
      const attr = n.childForFieldName('attribute')!.text;
      const owners = attr ? special.get(attr) : undefined;
      if (!owners) continue;
      const obj = n.childForFieldName('object')!;
      if (rw.p.structs.has(dotted(obj) ?? '')) continue; // S.field.offset: the class's descriptor
      const k = kindOf(rw, obj);
      const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
      if (t?.k === 'struct') continue;
      for (const o of owners) rw.demote(`struct:${o}`, `${n.text} reads the field ${attr} from a value the converter cannot follow; ctypes and cffi read a ${o}.${attr} differently`);
    }
  }
  // Types in the signatures of functions that stay in ctypes stay too.
  for (const f of rw.p.functions.values()) {
    if (rw.signatures.has(functionKey(f.lib.name, f.name))) continue;
    for (const t of [...(f.argtypes?.types ?? []), ...(f.restype?.type ? [f.restype.type] : [])]) {
      for (const sname of structsIn(t)) if (rw.convertedStructs.has(sname)) rw.demote(`struct:${sname}`, `${sname} is used by ${f.name}, which stays in ctypes`);
      for (const proto of protosIn(t)) if (!rw.p.prototypes.get(proto)?.human) rw.demote(`proto:${proto}`, `${proto} is used by ${f.name}, which stays in ctypes`);
    }
  }
  // Variables holding a struct, array or prototype that stays in ctypes
  for (const [key, k] of rw.kinds) {
    if (k === 'conflict' || rw.demoted.has(`var:${key}`)) continue;
    const t = k.k === 'ptr' ? k.to : k.k === 'array' ? k.of : k.k === 'sval' ? k.type : undefined;
    if (t && !typeConvertible(rw, t)) rw.demote(`var:${key}`, 'its type stays in ctypes');
  }
}
