/**
 * Rewrites the uses of ctypes in a file into cffi: call sites of foreign functions, instances (`c_int()`,
 * structures, arrays, string buffers) and what is done with them (`.value`, `byref`, `sizeof`, field reads,
 * slices…), callbacks, errno, memory helpers. Each rule is a function from a syntax node to its new text;
 * rules compose (an argument is rendered by the rules that apply to it), and the edits handed out are the
 * outermost rewritten nodes, so they never overlap and everything else keeps its text.
 */
import type { Node } from 'web-tree-sitter';
import { cTypedefs, lookupPrototype } from '../data/cPrototypes';
import { callbackFit } from './callbackFit';
import { cTypeFromString } from './cTypeStrings';
import { type CtypesProgram, type FunctionDecl, type StructDecl, type StructField, assignmentOf, functionKey, splitFunctionRef, structType } from './readCtypes';
import { callParts, dotted, enclosing, functionLocals, intLiteral, isStoreTarget, keyOf, statementOf, stringLiteral, unparen, walk } from './syntax';
import { type CType, callbackSignature, declare, isFloating, isIntegral, isPrim, typeString } from './typeNames';

/** What a Python variable holds once converted (the ctypes object it held, in cffi terms). */
export type Kind =
  /** A `T *` cdata. `inst`: ctypes held a T instance (`c_int()`, `S()`), not a POINTER(T). */
  | { k: 'ptr'; to: CType; inst: boolean }
  /** A `T[n]` cdata (ctypes array, string buffer). */
  | { k: 'array'; of: CType }
  /** A struct cdata by value (a by-value result, `p.contents`, a nested struct field). */
  | { k: 'sval'; type: CType }
  | { k: 'callback'; sig: string }
  /** A Python int (or None): an address. */
  | { k: 'addr' };

export interface Signature {
  fn: FunctionDecl;
  ret: CType;
  params: CType[];
  variadic: boolean;
  /** The cdef line. */
  cdef: string;
  /** The parameters as the cdef spells them (a header's `int (*)(const void *, const void *)`). */
  paramTexts: string[];
  typedefs: string[];
  /** Index of the format string among the fixed parameters, for variadic calls. */
  formatIndex?: number;
  errcheckWrapper?: string;
}

export interface HumanItem {
  node: Node;
  reason: string;
}

export type Helper = 'string' | 'address' | 'voidp' | 'result' | 'pointerArray';

const INT_RANGES: Record<string, [bigint, bigint]> = {
  c_byte: [-(2n ** 7n), 2n ** 7n - 1n], c_int8: [-(2n ** 7n), 2n ** 7n - 1n],
  c_ubyte: [0n, 2n ** 8n - 1n], c_uint8: [0n, 2n ** 8n - 1n],
  c_short: [-(2n ** 15n), 2n ** 15n - 1n], c_int16: [-(2n ** 15n), 2n ** 15n - 1n],
  c_ushort: [0n, 2n ** 16n - 1n], c_uint16: [0n, 2n ** 16n - 1n],
  c_int: [-(2n ** 31n), 2n ** 31n - 1n], c_int32: [-(2n ** 31n), 2n ** 31n - 1n],
  c_uint: [0n, 2n ** 32n - 1n], c_uint32: [0n, 2n ** 32n - 1n],
};

export class Rewriter {
  readonly human: HumanItem[] = [];
  /** Integer arguments cffi range-checks: computed ones (may raise OverflowError), out-of-range constants (wrapped in ffi.cast). */
  readonly integerArguments = { computed: false, wrapped: false };
  readonly notes: string[] = [];
  readonly helpers = new Set<Helper>();
  /** `extern T name;` declarations needed by in_dll. */
  readonly externs = new Map<string, CType>();
  readonly signatures = new Map<string, Signature>();
  readonly convertedStructs = new Set<string>();
  /** Statements to delete (declarations the cdef now holds). */
  readonly deleted = new Set<string>();
  readonly deletedNodes: Node[] = [];
  /** Statements replaced by a text (prototype → signature string, errcheck → wrapper). */
  readonly replaced = new Map<string, { node: Node; text: string }>();
  /** Insertions at the start of a callback body. */
  readonly prologues: { node: Node; text: string }[] = [];
  private readonly kinds = new Map<string, Kind | 'conflict'>();
  private readonly computing = new Set<string>();
  private readonly identityErrchecks = new Map<string, boolean>();
  /** Defs decorated with a callback prototype, by name. */
  private readonly decoratedCallbacks = new Map<string, Node>();
  private readonly ruleCache = new Map<string, ((r: Rewriter) => string) | null>();
  private readonly assignedIn = new Map<string, Set<string>>();
  private readonly humanKeys = new Set<string>();
  /** Variables some assignment gives a ctypes value (a kind); with conflicting kinds, each stays ctypes. */
  private readonly typed = new Set<string>();

  /** Things asked to stay in ctypes by an earlier round (token → why): `struct:S`, `fn:lib\0f`, `var:scope|x`, `proto:P`, `stmt:key`. */
  readonly requests = new Map<string, string>();
  /** Libraries that keep a ctypes handle, for the functions that stay in ctypes. */
  readonly handles = new Set<string>();
  /** Nodes whose code stays ctypes this round (keyOf), with everything inside them. */
  private readonly frozen = new Set<string>();
  /** Argument lists of calls to functions that stay ctypes: their ctypes needs no TODO of its own (the function's says why). */
  private readonly ctypesArguments: [number, number][] = [];

  /** Is this offset inside the arguments of a call that stays ctypes? */
  inCtypesArguments(offset: number): boolean {
    return this.ctypesArguments.some(([s, e]) => s <= offset && offset < e);
  }

  constructor(readonly p: CtypesProgram, readonly ffi: string, readonly apiMode = false, readonly demoted: ReadonlyMap<string, string> = new Map()) {}

  /** Asks the next round to keep something in ctypes. */
  demote(token: string, reason: string): void {
    if (!this.demoted.has(token) && !this.requests.has(token)) this.requests.set(token, reason);
  }

  private isFrozen(n: Node): boolean {
    if (!this.frozen.size) return false;
    for (let p: Node | null = n; p; p = p.parent) if (this.frozen.has(keyOf(p))) return true;
    return false;
  }

  // ---------------------------------------------------------------- declarations

  /** Decides what is converted: struct classes, prototypes, function signatures. Call once, first. */
  plan(): void {
    for (const s of this.p.structs.values()) {
      const why = s.human ?? this.demoted.get(`struct:${s.name}`);
      if (why) this.leave(s.node, why);
      else this.convertedStructs.add(s.name);
    }
    // A struct whose fields use a struct left as ctypes cannot be declared either.
    for (let changed = true; changed; ) {
      changed = false;
      for (const name of [...this.convertedStructs]) {
        const s = this.p.structs.get(name)!;
        if (s.fields!.some((f) => !this.typeConvertible(f.type!))) {
          this.convertedStructs.delete(name);
          this.leave(s.node, `${name} uses a type that stays in ctypes`);
          changed = true;
        }
      }
    }
    for (const s of this.p.structs.values()) {
      if (!this.convertedStructs.has(s.name)) continue;
      this.deleteStatement(s.node.parent?.type === 'decorated_definition' ? s.node.parent : s.node);
      if (s.fieldsStatement) this.deleteStatement(s.fieldsStatement);
      for (const st of walk(this.p.root)) {
        const a = assignmentOf(st);
        if (a && a.left.type === 'attribute' && dotted(a.left.childForFieldName('object')) === s.name && ['_pack_', '_anonymous_'].includes(a.left.childForFieldName('attribute')!.text)) this.deleteStatement(st);
      }
    }
    for (const proto of this.p.prototypes.values()) {
      if (!proto.human) proto.human = this.demoted.get(`proto:${proto.name}`) ?? this.paramflagsUse(proto.name);
      if (proto.human || !proto.ret || !proto.args || ![proto.ret, ...proto.args].every((t) => this.typeConvertible(t))) {
        this.leave(proto.statement, proto.human ?? 'this prototype uses a type that stays in ctypes');
        // a ctypes prototype needs ctypes types: the structs and callback types it names stay too
        for (const t of [...(proto.ret ? [proto.ret] : []), ...(proto.args ?? [])]) {
          for (const sname of structsIn(t)) if (this.convertedStructs.has(sname)) this.demote(`struct:${sname}`, `${sname} is used by the prototype ${proto.name}, which stays in ctypes`);
          for (const other of protosIn(t)) if (other !== proto.name && !this.p.prototypes.get(other)?.human) this.demote(`proto:${other}`, `${other} is used by the prototype ${proto.name}, which stays in ctypes`);
        }
        continue;
      }
      if (isPrim(proto.ret, 'c_char_p', 'c_wchar_p', 'c_void_p')) {
        this.leave(proto.statement, 'a callback returning a pointer must keep the pointed-to memory alive: cffi does not do it for you');
        continue;
      }
      const a = assignmentOf(proto.statement)!;
      this.replaced.set(keyOf(proto.statement), { node: proto.statement, text: `${a.left.text} = "${callbackSignature(proto.ret, proto.args)}"` });
    }
    for (const alias of this.p.aliases.values()) if (this.typeConvertible(alias.type)) this.deleteStatement(alias.statement);
    const errnoCalls = this.errnoCalls();
    const keepErrno = errnoCalls.length ? this.errnoPolicy().keep : undefined;
    if (keepErrno) for (const n of errnoCalls) this.leave(n, keepErrno);
    for (const lib of this.p.libraries.values()) if (lib.human && !lib.handle) this.leave(lib.statement, lib.human);
    for (const f of [...this.p.functions.values()]) this.planFunction(f);
    // Functions only ever referenced (called without argtypes, passed around): declared from the prototype table.
    for (const n of walk(this.p.root)) {
      if (n.type !== 'attribute' || isStoreTarget(n)) continue;
      const d = dotted(n);
      const ref = d ? splitFunctionRef(this.p, d) : undefined;
      if (!ref || ref.lib.human || ref.name.startsWith('_')) continue;
      const f = this.calledFunction(n);
      if (f) this.planFunction(f);
    }
    for (const f of [...this.p.functions.values()]) this.planFunction(f);
  }

  private paramflagsUse(proto: string): string | undefined {
    let why: string | undefined;
    for (const n of walk(this.p.root)) {
      const call = n.type === 'call' ? callParts(n) : undefined;
      if (call && dotted(call.callee) === proto && call.args[0] && unparen(call.args[0]).type === 'tuple') {
        why = `${proto} is instantiated from a library symbol (with paramflags): that needs a hand-written wrapper around the cffi function`;
        this.leave(n, why);
      }
    }
    return why;
  }

  private readonly planned = new Set<FunctionDecl>();

  private planFunction(f: FunctionDecl): void {
    if (this.planned.has(f)) return;
    this.planned.add(f);
    if (f.lib.human) return;
    const name = `${f.lib.name}.${f.name}`;
    const demotedWhy = this.demoted.get(`fn:${functionKey(f.lib.name, f.name)}`);
    if (demotedWhy) {
      for (const d of [f.argtypes, f.restype, f.errcheck]) if (d) this.leave(d.statement, demotedWhy);
      for (const n of this.refsOf(f)) this.leave(n, demotedWhy);
      return;
    }
    const reassigned = (f.argtypes?.count ?? 0) > 1 || (f.restype?.count ?? 0) > 1 || (f.errcheck?.count ?? 0) > 1;
    const firstCall = this.firstCallOffset(f);
    const declaredAfterCall = [f.argtypes, f.restype, f.errcheck].some((d) => d && firstCall !== undefined && d.statement.startIndex > firstCall);
    const stmts = [f.argtypes, f.restype, f.errcheck].filter((d) => d) as { statement: Node }[];
    if (reassigned || declaredAfterCall) {
      const why = `the signature of ${name} changes while the program runs; a cdef has one signature per function`;
      for (const d of stmts) this.leave(d.statement, why);
      return;
    }
    if (f.argtypes && !f.argtypes.types) {
      this.leave(f.argtypes.statement, `the argtypes of ${name} could not be read`);
      return;
    }
    if (f.restype && !f.restype.type) {
      this.leave(f.restype.statement, `the restype of ${name} could not be read`);
      return;
    }
    const proto = lookupPrototype(f.name);
    let params: CType[];
    let variadic = false;
    let typedefs: string[] = [];
    let formatIndex: number | undefined;
    let paramTexts: string[];
    if (f.argtypes?.types) {
      params = f.argtypes.types;
      if (!params.every((t) => this.typeConvertible(t))) {
        this.leave(f.argtypes.statement, `an argument type of ${name} stays in ctypes`);
        return;
      }
      paramTexts = params.map((t) => declare(t, ''));
      if (proto?.variadic && proto.params.length === params.length) {
        variadic = true;
        this.notes.push(`${name} is variadic in C: declared with "..." and its extra arguments wrapped by their format`);
      }
    } else if (proto) {
      params = proto.params.map(cTypeFromString);
      paramTexts = [...proto.params];
      variadic = proto.variadic;
      typedefs = proto.params.flatMap((t) => typedefLines(t));
      this.notes.push(`argtypes missing for ${name}: parameter types taken from the C prototype of ${f.name} in ${proto.header}`);
    } else {
      // one cause: the TODO goes to its declaration when it has one, else to its first use (format/todoText.ts)
      const why = `${name} has no argtypes and its C prototype is not in the built-in table, so cffi cannot declare it and its calls stay ctypes; set ${name}.argtypes and .restype as its C header declares them, then convert again`;
      for (const d of stmts) this.leave(d.statement, why);
      for (const n of this.refsOf(f)) this.leave(n, why);
      return;
    }
    if (variadic) {
      const i = paramTexts.length - 1;
      if (i >= 0 && /char\s*\*$/.test(paramTexts[i]!.trim())) formatIndex = i;
    }
    let ret: CType;
    let retText: string;
    if (f.restype) {
      ret = f.restype.type!;
      if (!this.typeConvertible(ret)) {
        this.leave(f.restype.statement, `the result type of ${name} stays in ctypes`);
        return;
      }
      retText = declare(ret, '');
    } else {
      ret = { k: 'prim', ctypes: 'c_int', c: 'int' };
      retText = 'int';
      this.notes.push(`restype missing for ${name}: declared int, as ctypes did${proto && proto.returns !== 'int' ? ` (C says ${proto.returns}; PB204's fix corrects it)` : ''}`);
    }
    const plist = [...paramTexts];
    if (variadic) plist.push('...');
    const cdef = ret.k === 'func' ? `${declare(ret, `${f.name}(${plist.join(', ') || 'void'})`)};` : `${retText}${retText.endsWith('*') ? '' : ' '}${f.name}(${plist.join(', ') || 'void'});`;
    const sig: Signature = { fn: f, ret, params, variadic, cdef, paramTexts, typedefs, formatIndex };
    if (f.errcheck) {
      if (f.lib.statement.parent?.type !== 'module' || f.errcheck.statement.parent?.type !== 'module') {
        this.leave(f.errcheck.statement, `errcheck on ${name} outside module level needs a hand-written wrapper`);
        return;
      }
      sig.errcheckWrapper = `_${f.name}_checked`;
      const call = `${f.lib.name}.${f.name}(*args)`;
      const inner = this.wrapResult(sig, call) ?? call;
      this.replaced.set(keyOf(f.errcheck.statement), {
        node: f.errcheck.statement,
        text: `def ${sig.errcheckWrapper}(*args):  # errcheck, as ctypes applied it\n    return ${this.p.text.slice(f.errcheck.value.startIndex, f.errcheck.value.endIndex)}(${inner}, ${sig.errcheckWrapper}, args)\n${sig.errcheckWrapper}.__name__ = ${JSON.stringify(f.name)}`,
      });
    }
    for (const d of [f.argtypes, f.restype]) if (d) this.deleteStatement(d.statement);
    for (const t of [ret, ...params]) typedefs.push(...this.typedefsOf(t));
    this.signatures.set(functionKey(f.lib.name, f.name), sig);
  }

  private typedefsOf(t: CType): string[] {
    return typedefLines(declare(t, ''));
  }

  /** Can this type be spelled in the cdef (every struct in it converted, every prototype converted)? */
  typeConvertible(t: CType): boolean {
    switch (t.k) {
      case 'struct':
        return this.convertedStructs.has(t.name) || !this.p.structs.has(t.name);
      case 'ptr':
        return this.typeConvertible(t.to);
      case 'array':
        return this.typeConvertible(t.of);
      case 'func':
        if (t.proto && this.p.prototypes.get(t.proto)?.human) return false;
        return [t.ret, ...t.args].every((a) => this.typeConvertible(a));
      case 'prim':
        return !['c_time_t'].includes(t.ctypes) && !!t.c;
      default:
        return true;
    }
  }

  private firstCallOffset(f: FunctionDecl): number | undefined {
    for (const n of walk(this.p.root)) {
      if (n.type !== 'call') continue;
      const fn = this.calledFunction(n.childForFieldName('function')!);
      if (fn === f) return n.startIndex;
    }
    return undefined;
  }

  private refsOf(f: FunctionDecl): Node[] {
    const out: Node[] = [];
    for (const n of walk(this.p.root)) {
      if (n.type === 'call' && this.calledFunction(n.childForFieldName('function')!) === f) out.push(n);
    }
    return out;
  }

  /** The foreign function a callee expression names: `libc.f`, an alias `f`, `getattr(libc, "f")`. */
  calledFunction(callee: Node): FunctionDecl | undefined {
    callee = unparen(callee);
    const d = dotted(callee);
    if (d) {
      const ref = splitFunctionRef(this.p, d);
      if (ref) return this.p.functions.get(functionKey(ref.lib.name, ref.name)) ?? this.adHoc(ref.lib.name, ref.name);
      if (callee.type === 'identifier') {
        const key = this.p.functionAliases.get(d);
        if (key) return this.p.functions.get(key) ?? this.adHoc(...(key.split('\u0000') as [string, string]));
      }
    }
    const call = callParts(callee);
    if (call && dotted(call.callee) === 'getattr' && call.args.length === 2) {
      const libName = dotted(call.args[0]);
      const s = stringLiteral(call.args[1]!);
      if (libName && s && this.p.libraries.has(libName)) return this.p.functions.get(functionKey(libName, s.value)) ?? this.adHoc(libName, s.value);
    }
    if (callee.type === 'subscript') {
      const libName = dotted(callee.childForFieldName('value'));
      const s = stringLiteral(callee.childForFieldName('subscript')!);
      if (libName && s && this.p.libraries.has(libName)) return this.p.functions.get(functionKey(libName, s.value)) ?? this.adHoc(libName, s.value);
    }
    return undefined;
  }

  /** A function called but never given argtypes/restype: its declaration comes from the prototype table. */
  private adHoc(libName: string, name: string): FunctionDecl {
    const lib = this.p.libraries.get(libName)!;
    const f: FunctionDecl = { lib, name };
    this.p.functions.set(functionKey(libName, name), f);
    return f;
  }

  // ---------------------------------------------------------------- bookkeeping

  /** Leaves a statement as it was; `quiet` when an earlier conversion already put a TODO above it. */
  leave(node: Node, reason: string, quiet = false): void {
    const st = statementOf(node);
    const key = `${keyOf(st)}|${reason}`;
    if (this.humanKeys.has(key)) return;
    this.humanKeys.add(key);
    if (!quiet) this.human.push({ node: st, reason });
    if (!this.p.structs.has(st.childForFieldName('name')?.text ?? '') || st.type !== 'class_definition') this.demote(`stmt:${keyOf(st)}`, reason);
  }

  deleteStatement(st: Node): void {
    if (this.deleted.has(keyOf(st))) return;
    this.deleted.add(keyOf(st));
    this.deletedNodes.push(st);
  }

  isDeleted(n: Node): boolean {
    for (let p: Node | null = n; p; p = p.parent) if (this.deleted.has(keyOf(p)) || this.replaced.has(keyOf(p))) return true;
    return false;
  }

  // ---------------------------------------------------------------- variables and their kinds

  private scopeKeyFor(n: Node, name: string): string {
    if (name.startsWith('self.')) {
      const cls = enclosing(n, 'class_definition');
      return cls ? `${keyOf(cls)}|${name}` : `module|${name}`;
    }
    for (let fn = enclosing(n, 'function_definition'); fn; fn = enclosing(fn, 'function_definition')) {
      if (this.namesAssignedIn(fn).has(name)) return `${keyOf(fn)}|${name}`;
    }
    return `module|${name}`;
  }

  private namesAssignedIn(fn: Node): Set<string> {
    const key = keyOf(fn);
    let set = this.assignedIn.get(key);
    if (set) return set;
    set = functionLocals(fn);
    this.assignedIn.set(key, set);
    return set;
  }

  /** Kinds of function parameters, inferred from the call sites of module-level functions. */
  private readonly paramSeeds = new Map<string, Kind | 'conflict'>();
  private readonly prologueDefs = new Set<string>();

  /** Records the kinds of assigned variables, in text order; parameters take the kinds their callers pass. Call after plan(). */
  collectKinds(): void {
    for (let round = 0; round < 3; round++) {
      this.kinds.clear();
      this.typed.clear();
      for (const [k, v] of this.paramSeeds) this.kinds.set(k, v);
      this.collectKindsOnce();
      if (!this.inferParams()) break;
    }
    // a name that holds ctypes values of different kinds is not followed: every value it holds stays ctypes
    for (const key of this.typed) {
      if (this.kinds.get(key) === 'conflict') this.demote(`var:${key}`, `${key.slice(key.indexOf('|') + 1)} holds ctypes values of different types, so it stays in ctypes`);
    }
    this.computeFrozen();
  }

  /** Ranges whose code stays ctypes this round: statements left for a human, values of variables kept in ctypes. */
  private computeFrozen(): void {
    const ctypesCallables = this.ctypesCallables();
    for (const n of walk(this.p.root)) {
      if (this.demoted.has(`stmt:${keyOf(n)}`)) this.frozen.add(keyOf(n));
      // what a function that stays ctypes receives stays ctypes: a cffi value would reach it (ArgumentError)
      const call = n.type === 'call' ? callParts(n) : undefined;
      if (call && this.staysCtypes(call.callee, ctypesCallables)) {
        this.frozen.add(keyOf(call.argList));
        this.ctypesArguments.push([call.argList.startIndex, call.argList.endIndex]);
      }
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        const name = left && dotted(left);
        if (name && right && this.demoted.has(`var:${this.scopeKeyFor(n, name)}`)) this.frozen.add(keyOf(right));
      }
    }
  }

  /** A foreign function without a cdef signature (it stays on the ctypes handle), or one a prototype made from `(name, lib)`. */
  private staysCtypes(callee: Node, ctypesCallables: { names: Set<string>; attrs: Set<string> }): boolean {
    const name = dotted(callee);
    if (name && ctypesCallables.names.has(name)) return true;
    if (callee.type === 'attribute' && ctypesCallables.attrs.has(callee.childForFieldName('attribute')!.text)) return true;
    const f = this.calledFunction(callee);
    if (!f) return false;
    this.planFunction(f);
    return !this.signatures.has(functionKey(f.lib.name, f.name));
  }

  /** Names bound to a prototype instantiated from a library symbol (`P(("name", lib))`), and the attributes `self.f = P(…)` sets. */
  private ctypesCallables(): { names: Set<string>; attrs: Set<string> } {
    const names = new Set<string>();
    const attrs = new Set<string>();
    for (const n of walk(this.p.root)) {
      const a = n.type === 'assignment' ? assignmentOf(n.parent ?? n) : undefined;
      const call = a ? callParts(unparen(a.right)) : undefined;
      const proto = call ? dotted(call.callee) : undefined;
      const name = a ? dotted(a.left) : undefined;
      if (name && proto && this.p.prototypes.has(proto) && call!.args[0] && unparen(call!.args[0]).type === 'tuple') {
        names.add(name);
        // `self.f = P(…)` is called as `obj.f(…)` too
        if (name.startsWith('self.')) attrs.add(name.slice('self.'.length));
      }
    }
    return { names, attrs };
  }

  /** After a round: what else must stay in ctypes because it touches something that stays. */
  propagate(): void {
    const ctypesVarsIn = (n: Node): { token: string; node: Node }[] => {
      const out: { token: string; node: Node }[] = [];
      for (const c of walk(n)) {
        if (c.type !== 'identifier' && !(c.type === 'attribute' && dotted(c)?.startsWith('self.'))) continue;
        if (c.parent?.type === 'attribute' && c.parent.childForFieldName('attribute')?.startIndex === c.startIndex) continue;
        const v = this.rawVar(c);
        if (v) out.push({ token: v.token, node: c });
      }
      return out;
    };
    // names bound to a prototype instantiated from something (`P(("name", lib))`, `P(address)`), and decorated callbacks
    const { names: ctypesCallables, attrs: callableAttrs } = this.ctypesCallables();
    const decoratedDefs = this.decoratedCallbacks;
    for (const n of walk(this.p.root)) {
      if (n.type === 'decorated_definition' && this.callbackDecoratorSig(n)) {
        const name = n.childForFieldName('definition')?.childForFieldName('name')?.text;
        if (name) decoratedDefs.set(name, n);
      }
    }
    for (const n of walk(this.p.root)) {
      if (n.type === 'identifier' && this.isFrozen(n) && !isStoreTarget(n)) {
        // code that stays ctypes names a struct class or a prototype: they stay ctypes too
        if (this.convertedStructs.has(n.text)) this.demote(`struct:${n.text}`, `${n.text} is used where ctypes stays`);
        const proto = this.p.prototypes.get(n.text);
        if (proto && !proto.human) this.demote(`proto:${n.text}`, `${n.text} is used where ctypes stays`);
        // a decorated callback handed to code that stays ctypes (a call to a ctypes function) stays a ctypes callback
        const def = decoratedDefs.get(n.text);
        if (def && !(def.startIndex <= n.startIndex && n.endIndex <= def.endIndex)) this.demote(`stmt:${keyOf(def)}`, `the callback ${n.text} is passed where ctypes stays`);
      }
      if (this.demoted.has(`stmt:${keyOf(n)}`)) {
        for (const v of ctypesVarsIn(n)) this.demote(v.token, `${v.node.text} is used where ctypes stays (${this.demoted.get(`stmt:${keyOf(n)}`)})`);
      }
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        const name = left && dotted(left);
        const leftToken = name && (left!.type === 'identifier' || name.startsWith('self.')) ? `var:${this.scopeKeyFor(n, name)}` : undefined;
        if (!right || !leftToken) continue;
        const rightVars = ctypesVarsIn(right);
        if (this.demoted.has(leftToken)) for (const v of rightVars) this.demote(v.token, `${v.node.text} flows into ${name}, which stays in ctypes`);
        if (rightVars.some((v) => this.demoted.has(v.token))) this.demote(leftToken, `${name} holds a value that stays in ctypes`);
      }
      if (n.type === 'call' || (n.type === 'attribute' && n.childForFieldName('attribute')?.text === '__class__')) {
        // type(s) / s.__class__ of a struct value: a cdata's type is not the ctypes class
        const call = n.type === 'call' ? callParts(n) : undefined;
        const of = call ? (call.callee.text === 'type' && call.args.length === 1 ? call.args[0] : undefined) : n.childForFieldName('object')!;
        const k = of ? this.kindOf(of) : undefined;
        const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
        if (t?.k === 'struct' && this.convertedStructs.has(t.name)) this.demote(`struct:${t.name}`, `the type of a ${t.name} value is read (${n.text}): a cffi struct is not the ctypes class`);
        if (of && !k) {
          // an errcheck that does not plainly return its result may hand out the struct: nothing says this is not one
          for (const sig of this.signatures.values()) {
            const r = sig.ret.k === 'ptr' ? sig.ret.to : sig.ret;
            if (sig.errcheckWrapper && r.k === 'struct' && this.convertedStructs.has(r.name) && !this.errcheckReturnsResult(sig.fn)) this.demote(`struct:${r.name}`, `the type of a value ${sig.fn.name}'s errcheck may return is read (${n.text}): a cffi struct is not the ctypes class`);
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
            for (const v of ctypesVarsIn(a)) this.demote(v.token, `${v.node.text} is passed to ${callee}, a ctypes function`);
          }
          this.demoteCallbacksIn(call.args, callee);
        }
      }
      if (n.type === 'call') {
        const call = callParts(n);
        const f = call ? this.calledFunction(call.callee) : undefined;
        if (!call || !f) continue;
        const key = functionKey(f.lib.name, f.name);
        const vars = call.args.flatMap(ctypesVarsIn);
        if (this.signatures.has(key) && !f.lib.human) {
          const stuck = vars.find((v) => this.demoted.has(v.token));
          if (stuck) this.demote(`fn:${key}`, `${f.name} is called with ${stuck.node.text}, which stays in ctypes`);
        } else {
          // '~': a variable kept for a library left out on purpose is not a problem to report
          for (const v of vars) this.demote(v.token, `${f.lib.handle ? '~' : ''}${v.node.text} is passed to ${f.name}, which stays in ctypes`);
          this.demoteCallbacksIn(call.args, f.name);
          for (const d of [f.argtypes?.types, f.restype?.type ? [f.restype.type] : undefined]) {
            for (const t of d ?? []) for (const sname of structsIn(t)) if (this.convertedStructs.has(sname)) this.demote(`struct:${sname}`, `${sname} is used by ${f.name}, which stays in ctypes`);
          }
        }
      }
    }
    // A field ctypes reads differently (bytes, int addresses, pointer objects) read from something the plan cannot type
    // (`it.name` for an `it` of unknown origin) would give a cdata: the structs with such a field stay ctypes.
    const special = new Map<string, string[]>();
    for (const name of this.convertedStructs) {
      for (const fl of this.p.structs.get(name)!.fields ?? []) {
        if (!fl.type || !readsDifferently(fl.type)) continue;
        special.set(fl.name, [...(special.get(fl.name) ?? []), name]);
      }
    }
    if (special.size) {
      for (const n of walk(this.p.root)) {
        const attr = n.type === 'attribute' ? n.childForFieldName('attribute')!.text : undefined;
        const owners = attr ? special.get(attr) : undefined;
        if (!owners) continue;
        const obj = n.childForFieldName('object')!;
        if (this.p.structs.has(dotted(obj) ?? '')) continue; // S.field.offset: the class's descriptor
        const k = this.kindOf(obj);
        const t = k?.k === 'sval' ? k.type : k?.k === 'ptr' ? k.to : undefined;
        if (t?.k === 'struct') continue;
        for (const o of owners) this.demote(`struct:${o}`, `${n.text} reads the field ${attr} from a value the converter cannot follow; ctypes and cffi read a ${o}.${attr} differently`);
      }
    }
    // Types in the signatures of functions that stay in ctypes stay too.
    for (const f of this.p.functions.values()) {
      if (this.signatures.has(functionKey(f.lib.name, f.name))) continue;
      for (const t of [...(f.argtypes?.types ?? []), ...(f.restype?.type ? [f.restype.type] : [])]) {
        for (const sname of structsIn(t)) if (this.convertedStructs.has(sname)) this.demote(`struct:${sname}`, `${sname} is used by ${f.name}, which stays in ctypes`);
        for (const proto of protosIn(t)) if (!this.p.prototypes.get(proto)?.human) this.demote(`proto:${proto}`, `${proto} is used by ${f.name}, which stays in ctypes`);
      }
    }
    // Variables holding a struct, array or prototype that stays in ctypes
    for (const [key, k] of this.kinds) {
      if (k === 'conflict' || this.demoted.has(`var:${key}`)) continue;
      const t = k.k === 'ptr' ? k.to : k.k === 'array' ? k.of : k.k === 'sval' ? k.type : undefined;
      if (t && !this.typeConvertible(t)) this.demote(`var:${key}`, 'its type stays in ctypes');
    }
  }

  /** Seeds parameter kinds from calls `f(a, b)` of plain functions defined in this file; true when something changed. */
  private inferParams(): boolean {
    const defs = new Map<string, Node>();
    for (const n of walk(this.p.root)) {
      if (n.type !== 'function_definition' || enclosing(n, 'class_definition')) continue;
      const name = n.childForFieldName('name')!.text;
      defs.set(name, defs.has(name) ? n : n);
    }
    const seen = new Map<string, Kind | 'conflict'>();
    for (const n of walk(this.p.root)) {
      if (n.type !== 'call') continue;
      const call = callParts(n);
      const name = call?.callee.type === 'identifier' ? call.callee.text : undefined;
      const def = name ? defs.get(name) : undefined;
      if (!call || !def || call.splat || call.keywords.size) continue;
      const params = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p : p.childForFieldName('name'))).filter((p): p is Node => !!p && p.type === 'identifier');
      call.args.forEach((a, i) => {
        const prm = params[i];
        if (!prm) return;
        const key = `${keyOf(def)}|${prm.text}`;
        const k = this.kindOf(a);
        const prev = seen.get(key);
        if (!seen.has(key)) seen.set(key, k ?? 'conflict');
        else if (prev === 'conflict' || !k || JSON.stringify(prev) !== JSON.stringify(k)) seen.set(key, 'conflict');
      });
    }
    let changed = false;
    for (const [k, v] of seen) {
      if (v === 'conflict') continue;
      if (JSON.stringify(this.paramSeeds.get(k)) !== JSON.stringify(v)) {
        this.paramSeeds.set(k, v);
        changed = true;
      }
    }
    return changed;
  }

  private collectKindsOnce(): void {
    for (const n of walk(this.p.root)) {
      if (n.type === 'decorated_definition') {
        const def = n.childForFieldName('definition');
        const sig = this.callbackDecoratorSig(n);
        if (def?.type === 'function_definition' && sig) {
          const name = def.childForFieldName('name')!;
          this.setKind(this.scopeKeyFor(n, name.text), { k: 'callback', sig: sig.text });
          this.callbackParams(def, sig.args);
        }
        continue;
      }
      if (n.type === 'call') {
        const call = callParts(n);
        const t = call && call.args.length === 1 ? this.protoType(call.callee) : undefined;
        const fnName = t && call!.args[0]!.type === 'identifier' ? call!.args[0]!.text : undefined;
        const def = fnName ? this.functionDefNamed(fnName) : undefined;
        if (t && def && dotted(call!.callee) && this.p.prototypes.has(dotted(call!.callee)!)) {
          const needsPrologue = t.args.some((a) => isPrim(a, 'c_char_p', 'c_wchar_p', 'c_void_p', 'c_longdouble'));
          if (!needsPrologue || this.usedOnce(fnName!)) {
            this.callbackParams(def, t.args);
            this.plainCallbacks.add(keyOf(n));
          }
        }
        continue;
      }
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left || !right) continue;
        const name = dotted(left);
        if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple') && left.namedChildren.length === right.namedChildren.length) {
          left.namedChildren.forEach((l, i) => {
            if (l.type === 'identifier') this.setKind(this.scopeKeyFor(l, l.text), this.kindOf(right.namedChildren[i]!));
          });
          continue;
        }
        if (!name || !(left.type === 'identifier' || name.startsWith('self.'))) {
          // Tuple targets etc.: whatever they held is unknown now.
          for (const id of walk(left)) if (id.type === 'identifier' && isStoreTarget(id)) this.setKind(this.scopeKeyFor(id, id.text), undefined);
          continue;
        }
        if (n.parent?.type === 'expression_statement' && this.isDeleted(n)) continue;
        this.setKind(this.scopeKeyFor(n, name), this.kindOf(right));
      } else if ((n.type === 'for_statement' || n.type === 'for_in_clause') && n.childForFieldName('left')?.type === 'identifier' && n.childForFieldName('right')) {
        // `for it in items` over an array of structs: each item is a struct value
        const left = n.childForFieldName('left')!;
        const k = this.kindOf(n.childForFieldName('right')!);
        this.setKind(this.scopeKeyFor(left, left.text), k?.k === 'array' && k.of.k === 'struct' ? { k: 'sval', type: k.of } : undefined);
      } else if (n.type === 'for_statement' || n.type === 'augmented_assignment' || n.type === 'with_item') {
        for (const id of walk(n.childForFieldName('left') ?? n)) if (id.type === 'identifier' && isStoreTarget(id)) this.setKind(this.scopeKeyFor(id, id.text), undefined);
      }
    }
  }

  private setKind(key: string, kind: Kind | undefined): void {
    if (kind && kind.k !== 'addr') this.typed.add(key);
    const prev = this.kinds.get(key);
    if (!this.kinds.has(key)) {
      this.kinds.set(key, kind ?? 'conflict');
      if (!kind) this.kinds.delete(key), this.kinds.set(key, 'conflict');
      if (!kind) this.kinds.set(key, 'conflict');
      return;
    }
    if (prev === 'conflict' || !kind || !prev || JSON.stringify(prev) !== JSON.stringify(kind)) this.kinds.set(key, 'conflict');
  }

  /** The kind a name holds at this use, if all its assignments agree. */
  varKind(n: Node): Kind | undefined {
    const name = dotted(n);
    if (!name) return undefined;
    const key = this.scopeKeyFor(n, name);
    if (this.demoted.has(`var:${key}`)) return undefined;
    const k = this.kinds.get(key);
    return k === 'conflict' ? undefined : k;
  }

  /** Does this statement assign a variable kept in ctypes only for a library left out on purpose? */
  quietlyKept(st: Node): boolean {
    return !!this.keptBecause(st)?.startsWith('~');
  }

  /** Why the variable this statement assigns stays in ctypes, if it does. */
  keptBecause(st: Node): string | undefined {
    const a = assignmentOf(st);
    const name = a && dotted(a.left);
    return (name ? this.demoted.get(`var:${this.scopeKeyFor(a!.node, name)}`) : undefined) ?? this.demoted.get(`stmt:${keyOf(st)}`);
  }

  /** The kind a variable would have if it were converted (demoted or not), and its token. */
  rawVar(n: Node): { token: string; kind?: Kind } | undefined {
    const name = dotted(n);
    if (!name || !(n.type === 'identifier' || name.startsWith('self.'))) return undefined;
    const key = this.scopeKeyFor(n, name);
    const k = this.kinds.get(key);
    if (k === 'conflict' && this.typed.has(key)) return { token: `var:${key}` };
    return k && k !== 'conflict' && k.k !== 'addr' ? { token: `var:${key}`, kind: k } : undefined;
  }

  private readonly plainCallbacks = new Set<string>();

  private functionDefNamed(name: string): Node | undefined {
    for (const n of walk(this.p.root)) if (n.type === 'function_definition' && n.childForFieldName('name')?.text === name) return n;
    return undefined;
  }

  /** The name occurs only at its definition and one use. */
  private usedOnce(name: string): boolean {
    let count = 0;
    for (const n of walk(this.p.root)) if (n.type === 'identifier' && n.text === name) count++;
    return count === 2;
  }

  private callbackParams(def: Node, args: CType[]): void {
    const params = (def.childForFieldName('parameters')?.namedChildren ?? []).filter((c) => c.type === 'identifier');
    const body = def.childForFieldName('body');
    if (!body || params.length !== args.length) return;
    const lines: string[] = [];
    params.forEach((prm, i) => {
      const t = args[i]!;
      const key = `${keyOf(def)}|${prm.text}`;
      if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
        lines.push(`${prm.text} = _cstring_or_none(${prm.text})`);
        this.helpers.add('string');
      } else if (isPrim(t, 'c_void_p')) {
        lines.push(`${prm.text} = _address_or_none(${prm.text})`);
        this.helpers.add('address');
        this.kinds.set(key, { k: 'addr' });
      } else if (t.k === 'ptr') this.kinds.set(key, { k: 'ptr', to: t.to, inst: false });
      else if (t.k === 'struct') this.kinds.set(key, { k: 'sval', type: t });
      else if (isPrim(t, 'c_longdouble')) lines.push(`${prm.text} = float(${prm.text})`);
    });
    if (lines.length && !this.prologueDefs.has(keyOf(def))) {
      this.prologueDefs.add(keyOf(def));
      this.prologues.push({ node: body, text: lines.join('\n') });
    }
  }

  /** `@CB` / `@ctypes.CFUNCTYPE(...)` on a def: the callback signature. */
  callbackDecoratorSig(decorated: Node): { text: string; decorator: Node; args: CType[]; proto?: string } | undefined {
    const decos = decorated.namedChildren.filter((c) => c.type === 'decorator');
    if (decos.length !== 1) return undefined;
    const expr = decos[0]!.namedChildren[0];
    if (!expr) return undefined;
    const t = this.protoType(expr);
    if (!t) return undefined;
    return { text: callbackSignature(t.ret, t.args), decorator: expr, args: t.args, proto: t.proto || undefined };
  }

  /** A converted prototype name or an inline CFUNCTYPE(...) expression. */
  protoType(expr: Node): (CType & { k: 'func' }) | undefined {
    const d = dotted(expr);
    if (d && this.p.prototypes.has(d) && !this.replaced.has(keyOf(this.p.prototypes.get(d)!.statement))) return undefined;
    const t = this.p.typeOf(expr);
    if (t?.k !== 'func' || !this.typeConvertible(t)) return undefined;
    if (isPrim(t.ret, 'c_char_p', 'c_wchar_p', 'c_void_p')) return undefined;
    return t;
  }

  /** What an expression evaluates to, in ctypes terms that carry over to cffi. */
  kindOf(n: Node): Kind | undefined {
    n = unparen(n);
    const key = keyOf(n);
    if (this.computing.has(key)) return undefined;
    this.computing.add(key);
    try {
      return this.kindOfUncached(n);
    } finally {
      this.computing.delete(key);
    }
  }

  private kindOfUncached(n: Node): Kind | undefined {
    if (n.type === 'identifier' || (n.type === 'attribute' && dotted(n)?.startsWith('self.'))) {
      const v = this.varKind(n);
      if (v) return v;
    }
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object')!;
      const attr = n.childForFieldName('attribute')!.text;
      const ok = this.kindOf(obj);
      if (attr === 'contents' && ok?.k === 'ptr') return this.valueKind(ok.to);
      const field = this.fieldOf(obj, attr);
      if (field) return this.valueKind(field.type!);
      return undefined;
    }
    if (n.type === 'subscript') {
      const ok = this.kindOf(n.childForFieldName('value')!);
      if (ok?.k === 'array') return this.valueKind(ok.of);
      if (ok?.k === 'ptr') return this.valueKind(ok.to);
      return undefined;
    }
    const call = callParts(n);
    if (!call) return undefined;
    const cn = this.p.ctypesName(call.callee);
    if (cn !== undefined && !cn.includes('.')) {
      if (cn === 'create_string_buffer' || cn === 'c_buffer') return { k: 'array', of: { k: 'prim', ctypes: 'c_char', c: 'char' } };
      if (cn === 'create_unicode_buffer') return { k: 'array', of: { k: 'prim', ctypes: 'c_wchar', c: 'wchar_t' } };
      if (cn === 'pointer' && call.args[0]) {
        const inner = this.kindOf(call.args[0]);
        if (inner?.k === 'ptr') return { k: 'ptr', to: inner.to, inst: false };
        if (inner?.k === 'sval') return { k: 'ptr', to: inner.type, inst: false };
        const t = this.ctorType(call.args[0]);
        return t ? { k: 'ptr', to: t, inst: false } : undefined;
      }
      if (cn === 'cast' && call.args.length === 2) {
        const t = this.p.typeOf(call.args[1]);
        if (t?.k === 'ptr') return { k: 'ptr', to: t.to, inst: false };
        return undefined;
      }
      if (cn === 'addressof') return { k: 'addr' };
      const t = this.p.typeOf(call.callee);
      if (t?.k === 'prim') return { k: 'ptr', to: t, inst: true };
      return undefined;
    }
    // T.in_dll / from_address / from_buffer / from_buffer_copy
    if (call.callee.type === 'attribute') {
      const method = call.callee.childForFieldName('attribute')!.text;
      const t = this.p.typeOf(call.callee.childForFieldName('object'));
      if (t && ['in_dll', 'from_address', 'from_buffer', 'from_buffer_copy'].includes(method)) {
        return t.k === 'array' ? { k: 'array', of: t.of } : { k: 'ptr', to: t, inst: true };
      }
    }
    const ct = this.p.typeOf(call.callee);
    if (ct?.k === 'struct') return { k: 'ptr', to: ct, inst: true };
    if (ct?.k === 'array') return { k: 'array', of: ct.of };
    const dyn = this.dynamicArrayType(call.callee);
    if (dyn) return { k: 'array', of: dyn.of };
    if (ct?.k === 'ptr' && call.args.length === 0) return { k: 'ptr', to: ct.to, inst: false };
    if (ct?.k === 'func') return { k: 'callback', sig: callbackSignature(ct.ret, ct.args) };
    if (call.callee.type === 'identifier') {
      const def = this.functionDefNamed(call.callee.text);
      if (def && !enclosing(def, 'class_definition')) return this.returnKind(def);
    }
    const f = this.calledFunction(call.callee);
    const sig = f && this.signatures.get(functionKey(f.lib.name, f.name));
    if (sig && (!sig.errcheckWrapper || this.errcheckReturnsResult(f))) {
      if (sig.ret.k === 'ptr') return { k: 'ptr', to: sig.ret.to, inst: false };
      if (sig.ret.k === 'struct') return { k: 'sval', type: sig.ret };
      if (isPrim(sig.ret, 'c_void_p')) return { k: 'addr' };
    }
    return undefined;
  }

  /** Callbacks handed to a function that stays ctypes stay ctypes callbacks: a decorated def, a prototype called in the argument. */
  private demoteCallbacksIn(args: Node[], callee: string): void {
    for (const a of args) {
      for (const c of walk(a)) {
        const def = c.type === 'identifier' ? this.decoratedCallbacks.get(c.text) : undefined;
        if (def) this.demote(`stmt:${keyOf(def)}`, `the callback ${c.text} is passed to ${callee}, a ctypes function`);
        const inner = c.type === 'call' ? callParts(c) : undefined;
        const proto = inner && dotted(inner.callee);
        if (proto && this.p.prototypes.has(proto) && !this.p.prototypes.get(proto)!.human) this.demote(`proto:${proto}`, `${proto} makes a callback passed to ${callee}, a ctypes function`);
      }
    }
  }

  /** The function's errcheck is a module-level def that returns its first parameter untouched (or raises): the checked call's value is the C result. */
  private errcheckReturnsResult(f: FunctionDecl): boolean {
    const value = f.errcheck?.value;
    if (value?.type !== 'identifier') return false;
    const cached = this.identityErrchecks.get(value.text);
    if (cached !== undefined) return cached;
    const def = this.functionDefNamed(value.text);
    const first = def?.childForFieldName('parameters')?.namedChildren[0];
    const result = first?.type === 'identifier' ? first.text : undefined;
    const defs = [...walk(this.p.root)].filter((n) => n.type === 'function_definition' && n.childForFieldName('name')?.text === value.text);
    let ok = defs.length === 1 && def!.parent?.type === 'module' && !!result;
    const visit = (n: Node): void => {
      for (const c of n.namedChildren) {
        if (!ok) return;
        if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') {
          if (c.childForFieldName('name')?.text === result) ok = false;
          continue;
        }
        if (c.type === 'return_statement' && c.namedChildren[0]?.text !== result) ok = false;
        else if (c.type === 'yield' || c.type === 'global_statement' || c.type === 'nonlocal_statement') ok = false;
        else if (c.type === 'identifier' && c.text === result && isStoreTarget(c)) ok = false;
        else if ((c.type === 'named_expression' ? c.childForFieldName('name') : c.type === 'as_pattern' ? c.childForFieldName('alias') : undefined)?.text === result) ok = false;
        else visit(c);
      }
    };
    const body = def?.childForFieldName('body');
    // falling off the end returns None, which ctypes then hands out as the call's value
    const last = body?.namedChildren.filter((c) => c.type !== 'comment').pop();
    if (last?.type !== 'return_statement' && last?.type !== 'raise_statement') ok = false;
    if (ok && body) visit(body);
    this.identityErrchecks.set(value.text, ok);
    return ok;
  }

  /** The kind a plain function returns, when all its `return` statements agree. */
  private returnKind(def: Node): Kind | undefined {
    let out: Kind | undefined;
    let first = true;
    const visit = (n: Node): boolean => {
      for (const c of n.namedChildren) {
        if (c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') continue;
        if (c.type === 'return_statement') {
          const v = c.namedChildren[0];
          const k = v ? this.kindOf(v) : undefined;
          if (!k) return false;
          if (first) out = k;
          else if (JSON.stringify(out) !== JSON.stringify(k)) return false;
          first = false;
        } else if (!visit(c)) return false;
      }
      return true;
    };
    const body = def.childForFieldName('body');
    return body && visit(body) ? out : undefined;
  }

  private valueKind(t: CType): Kind | undefined {
    if (t.k === 'struct') return { k: 'sval', type: t };
    if (t.k === 'array') return { k: 'array', of: t.of };
    if (t.k === 'ptr') return { k: 'ptr', to: t.to, inst: false };
    return undefined;
  }

  /** The type a ctypes constructor call creates (`c_int(…)`, `S(…)`), if any. */
  ctorType(n: Node): CType | undefined {
    const call = callParts(n);
    if (!call) return undefined;
    const t = this.p.typeOf(call.callee);
    return t && (t.k === 'prim' || t.k === 'struct' || t.k === 'array') ? t : undefined;
  }

  structOf(t: CType | undefined): StructDecl | undefined {
    return t?.k === 'struct' && this.convertedStructs.has(t.name) ? this.p.structs.get(t.name) : undefined;
  }

  /** The field `attr` of the struct an expression holds (looking through anonymous members). */
  fieldOf(obj: Node, attr: string): StructField | undefined {
    const k = this.kindOf(obj);
    const st = k?.k === 'ptr' ? this.structOf(k.to) : k?.k === 'sval' ? this.structOf(k.type) : undefined;
    return st ? this.findField(st, attr) : undefined;
  }

  private findField(st: StructDecl, attr: string): StructField | undefined {
    const direct = st.fields?.find((f) => f.name === attr);
    if (direct) return direct;
    for (const an of st.anonymous) {
      const member = st.fields?.find((f) => f.name === an);
      const inner = this.structOf(member?.type);
      const found = inner && this.findField(inner, attr);
      if (found) return found;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- rendering

  /** The converted text of a node. */
  R(n: Node): string {
    const rule = this.ruleFor(n);
    if (rule) return rule(this);
    return this.splice(n);
  }

  /** The original text of n with its children rendered. */
  splice(n: Node): string {
    let out = '';
    let at = n.startIndex;
    for (const c of n.children) {
      if (!this.changes(c)) continue;
      out += this.p.text.slice(at, c.startIndex) + this.R(c);
      at = c.endIndex;
    }
    return out + this.p.text.slice(at, n.endIndex);
  }

  /** Does n, or anything inside it, get rewritten? */
  changes(n: Node): boolean {
    if (this.ruleFor(n)) return true;
    return n.children.some((c) => this.changes(c));
  }

  /** The outermost rewritten nodes under root: the edits to hand out. */
  collectEdits(root: Node, out: { start: number; end: number; newText: string }[]): void {
    if (this.isDeletedOrReplacedHere(root)) return;
    const rule = this.ruleFor(root);
    if (rule) {
      const text = rule(this);
      if (text !== this.p.text.slice(root.startIndex, root.endIndex)) out.push({ start: root.startIndex, end: root.endIndex, newText: text });
      return;
    }
    for (const c of root.children) this.collectEdits(c, out);
  }

  private isDeletedOrReplacedHere(n: Node): boolean {
    return this.deleted.has(keyOf(n)) || this.replaced.has(keyOf(n));
  }

  private ruleFor(n: Node): ((r: Rewriter) => string) | undefined {
    const key = keyOf(n);
    if (this.ruleCache.has(key)) return this.ruleCache.get(key) ?? undefined;
    this.ruleCache.set(key, null);
    const rule = this.isFrozen(n) ? this.handleRule(n) : this.handleRule(n) ?? this.findRule(n);
    this.ruleCache.set(key, rule ?? null);
    return rule;
  }

  /** `lib.f` for a function that stays in ctypes → the library's ctypes handle; a bare `lib` in frozen code too. */
  private handleRule(n: Node): ((r: Rewriter) => string) | undefined {
    if (n.type !== 'attribute' && n.type !== 'identifier') return undefined;
    const d = dotted(n);
    if (!d || isStoreTarget(n)) return undefined;
    if (this.p.libraries.has(d) && n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.startIndex === n.startIndex && n.parent.childForFieldName('object')?.endIndex === n.endIndex) {
      // `lib` in `lib.f`: handled at the attribute
      return undefined;
    }
    const ref = splitFunctionRef(this.p, d);
    if (ref && !ref.lib.human && !ref.name.startsWith('_')) {
      const f = this.p.functions.get(functionKey(ref.lib.name, ref.name));
      if (!this.signatures.has(functionKey(ref.lib.name, ref.name)) && (f || this.isFrozen(n) || !this.canDeclare(ref.name))) {
        const lib = ref.lib;
        return () => {
          this.handles.add(lib.name);
          return `${handleAt(lib.name, d.slice(0, d.lastIndexOf('.')))}.${ref.name}`;
        };
      }
    }
    const lib = this.p.libraries.get(d);
    if (lib && !lib.human && this.isFrozen(n) && !(n.parent?.type === 'attribute')) {
      return () => {
        this.handles.add(lib.name);
        return handleAt(lib.name, d);
      };
    }
    return undefined;
  }

  /** The ctypes.get_errno/set_errno calls rewritten to ffi.errno (see errnoRefusal). */
  private readonly errnoRewritten = new Set<string>();
  private errnoPolicyCache?: { keep?: string; refuse?: string };

  /**
   * ctypes.get_errno() reads ctypes' own copy of errno, which only calls through a `use_errno=True` library
   * or prototype update; ffi.errno sees every cffi call. So ffi.errno is equivalent only when every library
   * is loaded with use_errno and becomes cffi; when none is (and no prototype asks for it), ctypes' copy
   * never sees C and the errno calls stay ctypes; anything between refuses the file (errnoRefusal).
   */
  private errnoPolicy(): { keep?: string; refuse?: string } {
    if (this.errnoPolicyCache) return this.errnoPolicyCache;
    const libs = [...new Set(this.p.libraries.values())];
    const on = (kw: Node | undefined) => !!kw && !/^(False|0|None)$/.test(kw.text);
    const withErrno = libs.filter((l) => on(l.keywords.get('use_errno')));
    const prototypeErrno = [...walk(this.p.root)].some((n) => n.type === 'keyword_argument' && n.childForFieldName('name')?.text === 'use_errno' && on(n.childForFieldName('value') ?? undefined) && !libs.some((l) => l.load.startIndex <= n.startIndex && n.endIndex <= l.load.endIndex));
    if (!withErrno.length && !prototypeErrno) {
      this.errnoPolicyCache = { keep: `ctypes.get_errno/set_errno stay: ${libs.length ? 'the library is' : 'the libraries are'} loaded without use_errno=True, so ctypes' errno never sees C's; ffi.errno would` };
    } else if (prototypeErrno || withErrno.length < libs.length || libs.some((l) => l.human || l.handle)) {
      this.errnoPolicyCache = { refuse: 'ctypes.get_errno() sees only the calls of use_errno=True libraries and prototypes, some of which stay ctypes here: ffi.errno would see other calls' };
    } else this.errnoPolicyCache = {};
    return this.errnoPolicyCache;
  }

  /** Why the file cannot convert for its errno reads: ffi.errno in the output while some foreign calls stay ctypes. */
  private errnoCalls(): Node[] {
    return [...walk(this.p.root)].filter((n) => n.type === 'call' && /^[gs]et_errno$/.test(this.p.ctypesName(n.childForFieldName('function')) ?? ''));
  }

  errnoRefusal(): string | undefined {
    const calls = this.errnoCalls();
    if (!calls.length) return undefined;
    const policy = this.errnoPolicy();
    if (policy.keep) return undefined;
    if (policy.refuse) return policy.refuse;
    if (this.handles.size) return `ctypes.get_errno() would become ffi.errno while ${[...this.handles].join(', ')} keeps functions in ctypes, whose errno ffi.errno does not see`;
    if (calls.some((n) => !this.errnoRewritten.has(keyOf(n)))) return 'a ctypes.get_errno/set_errno call stays ctypes here while its library becomes cffi: ctypes\' errno would no longer see the calls';
    return undefined;
  }

  private canDeclare(name: string): boolean {
    return !!lookupPrototype(name);
  }

  private findRule(n: Node): ((r: Rewriter) => string) | undefined {
    if ((n.type === 'identifier' || n.type === 'attribute') && this.p.ctypesName(n) === 'ArgumentError' && !(n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.startIndex === n.startIndex)) {
      // cffi rejects a wrongly typed argument with TypeError where ctypes raised ArgumentError
      let p = n.parent;
      while (p && (p.type === 'tuple' || p.type === 'parenthesized_expression' || p.type === 'as_pattern')) p = p.parent;
      if (p?.type === 'except_clause') return () => 'TypeError';
    }
    if (n.parent?.type === 'for_statement' && n.parent.childForFieldName('right')?.startIndex === n.startIndex && n.parent.childForFieldName('right')?.endIndex === n.endIndex) {
      const k = this.kindOf(n);
      const conv = k?.k === 'array' ? this.itemConverter(k.of) : undefined;
      if (conv) return (r) => { if (conv !== 'float') r.helpers.add(conv === '_address_or_none' ? 'address' : 'string'); return `map(${conv}, ${r.splice(n)})`; };
    }
    switch (n.type) {
      case 'call':
        return this.callRule(n);
      case 'attribute':
        return this.attributeRule(n);
      case 'subscript':
        return this.subscriptRule(n);
      case 'decorator':
        return this.decoratorRule(n);
      case 'assignment':
        return this.assignmentRule(n);
      default:
        return undefined;
    }
  }

  private q(s: string): string {
    return JSON.stringify(s);
  }

  private get F(): string {
    return this.ffi;
  }

  // ---- calls

  private callRule(n: Node): ((r: Rewriter) => string) | undefined {
    const call = callParts(n);
    if (!call) return undefined;
    const F = this.F;
    const cn = this.p.ctypesName(call.callee);
    const a = call.args;
    if (cn !== undefined && (!cn.includes('.') || cn === 'cdll.LoadLibrary' || cn === 'windll.LoadLibrary')) {
      if (call.splat) return undefined;
      switch (cn) {
        case 'CDLL':
        case 'cdll.LoadLibrary':
        case 'WinDLL':
        case 'windll.LoadLibrary':
          return this.loadRule(n);
        case 'byref':
        case 'pointer': {
          if (!a[0]) return undefined;
          const off = a[1];
          const ptr = this.ptrOf(a[0]);
          if (ptr === undefined) return undefined;
          return off ? (r) => `(${F}.cast("char *", ${ptr(r)}) + ${r.R(off)})` : (r) => ptr(r);
        }
        case 'addressof': {
          const ptr = a[0] && this.ptrOf(a[0]);
          return ptr ? (r) => `int(${F}.cast("uintptr_t", ${ptr(r)}))` : undefined;
        }
        case 'sizeof':
          return a[0] ? this.sizeofRule(a[0]) : undefined;
        case 'alignment': {
          if (!a[0]) return undefined;
          const t = this.p.typeOf(a[0]);
          if (t) return this.typeConvertible(t) ? () => `${F}.alignof(${this.q(typeString(t))})` : undefined;
          const k = this.kindOf(a[0]);
          if (k?.k === 'ptr' && k.inst) return () => `${F}.alignof(${this.q(typeString(k.to))})`;
          if (k?.k === 'array' || k?.k === 'sval') return (r) => `${F}.alignof(${F}.typeof(${r.R(a[0]!)}))`;
          return undefined;
        }
        case 'create_string_buffer':
        case 'c_buffer':
        case 'create_unicode_buffer':
          return this.bufferRule(cn === 'create_unicode_buffer' ? 'wchar_t' : 'char', a, n);
        case 'string_at':
        case 'wstring_at': {
          if (!a[0]) return undefined;
          const ct = cn === 'string_at' ? 'char *' : 'wchar_t *';
          const addr = this.addressArg(a[0]);
          return a[1] ? (r) => `${F}.unpack(${F}.cast("${ct}", ${addr(r)}), ${r.R(a[1]!)})` : (r) => `${F}.string(${F}.cast("${ct}", ${addr(r)}))`;
        }
        case 'memmove': {
          if (a.length !== 3) return undefined;
          const d = this.addressArg(a[0]!);
          const s = this.addressArg(a[1]!);
          return (r) => `${F}.memmove(${d(r)}, ${s(r)}, ${r.R(a[2]!)})`;
        }
        case 'memset':
          return this.memsetRule(n, a);
        case 'get_errno':
        case 'set_errno': {
          const policy = this.errnoPolicy();
          if (policy.keep || policy.refuse) return undefined;
          const done = () => this.errnoRewritten.add(keyOf(n));
          if (cn === 'get_errno') return a.length === 0 ? () => (done(), `${F}.errno`) : undefined;
          if (a.length === 1 && n.parent?.type === 'expression_statement') return (r) => (done(), `${F}.errno = ${r.R(a[0]!)}`);
          return undefined;
        }
        case 'cast':
          return a.length === 2 ? this.castRule(n, a[0]!, a[1]!) : undefined;
        default: {
          const t = this.p.typeOf(call.callee);
          if (t?.k === 'prim') return this.primCtorRule(n, t, a);
          if (t?.k === 'ptr' && a.length === 0 && this.typeConvertible(t)) return () => `${F}.cast(${this.q(typeString(t))}, 0)`;
          return undefined;
        }
      }
    }
    const builtin = call.callee.type === 'identifier' ? call.callee.text : undefined;
    if (builtin && ['list', 'tuple', 'enumerate', 'iter', 'sorted', 'set'].includes(builtin) && call.args.length === 1) {
      const k = this.kindOf(call.args[0]!);
      const conv = k?.k === 'array' ? this.itemConverter(k.of) : undefined;
      if (conv) return (r) => { if (conv !== 'float') r.helpers.add(conv === '_address_or_none' ? 'address' : 'string'); return `${builtin}(map(${conv}, ${r.R(call.args[0]!)}))`; };
    }
    if ((builtin === 'bytes' || builtin === 'memoryview' || builtin === 'bytearray') && call.args.length === 1 && !call.keywords.size) {
      const k = this.kindOf(call.args[0]!);
      if (k && (k.k === 'array' || k.k === 'sval' || (k.k === 'ptr' && k.inst))) {
        const buf = (r: Rewriter): string => `${F}.buffer(${k.k === 'sval' ? `${F}.addressof(${r.R(call.args[0]!)})` : r.R(call.args[0]!)})`;
        if (builtin === 'bytes') return (r) => `${buf(r)}[:]`;
        return (r) => `${builtin}(${buf(r)})`;
      }
    }
    // Struct/array/pointer constructors and prototype(pyfunc).
    const dyn = this.dynamicArrayType(call.callee);
    if (dyn && !call.keywords.size && this.typeConvertible(dyn.of)) {
      if (isPrim(dyn.of, 'c_char_p', 'c_wchar_p')) return this.pointerArrayRule(dyn.of, (r) => r.R(dyn.length), call);
      if (!call.args.length && !call.splat) return (r) => `${F}.new(${this.q(typeString(dyn.of) + '[]')}, ${r.R(dyn.length)})`;
    }
    const ct = this.p.typeOf(call.callee);
    if (call.splat && ct?.k !== 'array') return undefined;
    if (ct && this.typeConvertible(ct)) {
      if (ct.k === 'struct' && this.convertedStructs.has(ct.name)) return (r) => `${F}.new(${this.q(typeString({ k: 'ptr', to: ct }))}${r.initSuffix(ct, call.args, call.keywords)})`;
      if (ct.k === 'array' && isPrim(ct.of, 'c_char_p', 'c_wchar_p') && !call.keywords.size) return this.pointerArrayRule(ct.of, () => String(ct.n), call);
      if (ct.k === 'array' && !call.keywords.size && call.splat && call.args.length === 0 && call.argList.namedChildren.length === 1 && call.argList.namedChildren[0]!.type === 'list_splat') {
        const inner = call.argList.namedChildren[0]!.namedChildren[0]!;
        return (r) => `${F}.new(${this.q(typeString(ct))}, list(${r.R(inner)}))`;
      }
      if (ct.k === 'array' && !call.keywords.size) return (r) => `${F}.new(${this.q(typeString(ct))}${call.args.length ? `, [${call.args.map((x) => r.initValue(x, ct.of)).join(', ')}]` : ''})`;
      if (ct.k === 'ptr' && call.args.length === 0) return () => `${F}.cast(${this.q(typeString(ct))}, 0)`;
      if (ct.k === 'func' && call.args.length === 1) {
        const proto = dotted(call.callee);
        if (proto && this.p.prototypes.has(proto) && this.replaced.has(keyOf(this.p.prototypes.get(proto)!.statement))) {
          if (!this.plainCallbacks.has(keyOf(n)) && ct.args.some((t) => isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p', 'c_longdouble'))) {
            this.leave(n, `the callback ${call.args[0]!.text} receives char*/void* arguments, which cffi hands over as cdata: convert its body by hand (or use @${proto})`);
            this.demote(`proto:${proto}`, `the callback ${call.args[0]!.text} receives char*/void* arguments as cdata in cffi: convert its body by hand`);
            return undefined;
          }
          return (r) => `${F}.callback(${proto}, ${r.R(call.args[0]!)})`;
        }
      }
    }
    // T.in_dll(lib, "name"), T.from_address(a), T.from_buffer(b), T.from_buffer_copy(b)
    if (call.callee.type === 'attribute') {
      const method = call.callee.childForFieldName('attribute')!.text;
      const t = this.p.typeOf(call.callee.childForFieldName('object'));
      if (t && this.typeConvertible(t)) {
        const r1 = this.typeMethodRule(n, t, method, call.args);
        if (r1) return r1;
      }
    }
    const f = this.calledFunction(call.callee);
    if (f) return this.foreignCallRule(n, f, call.callee, call.args, call.keywords.size > 0);
    return undefined;
  }

  private loadRule(n: Node): ((r: Rewriter) => string) | undefined {
    const lib = [...this.p.libraries.values()].find((l) => l.load.startIndex === n.startIndex && l.load.endIndex === n.endIndex);
    if (!lib || lib.human) return undefined;
    const call = callParts(n)!;
    const modeNode = call.keywords.get('mode') ?? call.args[1];
    let flags = '';
    if (modeNode) {
      const mode = this.p.ctypesName(modeNode);
      if (mode === 'RTLD_GLOBAL') flags = `, ${this.F}.RTLD_NOW | ${this.F}.RTLD_GLOBAL`;
      else if (mode !== 'RTLD_LOCAL' && mode !== 'DEFAULT_MODE') {
        this.leave(n, 'the dlopen mode is not a ctypes RTLD_* constant: give ffi.dlopen its flags by hand');
        return undefined;
      }
    }
    for (const kw of call.keywords.keys()) {
      if (!['mode', 'use_errno', 'use_last_error', 'handle', 'winmode'].includes(kw)) return undefined;
      if (kw === 'handle' || kw === 'winmode') {
        this.leave(n, `CDLL(..., ${kw}=...) has no ffi.dlopen equivalent here`);
        return undefined;
      }
    }
    const path = call.args[0];
    if (this.apiMode) return () => '_cffi_lib';
    return (r) => `${r.F}.dlopen(${path ? r.R(path) : 'None'}${flags})`;
  }

  private sizeofRule(x: Node): ((r: Rewriter) => string) | undefined {
    const F = this.F;
    const t = this.p.typeOf(x);
    if (t) return this.typeConvertible(t) ? () => `${F}.sizeof(${this.q(typeString(t))})` : undefined;
    const k = this.kindOf(x);
    if (k?.k === 'ptr') return () => `${F}.sizeof(${this.q(typeString(k.inst ? k.to : { k: 'ptr', to: k.to }))})`;
    if (k?.k === 'array' || k?.k === 'sval') return (r) => `${F}.sizeof(${r.R(x)})`;
    const ctor = this.ctorType(x);
    if (ctor && this.typeConvertible(ctor)) return () => `${F}.sizeof(${this.q(typeString(ctor))})`;
    return undefined;
  }

  private bufferRule(ct: 'char' | 'wchar_t', a: Node[], n: Node): ((r: Rewriter) => string) | undefined {
    const F = this.F;
    if (a.length === 1) return (r) => `${F}.new("${ct}[]", ${r.R(a[0]!)})`;
    if (a.length === 2) {
      const size = intLiteral(a[1]);
      if (size === undefined) {
        // exactly `size` bytes holding init, as ctypes makes it: a bytearray of that length, shared
        if (ct === 'char') return (r) => `${F}.from_buffer("char[]", bytearray(${r.R(a[0]!)}.ljust(${r.R(a[1]!)}, b"\\0")))`;
        this.leave(n, 'a unicode buffer with an initial value and a computed size: give ffi.new a literal length by hand');
        return undefined;
      }
      return (r) => `${F}.new("${ct}[${size}]", ${r.R(a[0]!)})`;
    }
    return undefined;
  }

  private memsetRule(n: Node, a: Node[]): ((r: Rewriter) => string) | undefined {
    if (a.length !== 3) return undefined;
    if (n.parent?.type !== 'expression_statement') {
      this.leave(n, 'the result of memset is used: there is no ffi.memset; declare memset in the cdef by hand');
      return undefined;
    }
    const F = this.F;
    const d = this.addressArg(a[0]!);
    const k = this.kindOf(a[0]!);
    const isCharArray = k?.k === 'array' && isPrim(k.of, 'c_char');
    const c = unparen(a[1]!);
    const lit = intLiteral(c);
    let fill: (r: Rewriter) => string;
    if (lit !== undefined && lit >= 0 && lit < 256) fill = () => `b"\\x${lit.toString(16).padStart(2, '0')}"`;
    else {
      const ordCall = callParts(c);
      const s = ordCall && dotted(ordCall.callee) === 'ord' && ordCall.args.length === 1 ? stringLiteral(ordCall.args[0]!) : undefined;
      if (s && s.value.length === 1 && s.value.charCodeAt(0) < 128 && /[ -~]/.test(s.value) && !/["\\]/.test(s.value)) fill = () => `b"${s.value}"`;
      else fill = (r) => `bytes([(${r.R(c)}) & 0xFF])`;
    }
    return (r) => {
      const count = r.R(a[2]!);
      const countExpr = /^\w+$/.test(count) ? count : `(${count})`;
      return `${F}.buffer(${isCharArray ? d(r) : `${F}.cast("char *", ${d(r)})`}, ${count})[:] = ${fill(r)} * ${countExpr}`;
    };
  }

  private castRule(n: Node, src: Node, target: Node): ((r: Rewriter) => string) | undefined {
    const F = this.F;
    const t = this.p.typeOf(target);
    if (!t || !this.typeConvertible(t)) return undefined;
    if (!(t.k === 'ptr' || isPrim(t, 'c_void_p', 'c_char_p', 'c_wchar_p'))) return undefined;
    const s = unparen(src);
    const srcCall = callParts(s);
    if (srcCall && !['byref', 'pointer', 'addressof'].includes(this.p.ctypesName(srcCall.callee) ?? '')) {
      this.leave(n, 'ctypes.cast keeps its source alive, ffi.cast does not: store the source in a variable that lives as long as the result');
      return undefined;
    }
    const sp = this.castSource(s);
    const ts = this.q(typeString(t));
    return (r) => `${F}.cast(${ts}, ${sp(r)})`;
  }

  private castSource(s: Node): (r: Rewriter) => string {
    const k = this.kindOf(s);
    const call = callParts(s);
    const cn = call ? this.p.ctypesName(call.callee) : undefined;
    if (cn === 'addressof' || cn === 'pointer') {
      const ptr = call!.args[0] && this.ptrOf(call!.args[0]);
      if (ptr) return ptr;
    }
    if (k?.k === 'sval') return (r) => `${r.F}.addressof(${r.R(s)})`;
    if (s.type === 'none') return (r) => `${r.F}.NULL`;
    return (r) => r.R(s);
  }

  private primCtorRule(n: Node, t: CType & { k: 'prim' }, a: Node[]): ((r: Rewriter) => string) | undefined {
    // c_int(v).value → the value as ctypes would have truncated it.
    const parent = n.parent;
    const F = this.F;
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'value') return undefined; // handled by the attribute rule
    if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
      if (a.length === 0) return () => `${F}.new(${this.q(t.c + '*')})`;
      return undefined; // a pointer to a Python bytes object: left to the argument rules or a human
    }
    if (isPrim(t, 'c_void_p')) {
      if (a.length === 0) return () => `${F}.new("void **")`;
      return (r) => `${F}.new("void **", ${F}.cast("void *", ${r.R(a[0]!)}))`;
    }
    if (a.length === 0) return () => `${F}.new(${this.q(t.c + ' *')})`;
    if (a.length !== 1) return undefined;
    return (r) => `${F}.new(${this.q(t.c + ' *')}, ${r.boxInit(t, a[0]!)})`;
  }

  /** The initial value for `ffi.new("T *", v)`: wrapped in ffi.cast when ctypes would have truncated it. */
  boxInit(t: CType & { k: 'prim' }, v: Node): string {
    const range = INT_RANGES[t.ctypes];
    const lit = unparen(v);
    if (range && (lit.type === 'integer' || lit.type === 'unary_operator' || lit.type === 'binary_operator')) {
      const val = evalInt(lit);
      if (val === undefined || val < range[0] || val > range[1]) return `${this.F}.cast(${this.q(t.c)}, ${this.R(v)})`;
    }
    if (t.ctypes === 'c_bool') return `bool(${this.R(v)})`;
    return this.R(v);
  }

  private typeMethodRule(n: Node, t: CType, method: string, a: Node[]): ((r: Rewriter) => string) | undefined {
    const F = this.F;
    const ptr = this.q(typeString(t.k === 'array' ? t : { k: 'ptr', to: t }));
    switch (method) {
      case 'in_dll': {
        const libName = a[0] && dotted(a[0]);
        const s = a[1] && stringLiteral(a[1]);
        if (!libName || !s || !this.p.libraries.has(libName) || t.k === 'array') return undefined;
        this.externs.set(s.value, t);
        return (r) => `${F}.addressof(${r.R(a[0]!)}, ${this.q(s.value)})`;
      }
      case 'from_address':
        return a.length === 1 ? (r) => `${F}.cast(${ptr}, ${r.R(a[0]!)})` : undefined;
      case 'from_buffer':
        if (a.length !== 1) {
          this.leave(n, 'from_buffer with an offset: slice the buffer or use ffi.from_buffer on a memoryview by hand');
          return undefined;
        }
        return (r) => `${F}.from_buffer(${ptr}, ${r.R(a[0]!)})`;
      case 'from_buffer_copy':
        if (a.length !== 1) return undefined;
        if (t.k === 'array') return (r) => `${F}.new(${ptr}, list(${F}.from_buffer(${ptr}, ${r.R(a[0]!)})))`;
        return (r) => `${F}.new(${ptr}, ${F}.from_buffer(${ptr}, ${r.R(a[0]!)})[0])`;
      default:
        return undefined;
    }
  }

  /** The helper that turns an item of a T array into what ctypes handed out, if it differs. */
  itemConverter(of: CType): string | undefined {
    if (isPrim(of, 'c_char_p', 'c_wchar_p')) return '_cstring_or_none';
    if (isPrim(of, 'c_void_p')) return '_address_or_none';
    if (isPrim(of, 'c_longdouble')) return 'float';
    return undefined;
  }

  /** `(T * n)` with a length computed at run time. */
  dynamicArrayType(callee: Node): { of: CType; length: Node } | undefined {
    const u = unparen(callee);
    if (u.type !== 'binary_operator' || u.childForFieldName('operator')?.text !== '*') return undefined;
    const left = u.childForFieldName('left')!;
    const right = u.childForFieldName('right')!;
    const of = this.p.typeOf(left);
    if (!of || of.k === 'void' || this.p.typeOf(right)) return undefined;
    return { of, length: right };
  }

  /** An array of char* filled from bytes: ctypes kept the bytes alive, so the array keeps its copies alive. */
  private pointerArrayRule(of: CType, length: (r: Rewriter) => string, call: { args: Node[]; splat: boolean; argList: Node }): ((r: Rewriter) => string) | undefined {
    const items = call.argList.namedChildren.filter((c) => c.type !== 'comment');
    if (call.splat && !(items.length === 1 && items[0]!.type === 'list_splat')) return undefined;
    const ts = this.q(typeString(of) + '[]');
    return (r) => {
      r.helpers.add('pointerArray');
      const init = call.splat ? r.R(items[0]!.namedChildren[0]!) : `[${items.map((x) => r.R(x)).join(', ')}]`;
      return `_new_pointer_array(${ts}, ${length(r)}, ${init})`;
    };
  }

  /** The text after the type in `ffi.new("struct S *"…)`: the initializer, if any. */
  initSuffix(t: CType & { k: 'struct' }, args: Node[], keywords: Map<string, Node>): string {
    if (!args.length && !keywords.size) return '';
    return `, ${this.structInit(t, args, keywords)}`;
  }

  structInit(t: CType & { k: 'struct' }, args: Node[], keywords: Map<string, Node>): string {
    const st = this.p.structs.get(t.name)!;
    const fields = st.fields!;
    if (!keywords.size && !st.anonymous.length) return `[${args.map((x, i) => this.initValue(x, fields[i]?.type)).join(', ')}]`;
    const entries: string[] = [];
    args.forEach((x, i) => entries.push(`${this.q(fields[i]?.name ?? '?')}: ${this.initValue(x, fields[i]?.type)}`));
    for (const [k, v] of keywords) entries.push(`${this.q(k)}: ${this.initValue(v, fields.find((f) => f.name === k)?.type)}`);
    return `{${entries.join(', ')}}`;
  }

  /** A value inside an ffi.new initializer for a member of type t. */
  initValue(x: Node, t: CType | undefined): string {
    const u = unparen(x);
    if (!t) return this.R(x);
    const call = callParts(u);
    const ct = call ? this.p.typeOf(call.callee) : undefined;
    if (call && ct?.k === 'struct' && t.k === 'struct' && this.convertedStructs.has(ct.name)) return this.structInit(ct, call.args, call.keywords);
    if (call && ct?.k === 'array' && !call.keywords.size) return `[${call.args.map((a) => this.initValue(a, ct.of)).join(', ')}]`;
    if (call && ct?.k === 'prim' && call.args.length === 1 && !isPrim(ct, 'c_char_p', 'c_wchar_p', 'c_void_p')) return this.R(call.args[0]!);
    if (u.type === 'none' && (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p'))) return `${this.F}.NULL`;
    if ((u.type === 'tuple' || u.type === 'list') && t.k === 'array') return `[${u.namedChildren.map((a) => this.initValue(a, t.of)).join(', ')}]`;
    if (isPrim(t, 'c_char_p', 'c_wchar_p') && u.type !== 'none') {
      this.leave(x, 'ctypes keeps the bytes stored in a char* field alive; cffi needs an ffi.new("char[]", …) owned by something that outlives the struct');
      for (const sname of this.p.structs.keys()) if (this.p.structs.get(sname)!.fields?.some((f) => f.type === t)) this.demote(`struct:${sname}`, 'bytes are stored in its char* field: ctypes keeps them alive, cffi needs an owner chosen by hand');
      return this.R(x);
    }
    if (isPrim(t, 'c_void_p')) return this.voidp(this.R(x));
    const k = this.kindOf(x);
    if (t.k === 'struct' && k?.k === 'ptr' && k.inst) return `${this.R(x)}[0]`;
    return this.R(x);
  }

  private voidp(text: string): string {
    this.helpers.add('voidp');
    return `_as_voidp(${text})`;
  }

  /** The cdata pointer to pass for `byref(x)` / `pointer(x)`. */
  ptrOf(x: Node): ((r: Rewriter) => string) | undefined {
    const u = unparen(x);
    const k = this.kindOf(u);
    if (k?.k === 'ptr' && k.inst) return (r) => r.R(u);
    if (k?.k === 'array') return (r) => r.R(u);
    if (k?.k === 'sval') {
      // a field of a struct: its address through the parent, so that ffi.addressof gets a struct/array cdata
      return (r) => `${r.F}.addressof(${r.R(u)})`;
    }
    const ctor = this.ctorType(u);
    if (ctor && this.typeConvertible(ctor)) {
      if (ctor.k === 'prim') {
        const call = callParts(u)!;
        if (isPrim(ctor, 'c_char_p', 'c_wchar_p') && call.args.length) return undefined;
        return (r) => (call.args.length ? `${r.F}.new(${r.q(ctor.c.endsWith('*') ? ctor.c + '*' : ctor.c + ' *')}, ${r.boxInit(ctor, call.args[0]!)})` : `${r.F}.new(${r.q(ctor.c.endsWith('*') ? ctor.c + '*' : ctor.c + ' *')})`);
      }
      return (r) => r.R(u);
    }
    if (u.type === 'attribute') {
      const obj = u.childForFieldName('object')!;
      const attr = u.childForFieldName('attribute')!.text;
      if (this.fieldOf(obj, attr)) return (r) => `${r.F}.addressof(${r.structRef(obj)}, ${r.q(attr)})`;
    }
    return undefined;
  }

  /** A struct-valued expression as something ffi.addressof accepts (`p[0]` for a pointer). */
  structRef(obj: Node): string {
    const k = this.kindOf(obj);
    return k?.k === 'ptr' ? `${this.R(obj)}[0]` : this.R(obj);
  }

  /** An argument where ctypes took any address (memmove, string_at, cast source): cdata stays, ints are cast. */
  addressArg(x: Node): (r: Rewriter) => string {
    const u = unparen(x);
    const call = callParts(u);
    const cn = call ? this.p.ctypesName(call.callee) : undefined;
    if ((cn === 'byref' || cn === 'addressof' || cn === 'pointer') && call!.args[0]) {
      const ptr = this.ptrOf(call!.args[0]);
      if (ptr) {
        const off = cn === 'byref' ? call!.args[1] : undefined;
        return off ? (r) => `${r.F}.cast("char *", ${ptr(r)}) + ${r.R(off)}` : ptr;
      }
    }
    const k = this.kindOf(u);
    if (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback') return (r) => r.R(u);
    if (k?.k === 'sval') return (r) => `${r.F}.addressof(${r.R(u)})`;
    if (u.type === 'string' || u.type === 'concatenated_string') return (r) => r.R(u);
    if (intLiteral(u) !== undefined || k?.k === 'addr') return (r) => `${r.F}.cast("void *", ${r.R(u)})`;
    return (r) => r.voidp(r.R(u));
  }

  // ---- foreign calls

  private foreignCallRule(n: Node, f: FunctionDecl, callee: Node, args: Node[], hasKeywords: boolean): ((r: Rewriter) => string) | undefined {
    const sig = this.signatures.get(functionKey(f.lib.name, f.name));
    if (!sig) {
      this.planFunction(f);
      const again = this.signatures.get(functionKey(f.lib.name, f.name));
      if (!again) return undefined;
      return this.foreignCallRule(n, f, callee, args, hasKeywords);
    }
    if (hasKeywords) return undefined;
    if (!sig.variadic && args.length !== sig.params.length) {
      this.leave(n, `${f.name} is called with ${args.length} arguments but declared with ${sig.params.length}`);
      this.demote(`fn:${functionKey(f.lib.name, f.name)}`, `${f.name} is called with ${args.length} arguments but declared with ${sig.params.length}`);
      return undefined;
    }
    let extraTypes: (string | undefined)[] = [];
    if (sig.variadic && args.length > sig.params.length) {
      const fmtNode = sig.formatIndex !== undefined ? args[sig.formatIndex] : undefined;
      const fmt = fmtNode ? stringLiteral(fmtNode) : undefined;
      const types = fmt ? formatArgTypes(fmt.value, /scanf/.test(f.name)) : undefined;
      if (!types || types.length !== args.length - sig.params.length) {
        const why = `the variadic arguments of ${f.name} need C types and ${fmt ? 'the format does not match the arguments' : 'the format is not a literal string'}: wrap each in ffi.cast/ffi.new by hand`;
        this.leave(n, why);
        this.demote(`fn:${functionKey(f.lib.name, f.name)}`, why);
        return undefined;
      }
      extraTypes = types;
    }
    // a callback whose prototype is not the parameter's own type: cast when only pointer types differ, else refuse
    const casts = new Map<number, string>();
    for (const [i, x] of args.entries()) {
      const k = i < sig.params.length && sig.params[i]!.k === 'func' ? this.kindOf(x) : undefined;
      if (k?.k !== 'callback') continue;
      const fit = callbackFit(k.sig, sig.paramTexts[i]!);
      const named = unparen(x).type === 'identifier' || unparen(x).type === 'attribute';
      if (fit === 'same') continue;
      if (fit === 'cast' && named) {
        casts.set(i, sig.paramTexts[i]!);
        continue;
      }
      const why = fit === 'cast'
        ? `the callback ${x.text} passed to ${f.name} has the type ${k.sig}, not the parameter's ${sig.paramTexts[i]}: cffi needs it cast, and a cast of a temporary callback does not keep it alive; bind it to a name first`
        : `the callback ${x.text} passed to ${f.name} has the type ${k.sig}, but C calls it as ${sig.paramTexts[i]}: declare the prototype as the C header does`;
      this.leave(n, why);
      this.demote(`fn:${functionKey(f.lib.name, f.name)}`, why);
      return undefined;
    }
    const errcheckAfter = sig.errcheckWrapper && f.errcheck && n.startIndex > f.errcheck.statement.endIndex;
    const resultUsed = n.parent?.type !== 'expression_statement';
    // A wchar_t* result may point into a str argument, which cffi converts into a temporary: keep it alive.
    const tempStr = isPrim(sig.ret, 'c_wchar_p', 'c_char_p') && resultUsed && !errcheckAfter
      ? args.map((x, i) => i < sig.params.length && isPrim(sig.params[i]!, 'c_wchar_p') && stringLiteral(x) !== undefined && !stringLiteral(x)!.bytes)
      : [];
    if (tempStr.some((b) => b)) {
      return (r) => {
        r.helpers.add('string');
        r.helpers.add('result');
        const rendered = args.map((x, i) => (tempStr[i] ? `${r.F}.new("wchar_t[]", ${r.R(x)})` : casts.has(i) ? `${r.F}.cast(${r.q(casts.get(i)!)}, ${r.R(x)})` : r.arg(x, sig.params[i]!)));
        return `_cstring_result(${r.R(callee)}, ${rendered.join(', ')})`;
      };
    }
    return (r) => {
      const rendered = args.map((x, i) => (casts.has(i) ? `${r.F}.cast(${r.q(casts.get(i)!)}, ${r.R(x)})` : i < sig.params.length ? r.arg(x, sig.params[i]!) : r.variadicArg(x, extraTypes[i - sig.params.length])));
      // an alias bound before the errcheck still names the raw function (one bound after it is the wrapper)
      const rawAlias = !!errcheckAfter && callee.type === 'identifier' && (this.p.functionAliasAt.get(callee.text) ?? Infinity) < f.errcheck!.statement.startIndex;
      const calleeText = errcheckAfter && (callee.type !== 'identifier' || rawAlias) ? sig.errcheckWrapper! : r.R(callee);
      const call = `${calleeText}(${rendered.join(', ')})`;
      if (errcheckAfter || !resultUsed) return call;
      return r.wrapResult(sig, call) ?? call;
    };
  }

  /** Converts a result as ctypes handed it to Python (bytes or None for char*, int or None for void*). */
  wrapResult(sig: Signature, call: string): string | undefined {
    if (isPrim(sig.ret, 'c_char_p', 'c_wchar_p')) {
      this.helpers.add('string');
      return `_cstring_or_none(${call})`;
    }
    if (isPrim(sig.ret, 'c_void_p')) {
      this.helpers.add('address');
      return `_address_or_none(${call})`;
    }
    if (isPrim(sig.ret, 'c_longdouble')) return `float(${call})`;
    return undefined;
  }

  /** An argument for a parameter of C type t, as ctypes would have converted it. */
  arg(x: Node, t: CType): string {
    const u = unparen(x);
    const F = this.F;
    if (u.type === 'none' && (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p'))) return `${F}.NULL`;
    const call = callParts(u);
    const cn = call ? this.p.ctypesName(call.callee) : undefined;
    const k = this.kindOf(u);
    if ((cn === 'byref' || cn === 'pointer') && call!.args[0]) {
      const ptr = this.ptrOf(call!.args[0]);
      if (ptr) {
        const off = cn === 'byref' ? call!.args[1] : undefined;
        if (!off) return ptr(this);
        const base = `${F}.cast("char *", ${ptr(this)}) + ${this.R(off)}`;
        return t.k === 'ptr' && !isPrim(t.to, 'c_char') ? `${F}.cast(${this.q(typeString(t))}, ${base})` : base;
      }
    }
    if (t.k === 'prim' && !isPrim(t, 'c_char_p', 'c_wchar_p', 'c_void_p')) {
      const ctor = this.ctorType(u);
      if (ctor?.k === 'prim' && call!.args.length === 1) return this.R(call!.args[0]!);
      if (k?.k === 'ptr' && k.inst) return `${this.R(u)}[0]`;
      const range = INT_RANGES[t.ctypes];
      const v = range ? evalInt(u) : undefined;
      if (range && v === undefined) this.integerArguments.computed = true;
      // ctypes truncated an out-of-range constant silently; cffi would raise OverflowError
      if (v !== undefined && (v < range![0] || v > range![1])) {
        this.integerArguments.wrapped = true;
        return `${F}.cast(${this.q(t.c)}, ${this.R(u)})`;
      }
      return this.R(u);
    }
    if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
      const ctor = this.ctorType(u);
      if (ctor && isPrim(ctor, 'c_char_p', 'c_wchar_p') && call!.args.length === 1) return this.R(call!.args[0]!);
      if (k?.k === 'ptr' && k.inst && isPrim(k.to, 'c_char_p', 'c_wchar_p')) return `${this.R(u)}[0]`;
      if (k?.k === 'addr' || intLiteral(u) !== undefined) return `${F}.cast(${this.q(typeString(t))}, ${this.R(u)})`;
      return this.R(u);
    }
    if (isPrim(t, 'c_void_p')) {
      if (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback') return this.R(u);
      if (k?.k === 'sval') return `${F}.addressof(${this.R(u)})`;
      if (u.type === 'string' || u.type === 'concatenated_string') return this.R(u);
      const ctor = this.ctorType(u);
      if (ctor && ctor.k !== 'prim') return this.R(u);
      if (intLiteral(u) !== undefined) return `${F}.cast("void *", ${this.R(u)})`;
      return this.voidp(this.R(u));
    }
    if (t.k === 'ptr') {
      if (k?.k === 'ptr' || k?.k === 'array') return this.R(u);
      if (k?.k === 'sval') return `${F}.addressof(${this.R(u)})`;
      if (k?.k === 'addr' || intLiteral(u) !== undefined) return `${F}.cast(${this.q(typeString(t))}, ${this.R(u)})`;
      const ctor = this.ctorType(u);
      if (ctor?.k === 'prim') {
        const p = this.ptrOf(u);
        if (p) return p(this);
      }
      return this.R(u);
    }
    if (t.k === 'struct') {
      if (k?.k === 'ptr' && k.inst) return `${this.R(u)}[0]`;
      const ctor = this.ctorType(u);
      if (ctor?.k === 'struct') return `${this.R(u)}[0]`;
      return this.R(u);
    }
    return this.R(u);
  }

  /** An argument in the `...` part: cffi wants cdata, typed by the format conversion. */
  variadicArg(x: Node, ctype: string | undefined): string {
    const u = unparen(x);
    const F = this.F;
    const call = callParts(u);
    const cn = call ? this.p.ctypesName(call.callee) : undefined;
    if ((cn === 'byref' || cn === 'pointer') && call!.args[0]) {
      const p = this.ptrOf(call!.args[0]);
      if (p) return p(this);
    }
    const ctor = this.ctorType(u);
    const inner = ctor?.k === 'prim' && call!.args.length === 1 ? call!.args[0]! : undefined;
    const k = this.kindOf(u);
    if (!inner && (k?.k === 'ptr' || k?.k === 'array' || k?.k === 'callback')) {
      if (k.k === 'ptr' && k.inst && k.to.k === 'prim' && ctype && ctype !== 'void *') return `${F}.cast(${this.q(ctype)}, ${this.R(u)}[0])`;
      return this.R(u);
    }
    if (u.type === 'none') return `${F}.NULL`;
    if (!ctype) return this.R(u);
    if (ctype === 'char *' || ctype === 'wchar_t *') {
      if (inner) return `${F}.new("${ctype.replace(' *', '[]')}", ${this.R(inner)})`;
      return `${F}.new("${ctype.replace(' *', '[]')}", ${this.R(u)})`;
    }
    return `${F}.cast(${this.q(ctype)}, ${this.R(inner ?? u)})`;
  }

  // ---- attributes

  private attributeRule(n: Node): ((r: Rewriter) => string) | undefined {
    const obj = n.childForFieldName('object')!;
    const attr = n.childForFieldName('attribute')!.text;
    const F = this.F;
    const store = isStoreTarget(n);
    // S.field.offset / .size
    if ((attr === 'offset' || attr === 'size') && obj.type === 'attribute') {
      const sName = dotted(obj.childForFieldName('object'));
      const st = sName ? this.p.structs.get(sName) : undefined;
      const fieldName = obj.childForFieldName('attribute')!.text;
      const field = st && this.convertedStructs.has(st.name) ? st.fields!.find((f) => f.name === fieldName) : undefined;
      if (st && field && !store) {
        const ts = this.q(typeString(structType(st)));
        // an anonymous member has no name in C: its offset is its first field's
        const inner = st.anonymous.includes(fieldName) ? this.structOf(field.type)?.fields?.[0]?.name : undefined;
        return attr === 'offset' ? () => `${F}.offsetof(${ts}, ${this.q(inner ?? fieldName)})` : () => `${F}.sizeof(${this.q(typeString(field.type!))})`;
      }
    }
    if (attr === 'value') {
      const call = callParts(obj);
      const ct = call ? this.p.typeOf(call.callee) : undefined;
      const cn = call ? this.p.ctypesName(call.callee) : undefined;
      // c_int(v).value: the value, truncated as ctypes would
      if (call && ct?.k === 'prim' && cn !== undefined && call.args.length === 1 && !store) {
        const v = call.args[0]!;
        if (isIntegral(ct)) return (r) => (ct.ctypes === 'c_bool' ? `bool(${r.R(v)})` : `int(${F}.cast(${r.q(ct.c)}, ${r.R(v)}))`);
        if (isFloating(ct)) return (r) => `float(${F}.cast(${r.q(ct.c)}, ${r.R(v)}))`;
        if (isPrim(ct, 'c_char_p', 'c_wchar_p')) return (r) => r.R(v);
      }
      if (call && cn === 'cast' && call.args.length === 2 && !store) {
        const t = this.p.typeOf(call.args[1]);
        const s = unparen(call.args[0]!);
        const sc = callParts(s);
        if (sc && !['byref', 'pointer', 'addressof'].includes(this.p.ctypesName(sc.callee) ?? '')) return undefined;
        const src = this.castSource(s);
        if (isPrim(t, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${F}.cast("void *", ${src(r)}))`; };
        if (isPrim(t, 'c_char_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${F}.cast("char *", ${src(r)}))`; };
      }
      const k = this.kindOf(obj);
      if (k?.k === 'ptr' && k.inst && k.to.k === 'prim') {
        if (store) {
          if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return this.storeCharP(n);
          if (isPrim(k.to, 'c_void_p')) return (r) => `${r.R(obj)}[0]`;
          return (r) => `${r.R(obj)}[0]`;
        }
        if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.R(obj)}[0])`; };
        if (isPrim(k.to, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.R(obj)}[0])`; };
        if (isPrim(k.to, 'c_longdouble')) return (r) => `float(${r.R(obj)}[0])`;
        return (r) => `${r.R(obj)}[0]`;
      }
      // p.contents.value
      if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents') {
        const pk = this.kindOf(obj.childForFieldName('object')!);
        if (pk?.k === 'ptr' && pk.to.k === 'prim') return (r) => `${r.R(obj.childForFieldName('object')!)}[0]`;
      }
      if (k?.k === 'array' && (isPrim(k.of, 'c_char') || isPrim(k.of, 'c_wchar'))) {
        if (store) return undefined; // handled by the assignment rule
        return (r) => `${F}.string(${r.R(obj)})`;
      }
    }
    if (attr === 'raw') {
      const k = this.kindOf(obj);
      if (k?.k === 'array' && isPrim(k.of, 'c_char') && !store) return (r) => `${F}.buffer(${r.R(obj)})[:]`;
    }
    if (attr === 'contents') {
      const k = this.kindOf(obj);
      if (k?.k === 'ptr') return (r) => `${r.R(obj)}[0]`;
    }
    // Field reads that ctypes converted to Python values.
    const field = this.fieldOf(obj, attr);
    if (field && !store) {
      const t = field.type!;
      const objText = (r: Rewriter): string => {
        // p.contents.f → p.f
        if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents' && this.kindOf(obj.childForFieldName('object')!)?.k === 'ptr') return r.R(obj.childForFieldName('object')!);
        return r.R(obj);
      };
      if (field.bits === undefined && t.k === 'array' && (isPrim(t.of, 'c_char') || isPrim(t.of, 'c_wchar'))) return (r) => `${F}.string(${objText(r)}.${attr})`;
      if (isPrim(t, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${objText(r)}.${attr})`; };
      if (isPrim(t, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${objText(r)}.${attr})`; };
      if (isPrim(t, 'c_longdouble')) return (r) => `float(${objText(r)}.${attr})`;
      if (obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents') return (r) => `${objText(r)}.${attr}`;
    }
    if (field && store && obj.type === 'attribute' && obj.childForFieldName('attribute')!.text === 'contents' && this.kindOf(obj.childForFieldName('object')!)?.k === 'ptr') {
      return (r) => `${r.R(obj.childForFieldName('object')!)}.${attr}`;
    }
    // A ctypes library attribute the cdef cannot provide.
    const d = dotted(n);
    if (d && !store) {
      const f = this.calledFunction(n);
      const sig = f && this.signatures.get(functionKey(f.lib.name, f.name));
      if (sig?.errcheckWrapper && f!.errcheck && n.startIndex > f!.errcheck.statement.endIndex) return () => sig.errcheckWrapper!;
      const ref = splitFunctionRef(this.p, d);
      if (ref && !ref.lib.human && (ref.name.startsWith('_') || /^\d/.test(ref.name))) this.leave(n, `${d} is a ctypes library internal with no cffi equivalent`);
    }
    return undefined;
  }

  private storeCharP(n: Node): ((r: Rewriter) => string) | undefined {
    const a = n.parent!;
    const right = a.childForFieldName('right');
    if (right && unparen(right).type === 'none') return (r) => `${r.R(n.childForFieldName('object')!)}[0]`;
    this.leave(n, 'storing bytes through a char* needs memory that outlives the statement: keep an ffi.new("char[]", …) alive by hand');
    return undefined;
  }

  // ---- subscripts

  private subscriptRule(n: Node): ((r: Rewriter) => string) | undefined {
    const value = n.childForFieldName('value')!;
    const index = n.childForFieldName('subscript');
    if (!index) return undefined;
    const libName = dotted(value);
    if (libName && this.p.libraries.has(libName) && stringLiteral(index) && !isStoreTarget(n)) {
      const f = this.calledFunction(n);
      const sig = f && this.signatures.get(functionKey(f.lib.name, f.name));
      if (sig?.errcheckWrapper && f!.errcheck && n.startIndex > f!.errcheck.statement.endIndex) return () => sig.errcheckWrapper!;
      return (r) => `getattr(${r.R(value)}, ${index.text})`;
    }
    const k = this.kindOf(value);
    const store = isStoreTarget(n);
    if (k?.k === 'ptr' && !store && index.type !== 'slice') {
      // reading through a pointer: ctypes converted char*/void*/long double items to Python values
      if (isPrim(k.to, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.splice(n)})`; };
      if (isPrim(k.to, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.splice(n)})`; };
      if (isPrim(k.to, 'c_longdouble')) return (r) => `float(${r.splice(n)})`;
    }
    if (k?.k !== 'array') return undefined;
    const F = this.F;
    const isChar = isPrim(k.of, 'c_char');
    if (index.type === 'slice') {
      if (store) {
        if (isChar) return (r) => `${F}.buffer(${r.R(value)})[${r.R(index)}]`;
        return undefined;
      }
      if (isChar) return (r) => `${F}.buffer(${r.R(value)})[${r.R(index)}]`;
      if (index.text.replace(/\s/g, '') === ':') return (r) => `list(${r.R(value)})`;
      return (r) => `list(${r.R(value)})[${r.R(index)}]`;
    }
    const lit = intLiteral(index);
    if (lit !== undefined && lit < 0) return (r) => `${r.R(value)}[len(${r.R(value)}) - ${-lit}]`;
    if (!store) {
      if (isPrim(k.of, 'c_longdouble')) return (r) => `float(${r.splice(n)})`;
      if (isPrim(k.of, 'c_char_p', 'c_wchar_p')) return (r) => { r.helpers.add('string'); return `_cstring_or_none(${r.splice(n)})`; };
      if (isPrim(k.of, 'c_void_p')) return (r) => { r.helpers.add('address'); return `_address_or_none(${r.splice(n)})`; };
    }
    return undefined;
  }

  // ---- decorators and assignments

  private decoratorRule(n: Node): ((r: Rewriter) => string) | undefined {
    const decorated = n.parent;
    if (decorated?.type !== 'decorated_definition') return undefined;
    const sig = this.callbackDecoratorSig(decorated);
    if (!sig) return undefined;
    const proto = sig.proto && this.p.prototypes.has(sig.proto) && dotted(sig.decorator) === sig.proto ? sig.proto : undefined;
    return (r) => `@${r.F}.callback(${proto ?? r.q(sig.text)})`;
  }

  private assignmentRule(n: Node): ((r: Rewriter) => string) | undefined {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right || left.type !== 'attribute') return undefined;
    const obj = left.childForFieldName('object')!;
    const attr = left.childForFieldName('attribute')!.text;
    const F = this.F;
    if (attr === 'value') {
      const k = this.kindOf(obj);
      if (k?.k === 'array' && (isPrim(k.of, 'c_char') || isPrim(k.of, 'c_wchar'))) {
        // buf.value = b"…": ctypes writes the bytes and a NUL, and raises when they do not fit
        const nul = isPrim(k.of, 'c_char') ? 'b"\\0"' : '"\\0"';
        return (r) => `${r.R(obj)}[0:len(${r.R(right)}) + 1] = ${r.R(right)} + ${nul}`;
      }
    }
    if (attr === 'raw') {
      const k = this.kindOf(obj);
      if (k?.k === 'array' && isPrim(k.of, 'c_char')) return (r) => `${F}.buffer(${r.R(obj)})[0:len(${r.R(right)})] = ${r.R(right)}`;
    }
    const field = this.fieldOf(obj, attr);
    if (field) {
      const t = field.type!;
      const u = unparen(right);
      if (isPrim(t, 'c_char_p', 'c_wchar_p')) {
        if (u.type === 'none') return (r) => `${r.R(left)} = ${F}.NULL`;
        this.leave(n, 'storing bytes in a char* field: ctypes keeps them alive, cffi does not; keep an ffi.new("char[]", …) alive as long as the struct');
        const k = this.kindOf(obj);
        const st = k?.k === 'ptr' ? k.to : k?.k === 'sval' ? k.type : undefined;
        if (st?.k === 'struct') this.demote(`struct:${st.name}`, 'bytes are stored in its char* field: ctypes keeps them alive, cffi needs an owner chosen by hand');
        return undefined;
      }
      if (t.k === 'ptr' || t.k === 'func' || isPrim(t, 'c_void_p')) {
        if (u.type === 'none') return (r) => `${r.R(left)} = ${F}.NULL`;
        if (isPrim(t, 'c_void_p')) return (r) => `${r.R(left)} = ${r.arg(right, t)}`;
        if (t.k === 'ptr') return (r) => `${r.R(left)} = ${r.arg(right, t)}`;
      }
      if (t.k === 'struct' || t.k === 'prim') {
        const k = this.kindOf(right);
        if (t.k === 'struct' && k?.k === 'ptr' && k.inst) return (r) => `${r.R(left)} = ${r.R(right)}[0]`;
        const ctor = this.ctorType(right);
        if (ctor?.k === 'prim' && callParts(right)!.args.length === 1) return (r) => `${r.R(left)} = ${r.R(callParts(right)!.args[0]!)}`;
      }
    }
    return undefined;
  }
}

/** Folds small integer expressions (`2**32 + 7`, `-(2**32) - 5`, `1 << 20`). */
function evalInt(n: Node): bigint | undefined {
  n = unparen(n);
  if (n.type === 'integer') {
    try {
      return BigInt(n.text.replace(/_/g, ''));
    } catch {
      return undefined;
    }
  }
  if (n.type === 'unary_operator') {
    const v = evalInt(n.childForFieldName('argument')!);
    const op = n.childForFieldName('operator')?.text ?? n.text[0];
    return v === undefined ? undefined : op === '-' ? -v : op === '+' ? v : op === '~' ? ~v : undefined;
  }
  if (n.type === 'binary_operator') {
    const l = evalInt(n.childForFieldName('left')!);
    const r = evalInt(n.childForFieldName('right')!);
    const op = n.childForFieldName('operator')!.text;
    if (l === undefined || r === undefined) return undefined;
    switch (op) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '**': return r >= 0n && r < 256n ? l ** r : undefined;
      case '<<': return r >= 0n && r < 256n ? l << r : undefined;
      case '|': return l | r;
      case '&': return l & r;
      default: return undefined;
    }
  }
  return undefined;
}

/** The C types of the variadic arguments a printf/scanf format consumes, or undefined when unreadable. */
export function formatArgTypes(fmt: string, scanf: boolean): string[] | undefined {
  const out: string[] = [];
  const re = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|L|z|j|t|q)?([diouxXeEfFgGaAcspn%])/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(fmt))) {
    if (m.index !== consumed && fmt.slice(consumed, m.index).includes('%')) return undefined;
    consumed = m.index + m[0].length;
    const [, , width, prec, len = '', conv] = m;
    if (conv === '%') continue;
    if (scanf) {
      if (width === '*') continue; // assignment suppression
      out.push('void *');
      continue;
    }
    if (width === '*') out.push('int');
    if (prec === '*') out.push('int');
    const signed = 'di'.includes(conv!);
    const unsigned = 'ouxX'.includes(conv!);
    if (signed || unsigned) {
      const base = len === 'll' || len === 'q' ? 'long long' : len === 'l' ? 'long' : len === 'z' ? (signed ? 'ssize_t' : 'size_t') : len === 'j' ? 'intmax_t' : len === 't' ? 'ptrdiff_t' : 'int';
      out.push(unsigned && !['size_t', 'ptrdiff_t', 'intmax_t'].includes(base) ? `unsigned ${base}` : base === 'intmax_t' ? (signed ? 'intmax_t' : 'uintmax_t') : base);
    } else if ('eEfFgGaA'.includes(conv!)) out.push(len === 'L' ? 'long double' : 'double');
    else if (conv === 'c') out.push('int');
    else if (conv === 's') out.push(len === 'l' ? 'wchar_t *' : 'char *');
    else if (conv === 'p') out.push('void *');
    else return undefined; // %n
  }
  if (fmt.slice(consumed).includes('%')) return undefined;
  return out;
}

/** The typedefs cffi does not predefine (time_t, div_t…) that a C type spelling needs, from the prototype table. */
function typedefLines(ctype: string): string[] {
  const defs = cTypedefs();
  const out: string[] = [];
  for (const w of ctype.match(/[A-Za-z_]\w*/g) ?? []) {
    const def = defs.get(w);
    if (def !== undefined) out.push(`typedef ${def} ${w};`);
  }
  return out;
}

/** Field types ctypes and cffi read as different Python values (bytes / int / pointer objects vs cdata). */
function readsDifferently(t: CType): boolean {
  if (t.k === 'ptr') return true;
  if (t.k === 'array') return t.of.k === 'prim' && (t.of.c === 'char' || t.of.c === 'wchar_t');
  return t.k === 'prim' && ['c_char_p', 'c_wchar_p', 'c_void_p'].includes(t.ctypes);
}

function structsIn(t: CType): string[] {
  if (t.k === 'struct') return [t.name];
  if (t.k === 'ptr') return structsIn(t.to);
  if (t.k === 'array') return structsIn(t.of);
  if (t.k === 'func') return [t.ret, ...t.args].flatMap(structsIn);
  return [];
}

function protosIn(t: CType): string[] {
  if (t.k === 'func') return [...(t.proto ? [t.proto] : []), ...[t.ret, ...t.args].flatMap(protosIn)];
  if (t.k === 'ptr') return protosIn(t.to);
  if (t.k === 'array') return protosIn(t.of);
  return [];
}

/** The ctypes handle of library `name` as reached from a use spelled `at`: `obj.lib` for `self.lib` → `obj.lib_ctypes`, the handle beside it. */
function handleAt(name: string, at: string): string {
  return name.startsWith('self.') && at !== name && at.endsWith(name.slice('self'.length)) ? `${at}_ctypes` : `${name}_ctypes`;
}
