/**
 * Stage B, variables of a library (`T.in_dll(lib, "name")`, T a number type), the library loaded by CDLL in this
 * module or in another one (`from .native import lib`, `nat.lib`, `*`; also held, `obj.lib`, `C.lib`): cdef
 * `extern T name;` in the library's module, and `v = T.in_dll(lib, "name")` whose every use is `v.value` read or set (or `T.in_dll(…).value` read at
 * once) becomes `v = _in_dll(lib, "name")`, the variable's `T *` (`ffi.addressof`, where ctypes found the symbol,
 * and ValueError where ctypes raised it), and `v.value` → `v[0]`. Each read reads the variable's memory, as
 * ctypes' `.value` did; a store goes through `_c_integer` (ctypes truncates, cffi raises OverflowError) unless it
 * is a literal in range. Any other use leaves the library's references to the library checks, which refuse it.
 */
import type { Node } from 'web-tree-sitter';
import { callParts, keyOf, stringLiteral, unparen } from '../../syntax';
import { typeString } from '../../typeNames';
import { assignedName, isTarget } from './syntax';
import { typeOf } from './types';
import type { ModulePlanner, Rewrite } from './planner';
import { type LibraryRef, libraryAt } from './libraries';
import { libraryHead } from './attributeDeclarations';
import { numberPrim } from './addresses';
import { type Found, fieldValue } from './fieldStructs';
import { usesOf } from './values';

export function planInDll(pl: ModulePlanner, call: Node): boolean {
  const c = callParts(call);
  const callee = c ? unparen(c.callee) : undefined;
  if (!c || callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'in_dll' || c.args.length !== 2 || c.keywords.size || c.splat) return false;
  const t = numberPrim(typeOf(pl, callee.childForFieldName('object')!));
  const name = stringLiteral(c.args[1]!);
  const libNode = unparen(c.args[0]!);
  const ref = libraryAt(pl, libNode);
  if (!t || !name || name.bytes || !/^[A-Za-z_][A-Za-z_0-9]*$/.test(name.value) || !ref || !ref.lib.loadedHere) return false;
  // one cdef declares a variable once: a second type for the same symbol (`c_int.in_dll` and `c_short.in_dll` of it,
  // legal in ctypes) would make cffi raise FFIError at import
  const line = `extern ${typeString(t)} ${name.value};`;
  const other = ref.owner.plan.structs.find((s) => s !== line && s.startsWith('extern ') && s.endsWith(` ${name.value};`));
  if (other) {
    pl.refuse(call, `${name.value} is read here as ${typeString(t)} and elsewhere as \`${other}\`: one cdef declares a variable once`);
    return true;
  }
  const address = (inner: (n: Node) => string): string => `_in_dll(${inner(libNode)}${ref.lib.wrapped ? '._cffi_lib' : ''}, ${JSON.stringify(name.value)})`;
  const rewrites: [Node, Rewrite][] = [];
  const found: Found = { rewrites: [], integer: false };
  const up = call.parent;
  if (up?.type === 'attribute' && up.childForFieldName('object')?.id === call.id && up.childForFieldName('attribute')?.text === 'value' && !isTarget(up)) {
    rewrites.push([up, (inner) => `${address(inner)}[0]`]);
  } else {
    const target = assignedName(call);
    const uses = target && target.parent?.type === 'assignment' && target.parent.childForFieldName('right')?.id === call.id ? usesOf(pl, target) : undefined;
    if (!uses?.length) return false;
    for (const u of uses) {
      const p = u.parent!;
      if (p.type !== 'attribute' || p.childForFieldName('object')?.id !== u.id || p.childForFieldName('attribute')?.text !== 'value') return false;
      if (!isTarget(p)) {
        rewrites.push([p, () => `${target!.text}[0]`]);
        continue;
      }
      // a plain `v.value = x`: no augmented assignment, no tuple target
      const asg = p.parent;
      if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== p.id || asg.childForFieldName('type')) return false;
      const right = asg.childForFieldName('right')!;
      const value = fieldValue(pl, { name: name.value, type: t }, right, found);
      if (!value) return false;
      rewrites.push([p, () => `${target!.text}[0]`], [right, value]);
    }
    rewrites.push([call, address]);
  }
  declareVariable(ref, line);
  for (const [n, r] of rewrites) pl.rewrite(n, r);
  pl.consumed.push(callee);
  if (found.integer) pl.plan.helpers.add('integer');
  pl.plan.helpers.add('inDll');
  pl.plan.usesFfi = true;
  pl.plan.converted.cells++;
  pl.libraryUsesAllowed.add(keyOf(libraryHead(libNode)));
  return true;
}

function declareVariable(ref: LibraryRef, line: string): void {
  const structs = ref.owner.plan.structs;
  if (!structs.includes(line)) structs.push(line);
  ref.owner.plan.usesFfi = true;
}
