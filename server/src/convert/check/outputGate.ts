/**
 * The last check of a single-file conversion before it is offered: the output must not use a cffi library
 * the way ctypes libraries are used. A library bound by `ffi.dlopen(...)` may only be read as `lib.name`
 * for a name its cdef declares (or `hasattr`); handed to a helper, looked up with getattr, stored in an
 * attribute, or given argtypes/restype/errcheck, it fails at run time with no TODO. Such an output is not
 * offered: the file stays as it was, with the reason.
 */
import type { Parser } from 'web-tree-sitter';
import { type FlatNode as Node, walkFlat as walk } from '../../parser/flatNode';
import { type ParsedText, withParsed } from './parsedText';

export interface GateProblem {
  /** Offset in the output text. */
  offset: number;
  reason: string;
}

export function unsafeCffiUses(parser: Parser, output: string | ParsedText): GateProblem[] {
  return withParsed(parser, output, (o) => {
    const root = o.root;
    if (!root) return [];
    const all = [...walk(root)];
    const declared = new Set<string>();
    for (const n of all) {
      if (n.type !== 'string_content') continue;
      for (const m of n.text.matchAll(/([A-Za-z_]\w*)\s*(?:\(|\[|;)/g)) declared.add(m[1]!);
    }
    const libs = new Set<string>();
    // attributes that hold a cffi library (`self._lib = ffi.dlopen(…)`, `_lib = …` in a class body): every `x._lib` is checked as the library
    const heldAttributes = new Set<string>();
    const ctypesThings = new Set<string>();
    const heldCtypes = new Set<string>();
    const problems: GateProblem[] = [];
    for (const n of all) {
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right || (left.type !== 'identifier' && left.type !== 'attribute')) continue;
      const callee = right.type === 'call' ? right.childForFieldName('function')?.text ?? '' : '';
      if (/\.dlopen$/.test(callee)) {
        libs.add(left.text);
        if (left.type === 'attribute') heldAttributes.add(left.childForFieldName('attribute')!.text);
        else if (n.parent?.parent?.parent?.type === 'class_definition') heldAttributes.add(left.text);
      } else if (/(^|\.)(CDLL|LoadLibrary|PyDLL)$/.test(callee)) {
        ctypesThings.add(left.text);
        // a ctypes handle held by a class or an instance (`_lib_ctypes = CDLL(…)` in a class body, `self._lib_ctypes = …`)
        if (left.type === 'attribute') heldCtypes.add(left.childForFieldName('attribute')!.text);
        else if (n.parent?.parent?.parent?.type === 'class_definition') heldCtypes.add(left.text);
      }
      else if (right.type === 'attribute' && ctypesThings.has(rootOf(right))) ctypesThings.add(left.text);
    }
    const attributeField = (n: Node): boolean => n.type === 'identifier' && n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.startIndex === n.startIndex;
    const isLibrary = (n: Node): boolean =>
      n.type === 'attribute' ? libs.has(n.text) || heldAttributes.has(n.childForFieldName('attribute')!.text) : n.type === 'identifier' && libs.has(n.text) && !attributeField(n);
    const ctypesRooted = (n: Node): boolean => {
      for (let o: Node | null = n; o; o = o.type === 'attribute' ? o.childForFieldName('object') : null) {
        if (ctypesThings.has(o.text) || (o.type === 'attribute' && heldCtypes.has(o.childForFieldName('attribute')!.text))) return true;
      }
      return false;
    };
    if (!libs.size) return problems;
    const declaredLiteral = (n: Node | undefined): boolean => {
      const m = n && /^["']([A-Za-z_]\w*)["']$/.exec(n.text);
      return !!m && declared.has(m[1]!);
    };
    for (const n of all) {
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const attr = left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
        if ((attr === 'argtypes' || attr === 'restype' || attr === 'errcheck') && !ctypesRooted(left!.childForFieldName('object')!)) {
          problems.push({ offset: left!.startIndex, reason: `${left!.text} is a ctypes attribute; after conversion it would be set on a cffi object` });
        }
        continue;
      }
      if (!isLibrary(n)) continue;
      const p = n.parent!;
      if (p.type === 'assignment' && p.childForFieldName('left')?.startIndex === n.startIndex && p.childForFieldName('left')?.endIndex === n.endIndex) continue;
      if (p.type === 'assignment' && p.childForFieldName('right')?.startIndex === n.startIndex && p.childForFieldName('left')?.type === 'identifier') {
        libs.add(p.childForFieldName('left')!.text); // `lib = self._lib`: the alias is checked the same way
        continue;
      }
      if (p.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex) {
        const name = p.childForFieldName('attribute')!.text;
        if (declared.has(name)) continue;
        problems.push({ offset: p.startIndex, reason: `${p.text}: ${name} is not declared in the cdef, so the cffi library has no such attribute` });
        continue;
      }
      if (p.type === 'argument_list') {
        const call = p.parent!;
        const fn = call.childForFieldName('function')?.text ?? '';
        const args = p.namedChildren;
        // hasattr(lib, …), getattr(lib, "declared"), ffi.addressof(lib, "declared") are cffi's own ways
        if (args[0]?.startIndex === n.startIndex && (fn === 'hasattr' || ((fn === 'getattr' || /\.addressof$/.test(fn)) && declaredLiteral(args[1])))) continue;
      }
      if (p.type === 'keyword_argument') continue;
      problems.push({ offset: n.startIndex, reason: `the cffi library ${n.text} is used here as ctypes code uses a library (${(p.parent ?? p).text.slice(0, 60)})` });
    }
    return problems;
  });
}

/** `a` for `a.b.c`. */
function rootOf(n: Node): string {
  while (n.type === 'attribute') n = n.childForFieldName('object')!;
  return n.text;
}

/**
 * Shapes of the ctypes input the single-file engine cannot convert faithfully (found by the differential
 * fuzzer, docs/dev/fuzzing.md). A file with one of them is left as it was, with the reason: refusing is
 * always acceptable, a silent change never is.
 */
export function unsafeCtypesShapes(parser: Parser, inputText: string | ParsedText, outputText: string | ParsedText): GateProblem[] {
  const output = typeof outputText === 'string' ? outputText : outputText.text;
  // read only for a `_fields_` left in the output
  let outputPrototypes: Set<string> | undefined;
  const outputPrototype = (name: string) => (outputPrototypes ??= withParsed(parser, outputText, prototypesOf)).has(name);
  return withParsed(parser, inputText, (parsed) => {
    const input = parsed.text;
    const root = parsed.root;
    if (!root) return [];
    const all = [...walk(root)];
    const anonymous = new Set<string>();
    const bitFields = new Map<string, { lo: number; hi: number }>();
    for (const m of input.matchAll(/\(\s*["']([A-Za-z_]\w*)["']\s*,\s*([\w.]+)\s*,\s*(\d+)\s*\)/g)) {
      const w = Number(m[3]);
      const unsigned = /(^|\.)c_(u\w+|bool)$/.test(m[2]!);
      bitFields.set(m[1]!, unsigned ? { lo: 0, hi: 2 ** w - 1 } : { lo: -(2 ** (w - 1)), hi: 2 ** (w - 1) - 1 });
    }
    for (const n of all) {
      if (n.type === 'assignment' && n.childForFieldName('left')?.text === '_anonymous_') {
        for (const m of (n.childForFieldName('right')?.text ?? '').matchAll(/["']([A-Za-z_]\w*)["']/g)) anonymous.add(m[1]!);
      }
    }
    const problems: GateProblem[] = [];
    const add = (n: Node, reason: string) => problems.push({ offset: n.startIndex, reason });
    const last = (s: string) => s.slice(s.lastIndexOf('.') + 1);
    const prototypes = new Set<string>();
    for (const n of all) {
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && right?.type === 'call' && /^(C|WIN|PY)FUNCTYPE$/.test(last(right.childForFieldName('function')?.text ?? ''))) prototypes.add(left.text);
    }
    for (const n of all) {
      // the type asked once per node; what follows reads only identifiers, attributes, assignments and calls
      const type = n.type;
      if (type === 'identifier') {
        if (n.text === 'from_param' || n.text === '_argtypes_') add(n, `${n.text} is not converted faithfully by the single-file converter`);
        continue;
      }
      if (type === 'attribute') {
        if (!anonymous.size) continue;
        const descriptor = n.parent?.type === 'attribute' && /^(offset|size)$/.test(n.parent.childForFieldName('attribute')?.text ?? '');
        if (!descriptor && anonymous.has(n.childForFieldName('attribute')?.text ?? '')) add(n, `${n.text}: an _anonymous_ member read by its name is not converted (cffi's anonymous member has no name)`);
        continue;
      }
      if (type === 'assignment') {
        const left = n.childForFieldName('left');
        if (left && (left.type === 'pattern_list' || left.type === 'tuple_pattern') && /\.(argtypes|restype|errcheck)\b/.test(left.text)) {
          add(left, `${left.text}: argtypes/restype set in a tuple assignment are not converted`);
        }
        const field = left?.type === 'attribute' ? bitFields.get(left.childForFieldName('attribute')?.text ?? '') : undefined;
        if (field) {
          // ctypes truncates a value too wide for a bit-field, cffi raises OverflowError: only a literal that fits is safe
          const v = Number((n.childForFieldName('right')?.text ?? 'x').replace(/\s+/g, ''));
          if (!Number.isInteger(v) || v < field.lo || v > field.hi) add(n, `${n.text}: a value that may not fit the bit-field is not converted (ctypes truncates, cffi raises)`);
        }
        if (left?.text === '_fields_' || left?.text.endsWith('._fields_')) {
          const right = n.childForFieldName('right');
          for (const t of right ? [...walk(right)] : []) {
            // a ctypes Structure left as it was needs its callback field types to stay ctypes prototypes
            if (t.type === 'identifier' && prototypes.has(t.text) && output.includes('_fields_') && !outputPrototype(t.text)) add(t, `the callback type ${t.text} inside _fields_ would no longer be a ctypes type`);
          }
        }
        continue;
      }
      if (type !== 'call') continue;
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments');
      if (!fn || !args) continue;
      const name = last(fn.text);
      const positional = args.namedChildren.filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
      if (name === 'create_string_buffer' || name === 'create_unicode_buffer') {
        const [init, size] = positional;
        const sizeLiteral = size?.type === 'integer' ? Number(size.text) : undefined;
        const initLength = init?.type === 'string' ? init.text.replace(/^[a-zA-Z]*["']|["']$/g, '').replace(/\\(x..|.)/g, '_').length : undefined;
        // ctypes raises ValueError for a too-long initializer, cffi IndexError: refuse what cannot be shown to fit
        if (sizeLiteral !== undefined && (initLength === undefined || initLength > sizeLiteral)) add(n, `${n.text}: an initializer with a size it may not fit is not converted (cffi and ctypes differ on a too-long initializer)`);
        continue;
      }
      if ((name === 'c_void_p' || name === 'c_char_p' || name === 'c_wchar_p') && positional.length) {
        const a = positional[0]!;
        if (a.type !== 'string' && a.type !== 'none' && a.type !== 'concatenated_string') add(n, `${n.text}: a ${name} around an address or a variable is not converted`);
        continue;
      }
      if (fn.type === 'call' && positional[0]?.type === 'tuple') {
        add(n, `${n.text.slice(0, 60)}: a prototype applied to (name, library) is not converted`);
        continue;
      }
    }
    return problems;
  });
}

/** Names bound to `CFUNCTYPE(...)`/`WINFUNCTYPE(...)`/`PYFUNCTYPE(...)` in a text. */
function prototypesOf(text: ParsedText): Set<string> {
  const out = new Set<string>();
  const root = text.root;
  if (!root) return out;
  for (const n of walk(root)) {
    if (n.type !== 'assignment') continue;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (left?.type === 'identifier' && right?.type === 'call' && /(^|\.)(C|WIN|PY)FUNCTYPE$/.test(right.childForFieldName('function')?.text ?? '')) out.add(left.text);
  }
  return out;
}
