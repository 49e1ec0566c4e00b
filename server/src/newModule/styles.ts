/** The binding styles of PyPy's "Writing extension modules for pypy", in the guide's order of preference. */

export type BindingStyleId = 'cffi-api' | 'cffi-abi-inline' | 'cffi-abi-outofline' | 'ctypes' | 'cppyy' | 'rpython';

export interface BindingStyle {
  id: BindingStyleId;
  label: string;
  /** One line: when to choose it. */
  detail: string;
  /** Whether the build script must be listed in setup.py's cffi_modules. */
  needsCffiModules: boolean;
}

/** Ranked as in the guide: cffi (API mode first, as cffi recommends), ctypes, cppyy, RPython mixed modules. */
export const BINDING_STYLES: readonly BindingStyle[] = [
  {
    id: 'cffi-api',
    label: 'cffi, API mode (out-of-line)',
    detail: 'Recommended with a C compiler: the compiler checks your declarations; fastest on PyPy.',
    needsCffiModules: true,
  },
  {
    id: 'cffi-abi-inline',
    label: 'cffi, ABI mode (in-line)',
    detail: 'No compiler: the cdef is parsed at import and must match the header exactly.',
    needsCffiModules: false,
  },
  {
    id: 'cffi-abi-outofline',
    label: 'cffi, ABI mode (out-of-line)',
    detail: 'No compiler, faster import: a build step writes the ffi module ahead of time.',
    needsCffiModules: true,
  },
  {
    id: 'ctypes',
    label: 'ctypes',
    detail: 'Standard library only; works on PyPy but calls are much slower than cffi.',
    needsCffiModules: false,
  },
  {
    id: 'cppyy',
    label: 'cppyy (C++)',
    detail: 'For C++ libraries: bindings from headers at run time; PyPy uses its built-in _cppyy.',
    needsCffiModules: false,
  },
  {
    id: 'rpython',
    label: 'RPython mixed module',
    detail: 'Only inside a PyPy source checkout: a built-in module, available after translating PyPy.',
    needsCffiModules: false,
  },
];

export function bindingStyle(id: string): BindingStyle | undefined {
  return BINDING_STYLES.find((s) => s.id === id);
}
