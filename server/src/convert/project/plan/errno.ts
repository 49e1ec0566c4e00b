/**
 * Stage B, errno: `ctypes.get_errno()` → `ffi.errno`, `ctypes.set_errno(v)` as a statement → `ffi.errno = v`,
 * under the per-file engine's rule (rewrite/errno.ts `errnoPolicyOf`): ctypes' errno copy sees only the calls
 * of `use_errno=True` libraries, ffi.errno sees every cffi call (of any FFI: cffi keeps one errno per thread),
 * so the two agree only when every library of the binding is loaded with use_errno=True.
 */
import type { Node } from 'web-tree-sitter';
import { errnoPolicyOf } from '../../rewrite/errno';
import type { ModulePlanner } from './planner';

export function planErrno(pl: ModulePlanner, n: Node, m: 'get_errno' | 'set_errno', args: Node[], keywords: number): void {
  const libs = [...pl.project.planners.values()].flatMap((p) => [...p.libraries.values()]);
  // a library loaded by a factory in another module is loaded there without use_errno (findFactories takes no keywords)
  const policy = errnoPolicyOf(libs.map((l) => ({ useErrno: l.useErrno, staysCtypes: false })), false);
  const reason = policy.keep ?? policy.refuse;
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
