// The output gate's checks as they read the node API before they read flat trees (server/src/convert/check/outputGate.ts,
// ctypesCallbackArgumentsInCffi of outputInvariant.ts): the oracle of test/unit/flatNode.test.ts. Not product code.
import type { Node, Parser } from 'web-tree-sitter';
import { walk } from '../../server/src/convert/syntax';

export function nodeApiUnsafeCffiUses(parser: Parser, output: string): { offset: number; reason: string }[] {
  const tree = parser.parse(output);
  if (!tree) return [];
  try {
    const all = [...walk(tree.rootNode)];
    const declared = new Set<string>();
    for (const n of all) {
      if (n.type !== 'string_content') continue;
      for (const m of n.text.matchAll(/([A-Za-z_]\w*)\s*(?:\(|\[|;)/g)) declared.add(m[1]!);
    }
    const libs = new Set<string>();
    const heldAttributes = new Set<string>();
    const ctypesThings = new Set<string>();
    const heldCtypes = new Set<string>();
    const problems: { offset: number; reason: string }[] = [];
    for (const n of all) {
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right || (left.type !== 'identifier' && left.type !== 'attribute')) continue;
      const callee = right.type === 'call' ? right.childForFieldName('function')?.text ?? '' : '';
      const held = left.type === 'attribute' ? left.childForFieldName('attribute')!.text : n.parent?.parent?.parent?.type === 'class_definition' ? left.text : undefined;
      if (/\.dlopen$/.test(callee)) {
        libs.add(left.text);
        if (held !== undefined) heldAttributes.add(held);
      } else if (/(^|\.)(CDLL|LoadLibrary|PyDLL)$/.test(callee)) {
        ctypesThings.add(left.text);
        if (held !== undefined) heldCtypes.add(held);
      } else if (right.type === 'attribute' && ctypesThings.has(rootOf(right))) ctypesThings.add(left.text);
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
  } finally {
    tree.delete();
  }
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
export function nodeApiUnsafeCtypesShapes(parser: Parser, input: string, output: string): { offset: number; reason: string }[] {
  const outputPrototypes = prototypesOf(parser, output);
  const tree = parser.parse(input);
  if (!tree) return [];
  try {
    const all = [...walk(tree.rootNode)];
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
    const problems: { offset: number; reason: string }[] = [];
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
      if (n.type === 'identifier' && (n.text === 'from_param' || n.text === '_argtypes_')) {
        add(n, `${n.text} is not converted faithfully by the single-file converter`);
        continue;
      }
      const descriptor = n.parent?.type === 'attribute' && /^(offset|size)$/.test(n.parent.childForFieldName('attribute')?.text ?? '');
      if (n.type === 'attribute' && !descriptor && anonymous.has(n.childForFieldName('attribute')?.text ?? '')) {
        add(n, `${n.text}: an _anonymous_ member read by its name is not converted (cffi's anonymous member has no name)`);
        continue;
      }
      if (n.type === 'assignment') {
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
            if (t.type === 'identifier' && prototypes.has(t.text) && !outputPrototypes.has(t.text) && output.includes('_fields_')) add(t, `the callback type ${t.text} inside _fields_ would no longer be a ctypes type`);
          }
        }
        continue;
      }
      if (n.type !== 'call') continue;
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
  } finally {
    tree.delete();
  }
}

/** Names bound to `CFUNCTYPE(...)`/`WINFUNCTYPE(...)`/`PYFUNCTYPE(...)` in a text. */
function prototypesOf(parser: Parser, text: string): Set<string> {
  const out = new Set<string>();
  const tree = parser.parse(text);
  if (!tree) return out;
  try {
    for (const n of walk(tree.rootNode)) {
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && right?.type === 'call' && /(^|\.)(C|WIN|PY)FUNCTYPE$/.test(right.childForFieldName('function')?.text ?? '')) out.add(left.text);
    }
    return out;
  } finally {
    tree.delete();
  }
}
export function nodeApiCtypesCallbackArgumentsInCffi(parser: Parser, output: string): { offset: number; name?: string; reason: string }[] {
  if (!/FUNCTYPE\b/.test(output) || !/\bFFI\(\)/.test(output)) return [];
  const tree = parser.parse(output);
  if (!tree) return [];
  try {
    const all = [...walk(tree.rootNode)];
    const prototypes = new Set<string>();
    const cffi = new Set<string>();
    const defs = new Map<string, import('web-tree-sitter').Node>();
    for (const n of all) {
      if (n.type === 'function_definition') defs.set(n.childForFieldName('name')?.text ?? '', n);
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const callee = right?.type === 'call' ? right.childForFieldName('function')?.text ?? '' : '';
      if (left?.type !== 'identifier') continue;
      if (/(^|\.)(C|WIN|PY)FUNCTYPE$/.test(callee)) prototypes.add(left.text);
      else if (/(^|\.)FFI$/.test(callee) || /\.dlopen$/.test(callee)) cffi.add(left.text);
    }
    if (!prototypes.size || !cffi.size) return [];
    const callbacks = new Set<import('web-tree-sitter').Node>();
    for (const n of all) {
      if (n.type === 'call' && prototypes.has(n.childForFieldName('function')?.text ?? '')) {
        const args = n.childForFieldName('arguments')?.namedChildren ?? [];
        const fn = args.length === 1 && args[0]!.type === 'identifier' ? defs.get(args[0]!.text) : undefined;
        if (fn) callbacks.add(fn);
      }
      if (n.type === 'decorated_definition' && n.namedChildren.some((d) => d.type === 'decorator' && prototypes.has(d.namedChildren[0]?.text ?? ''))) {
        const fn = n.childForFieldName('definition');
        if (fn?.type === 'function_definition') callbacks.add(fn);
      }
    }
    const out: { offset: number; name?: string; reason: string }[] = [];
    for (const fn of callbacks) {
      const params = new Set((fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'identifier').map((p) => p.text));
      for (const n of walk(fn.childForFieldName('body')!)) {
        if (n.type !== 'call') continue;
        const callee = n.childForFieldName('function');
        let root = callee;
        while (root?.type === 'attribute') root = root.childForFieldName('object');
        if (!root || root === callee || root.type !== 'identifier' || !cffi.has(root.text)) continue;
        for (const a of walk(n.childForFieldName('arguments')!)) {
          const p = a.parent!;
          const nameField = (p.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === a.startIndex) || (p.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === a.startIndex);
          if (a.type === 'identifier' && params.has(a.text) && !nameField) {
            out.push({ offset: a.startIndex, name: a.text, reason: `the arguments ctypes passes to the callback ${fn.childForFieldName('name')?.text} would reach cffi (${callee!.text})` });
          }
        }
      }
    }
    return out;
  } finally {
    tree.delete();
  }
}
