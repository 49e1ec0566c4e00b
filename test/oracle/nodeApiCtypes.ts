/**
 * The converter's reader of ctypes declarations as it was through web-tree-sitter's node API (before
 * server/src/convert/readCtypes.ts read the flat copy of the tree): kept as the oracle the flat reader must
 * equal (test/unit/readCtypes.test.ts).
 */
import type { Node } from 'web-tree-sitter';
import { prim, type CType } from '../../server/src/convert/typeNames';
import { InputTree } from '../../server/src/convert/inputTree';
import { readHeldLibraries } from '../../server/src/convert/heldLibraries';
import { callParts, dotted, intLiteral, isStoreTarget, stringLiteral, unparen, walk } from '../../server/src/convert/syntax';
import {
  type CtypesProgram, type ImportStatement, type Library, type Prototype, type StructDecl, type StructField,
  assignmentOf, CTYPES_EXPORTS, functionKey, functionOf, LOADERS, reboundUse, splitFunctionRef, structType,
} from '../../server/src/convert/readCtypes';

export function nodeApiReadCtypes(text: string, root: Node): CtypesProgram {
  const imports = readImports(root);
  const bindings = new Map<string, string>();
  let star = false;
  for (const imp of imports) {
    if (imp.kind === 'import') {
      for (const it of imp.items) {
        if (it.alias) bindings.set(it.alias, it.name);
        else bindings.set(it.name.split('.')[0]!, it.name.split('.')[0]!);
      }
    } else if (imp.module) {
      if (imp.star && imp.module === 'ctypes') star = true;
      for (const it of imp.items) bindings.set(it.alias ?? it.name, `${imp.module}.${it.name}`);
    }
  }
  const qualify = (d: string): string => {
    const [head, ...rest] = d.split('.');
    const bound = bindings.get(head!);
    if (bound !== undefined) return [bound, ...rest].join('.');
    if (star && CTYPES_EXPORTS.has(head!)) return ['ctypes', head, ...rest].join('.');
    return d;
  };
  const rebound = reboundCtypesNames(root, qualify);
  const ctypesName = (n: Node | null | undefined): string | undefined => {
    const d = dotted(n);
    if (!d) return undefined;
    const q = qualify(d);
    if (!q.startsWith('ctypes.')) return undefined;
    // `memset = PROTO(("memset", libc))` at module level: from there on (and in functions) the name is the program's own
    if (n && reboundUse(rebound, d, n) !== 'import') return undefined;
    return q.slice('ctypes.'.length);
  };

  const program: CtypesProgram = {
    text,
    root,
    input: new InputTree(text, root.tree),
    imports,
    libraries: new Map(),
    functions: new Map(),
    structs: new Map(),
    prototypes: new Map(),
    aliases: new Map(),
    intConstants: new Map(),
    functionAliases: new Map(),
    functionAliasAt: new Map(),
    qualify,
    rebound,
    ctypesName,
    typeOf: () => undefined,
    typeAt: (i) => program.typeOf(program.input.node(i)),
  };

  // Module-level integer constants, for array lengths in _fields_ and argtypes.
  for (const st of root.namedChildren) {
    const a = assignmentOf(st);
    if (a && a.left.type === 'identifier') {
      const v = intLiteral(a.right);
      if (v !== undefined) program.intConstants.set(a.left.text, v);
    }
  }

  // Structure/Union classes first: types may refer to them before their _fields_ are read.
  for (const n of walk(root)) {
    if (n.type !== 'class_definition') continue;
    const name = n.childForFieldName('name')?.text;
    const supers = n.childForFieldName('superclasses')?.namedChildren ?? [];
    if (!name || supers.length !== 1) continue;
    const base = ctypesName(supers[0]);
    const structBase = base === undefined ? dotted(supers[0]) : undefined;
    if (base && ['Structure', 'Union', 'BigEndianStructure', 'LittleEndianStructure', 'BigEndianUnion', 'LittleEndianUnion'].includes(base)) {
      program.structs.set(name, { name, node: n, union: base.endsWith('Union'), base, anonymous: [] });
    } else if (structBase && program.structs.has(structBase)) {
      program.structs.set(name, { name, node: n, union: program.structs.get(structBase)!.union, base: structBase, anonymous: [], human: `it derives from the structure ${structBase} (cffi structs cannot inherit)` });
    }
  }

  const typeOf = (n: Node | null | undefined): CType | undefined => {
    if (!n) return undefined;
    n = unparen(n);
    if (n.type === 'none') return { k: 'void' };
    const cn = ctypesName(n);
    if (cn !== undefined) return prim(cn);
    const d = dotted(n);
    if (d !== undefined) {
      const s = program.structs.get(d);
      if (s) return structType(s);
      const p = program.prototypes.get(d);
      if (p) return p.ret && p.args ? { k: 'func', proto: p.name, ret: p.ret, args: p.args } : undefined;
      const alias = program.aliases.get(d);
      if (alias) return alias.type;
      return undefined;
    }
    const call = callParts(n);
    if (call) {
      const callee = ctypesName(call.callee);
      if (callee === 'POINTER' && call.args.length === 1) {
        const to = typeOf(call.args[0]);
        return to && to.k !== 'void' ? { k: 'ptr', to } : undefined;
      }
      if (callee === 'ARRAY' && call.args.length === 2) {
        const of = typeOf(call.args[0]);
        const len = lengthOf(call.args[1]!);
        return of && len !== undefined && of.k !== 'void' ? { k: 'array', of, n: len } : undefined;
      }
      if ((callee === 'CFUNCTYPE' || callee === 'WINFUNCTYPE') && !call.keywords.size && call.args.length >= 1) {
        const types = call.args.map(typeOf);
        if (types.some((t) => !t)) return undefined;
        return { k: 'func', proto: '', ret: types[0]!, args: types.slice(1) as CType[] };
      }
      return undefined;
    }
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '*') {
      const left = n.childForFieldName('left')!;
      const right = n.childForFieldName('right')!;
      for (const [t, c] of [[left, right], [right, left]] as const) {
        const of = typeOf(t);
        const len = lengthOf(c);
        if (of && of.k !== 'void' && len !== undefined) return { k: 'array', of, n: len };
      }
    }
    return undefined;
  };
  const lengthOf = (n: Node): number | undefined => {
    const v = intLiteral(n);
    if (v !== undefined) return v;
    const d = dotted(n);
    return d !== undefined ? program.intConstants.get(d) : undefined;
  };
  program.typeOf = typeOf;

  // Prototypes and type aliases (module-level `CB = CFUNCTYPE(...)`, `IntArr = c_int * 4`), in text order.
  for (const st of walk(root)) {
    const a = assignmentOf(st);
    if (!a || a.left.type !== 'identifier') continue;
    const call = callParts(a.right);
    const factory = call ? ctypesName(call.callee) : undefined;
    if (call && factory && ['CFUNCTYPE', 'WINFUNCTYPE', 'PYFUNCTYPE'].includes(factory)) {
      const p: Prototype = { name: a.left.text, statement: st, factory };
      if (factory === 'PYFUNCTYPE') p.human = 'PYFUNCTYPE calls into the CPython C API, which cffi cannot do (and PyPy lacks)';
      else if (call.keywords.size || call.splat) p.human = `${factory} with use_errno/use_last_error or *args is not converted`;
      else {
        const types = call.args.map(typeOf);
        if (types.length && types.every((t) => t)) {
          p.ret = types[0];
          p.args = types.slice(1) as CType[];
        } else p.human = 'a type in this prototype could not be read';
      }
      program.prototypes.set(p.name, p);
      continue;
    }
    if (st.parent?.type !== 'module') continue;
    const t = typeOf(a.right);
    if (t && (t.k === 'array' || t.k === 'ptr') && !ctypesName(a.right)) program.aliases.set(a.left.text, { name: a.left.text, statement: st, type: t });
  }

  // Struct bodies.
  for (const s of program.structs.values()) readStructBody(program, s);
  for (const st of walk(root)) {
    const a = assignmentOf(st);
    if (!a || a.left.type !== 'attribute') continue;
    const obj = dotted(a.left.childForFieldName('object'));
    const attr = a.left.childForFieldName('attribute')?.text;
    const s = obj !== undefined ? program.structs.get(obj) : undefined;
    if (!s || !attr) continue;
    if (attr === '_fields_') {
      s.fieldsStatement = st;
      s.fields = readFields(program, a.right, s);
    } else if (attr === '_pack_') s.pack = intLiteral(a.right);
    else if (attr === '_anonymous_') s.anonymous = readNames(a.right) ?? [];
  }
  for (const s of program.structs.values()) {
    if (!s.human && (s.base.startsWith('Big') || s.base.startsWith('Little'))) s.human = `${s.base} (non-native byte order) has no cffi equivalent`;
    if (!s.human && !s.fields) s.human = `the _fields_ of ${s.name} could not be read`;
    if (!s.human && s.fields?.some((f) => !f.type)) s.human = `a field type of ${s.name} could not be read: ${s.fields.find((f) => !f.type)!.text}`;
  }

  // Libraries: `X = ctypes.CDLL(...)` and friends, anywhere (`self._lib = …` in a method counts).
  for (const st of walk(root)) {
    const a = assignmentOf(st);
    if (!a) continue;
    const name = dotted(a.left);
    if (!name) continue;
    const right = unparen(a.right);
    const call = callParts(right);
    const calleeName = call ? ctypesName(call.callee) : ctypesName(right);
    if (calleeName === undefined) continue;
    let lib: Library | undefined;
    if (call && LOADERS[calleeName]) {
      lib = { name, statement: st, load: right, loader: LOADERS[calleeName]!, path: call.args[0], keywords: call.keywords };
      if (call.splat || call.args.length > 2) lib.human = 'the library is loaded with arguments the converter does not read';
    } else if (!call && /^(cdll|windll|oledll|pydll)\.[A-Za-z_]\w*$/.test(calleeName)) {
      const [loader, attributeName] = calleeName.split('.') as [string, string];
      lib = { name, statement: st, load: right, loader: loader === 'cdll' ? 'CDLL' : loader, attributeName, keywords: new Map() };
    } else if (!call && (calleeName === 'pythonapi')) {
      lib = { name, statement: st, load: right, loader: 'pythonapi', keywords: new Map(), human: 'ctypes.pythonapi is the CPython C API: missing on PyPy and not callable through cffi' };
    }
    if (!lib) continue;
    if (lib.loader === 'PyDLL' || lib.loader === 'pydll') lib.human = 'PyDLL holds the GIL for CPython C-API calls: missing on PyPy, and cffi must not call the C API';
    if (lib.loader === 'OleDLL' || lib.loader === 'oledll') lib.human = 'OleDLL turns failed HRESULTs into OSError; cffi needs a hand-written check';
    if (program.libraries.has(name)) lib.human ??= `${name} is loaded more than once`;
    if (name.endsWith('_ctypes')) {
      lib.handle = true;
      lib.human = 'the ctypes handle kept by an earlier conversion';
    }
    program.libraries.set(name, lib);
  }

  // Libraries held by a class or its instances: read on the flat copy only (server/src/convert/heldLibraries.ts), as the flat reader does.
  {
    const t = new InputTree(text, root.tree);
    const indices = (type: string) => t.nodesOf(type).map((n) => t.indexOf(n));
    readHeldLibraries(t, program, indices('expression_statement'), indices('attribute'));
  }

  // Library aliases: `lib = self._lib` names the same library.
  for (const st of walk(root)) {
    const a = assignmentOf(st);
    const from = a && dotted(a.right);
    const to = a && dotted(a.left);
    const lib = from !== undefined ? program.libraries.get(from) : undefined;
    if (lib && to && !program.libraries.has(to)) program.libraries.set(to, lib);
  }

  // Function signatures: `lib.f.argtypes = …`, `.restype`, `.errcheck`; aliases `f = lib.f`.
  for (const st of walk(root)) {
    const a = assignmentOf(st);
    if (!a) continue;
    const leftName = dotted(a.left);
    const rightName = dotted(a.right);
    if (a.left.type === 'identifier' && rightName) {
      const fn = splitFunctionRef(program, rightName);
      if (fn) {
        program.functionAliases.set(a.left.text, functionKey(fn.lib.name, fn.name));
        program.functionAliasAt.set(a.left.text, a.right.startIndex);
      }
    }
    if (!leftName) continue;
    const m = /^(.*)\.(argtypes|restype|errcheck)$/.exec(leftName);
    if (!m) continue;
    let fnRef = splitFunctionRef(program, m[1]!);
    if (!fnRef) {
      const aliased = program.functionAliases.get(m[1]!);
      if (aliased) {
        const [libName, fname] = aliased.split('\u0000') as [string, string];
        fnRef = { lib: program.libraries.get(libName)!, name: fname };
      }
    }
    if (!fnRef) continue;
    const f = functionOf(program, fnRef.lib, fnRef.name);
    const which = m[2]!;
    if (which === 'argtypes') {
      const items = a.right.type === 'list' || a.right.type === 'tuple' ? a.right.namedChildren.filter((c) => c.type !== 'comment') : undefined;
      const types = items?.map(typeOf);
      f.argtypes = { statement: st, value: a.right, types: types && types.every((t) => t && t.k !== 'void') ? (types as CType[]) : undefined, count: (f.argtypes?.count ?? 0) + 1 };
    } else if (which === 'restype') {
      f.restype = { statement: st, value: a.right, type: typeOf(a.right), count: (f.restype?.count ?? 0) + 1 };
    } else {
      f.errcheck = { statement: st, value: a.right, count: (f.errcheck?.count ?? 0) + 1 };
    }
  }
  return program;
}

/** Names bound by a ctypes import that a module-level statement binds again (`memset = …`, `def sizeof(…)`), at their first such binding. */
function reboundCtypesNames(root: Node, qualify: (d: string) => string): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition' || c.type === 'class_definition') {
        const name = c.childForFieldName('name');
        if (name) note(name);
        if (c.type === 'class_definition') visit(c.childForFieldName('body') ?? c);
        continue;
      }
      if (c.type === 'lambda') continue;
      if (c.type === 'identifier' && isStoreTarget(c) && !ctypesValued(c)) note(c);
      visit(c);
    }
  };
  // `c_ssize_t = c_long` (a fallback when the import fails) still names a ctypes thing: no shadowing
  const ctypesValued = (id: Node): boolean => {
    const a = id.parent?.type === 'assignment' ? id.parent : undefined;
    const right = a?.childForFieldName('right');
    const d = right ? dotted(unparen(right)) : undefined;
    return !!d && qualify(d).startsWith('ctypes.');
  };
  const note = (id: Node): void => {
    if (!out.has(id.text) && qualify(id.text).startsWith('ctypes.')) out.set(id.text, id.startIndex);
  };
  visit(root);
  return out;
}


function readNames(n: Node): string[] | undefined {
  n = unparen(n);
  if (n.type !== 'list' && n.type !== 'tuple') return undefined;
  const out: string[] = [];
  for (const c of n.namedChildren) {
    const s = stringLiteral(c);
    if (!s) return undefined;
    out.push(s.value);
  }
  return out;
}

function readFields(program: CtypesProgram, value: Node, s: StructDecl): StructField[] | undefined {
  value = unparen(value);
  if (value.type !== 'list' && value.type !== 'tuple') return undefined;
  const fields: StructField[] = [];
  for (const item of value.namedChildren) {
    if (item.type === 'comment') continue;
    const parts = item.type === 'tuple' || item.type === 'list' ? item.namedChildren.filter((c) => c.type !== 'comment') : [];
    const name = parts[0] ? stringLiteral(parts[0]) : undefined;
    if (!name || parts.length < 2 || parts.length > 3) return undefined;
    const field: StructField = { name: name.value, type: program.typeOf(parts[1]), text: item.text };
    if (parts.length === 3) {
      field.bits = intLiteral(parts[2]);
      if (field.bits === undefined) return undefined;
    }
    fields.push(field);
  }
  return fields;
}

function readStructBody(program: CtypesProgram, s: StructDecl): void {
  const body = s.node.childForFieldName('body');
  if (!body) return;
  for (const st of body.namedChildren) {
    if (st.type === 'comment') continue;
    if (st.type === 'expression_statement' && st.namedChildren[0]?.type === 'string' && st === body.namedChildren.find((c) => c.type !== 'comment')) continue; // docstring
    if (st.type === 'pass_statement') continue;
    const a = assignmentOf(st);
    const name = a?.left.type === 'identifier' ? a.left.text : undefined;
    if (a && name === '_fields_') s.fields = readFields(program, a.right, s);
    else if (a && name === '_pack_') {
      s.pack = intLiteral(a.right);
      if (s.pack === undefined) s.human = '_pack_ is not a literal number';
    } else if (a && name === '_anonymous_') {
      const names = readNames(a.right);
      if (!names) s.human = '_anonymous_ is not a literal list of names';
      s.anonymous = names ?? [];
    } else {
      s.human = `${s.name} has methods or other class-body code; cdata types cannot be subclassed, so it needs a wrapper class written by hand`;
    }
  }
}

function readImports(root: Node): ImportStatement[] {
  const out: ImportStatement[] = [];
  for (const n of walk(root)) {
    if (n.type === 'import_statement') {
      const items: ImportStatement['items'] = [];
      for (const c of n.namedChildren) {
        if (c.type === 'dotted_name') items.push({ name: c.text });
        else if (c.type === 'aliased_import') items.push({ name: c.childForFieldName('name')!.text, alias: c.childForFieldName('alias')?.text });
      }
      out.push({ node: n, kind: 'import', items, star: false, topLevel: n.parent?.type === 'module' });
    } else if (n.type === 'import_from_statement') {
      const mod = n.childForFieldName('module_name');
      const items: ImportStatement['items'] = [];
      let star = false;
      for (const c of n.namedChildren) {
        if (mod && c.startIndex === mod.startIndex) continue;
        if (c.type === 'wildcard_import') star = true;
        else if (c.type === 'dotted_name') items.push({ name: c.text });
        else if (c.type === 'aliased_import') items.push({ name: c.childForFieldName('name')!.text, alias: c.childForFieldName('alias')?.text });
      }
      out.push({ node: n, kind: 'from', module: mod?.text, items, star, topLevel: n.parent?.type === 'module' });
    }
  }
  return out;
}
