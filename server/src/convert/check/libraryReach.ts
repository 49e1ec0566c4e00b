/**
 * The output invariant's check that every `lib.x` on a converted cffi library is declared, across the modules of a
 * project and through every name the output binds to a library or to the module holding it (issue 12, principle 2):
 * `nat.lib.x`, `from .nat import lib`, `m = nat; m.lib.x` (also in a function), `helper.m.lib.x`, `C.lib.x`. A name
 * is resolved in its scope (a function's parameters and assignments hide the module's names). Pure: texts in,
 * problems with offsets in the output out.
 */
import type { Parser } from 'web-tree-sitter';
import { type FlatNode, flatRoot, walkFlat } from '../../parser/flatNode';
import { flatten } from '../../parser/flatTree';
import { type InvariantProblem, type ModuleTexts, absolute } from './outputInvariant';

// the output's flat copy, read through flatNode.ts's node-API subset: one crossing into wasm per node, not per access
type Node = FlatNode;

function unparen(n: Node): Node {
  while (n.type === 'parenthesized_expression' && n.namedChildren.length === 1) n = n.namedChildren[0]!;
  return n;
}

/** What a name or an expression refers to. */
type Ref = { module: string } | { library: string; key: string } | { cls: string; name: string };
/** What a name is bound to: a Ref, or `from m import name` (resolved when read: m's names are known only then). */
type Bound = Ref | { imported: [string, string] };

/** A function's (or the module's, key '') bindings: every name bound there, and those bound to a Ref. */
interface Scope {
  bound: Set<string>;
  globals: Set<string>;
  refs: Map<string, Bound>;
  parent: string | undefined;
}

interface ModuleFacts {
  text: ModuleTexts;
  /** cffi libraries the module defines (`lib = _ffi.dlopen(…)`, `_Library(…)`, a class body's `lib = …`), by key (`lib`, `C.lib`) */
  libraries: Set<string>;
  /** the names its libraries may answer: every word of its cdefs, and the attributes the module stores */
  declared: Set<string>;
  scopes: Map<string, Scope>;
  root: Node;
  /** every node, in document order */
  all: Node[];
}

const LIBRARY_CALL = /(^|\.)dlopen$|^_Library$/;
const FUNCTION_SCOPES = new Set(['function_definition', 'lambda']);
const PATTERNS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'tuple', 'list', 'parenthesized_expression']);
const scopeKey = (n: Node): string => `${n.startIndex}:${n.endIndex}`;
const same = (a: Node | null | undefined, b: Node): boolean => !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex;

/** The function whose names n is resolved in ('' for the module): a def's name and defaults are its enclosing scope's. */
function scopeOf(n: Node): string {
  let prev: Node = n;
  for (let p = n.parent; p; prev = p, p = p.parent) {
    if (!FUNCTION_SCOPES.has(p.type)) continue;
    if (same(p.childForFieldName('parameters'), prev) || same(p.childForFieldName('body'), prev)) {
      // a default value is evaluated outside
      if (same(p.childForFieldName('parameters'), prev) && isDefaultValue(n, prev)) continue;
      return scopeKey(p);
    }
  }
  return '';
}

function isDefaultValue(n: Node, params: Node): boolean {
  for (let c: Node | null = n; c && !same(c, params); c = c.parent) {
    const p = c.parent;
    if ((p?.type === 'default_parameter' || p?.type === 'typed_default_parameter') && same(p.childForFieldName('value'), c)) return true;
  }
  return false;
}

/** Does identifier n bind its name (a parameter, an assignment or for target, an import, a def or class name, …)? */
function binds(n: Node): boolean {
  let c: Node = n;
  let p = n.parent;
  while (p && PATTERNS.has(p.type)) {
    c = p;
    p = p.parent;
  }
  if (!p) return false;
  switch (p.type) {
    case 'assignment': case 'augmented_assignment': case 'for_statement': case 'for_in_clause':
      return same(p.childForFieldName('left'), c);
    case 'parameters': case 'lambda_parameters': case 'list_splat_pattern': case 'dictionary_splat_pattern':
      return true;
    case 'default_parameter': case 'typed_default_parameter':
      return same(p.childForFieldName('name'), c);
    case 'typed_parameter':
      return c.type === 'identifier' && !same(p.childForFieldName('type'), c);
    case 'function_definition': case 'class_definition':
      return same(p.childForFieldName('name'), c);
    case 'named_expression':
      return same(p.childForFieldName('name'), c);
    case 'as_pattern_target': case 'aliased_import':
      return true;
    case 'dotted_name':
      return p.parent?.type === 'import_statement' || p.parent?.type === 'import_from_statement';
    default:
      return false;
  }
}

function scopesOf(all: readonly Node[]): Map<string, Scope> {
  const scopes = new Map<string, Scope>([['', { bound: new Set(), globals: new Set(), refs: new Map(), parent: undefined }]]);
  for (const n of all) {
    if (FUNCTION_SCOPES.has(n.type)) scopes.set(scopeKey(n), { bound: new Set(), globals: new Set(), refs: new Map(), parent: scopeOf(n) });
  }
  for (const n of all) {
    if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
      for (const c of n.namedChildren) if (c.type === 'identifier') scopes.get(scopeOf(n))!.globals.add(c.text);
    } else if (n.type === 'identifier' && binds(n)) scopes.get(scopeOf(n))!.bound.add(n.text);
  }
  return scopes;
}

/** `name = X.dlopen(…)` / `name = _Library(…)` as a statement: the name. */
function libraryAssignment(st: Node): string | undefined {
  const a = st.type === 'expression_statement' ? st.namedChildren[0] : undefined;
  if (a?.type !== 'assignment') return undefined;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (left?.type !== 'identifier' || right?.type !== 'call') return undefined;
  return LIBRARY_CALL.test(right.childForFieldName('function')?.text ?? '') ? left.text : undefined;
}

/**
 * `lib.x` on a converted cffi library that no cdef of that library's module names and that the module does not set
 * (`lib.f = _cffi_function(…)`): an AttributeError at run time. A module that defines such a library, used as a
 * value other than `m.attr` or `y = m` (`g(nat)`, `[nat]`), hides its uses from this check: a problem too. Offsets
 * are in the output of the module that reads.
 */
export function undeclaredLibraryUses(parser: Parser, modules: readonly ModuleTexts[]): (InvariantProblem & { module: string })[] {
  const defining = modules.filter((m) => /\bdlopen\(|\b_Library\(/.test(m.output));
  if (!defining.length) return [];
  const names = new Set(modules.map((m) => m.name));
  const isModule = (n: string): boolean => names.has(n) || modules.some((m) => m.name.startsWith(`${n}.`));
  const facts = new Map<string, ModuleFacts>();
  try {
    for (const m of reaching(modules, defining)) {
      const tree = parser.parse(m.output);
      if (!tree) continue;
      try {
        if (tree.rootNode.hasError) continue;
        const root = flatRoot(flatten(tree, m.output));
        const all = [...walkFlat(root)];
        facts.set(m.name, { text: m, libraries: new Set(), declared: new Set(), scopes: scopesOf(all), root, all });
      } finally {
        tree.delete();
      }
    }
    for (const f of facts.values()) readLibraries(f);
    for (const f of facts.values()) readImports(f, isModule, facts);
    const resolve = (f: ModuleFacts, n: Node, depth = 0): Ref | undefined => {
      if (depth > 20) return undefined;
      n = unparen(n);
      if (n.type === 'identifier') {
        const r = lookup(f, n);
        return r && 'imported' in r ? memberOf({ module: r.imported[0] }, r.imported[1], depth + 1) : r;
      }
      if (n.type !== 'attribute') return undefined;
      const obj = resolve(f, n.childForFieldName('object')!, depth + 1);
      return obj ? memberOf(obj, n.childForFieldName('attribute')!.text, depth + 1) : undefined;
    };
    const memberOf = (r: Ref, name: string, depth: number): Ref | undefined => {
      if (depth > 20) return undefined;
      if ('module' in r) {
        if (isModule(`${r.module}.${name}`)) return { module: `${r.module}.${name}` };
        const own = facts.get(r.module)?.scopes.get('')!.refs.get(name);
        return own && 'imported' in own ? memberOf({ module: own.imported[0] }, own.imported[1], depth + 1) : own;
      }
      if ('cls' in r) return facts.get(r.cls)?.libraries.has(`${r.name}.${name}`) ? { library: r.cls, key: `${r.name}.${name}` } : undefined;
      return undefined;
    };
    // aliases, `y = m` (in the scope that binds y), until nothing changes; a name bound to two things is neither
    for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
      changed = false;
      for (const f of facts.values()) {
        for (const n of f.all) {
          if (n.type !== 'assignment') continue;
          const left = n.childForFieldName('left');
          const right = n.childForFieldName('right');
          if (left?.type !== 'identifier' || !right) continue;
          const s = f.scopes.get(bindingScope(f, left))!;
          if (s.refs.has(left.text)) continue;
          const r = resolve(f, right);
          if (!r) continue;
          s.refs.set(left.text, r);
          changed = true;
        }
      }
    }
    const out: (InvariantProblem & { module: string })[] = [];
    for (const f of facts.values()) {
      const problem = (offset: number, reason: string) => out.push({ module: f.text.name, offset, reason });
      for (const n of f.all) {
        if (n.type === 'attribute') {
          const r = resolve(f, n.childForFieldName('object')!);
          if (!r || !('library' in r)) continue;
          const attr = n.childForFieldName('attribute')!;
          if (attr.text.startsWith('__') || facts.get(r.library)!.declared.has(attr.text)) continue;
          problem(attr.startIndex, `${n.text} is not declared in the cdef of ${r.library} (its library ${r.key} is cffi now): an AttributeError at run time`);
        } else if (n.type === 'identifier' && !binds(n) && !isName(n)) {
          const r = lookup(f, n);
          if (!r || !('module' in r)) continue;
          const p = n.parent;
          if (p?.type === 'attribute' && same(p.childForFieldName('object'), n)) continue;
          if (p?.type === 'assignment' && same(p.childForFieldName('right'), n) && p.childForFieldName('left')?.type === 'identifier') continue; // an alias, followed above
          if (attributeLookup(n, r.module, facts)) continue;
          const reached = [...facts.values()].find((o) => o.libraries.size && (o.text.name === r.module || o.text.name.startsWith(`${r.module}.`)));
          if (reached) problem(n.startIndex, `${n.text} (the module ${r.module}) is used as a value: the check cannot tell which functions of ${reached.text.name}'s cffi libraries are reached through it`);
        }
      }
    }
    return out;
  } finally {
    facts.clear();
  }
}

/**
 * The modules that may reach a defining module's libraries: the defining ones, and (until nothing changes) every
 * module whose text names one already in, or a package of one (`from . import lib` in `pkg/api.py` names no module
 * but is relative: it reaches its own package, which a re-export may make hold the library).
 */
function reaching(modules: readonly ModuleTexts[], defining: readonly ModuleTexts[]): ModuleTexts[] {
  const words = new Set<string>();
  const inside = new Set<ModuleTexts>();
  const names = new Set<string>();
  const add = (m: ModuleTexts): void => {
    inside.add(m);
    names.add(m.name);
    for (const w of m.name.split('.')) words.add(w);
  };
  for (const m of defining) add(m);
  const wordsOf = new Map(modules.map((m) => [m, new Set(m.output.match(/[A-Za-z_]\w*/g) ?? [])]));
  const relative = new Map(modules.map((m) => [m, [...m.output.matchAll(/^[ \t]*from[ \t]+(\.+[\w.]*)[ \t]+import\b/gm)].map((x) => absolute(m.pkg, x[1]!))]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of modules) {
      if (inside.has(m)) continue;
      const ws = wordsOf.get(m)!;
      if ([...words].some((w) => ws.has(w)) || relative.get(m)!.some((t) => names.has(t))) {
        add(m);
        changed = true;
      }
    }
  }
  return modules.filter((m) => inside.has(m));
}

/** An attribute's or a keyword argument's name, or an import's: not a read of a variable. */
function isName(n: Node): boolean {
  const p = n.parent;
  if (p?.type === 'attribute' && same(p.childForFieldName('attribute'), n)) return true;
  if (p?.type === 'keyword_argument' && same(p.childForFieldName('name'), n)) return true;
  return p?.type === 'dotted_name' || p?.type === 'aliased_import' || p?.type === 'import_from_statement' || p?.type === 'import_statement';
}

/** The scope a binding of identifier n lands in (`global x` sends it to the module). */
function bindingScope(f: ModuleFacts, n: Node): string {
  const s = scopeOf(n);
  return f.scopes.get(s)!.globals.has(n.text) ? '' : s;
}

/** What identifier n reads: the nearest scope that binds its name decides (undefined when that binding is no Ref). */
function lookup(f: ModuleFacts, n: Node): Bound | undefined {
  for (let key: string | undefined = scopeOf(n); key !== undefined; ) {
    const s: Scope = f.scopes.get(key)!;
    if (key !== '' && s.globals.has(n.text)) return f.scopes.get('')!.refs.get(n.text);
    if (key === '' || s.bound.has(n.text)) return s.refs.get(n.text);
    key = s.parent;
  }
  return undefined;
}

/** The module's libraries (module level and class bodies) and every name they may answer. */
function readLibraries(f: ModuleFacts): void {
  const top = f.scopes.get('')!;
  for (const st of f.root.namedChildren) {
    const lib = libraryAssignment(st);
    if (lib) {
      f.libraries.add(lib);
      top.refs.set(lib, { library: f.text.name, key: lib });
    }
    if (st.type !== 'class_definition') continue;
    const cls = st.childForFieldName('name')!.text;
    for (const c of st.childForFieldName('body')?.namedChildren ?? []) {
      const held = libraryAssignment(c);
      if (!held) continue;
      f.libraries.add(`${cls}.${held}`);
      top.refs.set(cls, { cls: f.text.name, name: cls });
    }
  }
  if (!f.libraries.size) return;
  for (const n of f.all) {
    if (n.type === 'call' && /(^|\.)cdef$/.test(n.childForFieldName('function')?.text ?? '')) {
      for (const w of n.childForFieldName('arguments')?.text.match(/[A-Za-z_]\w*/g) ?? []) f.declared.add(w);
    } else if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'attribute') {
      f.declared.add(n.childForFieldName('left')!.childForFieldName('attribute')!.text);
    }
  }
  for (const k of ['_name', '_cffi_lib']) f.declared.add(k);
}

/** The names the module's imports bind to project modules, and to what other modules define (resolved when read). */
function readImports(f: ModuleFacts, isModule: (n: string) => boolean, facts: ReadonlyMap<string, ModuleFacts>): void {
  for (const n of f.all) {
    if (n.type !== 'import_statement' && n.type !== 'import_from_statement') continue;
    const refs = f.scopes.get(scopeOf(n))!.refs;
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
        if (!isModule(name)) continue;
        if (c.type === 'aliased_import') refs.set(c.childForFieldName('alias')!.text, { module: name });
        else refs.set(name.split('.')[0]!, { module: name.split('.')[0]! });
      }
      continue;
    }
    const from = absolute(f.text.pkg, n.childForFieldName('module_name')?.text ?? '');
    for (const c of n.namedChildren.slice(1)) {
      if (c.type === 'wildcard_import') {
        for (const k of facts.get(from)?.libraries ?? []) if (!k.includes('.')) refs.set(k, { library: from, key: k });
        continue;
      }
      if (c.type !== 'dotted_name' && c.type !== 'aliased_import') continue;
      const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : name;
      refs.set(local, isModule(`${from}.${name}`) ? { module: `${from}.${name}` } : { imported: [from, name] });
    }
  }
}

/** `getattr(m, "name")` / `getattr(m, "prefix" + x)` (or hasattr) by a name no library, class holding one or module of m can have. */
function attributeLookup(n: Node, m: string, facts: ReadonlyMap<string, ModuleFacts>): boolean {
  const call = n.parent?.type === 'argument_list' ? n.parent.parent : null;
  const callee = call?.childForFieldName('function')?.text;
  const args = n.parent?.namedChildren ?? [];
  if ((callee !== 'getattr' && callee !== 'hasattr') || !same(args[0], n) || !args[1]) return false;
  const arg = unparen(args[1]);
  const literal = (x: Node | null | undefined): string | undefined => (x?.type === 'string' && !/^[a-zA-Z]*[bBfF]/.test(x.text) ? /^[rRuU]?(['"])([A-Za-z_0-9]*)\1$/.exec(x.text)?.[2] : undefined);
  const exact = literal(arg);
  const prefix = exact ?? (arg.type === 'binary_operator' && arg.childForFieldName('operator')?.text === '+' ? literal(arg.childForFieldName('left')) : undefined);
  if (prefix === undefined) return false;
  const reachable: string[] = [];
  for (const [name, f] of facts) {
    if (name.startsWith(`${m}.`)) reachable.push(name.slice(m.length + 1).split('.')[0]!);
    if (name === m) {
      for (const k of f.libraries) reachable.push(k.split('.')[0]!);
      for (const [k, r] of f.scopes.get('')!.refs) if ('module' in r) reachable.push(k);
    }
  }
  return !reachable.some((k) => (exact !== undefined ? k === exact : k.startsWith(prefix)));
}
