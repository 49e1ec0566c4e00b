import type { BindingModel } from '../analysis/model';
import { plainSpan, type RuleFinding } from './finding';

/** PB102: PyPy's internal FFI modules imported directly. */
export function pb102(model: BindingModel): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const imp of model.imports) {
    if (imp.binding !== '_rawffi' && imp.binding !== '_rawffi.alt' && imp.binding !== '_ffi') continue;
    // `from _ffi import ffi, lib` is a cffi out-of-line module that happens to be called _ffi
    if (imp.binding === '_ffi' && imp.names.some((n) => n.name === 'ffi' || n.name === 'lib')) continue;
    out.push({
      code: 'PB102',
      span: plainSpan(imp.moduleSpan),
      message: `\`${imp.module}\` is PyPy-internal (and missing on CPython): use cffi instead`,
      data: { module: imp.module },
    });
  }
  return out;
}

/** PB103: a CPython C-API extension declared with setuptools/distutils `Extension(...)`. */
export function pb103(model: BindingModel): RuleFinding[] {
  // distutils/setuptools themselves (and their tests) build Extension objects for other packages
  if (/\/(distutils|setuptools)\//.test(uriPath(model.uri))) return [];
  return model.specialCalls
    .filter((c) => /^(setuptools|distutils)(\.[\w.]+)?\.Extension$/.test(c.callee))
    .map(({ call }) => ({
      code: 'PB103',
      span: plainSpan(call.calleeSpan),
      message: 'C-API extension: on PyPy it runs only through slow cpyext; write the binding with cffi',
    }));
}

/** True when a document URI or path lies inside a PyPy source tree's pypy/module/. */
function uriPath(uri: string): string {
  let path = uri;
  try {
    path = decodeURIComponent(uri);
  } catch {
    // keep the raw text
  }
  return path.replace(/\\/g, '/');
}

export function inPypyModuleTree(uri: string): boolean {
  return /(^|[/:])pypy\/module\//.test(uriPath(uri));
}

/** PB104: a MixedModule outside pypy/module/. */
export function pb104(model: BindingModel): RuleFinding[] {
  if (model.mixedModules.length === 0 || inPypyModuleTree(model.uri)) return [];
  return model.mixedModules.map((m) => ({
    code: 'PB104',
    span: plainSpan(m.nameSpan),
    message: `\`${m.name}\` is an RPython MixedModule, loadable only inside PyPy's source tree: use cffi`,
    data: { module: m.name },
  }));
}

/** PB202: sys.getrefcount, in a file that binds C (ordinary files get no diagnostics). */
/** Names whose import shows the file already guards refcount-dependent code (numpy.testing, test.support). */
export const REFCOUNT_GUARDS = new Set(['HAS_REFCOUNT', 'IS_PYPY', 'refcount_test', 'cpython_only', 'check_impl_detail']);

/** True when the file visibly guards getrefcount: hasattr/getattr(sys, "getrefcount"), or imports a guard. */
function guardsRefcount(model: BindingModel): boolean {
  for (const calls of model.regionCalls) {
    for (const { callee, call } of calls) {
      const [obj, name] = call.args;
      if ((callee === 'hasattr' || callee === 'getattr') && obj?.text === 'sys' && name?.k === 'str' && name.value === 'getrefcount') return true;
    }
  }
  return model.imports.some((i) => i.names.some((n) => REFCOUNT_GUARDS.has(n.name)));
}

export function pb202(model: BindingModel): RuleFinding[] {
  if (model.uses.size === 0 || !model.specialCalls.some((c) => c.callee === 'sys.getrefcount') || guardsRefcount(model)) return [];
  return model.specialCalls
    .filter((c) => c.callee === 'sys.getrefcount')
    .map(({ call }) => ({
      code: 'PB202',
      span: plainSpan(call.calleeSpan),
      message: '`sys.getrefcount` does not exist on PyPy: guard it with hasattr(sys, "getrefcount")',
    }));
}

export const PYPY_RULES = [pb102, pb103, pb104, pb202];
