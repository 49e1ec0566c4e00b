/**
 * Which names a Python module reads that nothing defines: Python's scope rules (LEGB, class bodies not
 * enclosing their methods, `global`/`nonlocal`, comprehension scopes) over one flat tree. Good enough for the
 * converter's outputs, and conservative: where a module may define names this cannot see (a star import of
 * anything but ctypes, `globals()`, `exec`, `builtins`), module-level names are unknown and never reported.
 * Annotations, `del` targets and match patterns make no claim either. Used by outputInvariant.ts.
 */
import type { Tree } from 'web-tree-sitter';
import { CTYPES_EXPORTS } from '../../analysis/ctypesNames';
import { type FlatTree, flatten } from '../../parser/flatTree';

/** Python 3.11's builtins (CPython's and PyPy's `dir(builtins)`), and the names every module has. */
const BUILTINS = new Set(`ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError
BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError
ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup False
FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning
IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
ModuleNotFoundError NameError None NoneType NotADirectoryError NotImplemented NotImplementedError OSError OverflowError
PendingDeprecationWarning PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning RuntimeError
RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True
TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning
UserWarning ValueError Warning ZeroDivisionError abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable
chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format
frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max
memoryview min next object oct open ord pow print property quit range repr reversed round set setattr slice sorted
staticmethod str sum super tuple type vars zip`.split(/\s+/));

/** Reading one of these may define module names this analysis cannot see. */
const DYNAMIC = new Set(['globals', 'exec', 'builtins', '__builtins__', '__dict__', 'modules']);

export interface UnresolvedUse {
  name: string;
  /** Offsets of the identifier in the text. */
  start: number;
  end: number;
}

interface Scope {
  kind: 'module' | 'function' | 'class' | 'comprehension';
  parent: Scope | undefined;
  bound: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);
const PATTERNS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'parenthesized_expression', 'tuple', 'list', 'as_pattern_target', 'list_splat']);

/** The loads of `tree` that resolve to no binding; empty when the tree does not parse (no claim on broken text). */
export function unresolvedNames(tree: Tree, text: string, flat?: FlatTree): UnresolvedUse[] {
  if (tree.rootNode.hasError) return [];
  return resolveNames(tree, text, flat).uses.filter((u) => !u.resolves).map(({ name, start, end }) => ({ name, start, end }));
}

export interface NameFacts {
  /** Names bound at module level (by any statement there, or by `global` in a function). */
  moduleNames: Set<string>;
  /** The module may bind names this cannot see (a star import of anything but ctypes, `globals()`…). */
  open: boolean;
  /** Every load; `local`: resolved without counting on `open`. */
  uses: (UnresolvedUse & { resolves: boolean; local: boolean })[];
}

/** Scopes and loads of a module (a tree that does not parse gives what its parts say); `flat`: the tree's flat copy, when the caller has it. */
export function resolveNames(tree: Tree, text: string, flat?: FlatTree): NameFacts {
  const t = flat ?? flatten(tree, text);
  const fields = t.language.fields;
  const type = (i: number): string => t.typeName(i);
  const field = (i: number): string | null => fields[t.field[i]!] ?? null;
  const child = (i: number, f: string): number => {
    for (let c = i + 1; c < t.after[i]!; c = t.after[c]!) if (field(c) === f) return c;
    return -1;
  };
  const children = (i: number): number[] => t.namedChildren(i);
  const module: Scope = { kind: 'module', parent: undefined, bound: new Set(), globals: new Set(), nonlocals: new Set() };
  const functions: Scope[] = [];
  let open = false;
  const uses: { name: string; start: number; end: number; scope: Scope }[] = [];
  const newScope = (kind: Scope['kind'], parent: Scope): Scope => {
    const s: Scope = { kind, parent, bound: new Set(), globals: new Set(), nonlocals: new Set() };
    if (kind === 'function') functions.push(s);
    return s;
  };
  /** Where a walrus binds: the nearest scope that is not a comprehension. */
  const walrusScope = (s: Scope): Scope => {
    while (s.kind === 'comprehension' && s.parent) s = s.parent;
    return s;
  };
  const bindAll = (i: number, s: Scope): void => {
    for (let c = i; c < t.after[i]!; c++) if (type(c) === 'identifier') s.bound.add(t.nodeText(c));
  };
  /** A store target: names bound, the rest (`a.b`, `a[i]`) read. */
  const target = (i: number, s: Scope): void => {
    const ty = type(i);
    if (ty === 'identifier') s.bound.add(t.nodeText(i));
    else if (PATTERNS.has(ty)) for (const c of children(i)) target(c, s);
    else visit(i, s);
  };
  const parameters = (i: number, outer: Scope, inner: Scope): void => {
    for (const p of children(i)) {
      const ty = type(p);
      if (ty === 'identifier') inner.bound.add(t.nodeText(p));
      else if (ty === 'list_splat_pattern' || ty === 'dictionary_splat_pattern' || ty === 'tuple_pattern') bindAll(p, inner);
      else if (ty === 'default_parameter' || ty === 'typed_default_parameter' || ty === 'typed_parameter') {
        for (const c of children(p)) {
          const f = field(c);
          if (f === 'value') visit(c, outer);
          else if (f === 'type' || type(c) === 'type') continue;
          else bindAll(c, inner);
        }
      }
    }
  };
  const visit = (i: number, s: Scope): void => {
    const ty = type(i);
    switch (ty) {
      case 'identifier': {
        const name = t.nodeText(i);
        if (DYNAMIC.has(name)) open = true;
        uses.push({ name, start: t.start[i]!, end: t.end[i]!, scope: s });
        return;
      }
      case 'attribute': {
        const obj = child(i, 'object');
        if (obj >= 0) visit(obj, s);
        const attr = child(i, 'attribute');
        if (attr >= 0 && DYNAMIC.has(t.nodeText(attr))) open = true;
        return;
      }
      case 'keyword_argument': {
        const v = child(i, 'value');
        if (v >= 0) visit(v, s);
        return;
      }
      case 'type': case 'delete_statement': case 'case_pattern': case 'type_alias_statement':
        if (ty === 'case_pattern') bindAll(i, s);
        if (ty === 'type_alias_statement') bindAll(child(i, 'left'), s);
        return;
      case 'function_definition': case 'lambda': {
        const name = child(i, 'name');
        if (name >= 0) s.bound.add(t.nodeText(name));
        const inner = newScope('function', s);
        const params = child(i, 'parameters');
        if (params >= 0) parameters(params, s, inner);
        const body = child(i, 'body');
        if (body >= 0) visit(body, inner);
        return;
      }
      case 'class_definition': {
        const name = child(i, 'name');
        if (name >= 0) s.bound.add(t.nodeText(name));
        const bases = child(i, 'superclasses');
        if (bases >= 0) visit(bases, s);
        const body = child(i, 'body');
        if (body >= 0) visit(body, newScope('class', s));
        return;
      }
      case 'assignment': case 'augmented_assignment': {
        for (const c of children(i)) {
          const f = field(c);
          if (f === 'left') target(c, s);
          else if (f !== 'type') visit(c, s);
        }
        return;
      }
      case 'for_statement': case 'for_in_clause': {
        for (const c of children(i)) (field(c) === 'left' ? target : visit)(c, s);
        return;
      }
      case 'as_pattern_target':
        target(i, s);
        return;
      case 'named_expression': {
        const name = child(i, 'name');
        if (name >= 0) walrusScope(s).bound.add(t.nodeText(name));
        const v = child(i, 'value');
        if (v >= 0) visit(v, s);
        return;
      }
      case 'global_statement': case 'nonlocal_statement':
        for (const c of children(i)) if (type(c) === 'identifier') (ty === 'global_statement' ? s.globals : s.nonlocals).add(t.nodeText(c));
        return;
      case 'import_statement': {
        for (const c of children(i)) {
          if (type(c) === 'aliased_import') s.bound.add(t.nodeText(child(c, 'alias')));
          else if (type(c) === 'dotted_name') s.bound.add(t.nodeText(children(c)[0]!));
        }
        return;
      }
      case 'import_from_statement': {
        const mod = child(i, 'module_name');
        for (const c of children(i)) {
          if (c === mod) continue;
          if (type(c) === 'wildcard_import') {
            if (mod >= 0 && t.nodeText(mod) === 'ctypes') for (const n of CTYPES_EXPORTS) s.bound.add(n);
            else open = true;
          } else if (type(c) === 'aliased_import') s.bound.add(t.nodeText(child(c, 'alias')));
          else if (type(c) === 'dotted_name') s.bound.add(t.nodeText(c));
        }
        return;
      }
      case 'future_import_statement':
        return;
      default:
        if (COMPREHENSIONS.has(ty)) {
          // the first iterable is evaluated in the enclosing scope, the rest in the comprehension's own
          const inner = newScope('comprehension', s);
          const first = children(i).find((c) => type(c) === 'for_in_clause');
          for (const c of children(i)) {
            if (c !== first) visit(c, inner);
            else for (const d of children(c)) (field(d) === 'left' ? target(d, inner) : visit(d, field(d) === 'right' ? s : inner));
          }
          return;
        }
        for (const c of children(i)) visit(c, s);
    }
  };
  for (const c of children(0)) visit(c, module);
  // `global x` in a function binds x at module level wherever the function assigns it
  for (const f of functions) {
    for (const g of f.globals) if (f.bound.delete(g)) module.bound.add(g);
    for (const n of f.nonlocals) f.bound.delete(n);
  }
  const local = (name: string, s: Scope): boolean => {
    if (/^__\w+__$/.test(name)) return true; // module and class dunders, `__class__`: no claim
    for (let cur: Scope | undefined = s, first = true; cur; cur = cur.parent, first = false) {
      if (cur.globals.has(name)) break;
      if (cur.kind === 'class' && !first) continue; // a class body does not enclose its methods
      if (cur.kind !== 'module' && (cur.bound.has(name) || cur.nonlocals.has(name))) return true;
      if (cur.kind === 'module') break;
    }
    return module.bound.has(name) || BUILTINS.has(name);
  };
  return {
    moduleNames: module.bound,
    open,
    uses: uses.map(({ name, start, end, scope }) => {
      const l = local(name, scope);
      return { name, start, end, local: l, resolves: l || open };
    }),
  };
}
