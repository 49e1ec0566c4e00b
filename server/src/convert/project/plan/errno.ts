/**
 * Stage B, errno: `ctypes.get_errno()` → `ffi.errno`, `ctypes.set_errno(v)` as a statement → `ffi.errno = v`,
 * under the per-file engine's rule (rewrite/errno.ts `errnoPolicyOf`): ctypes' errno copy sees only the calls
 * of `use_errno=True` libraries, ffi.errno sees every cffi call (of any FFI: cffi keeps one errno per thread),
 * so the two agree only when every library of the binding is loaded with use_errno=True and no function is made
 * by a prototype (`P(("name", lib))` calls C without use_errno unless P asks for it).
 */
import type { Node } from 'web-tree-sitter';
import { errnoPolicyOf } from '../../rewrite/errno';
import type { ModulePlanner } from './planner';

export function planErrno(pl: ModulePlanner, n: Node, m: 'get_errno' | 'set_errno', args: Node[], keywords: number): void {
  const planners = [...pl.project.planners.values()];
  // a library loaded by a factory in another module is loaded there without use_errno (findFactories takes no keywords)
  const libs = planners.flatMap((p) => [...p.libraries.values()]).map((l) => ({ useErrno: l.useErrno, staysCtypes: false }));
  // a function made by a prototype calls C as the prototype says: without use_errno (the plan converts no other), ctypes' copy misses its errno
  const viaPrototype = planners.flatMap((p) => p.prototypeFunctions)[0];
  const policy = errnoPolicyOf(libs, false);
  const reason = policy.keep ?? policy.refuse;
  if (!reason && viaPrototype) {
    pl.refuse(n, `ctypes.get_errno/set_errno cannot become ffi.errno: ${viaPrototype.text} calls C through a prototype without use_errno=True, whose errno ctypes' copy never sees; ffi.errno would`);
    return;
  }
  if (reason) {
    pl.refuse(n, reason.replace(/^ctypes\.get_errno\/set_errno stay: /, 'ctypes.get_errno/set_errno cannot become ffi.errno: '));
    return;
  }
  const f = pl.plan.ffi;
  if (m === 'get_errno' && !args.length && !keywords) {
    pl.plan.usesFfi = true;
    pl.rewrite(n, () => `${f}.errno`);
    return;
  }
  if (m === 'set_errno' && args.length === 1 && !keywords && n.parent?.type === 'expression_statement') {
    pl.plan.usesFfi = true;
    pl.rewrite(n, (inner) => `${f}.errno = ${inner(args[0]!)}`);
    return;
  }
  pl.refuse(n, `${n.text}: the plan makes ffi.errno of get_errno() and of set_errno(v) as a statement (its old value unused)`);
}
