/**
 * Stage A, libraries held by a class or its one instance: `class C: lib = CDLL(…)` (key `C.lib`) and
 * `self.lib = CDLL(…)` in `C.__init__` with one module-level `obj = C(…)` (key `obj.lib`). The ways the code
 * reaches them: `lib` in the class body, `self.lib`/`cls.lib` in C's methods, `C.lib`, `obj.lib`, and from
 * other modules `m.C.lib`, `m.obj.lib`, `from m import obj` then `obj.lib`. Any other `X.lib` (another object,
 * a subclass, a second binding) is a refusal (`refuseUnresolvedHeld`): the plan could not see which library it is.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, dotted } from '../../syntax';
import { isTarget } from './syntax';
import type { ModulePlanner } from './planner';
import type { Library } from './libraries';
import type { ForeignDecl } from './planner';

export interface Holder {
  cls: string;
  attr: string;
  /** The module-level name of the class's one instance, for an instance attribute. */
  instance?: string;
  /** `obj = C(…)`: the instance's declarations in `__init__` have run once it ends. */
  instantiation?: Node;
  /** The block of `__init__` that loads the library. */
  init?: Node;
}

const classOf = (pl: ModulePlanner, name: string): Node | undefined => {
  const defs = pl.mod.root.namedChildren.filter((c) => c.type === 'class_definition' && c.childForFieldName('name')!.text === name);
  return defs.length === 1 ? defs[0] : undefined;
};

/** The module-level class whose body (or method, with its first parameter) n is in. */
function enclosingClass(n: Node): { cls: Node; method?: Node; self?: string } | undefined {
  let method: Node | undefined;
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'class_definition') {
      if (p.parent?.type !== 'module') return undefined;
      if (!method) return { cls: p };
      const first = method.childForFieldName('parameters')?.namedChildren[0];
      return { cls: p, method, self: first?.type === 'identifier' ? first.text : undefined };
    }
    if (p.type === 'function_definition' || p.type === 'lambda') {
      if (method) return undefined; // a nested function: its `self` is another name
      method = p;
      // a method: a function directly in the class body
      if (p.parent?.type !== 'block' || p.parent.parent?.type !== 'class_definition') {
        if (p.parent?.type !== 'decorated_definition' || p.parent.parent?.type !== 'block' || p.parent.parent.parent?.type !== 'class_definition') return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The holder of a library loaded by `left = CDLL(…)`, when left is `lib` in a module-level class body or
 * `self.lib` in that class's `__init__`: its key, or a refusal reason.
 */
export function holderOfLoad(pl: ModulePlanner, left: Node, st: Node): { key: string; holder: Holder } | string | undefined {
  if (left.type === 'identifier' && st.parent?.parent?.type === 'class_definition') {
    const cls = st.parent.parent;
    const name = cls.childForFieldName('name')!.text;
    if (cls.parent?.type !== 'module' || classOf(pl, name)?.id !== cls.id) return `${left.text} is loaded in the body of a class that is not defined once at module level`;
    return { key: `${name}.${left.text}`, holder: { cls: name, attr: left.text } };
  }
  if (left.type !== 'attribute') return undefined;
  const obj = left.childForFieldName('object')!;
  const at = enclosingClass(left);
  if (obj.type !== 'identifier' || !at?.method || obj.text !== at.self) return undefined;
  const cls = at.cls.childForFieldName('name')!.text;
  const attr = left.childForFieldName('attribute')!.text;
  if (classOf(pl, cls)?.id !== at.cls.id) return `${left.text} is loaded in a class that is not defined once at module level`;
  if (at.method.childForFieldName('name')?.text !== '__init__' || st.parent?.id !== at.method.childForFieldName('body')?.id) return `${left.text} is loaded outside the body of ${cls}.__init__: the plan follows an instance's library loaded when it is made`;
  // the one instance: `obj = C(…)` at module level, and no other call of C in the module
  const made = pl.mod.root.namedChildren.filter((s) => {
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
    const c = a?.type === 'assignment' ? callParts(a.childForFieldName('right')!) : undefined;
    return a?.childForFieldName('left')?.type === 'identifier' && c?.callee.type === 'identifier' && c.callee.text === cls;
  });
  const calls = (pl.nodes.identifiers.get(cls) ?? []).filter((i) => i.parent?.type === 'call' && i.parent.childForFieldName('function')?.id === i.id);
  if (made.length !== 1 || calls.length !== 1) return `${left.text} is an instance's library and ${cls} is made ${calls.length === 1 ? 'elsewhere than' : `${calls.length} times, not once`} as \`obj = ${cls}(…)\` at module level: the plan follows the library of one instance`;
  const instance = made[0]!.namedChildren[0]!.childForFieldName('left')!.text;
  const rebound = (pl.nodes.identifiers.get(instance) ?? []).filter((i) => isTarget(i)).length !== 1 || pl.b.fromImports.has(instance);
  if (rebound) return `${instance}, the instance holding ${left.text}, is bound more than once: the plan follows the library of one instance`;
  return { key: `${instance}.${attr}`, holder: { cls, attr, instance, instantiation: made[0], init: st.parent! } };
}

/** The key of a held library of this module that n names (`self.lib`, `C.lib`, `obj.lib`, `lib` in C's body), if any. */
export function heldKeyOf(pl: ModulePlanner, n: Node): string | undefined {
  if (!pl.held.size) return undefined;
  if (n.type === 'identifier') {
    // `lib` in the class body itself (not in its methods: a class scope does not enclose them)
    const at = enclosingClass(n);
    const key = at && !at.method ? `${at.cls.childForFieldName('name')!.text}.${n.text}` : undefined;
    return key && pl.held.get(key) && !pl.held.get(key)!.instance ? key : undefined;
  }
  if (n.type !== 'attribute') return undefined;
  const obj = n.childForFieldName('object')!;
  const attr = n.childForFieldName('attribute')!.text;
  if (obj.type !== 'identifier') return undefined;
  const direct = `${obj.text}.${attr}`;
  const h = pl.held.get(direct);
  // `C.lib` for a class attribute, `obj.lib` for the instance's (a local of that name is another object)
  if (h && (!h.instance || !shadowedIn(pl, obj))) return direct;
  const at = enclosingClass(n);
  if (!at?.method || obj.text !== at.self) return undefined;
  const cls = at.cls.childForFieldName('name')!.text;
  for (const [key, held] of pl.held) if (held.cls === cls && held.attr === attr) return key;
  return undefined;
}

/** Is the identifier a local of its function (assigned or a parameter there)? */
function shadowedIn(pl: ModulePlanner, id: Node): boolean {
  let fn: Node | undefined;
  for (let p = id.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') fn = fn ?? p;
  if (!fn) return false;
  return (pl.nodes.identifiers.get(id.text) ?? []).some((i) => i.startIndex >= fn!.startIndex && i.endIndex <= fn!.endIndex && (isTarget(i) || i.parent?.type === 'parameters' || i.parent?.type === 'default_parameter' || i.parent?.type === 'typed_parameter'));
}

/** The nodes of this module that name a held library. */
export function heldNodes(pl: ModulePlanner, lib: Library): Node[] {
  const h = pl.held.get(lib.key);
  if (!h) return [];
  return [...(pl.nodes.identifiers.get(h.attr) ?? []), ...attributesNamed(pl, h.attr)].filter((n) => heldKeyOf(pl, n) === lib.key).sort((a, b) => a.startIndex - b.startIndex);
}

/** The module's attribute nodes `X.name` (the plan's index leaves attribute names out): found by their text, then their node. */
export function attributesNamed(pl: ModulePlanner, name: string): Node[] {
  const out: Node[] = [];
  const word = new RegExp(`\\.\\s*(${name})(?![A-Za-z0-9_])`, 'g');
  for (const m of pl.mod.text.matchAll(word)) {
    const at = m.index! + m[0].length - name.length;
    const id = pl.mod.root.descendantForIndex(at, at + name.length);
    const p = id?.parent;
    if (id?.type === 'identifier' && p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) out.push(p);
  }
  return out;
}

/**
 * In every module, an `X.lib` (lib the attribute name of a held library anywhere in the project) that names no
 * library the plan knows, or that binds one again, is a refusal: it may be the held library reached another way.
 */
export function refuseUnresolvedHeld(pl: ModulePlanner, resolves: (n: Node) => boolean): void {
  const attrs = new Map<string, string>();
  for (const o of pl.project.planners.values()) for (const [key, h] of o.held) attrs.set(h.attr, `${o.mod.name}.${key}`);
  for (const [attr, where] of attrs) {
    for (const p of attributesNamed(pl, attr)) {
      const load = [...pl.libraries.values()].some((l) => l.statement.startIndex <= p.startIndex && p.endIndex <= l.statement.endIndex);
      if (load) continue;
      if (isTarget(p)) pl.refuse(p, `${p.text} binds an attribute named like the library ${where} again: the plan follows a held library bound once`);
      else if (!resolves(p)) pl.refuse(p, `${p.text} may be the library ${where} reached another way (another object, a subclass), which the plan does not follow`);
    }
  }
}

/** Names a class body binds that would change what `self.f = …` stores or what `obj.f` reads back. */
const ATTRIBUTE_HOOKS = new Set(['__setattr__', '__getattr__', '__getattribute__', '__slots__', '__dict__', '__delattr__']);

/**
 * `self.f = self.lib.f` (or `getattr(self.lib, "f")`, `self.lib["f"]`, `P(("f", self.lib))`) in the body of `C.__init__`,
 * self.lib a library of C's one instance `obj`: the instance's function, key `obj.f`, when nothing else could make
 * `obj.f` read another object: C has no base class, its body binds neither `f` nor an attribute hook, and the module
 * binds `X.f` only here. Undefined otherwise (the statement stays what the library checks make of it).
 */
export function instanceFunctionKey(pl: ModulePlanner, left: Node, block: Node): string | undefined {
  if (left.type !== 'attribute' || !pl.held.size) return undefined;
  const obj = left.childForFieldName('object')!;
  const name = left.childForFieldName('attribute')!.text;
  const h = [...pl.held.values()].find((x) => x.instance && x.init?.id === block.id);
  const at = h ? enclosingClass(left) : undefined;
  if (!h || !at?.method || obj.type !== 'identifier' || obj.text !== at.self) return undefined;
  if ([...pl.held.values()].some((x) => x.attr === name)) return undefined;
  const bases = at.cls.childForFieldName('superclasses');
  if (bases && bases.namedChildren.some((b) => b.text !== 'object')) return undefined;
  for (const st of at.cls.childForFieldName('body')!.namedChildren) {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    const bound = def?.type === 'function_definition' || def?.type === 'class_definition' ? [def.childForFieldName('name')!.text] : st.type === 'expression_statement' && st.namedChildren[0]?.type === 'assignment' ? [st.namedChildren[0].childForFieldName('left')!.text] : [];
    if (bound.some((b) => b === name || ATTRIBUTE_HOOKS.has(b))) return undefined;
  }
  if (attributesNamed(pl, name).filter((p) => isTarget(p)).length !== 1) return undefined;
  return `${h.instance}.${name}`;
}

/**
 * The instance function an attribute names, `obj.f` for a key of instanceFunctionKey: `obj.f` or `self.f` (in C's
 * methods) in obj's module, `m.obj.f`, `pkg.m.obj.f`, or `obj.f` after `from m import obj`.
 */
export function instanceFunctionAt(pl: ModulePlanner, n: Node): ForeignDecl | undefined {
  if (n.type !== 'attribute') return undefined;
  const obj = n.childForFieldName('object')!;
  const name = n.childForFieldName('attribute')!.text;
  const get = (owner: ModulePlanner | undefined, instance: string): ForeignDecl | undefined => owner?.instanceFunctions.get(`${instance}.${name}`);
  if (obj.type === 'identifier') {
    const at = enclosingClass(n);
    if (at?.method && obj.text === at.self) {
      const cls = at.cls.childForFieldName('name')!.text;
      const h = [...pl.held.values()].find((x) => x.cls === cls && x.instance);
      return h ? get(pl, h.instance!) : undefined;
    }
    if (shadowedIn(pl, obj)) return undefined;
    const own = get(pl, obj.text);
    if (own) return own;
    // `from m import obj`, unless this module binds obj again
    const imp = pl.b.fromImports.get(obj.text);
    return imp && !pl.b.assigned.has(obj.text) ? get(pl.project.planner(imp[0]), imp[1]) : undefined;
  }
  const d = dotted(obj);
  const [head, ...rest] = d?.split('.') ?? [];
  const mod = head ? pl.b.modules.get(head) : undefined;
  if (!mod || !rest.length) return undefined;
  return get(pl.project.planner([mod, ...rest.slice(0, -1)].join('.')), rest[rest.length - 1]!);
}

/**
 * In every module, `X.f` for an instance function's name f: binding it again, or its argtypes, restype or errcheck
 * outside the declaration, is a refusal: after conversion `obj.f` is a converted function, not a ctypes one.
 */
export function refuseInstanceFunctionAttributes(pl: ModulePlanner, inDeclaration: (n: Node) => boolean): void {
  const names = new Map<string, string>();
  for (const o of pl.project.planners.values()) for (const key of o.instanceFunctions.keys()) names.set(key.split('.')[1]!, `${o.mod.name}.${key}`);
  for (const [name, where] of names) {
    for (const p of attributesNamed(pl, name)) {
      if (inDeclaration(p)) continue;
      const up = p.parent;
      const attr = up?.type === 'attribute' && up.childForFieldName('object')?.id === p.id ? up.childForFieldName('attribute')!.text : undefined;
      if (isTarget(p)) pl.refuse(p, `${p.text} binds an attribute named like the converted function ${where} again: the plan follows an instance's function bound once`);
      else if (attr === 'argtypes' || attr === 'restype' || attr === 'errcheck') pl.refuse(up!, `${up!.text}: ${where} is a converted function (called as ctypes called it), not a ctypes function object, so its ${attr} would be lost`);
    }
  }
}
