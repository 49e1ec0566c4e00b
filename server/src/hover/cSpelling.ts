/**
 * C spellings of what the ctypes side of the model describes: types, struct layouts, prototypes and foreign
 * function signatures, written the way a cffi cdef would declare them.
 */
import type { CtypesPrototype, CtypesStruct, CtypesType, ForeignFunction } from '../analysis/model';
import { cNameOfPrimitive } from '../analysis/ctypesNames';

export interface TypeContext {
  structs: ReadonlyMap<string, CtypesStruct>;
  prototypes: ReadonlyMap<string, CtypesPrototype>;
}

/** Declares `name` with type `t` in C syntax (`int x`, `char b[8]`, `int (*cb)(int)`); `name` may be ''. */
export function declare(t: CtypesType, name: string, ctx: TypeContext): string | undefined {
  switch (t.kind) {
    case 'prim': {
      const c = cNameOfPrimitive(t.name) ?? (t.name.startsWith('wintypes.') ? t.name.slice(9) : undefined);
      return c && joinDecl(c, name);
    }
    case 'void':
      return joinDecl('void', name);
    case 'struct': {
      const s = ctx.structs.get(t.name);
      return joinDecl(`${s?.isUnion ? 'union' : 'struct'} ${t.name}`, name);
    }
    case 'pointer':
      // A pointer to an array or function needs parentheses around the declarator.
      return declare(t.to, t.to.kind === 'array' ? `(*${name})` : `*${name}`, ctx);
    case 'array':
      return declare(t.of, `${name}[${t.length}]`, ctx);
    case 'funcptr': {
      const p = ctx.prototypes.get(t.name);
      if (!p) return undefined;
      const args = p.argtypes.map((a) => declare(a, '', ctx) ?? '?');
      return declare(p.restype, `(*${name})(${args.join(', ') || 'void'})`, ctx);
    }
    case 'unknown':
      return undefined;
  }
}

function joinDecl(base: string, declarator: string): string {
  if (!declarator) return base;
  return declarator.startsWith('[') ? base + declarator : `${base} ${declarator}`;
}

/** The C type alone (`char *`, `int[4]`, `int (*)(int)`), or undefined if the model could not resolve it. */
export function cTypeOf(t: CtypesType, ctx: TypeContext): string | undefined {
  return declare(t, '', ctx);
}

/** The cffi cdef of a ctypes Structure/Union, e.g. `struct Point { int x; int *y; };`. */
export function structDeclaration(s: CtypesStruct, ctx: TypeContext): string {
  const kind = s.isUnion ? 'union' : 'struct';
  if (!s.fields) return `${kind} ${s.name};`;
  const fields = s.fields.map((f) => {
    const d = declare(f.type, f.name, ctx) ?? `/* ? ${f.type.kind === 'unknown' ? f.type.text : ''} */ ${f.name}`;
    return `    ${d}${f.bits !== undefined ? `:${f.bits}` : ''};`;
  });
  return `${kind} ${s.name} {\n${fields.join('\n')}\n};`;
}

export interface ImpliedPrototype {
  /** `size_t strlen(char *);` with assumptions spelled out in comments. */
  text: string;
  /** What the ctypes code leaves unsaid or unresolved, one sentence each. */
  missing: string[];
}

/** The C prototype a foreign function's `argtypes`/`restype` imply. */
export function impliedPrototype(fn: ForeignFunction, ctx: TypeContext): ImpliedPrototype {
  const missing: string[] = [];
  let ret: string;
  if (!fn.restype) {
    ret = 'int';
    missing.push('`restype` is not set: ctypes assumes C `int`, which truncates pointers and 64-bit results.');
  } else {
    const r = cTypeOf(fn.restype.type, ctx);
    ret = r ?? `/* ${fn.restype.value.text} */ int`;
    if (!r) missing.push(`The result type \`${fn.restype.value.text}\` is not a ctypes type this file declares.`);
  }
  let params: string;
  if (!fn.argtypes) {
    params = '/* unknown */';
    missing.push('`argtypes` is not set: ctypes checks nothing and converts arguments by their Python type.');
  } else if (!fn.argtypes.types) {
    params = '/* unknown */';
    missing.push('`argtypes` is not a literal list, so the parameters cannot be read here.');
  } else {
    const ps = fn.argtypes.types.map((t, i) => {
      const c = cTypeOf(t, ctx);
      if (!c) missing.push(`Parameter ${i + 1} (\`${t.kind === 'unknown' ? t.text : '?'}\`) is not a ctypes type this file declares.`);
      return c ?? `/* ${t.kind === 'unknown' ? t.text : '?'} */`;
    });
    params = ps.join(', ') || 'void';
  }
  const decl = ret.endsWith('*') ? `${ret}${fn.name}` : `${ret} ${fn.name}`;
  return { text: `${decl}(${params});`, missing };
}
