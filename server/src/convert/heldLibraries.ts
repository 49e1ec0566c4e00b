/**
 * Libraries held by a class or its instances, for the single-file engine: `class C: X = CDLL(…)` (a class
 * attribute) and `self.X = CDLL(…)` in a method of C (an instance attribute). Each way the code reaches the
 * holder — `X` in the class body, `self.X`/`cls.X` in C and its subclasses, `C.X`, `obj.X` for `obj = C(…)` —
 * is registered as a name of the same library; anything else that reads or binds an attribute `X` makes the
 * library stay ctypes (`human`), since the plan could not see which object it holds then.
 */
import type { CtypesProgram, Library } from './readCtypes';
import type { InputTree } from './inputTree';

/** Scopes a bare name in a class body does not reach (a class scope does not enclose them). */
const INNER_SCOPES = new Set(['function_definition', 'lambda', 'class_definition', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** Registers the names of class- and instance-held libraries; `attributes` are the flat indices of every attribute node. */
export function readHeldLibraries(t: InputTree, program: CtypesProgram, statements: readonly number[], attributes: readonly number[]): void {
  const f = t.f;
  const held = [...program.libraries].filter(([name, lib]) => lib.name === name && !lib.handle).map(([, lib]) => holderOf(t, lib)).filter((h) => h !== undefined);
  if (!held.length) return;
  const classes = classesByName(t);
  for (const h of held) {
    const { lib, attr, cls, className } = h;
    if (!className || classes.get(className)!.length !== 1) {
      lib.human ??= `${lib.name} is held by a class whose name is bound more than once, which the converter does not follow`;
      continue;
    }
    const family = subclassesOf(t, classes, className);
    const instances = instancesOf(t, statements, family);
    const libStatement = t.indexOf(lib.statement);
    const libLeft = t.assignmentOf(libStatement)!.left;
    for (const n of attributes) {
      const attrNode = t.field(n, f.attribute);
      if (attrNode < 0 || t.textOf(attrNode) !== attr || n === libLeft) continue;
      const obj = t.field(n, f.object);
      const ref = t.textOf(n);
      if (t.isStoreTarget(n)) {
        lib.human ??= `${ref} is bound again (${statementText(t, n)}): the converter follows a library attribute bound once`;
        continue;
      }
      if (t.type(obj) !== 'identifier') {
        lib.human ??= `${lib.name} may also be reached as ${ref}, which the converter does not follow`;
        continue;
      }
      const objText = t.textOf(obj);
      const inFamily = (): boolean => {
        const c = t.enclosingAt(n, 'class_definition');
        return c >= 0 && family.has(t.textOf(t.field(c, f.name)));
      };
      const known = objText === 'self' || objText === 'cls' ? inFamily() : family.has(objText) ? h.kind === 'classattr' : instances.has(objText) && !shadowed(t, n, objText);
      if (!known) {
        lib.human ??= `${lib.name} may also be reached as ${ref}, which the converter does not follow`;
        continue;
      }
      const use = valueUse(t, n);
      if (use) lib.human ??= `${ref} is used as a value (${use}): a cffi library has only the functions its cdef declares, looked up by name`;
      if (!program.libraries.has(ref)) program.libraries.set(ref, lib);
      else if (program.libraries.get(ref) !== lib) lib.human ??= `${ref} may name another library too`;
    }
    if (h.kind === 'classattr') {
      // a bare `X` outside the class body is another variable (a module name, a method's local): the key would be shared
      for (const id of t.identifiersNamed(attr)) {
        const i = t.indexOf(id);
        if (t.type(t.parent(i)) === 'attribute' && t.field(t.parent(i), f.attribute) === i) continue;
        let scope = t.parent(i);
        while (scope >= 0 && !INNER_SCOPES.has(t.type(scope))) scope = t.parent(scope);
        if (scope !== cls) {
          lib.human ??= `${attr} is also a name outside the body of class ${className} (${statementText(t, i)}), which the converter does not tell apart from the class attribute`;
          break;
        }
        if (t.isStoreTarget(i) && t.start(i) !== t.start(libLeft)) {
          lib.human ??= `${attr} is bound again in the body of class ${className} (${statementText(t, i)})`;
          break;
        }
        const use = i === libLeft ? undefined : valueUse(t, i);
        if (use) {
          lib.human ??= `${attr} is used as a value (${use}): a cffi library has only the functions its cdef declares, looked up by name`;
          break;
        }
      }
    }
  }
}

/**
 * How a reference to the library is used when it is not `ref.f` (nor `getattr(ref, "f")`, `hasattr(ref, …)`,
 * nor a plain alias `lib = ref`): the text around it, or undefined. `getattr(self._lib, name)` with a computed
 * name is such a use; so is handing the library to a function.
 */
function valueUse(t: InputTree, i: number): string | undefined {
  const f = t.f;
  const p = t.parent(i);
  const pt = t.type(p);
  if (pt === 'attribute' && t.field(p, f.object) === i) return undefined;
  if (pt === 'assignment' && t.field(p, f.right) === i && ['identifier', 'attribute'].includes(t.type(t.field(p, f.left)))) return undefined;
  // `lib["f"]`: a lookup by a literal name, as for a library bound to a name (calledFunction, desugar.ts)
  if (pt === 'subscript' && t.field(p, f.value) === i && t.stringLiteral(t.field(p, f.subscript))) return undefined;
  // `P(("f", ref))`: a prototype applied to a symbol of the library (the rewrite's own rule, plan.ts paramflagsUse)
  if (pt === 'tuple' && t.named(p).length === 2 && t.named(p)[1] === i && t.stringLiteral(t.named(p)[0]!) && t.type(t.parent(t.parent(p))) === 'call') return undefined;
  if (pt === 'argument_list') {
    const call = t.parent(p);
    const callee = t.dotted(t.field(call, f.function));
    const args = t.named(p);
    if (args[0] === i && callee === 'hasattr') return undefined;
    if (args[0] === i && callee === 'getattr' && args.length === 2 && t.stringLiteral(args[1]!)) return undefined;
    // `T.in_dll(ref, "name")`: a variable of the library, declared `extern` (rewrite/buffers.ts)
    if (args[0] === i && callee?.endsWith('.in_dll') && args.length === 2 && t.stringLiteral(args[1]!)) return undefined;
    return t.textOf(call).slice(0, 60);
  }
  return t.textOf(p).slice(0, 60);
}

interface Holder {
  lib: Library;
  kind: 'classattr' | 'instance';
  /** The attribute the library is held in (`_lib`). */
  attr: string;
  /** The flat index of the holding class. */
  cls: number;
  className: string | undefined;
}

/** `X = CDLL(…)` directly in a class body, or `self.X = CDLL(…)` in a method: the holder; else undefined. */
function holderOf(t: InputTree, lib: Library): Holder | undefined {
  const st = t.indexOf(lib.statement);
  if (st < 0) return undefined;
  const parts = lib.name.split('.');
  if (parts.length === 1) {
    const block = t.parent(st);
    const cls = t.parent(block);
    if (cls < 0 || t.type(cls) !== 'class_definition') return undefined;
    return { lib, kind: 'classattr', attr: lib.name, cls, className: nameOf(t, cls) };
  }
  if (parts.length !== 2 || parts[0] !== 'self') return undefined;
  const fn = t.enclosingAt(st, 'function_definition');
  const cls = fn >= 0 ? t.parent(t.parent(fn)) : -1;
  if (cls < 0 || t.type(cls) !== 'class_definition') {
    lib.human ??= `${lib.name} is loaded outside a method of a class, which the converter does not follow`;
    return undefined;
  }
  return { lib, kind: 'instance', attr: parts[1]!, cls, className: nameOf(t, cls) };
}

function nameOf(t: InputTree, cls: number): string | undefined {
  const n = t.field(cls, t.f.name);
  return n >= 0 ? t.textOf(n) : undefined;
}

/** Class definitions by name, anywhere in the file. */
function classesByName(t: InputTree): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of t.nodesOf('class_definition')) {
    const i = t.indexOf(c);
    const name = nameOf(t, i);
    if (name === undefined) continue;
    const list = out.get(name);
    if (list) list.push(i);
    else out.set(name, [i]);
  }
  return out;
}

/** The class and every class that derives from it, by name (`class D(C)`, and so on). */
function subclassesOf(t: InputTree, classes: Map<string, number[]>, root: string): Set<string> {
  const family = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, defs] of classes) {
      if (family.has(name)) continue;
      const bases = defs.flatMap((c) => {
        const s = t.field(c, t.f.superclasses);
        return s >= 0 ? t.named(s).map((b) => t.textOf(b)) : [];
      });
      if (bases.some((b) => family.has(b))) {
        family.add(name);
        grew = true;
      }
    }
  }
  return family;
}

/** Module-level names bound only to `C(…)` of a class of the family (`native = Native()`), never declared `global` in a function. */
function instancesOf(t: InputTree, statements: readonly number[], family: Set<string>): Set<string> {
  const made = new Set<string>();
  for (const st of statements) {
    const a = t.type(t.parent(st)) === 'module' ? t.assignmentOf(st) : undefined;
    const call = a && t.type(a.left) === 'identifier' ? t.callParts(t.unparen(a.right)) : undefined;
    if (call && t.type(call.callee) === 'identifier' && family.has(t.textOf(call.callee))) made.add(t.textOf(a!.left));
  }
  for (const name of made) {
    for (const id of t.identifiersNamed(name)) {
      const i = t.indexOf(id);
      const p = t.parent(i);
      // `global`, `with … as`, `except … as`, walrus, comprehension targets: bindings not followed, wherever they are
      if (['global_statement', 'as_pattern_target', 'as_pattern', 'except_clause', 'named_expression', 'for_in_clause'].includes(t.type(p))) {
        made.delete(name);
        break;
      }
      if (innerScope(t, i) >= 0) continue;
      const bound = t.isStoreTarget(i) || ['dotted_name', 'aliased_import'].includes(t.type(p));
      if (!bound) continue;
      const a = t.type(p) === 'assignment' && t.type(t.parent(p)) === 'expression_statement' ? t.assignmentOf(t.parent(p)) : undefined;
      const call = a ? t.callParts(t.unparen(a.right)) : undefined;
      if (!(call && t.type(call.callee) === 'identifier' && family.has(t.textOf(call.callee)))) {
        made.delete(name);
        break;
      }
    }
  }
  return made;
}

/** The nearest function, lambda or comprehension around `i` (whose names are its own), or -1. */
function innerScope(t: InputTree, i: number): number {
  for (let p = t.parent(i); p >= 0; p = t.parent(p)) if (INNER_SCOPES.has(t.type(p)) && t.type(p) !== 'class_definition') return p;
  return -1;
}

/** Whether the scope around `i` binds `name` for itself (a parameter, a local), hiding the module's. */
function shadowed(t: InputTree, i: number, name: string): boolean {
  for (let s = innerScope(t, i); s >= 0; s = innerScope(t, s)) {
    if (t.type(s) === 'function_definition' && t.functionLocals(s).has(name)) return true;
    // a lambda's parameters (comprehension targets named so were refused in instancesOf)
    const params = t.type(s) === 'lambda' ? t.field(s, t.f.parameters) : -1;
    if (params >= 0 && new RegExp(`\\b${name}\\b`).test(t.textOf(params))) return true;
  }
  return false;
}

/** The statement around `i`, as the TODO quotes it (a line number would change when TODOs are added above). */
function statementText(t: InputTree, i: number): string {
  let st = i;
  while (t.parent(st) >= 0 && !['expression_statement', 'delete_statement', 'for_statement', 'block', 'module'].includes(t.type(st))) st = t.parent(st);
  return t.textOf(st).split('\n')[0]!.slice(0, 60);
}
