/**
 * The snippet catalogue, rendered from the same templates as "New Binding Module". The JSON file that
 * package.json contributes is written from here:
 *   node --import tsx server/src/newModule/snippets.ts snippets/python.json
 * and a test fails when the file and this catalogue disagree.
 */
import * as fs from 'node:fs';
import * as bodies from './bodies';
import { renderSnippetBody, Template } from './template';

export interface SnippetDefinition {
  /** Key in the JSON file and the label VS Code shows. */
  name: string;
  prefix: string;
  /** Which style, and when to choose it. */
  description: string;
  template: Template;
}

export const SNIPPETS: readonly SnippetDefinition[] = [
  {
    name: 'PyPy: cffi ABI in-line module',
    prefix: 'pypy-cffi-abi',
    description:
      'cffi, ABI mode, in-line: FFI(), cdef, dlopen, a call, ffi.string on the result. No compiler needed; declarations must match the header exactly.',
    template: bodies.cffiAbiInline,
  },
  {
    name: 'PyPy: cffi ABI out-of-line build script',
    prefix: 'pypy-cffi-abi-build',
    description:
      'cffi, ABI mode, out-of-line: the _build.py (set_source(name, None), cdef, compile). No compiler; imports faster than in-line. Pair with pypy-cffi-abi-import.',
    template: bodies.cffiAbiBuild,
  },
  {
    name: 'PyPy: cffi ABI out-of-line import',
    prefix: 'pypy-cffi-abi-import',
    description:
      'cffi, ABI mode, out-of-line: import the ffi that pypy-cffi-abi-build wrote and dlopen the library by path.',
    template: bodies.cffiAbiImport,
  },
  {
    name: 'PyPy: cffi API out-of-line build script',
    prefix: 'pypy-cffi-api-build',
    description:
      'cffi, API mode (recommended when a C compiler is available; fastest on PyPy): the _build.py with set_source, cdef and compile. Pair with pypy-cffi-api-import.',
    template: bodies.cffiApiBuild,
  },
  {
    name: 'PyPy: cffi API out-of-line import',
    prefix: 'pypy-cffi-api-import',
    description: 'cffi, API mode: use the compiled extension, from _mod import ffi, lib (no dlopen).',
    template: bodies.cffiApiImport,
  },
  {
    name: 'PyPy: setup.py with cffi_modules',
    prefix: 'pypy-cffi-setup',
    description:
      'setup.py for cffi out-of-line modules: cffi_modules and setup_requires (cffi has no pyproject.toml-only configuration).',
    template: bodies.cffiSetupPy,
  },
  {
    name: 'PyPy: cffi callback (ABI mode)',
    prefix: 'pypy-cffi-callback',
    description:
      'cffi, ABI mode: a C callback with @ffi.callback (qsort). Choose API mode extern "Python" (pypy-cffi-extern-python) when you can compile.',
    template: bodies.cffiCallbackAbi,
  },
  {
    name: 'PyPy: cffi extern "Python" build script (API mode)',
    prefix: 'pypy-cffi-extern-python',
    description:
      'cffi, API mode: declare a callback as extern "Python" in the cdef; faster and safer than @ffi.callback. Pair with pypy-cffi-def-extern.',
    template: bodies.cffiExternPythonBuild,
  },
  {
    name: 'PyPy: cffi @ffi.def_extern() callback (API mode)',
    prefix: 'pypy-cffi-def-extern',
    description: 'cffi, API mode: implement the extern "Python" function with @ffi.def_extern() and pass lib.<name> to C.',
    template: bodies.cffiDefExtern,
  },
  {
    name: 'PyPy: cffi handle for void *userdata',
    prefix: 'pypy-cffi-handle',
    description:
      'cffi: pass a Python object through a C void *userdata with ffi.new_handle / ffi.from_handle (never id(), which is no address on PyPy).',
    template: bodies.cffiHandle,
  },
  {
    name: 'PyPy: ctypes module, declared fully',
    prefix: 'pypy-ctypes',
    description:
      'ctypes done right: CDLL, argtypes AND restype on every function, a Structure. Works on PyPy but slower than cffi; for code that must stay stdlib-only.',
    template: bodies.ctypesModule,
  },
  {
    name: 'PyPy: cppyy C++ bindings',
    prefix: 'pypy-cppyy',
    description:
      "cppyy, for C++ libraries: include, load_library, cppdef, cppyy.gbl; checks PyPy's built-in _cppyy and says how to install cppyy.",
    template: bodies.cppyyModule,
  },
  {
    name: 'PyPy: RPython mixed module moduledef.py',
    prefix: 'pypy-rpython-moduledef',
    description:
      'RPython mixed module (only inside a PyPy checkout, built in at translation): moduledef.py with class Module(MixedModule), interpleveldefs and appleveldefs.',
    template: bodies.rpythonModuledef,
  },
  {
    name: 'PyPy: RPython mixed module interp_*.py',
    prefix: 'pypy-rpython-interp',
    description: 'RPython mixed module: interpreter-level code with @unwrap_spec, a W_Root type and interp2app.',
    template: bodies.rpythonInterp,
  },
  {
    name: 'PyPy: RPython mixed module app_*.py',
    prefix: 'pypy-rpython-app',
    description: 'RPython mixed module: application-level (plain Python) part listed in appleveldefs.',
    template: bodies.rpythonApp,
  },
  {
    name: 'PyPy: RPython mixed module AppTest',
    prefix: 'pypy-rpython-test',
    description: 'RPython mixed module: an AppTest class (spaceconfig usemodules) run with pytest in a PyPy checkout.',
    template: bodies.rpythonTest,
  },
];

export interface SnippetJson {
  prefix: string;
  description: string;
  body: string[];
}

/** The content of snippets/python.json. */
export function renderSnippetFile(): string {
  const out: Record<string, SnippetJson> = {};
  for (const s of SNIPPETS) {
    out[s.name] = { prefix: s.prefix, description: s.description, body: renderSnippetBody(s.template) };
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: snippets.ts <output.json>\n');
    process.exit(2);
  }
  fs.writeFileSync(target, renderSnippetFile());
}
