/**
 * The core of the per-file rewrite: the state one round shares (what the plan converted, the kinds of values,
 * what is left for a human, what the next round must keep in ctypes) and the render loop. The stages run in
 * this order (convertFile.ts drives them): plan (plan.ts) → kinds (kinds.ts) → render (rules by construct,
 * dispatched in findRule) → what must stay ctypes next round (staysCtypes.ts). Each rule is a function from a
 * syntax node to its new text; rules compose (an argument is rendered by the rules that apply to it), and the
 * edits handed out are the outermost rewritten nodes, so they never overlap and everything else keeps its text.
 */
import type { Language, Node } from 'web-tree-sitter';
import { typeIds } from '../../parser/flatTree';
import { InputNode } from '../inputTree';
import { type CtypesProgram, type FunctionDecl, assignmentOf } from '../readCtypes';
import { SpanSet } from '../spanSet';
import { dotted, keyOf, statementOf } from '../syntax';
import type { CType } from '../typeNames';
import { inferKinds, kindOf, scopeKeyFor } from './kinds';
import { planDeclarations } from './plan';
import { propagateCtypes } from './staysCtypes';
import { errnoRefusal } from './errno';
import { handleRule } from './libraries';
import { callRule } from './calls';
import { itemConverter } from './buffers';
import { attributeRule, subscriptRule, assignmentRule, augmentedAssignmentRule } from './attributes';
import { decoratorRule } from './callbacks';

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

export type Helper = 'string' | 'address' | 'voidp' | 'result' | 'pointerArray' | 'integer';

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
  readonly kinds = new Map<string, Kind | 'conflict'>();
  readonly computing = new Set<string>();
  readonly identityErrchecks = new Map<string, boolean>();
  /** Defs decorated with a callback prototype, by name. */
  readonly decoratedCallbacks = new Map<string, Node>();
  readonly ruleCache = new Map<string, ((r: Rewriter) => string) | null>();
  readonly assignedIn = new Map<string, Set<string>>();
  readonly humanKeys = new Set<string>();
  /** Variables some assignment gives a ctypes value (a kind); with conflicting kinds, each stays ctypes. */
  readonly typed = new Set<string>();

  /** Things asked to stay in ctypes by an earlier round (token → why): `struct:S`, `fn:lib\0f`, `var:scope|x`, `proto:P`, `stmt:key`. */
  readonly requests = new Map<string, string>();
  /** Libraries that keep a ctypes handle, for the functions that stay in ctypes. */
  readonly handles = new Set<string>();
  /** Nodes whose code stays ctypes this round (keyOf), with everything inside them. */
  readonly frozen = new Set<string>();
  /** Argument lists of calls to functions that stay ctypes: their ctypes needs no TODO of its own (the function's says why). */
  readonly ctypesArguments: [number, number][] = [];
  /** `ctypesArguments` as a SpanSet, caught up with it at each question. */
  private argumentSpans?: { set: SpanSet; count: number };

  /** Functions planFunction has decided on (plan.ts). */
  readonly planned = new Set<FunctionDecl>();
  /** Kinds of function parameters, inferred from the call sites of module-level functions (kinds.ts). */
  readonly paramSeeds = new Map<string, Kind | 'conflict'>();
  /** Callback defs that got their parameter prologue (callbacks.ts). */
  readonly prologueDefs = new Set<string>();
  /** Calls `P(func)` of a prototype whose callback needs no prologue (callbacks.ts). */
  readonly plainCallbacks = new Set<string>();
  /** The ctypes.get_errno/set_errno calls rewritten to ffi.errno (errno.ts). */
  readonly errnoRewritten = new Set<string>();
  errnoPolicyCache?: { keep?: string; refuse?: string };

  /** Is this offset inside the arguments of a call that stays ctypes? */
  inCtypesArguments(offset: number): boolean {
    // one binary search per question (a leftover per ctypes name in the draft), the set caught up with what was pushed
    const seen = (this.argumentSpans ??= { set: new SpanSet(), count: 0 });
    for (; seen.count < this.ctypesArguments.length; seen.count++) seen.set.add(...this.ctypesArguments[seen.count]!);
    return seen.set.has(offset);
  }

  constructor(readonly p: CtypesProgram, readonly ffi: string, readonly apiMode = false, readonly demoted: ReadonlyMap<string, string> = new Map()) {}

  /** Asks the next round to keep something in ctypes. */
  demote(token: string, reason: string): void {
    if (!this.demoted.has(token) && !this.requests.has(token)) this.requests.set(token, reason);
  }

  // ---------------------------------------------------------------- the stages, in the order convertFile runs them

  /** Decides what is converted: struct classes, prototypes, function signatures (plan.ts). Call once, first. */
  plan(): void {
    planDeclarations(this);
  }

  /** Records the kinds of assigned variables (kinds.ts). Call after plan(). */
  collectKinds(): void {
    inferKinds(this);
  }

  /** After a round: what else must stay in ctypes because it touches something that stays (staysCtypes.ts). */
  propagate(): void {
    propagateCtypes(this);
  }

  /** Why the file cannot convert for its errno reads, if it cannot (errno.ts). */
  errnoRefusal(): string | undefined {
    return errnoRefusal(this);
  }

  isFrozen(n: Node): boolean {
    if (!this.frozen.size) return false;
    // up the flat copy's parents: no `Node` per ancestor (the render asks this of every node)
    const input = this.p.input;
    const i = input.indexOf(n);
    if (i < 0) {
      for (let p: Node | null = n; p; p = p.parent) if (this.frozen.has(keyOf(p))) return true;
      return false;
    }
    return this.isFrozenAt(i);
  }

  /** isFrozen of the node at flat index i of the input. */
  isFrozenAt(i: number): boolean {
    if (!this.frozen.size) return false;
    const input = this.p.input;
    for (let p = i; p >= 0; p = input.parent(p)) if (this.frozen.has(input.keyAt(p))) return true;
    return false;
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

  /** The kind a name holds at this use, if all its assignments agree. */
  varKind(n: Node): Kind | undefined {
    const name = dotted(n);
    if (!name) return undefined;
    const key = scopeKeyFor(this, n, name);
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
    return (name ? this.demoted.get(`var:${scopeKeyFor(this, a!.node, name)}`) : undefined) ?? this.demoted.get(`stmt:${keyOf(st)}`);
  }

  /** The kind a variable would have if it were converted (demoted or not), and its token. */
  rawVar(n: Node): { token: string; kind?: Kind } | undefined {
    const name = dotted(n);
    if (!name || !(n.type === 'identifier' || name.startsWith('self.'))) return undefined;
    const key = scopeKeyFor(this, n, name);
    const k = this.kinds.get(key);
    if (k === 'conflict' && this.typed.has(key)) return { token: `var:${key}` };
    return k && k !== 'conflict' && k.k !== 'addr' ? { token: `var:${key}`, kind: k } : undefined;
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
    const i = this.flatIndexOf(n);
    if (i >= 0) return this.spliceAt(i);
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
    const i = this.flatIndexOf(n);
    if (i >= 0) return this.changesAt(i);
    if (this.ruleFor(n)) return true;
    return n.children.some((c) => this.changes(c));
  }

  /** The outermost rewritten nodes under root: the edits to hand out. */
  collectEdits(root: Node, out: { start: number; end: number; newText: string }[]): void {
    const i = this.flatIndexOf(root);
    if (i >= 0) return this.collectEditsAt(i, out);
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

  // The same walks on the input's flat copy: a `Node` is made only for the nodes a rule can match (ruleCandidates),
  // so the render reads every other node from typed arrays instead of crossing into wasm for its type, key and children.

  private collectEditsAt(i: number, out: { start: number; end: number; newText: string }[]): void {
    const input = this.p.input;
    // a key only when something may be deleted or replaced here: a file that keeps everything ctypes makes none per node
    if (this.deleted.size || this.replaced.size) {
      const key = input.keyAt(i);
      if (this.deleted.has(key) || this.replaced.has(key)) return;
    }
    const rule = this.ruleAt(i);
    const { start, end, after } = input.flat;
    if (rule) {
      const text = rule(this);
      if (text !== this.p.text.slice(start[i], end[i])) out.push({ start: start[i]!, end: end[i]!, newText: text });
      return;
    }
    for (let c = i + 1; c < after[i]!; c = after[c]!) this.collectEditsAt(c, out);
  }

  private spliceAt(i: number): string {
    const { start, end, after } = this.p.input.flat;
    let out = '';
    let at = start[i]!;
    for (let c = i + 1; c < after[i]!; c = after[c]!) {
      if (!this.changesAt(c)) continue;
      const rule = this.ruleAt(c);
      out += this.p.text.slice(at, start[c]) + (rule ? rule(this) : this.spliceAt(c));
      at = end[c]!;
    }
    return out + this.p.text.slice(at, end[i]);
  }

  private changesAt(i: number): boolean {
    if (this.ruleAt(i)) return true;
    const after = this.p.input.flat.after;
    for (let c = i + 1; c < after[i]!; c = after[c]!) if (this.changesAt(c)) return true;
    return false;
  }

  /** ruleFor of the node at flat index i: none without asking for a node whose type no rule reads. */
  private ruleAt(i: number): ((r: Rewriter) => string) | undefined {
    const input = this.p.input;
    const candidates = (this.candidates ??= ruleCandidates(input.flat.language));
    if (!candidates.types[input.flat.type[i]!]) {
      const p = input.flat.parent[i]!;
      if (p < 0 || !candidates.parents[input.flat.type[p]!]) return undefined;
    }
    const key = input.keyAt(i);
    if (this.ruleCache.has(key)) return this.ruleCache.get(key) ?? undefined;
    return this.ruleFor(input.node(i), key, i);
  }

  /**
   * The flat index of a node of the input tree, or -1 (another tree's node, or a web-tree-sitter Node whose first child
   * has its span and type, which indexOf cannot tell apart): those take the node-API walk.
   */
  private flatIndexOf(n: Node): number {
    const input = this.p.input;
    const i = input.indexOf(n);
    if (i < 0 || n instanceof InputNode) return i;
    const { start, end, type, after } = input.flat;
    const c = i + 1;
    if (c < after[i]! && start[c] === start[i] && end[c] === end[i] && type[c] === type[i]) return -1;
    return i;
  }

  private candidates?: RuleCandidates;

  /** The rule for n, computed once per node (by key); `at` is its flat index when the caller knows it. */
  private ruleFor(n: Node, key = keyOf(n), at?: number): ((r: Rewriter) => string) | undefined {
    if (this.ruleCache.has(key)) return this.ruleCache.get(key) ?? undefined;
    this.ruleCache.set(key, null);
    const frozen = at === undefined ? this.isFrozen(n) : this.isFrozenAt(at);
    const rule = frozen ? handleRule(this, n) : handleRule(this, n) ?? findRule(this, n);
    this.ruleCache.set(key, rule ?? null);
    return rule;
  }

  q(s: string): string {
    return JSON.stringify(s);
  }

  get F(): string {
    return this.ffi;
  }
}

/** The node types findRule and handleRule can answer for (by type id), and the parents whose every child they may (a `for` loop's iterable). */
interface RuleCandidates {
  types: Uint8Array;
  parents: Uint8Array;
}

const RULE_TYPES = ['identifier', 'attribute', 'call', 'subscript', 'decorator', 'assignment', 'augmented_assignment'];
const candidateTables = new WeakMap<Language, RuleCandidates>();
function ruleCandidates(language: Language): RuleCandidates {
  let t = candidateTables.get(language);
  if (!t) {
    t = { types: new Uint8Array(65536), parents: new Uint8Array(65536) };
    // every id spelled so, named or not: findRule reads the type's name
    for (const name of RULE_TYPES) for (const id of typeIds(language, name)) t.types[id] = 1;
    for (const id of typeIds(language, 'for_statement')) t.parents[id] = 1;
    candidateTables.set(language, t);
  }
  return t;
}

export function findRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  if ((n.type === 'identifier' || n.type === 'attribute') && rw.p.ctypesName(n) === 'ArgumentError' && !(n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.startIndex === n.startIndex)) {
    // cffi rejects a wrongly typed argument with TypeError where ctypes raised ArgumentError
    let p = n.parent;
    while (p && (p.type === 'tuple' || p.type === 'parenthesized_expression' || p.type === 'as_pattern')) p = p.parent;
    if (p?.type === 'except_clause') return () => 'TypeError';
  }
  if (n.parent?.type === 'for_statement' && n.parent.childForFieldName('right')?.startIndex === n.startIndex && n.parent.childForFieldName('right')?.endIndex === n.endIndex) {
    const k = kindOf(rw, n);
    const conv = k?.k === 'array' ? itemConverter(rw, k.of) : undefined;
    if (conv) return (r) => { if (conv !== 'float') r.helpers.add(conv === '_address_or_none' ? 'address' : 'string'); return `map(${conv}, ${r.splice(n)})`; };
  }
  switch (n.type) {
    case 'call':
      return callRule(rw, n);
    case 'attribute':
      return attributeRule(rw, n);
    case 'subscript':
      return subscriptRule(rw, n);
    case 'decorator':
      return decoratorRule(rw, n);
    case 'assignment':
      return assignmentRule(rw, n);
    case 'augmented_assignment':
      return augmentedAssignmentRule(rw, n);
    default:
      return undefined;
  }
}
