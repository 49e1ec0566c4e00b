/**
 * The last check of a single-file conversion before it is offered: the output must not use a cffi library
 * the way ctypes libraries are used. A library bound by `ffi.dlopen(...)` may only be read as `lib.name`
 * for a name its cdef declares (or `hasattr`); handed to a helper, looked up with getattr, stored in an
 * attribute, or given argtypes/restype/errcheck, it fails at run time with no TODO. Such an output is not
 * offered: the file stays as it was, with the reason.
 */
import type { Node, Parser } from 'web-tree-sitter';
import { walk } from './syntax';

export interface GateProblem {
  /** Offset in the output text. */
  offset: number;
  reason: string;
}

export function unsafeCffiUses(parser: Parser, output: string): GateProblem[] {
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
    const ctypesThings = new Set<string>();
    const problems: GateProblem[] = [];
    for (const n of all) {
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right || (left.type !== 'identifier' && left.type !== 'attribute')) continue;
      const callee = right.type === 'call' ? right.childForFieldName('function')?.text ?? '' : '';
      if (/\.dlopen$/.test(callee)) libs.add(left.text);
      else if (/(^|\.)(CDLL|LoadLibrary|PyDLL)$/.test(callee)) ctypesThings.add(left.text);
      else if (right.type === 'attribute' && ctypesThings.has(rootOf(right))) ctypesThings.add(left.text);
    }
    if (!libs.size) return problems;
    const declaredLiteral = (n: Node | undefined): boolean => {
      const m = n && /^["']([A-Za-z_]\w*)["']$/.exec(n.text);
      return !!m && declared.has(m[1]!);
    };
    for (const n of all) {
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        const attr = left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
        if ((attr === 'argtypes' || attr === 'restype' || attr === 'errcheck') && !ctypesThings.has(rootOf(left!.childForFieldName('object')!))) {
          problems.push({ offset: left!.startIndex, reason: `${left!.text} is a ctypes attribute; after conversion it would be set on a cffi object` });
        }
        continue;
      }
      if ((n.type !== 'identifier' && n.type !== 'attribute') || !libs.has(n.text)) continue;
      const p = n.parent!;
      if (p.type === 'assignment' && p.childForFieldName('left')?.startIndex === n.startIndex) continue;
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
