/** Library loads (`CDLL(...)` → `ffi.dlopen`) and uses of a library (`lib.f` of a function that stays → its ctypes handle): what a library becomes follows what the plan made of its functions. */
import type { Node } from 'web-tree-sitter';
import { functionKey, splitFunctionRef } from '../readCtypes';
import { callParts, dotted, isStoreTarget } from '../syntax';
import type { Rewriter } from './rewriter';
import { canDeclare } from './plan';

/** `lib.f` for a function that stays in ctypes → the library's ctypes handle; a bare `lib` in frozen code too. */
export function handleRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  if (n.type !== 'attribute' && n.type !== 'identifier') return undefined;
  const d = dotted(n);
  if (!d || isStoreTarget(n)) return undefined;
  if (rw.p.libraries.has(d) && n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.startIndex === n.startIndex && n.parent.childForFieldName('object')?.endIndex === n.endIndex) {
    // `lib` in `lib.f`: handled at the attribute
    return undefined;
  }
  const ref = splitFunctionRef(rw.p, d);
  if (ref && !ref.lib.human && !ref.name.startsWith('_')) {
    const f = rw.p.functions.get(functionKey(ref.lib.name, ref.name));
    if (!rw.signatures.has(functionKey(ref.lib.name, ref.name)) && (f || rw.isFrozen(n) || !canDeclare(rw, ref.name))) {
      const lib = ref.lib;
      return () => {
        rw.handles.add(lib.name);
        return `${handleAt(lib.name, d.slice(0, d.lastIndexOf('.')))}.${ref.name}`;
      };
    }
  }
  const lib = rw.p.libraries.get(d);
  if (lib && !lib.human && rw.isFrozen(n) && !(n.parent?.type === 'attribute')) {
    return () => {
      rw.handles.add(lib.name);
      return handleAt(lib.name, d);
    };
  }
  return undefined;
}

export function loadRule(rw: Rewriter, n: Node): ((r: Rewriter) => string) | undefined {
  const lib = [...rw.p.libraries.values()].find((l) => l.load.startIndex === n.startIndex && l.load.endIndex === n.endIndex);
  if (!lib || lib.human) return undefined;
  const call = callParts(n)!;
  const modeNode = call.keywords.get('mode') ?? call.args[1];
  let flags = '';
  if (modeNode) {
    const f = dlopenFlags(rw.p.ctypesName(modeNode), rw.F);
    if (f === undefined) {
      rw.leave(n, DLOPEN_MODE_UNKNOWN);
      return undefined;
    }
    if (f) flags = `, ${f}`;
  }
  for (const kw of call.keywords.keys()) {
    if (!['mode', 'use_errno', 'use_last_error', 'handle', 'winmode'].includes(kw)) return undefined;
    if (kw === 'handle' || kw === 'winmode') {
      rw.leave(n, `CDLL(..., ${kw}=...) has no ffi.dlopen equivalent here`);
      return undefined;
    }
  }
  const path = call.args[0];
  if (rw.apiMode) return () => '_cffi_lib';
  return (r) => `${r.F}.dlopen(${path ? r.R(path) : 'None'}${flags})`;
}

export const DLOPEN_MODE_UNKNOWN = 'the dlopen mode is not a ctypes RTLD_* constant: give ffi.dlopen its flags by hand';

/**
 * ffi.dlopen's flags for a ctypes `mode` (the ctypes name it is, or undefined): ctypes ORs RTLD_NOW into every
 * mode, and so does ffi.dlopen without flags; '' for the default, undefined for a mode that is no RTLD_* constant.
 */
export function dlopenFlags(mode: string | undefined, F: string): string | undefined {
  if (mode === 'RTLD_GLOBAL') return `${F}.RTLD_NOW | ${F}.RTLD_GLOBAL`;
  if (mode === 'RTLD_LOCAL' || mode === 'DEFAULT_MODE') return '';
  return undefined;
}

/** The ctypes handle of library `name` as reached from a use spelled `at`: `obj.lib` for `self.lib`, `self.lib` for a class's `lib` → `….lib_ctypes`, the handle beside it. */
export function handleAt(name: string, at: string): string {
  const tail = `.${name.slice(name.lastIndexOf('.') + 1)}`;
  return at !== name && at.endsWith(tail) ? `${at}_ctypes` : `${name}_ctypes`;
}
