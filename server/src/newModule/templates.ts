/**
 * "New Binding Module": style + module name + library/header → the files to create. Pure: the VS Code
 * command and the tests do the writing. The code comes from the same templates as the snippets.
 */
import * as bodies from './bodies';
import { isBareName, LibrarySpec, linkName, parseLibraryInput, pyString } from './libraryInput';
import { mergeCffiModule, SetupPyMerge } from './setupPy';
import { BINDING_STYLES, BindingStyleId, bindingStyle } from './styles';
import { renderFile, SlotValue, Template } from './template';

export { BINDING_STYLES, bindingStyle, parseLibraryInput };
export type { BindingStyleId, LibrarySpec, SetupPyMerge };

export interface GeneratedFile {
  /** Forward slashes, relative to the workspace folder. */
  relativePath: string;
  content: string;
}

export interface GeneratedModule {
  files: GeneratedFile[];
  /** For cffi out-of-line styles: the `cffi_modules` entry setup.py must list. */
  cffiModulesEntry?: string;
}

const PYTHON_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);

/** Why `name` cannot be a module name, or undefined when it can. */
export function checkModuleName(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'use letters, digits and underscores, not starting with a digit';
  if (PYTHON_KEYWORDS.has(name)) return `"${name}" is a Python keyword`;
  return undefined;
}

function describeLibrary(spec: LibrarySpec): string {
  if (spec.library) return isBareName(spec.library) ? `lib${linkName(spec.library)}` : spec.library;
  if (spec.header) return `<${spec.header}>`;
  return 'the C library';
}

function docstring(summary: string, ...paragraph: string[]): string {
  return `"""${summary}${paragraph.length ? `\n\n${paragraph.join('\n')}\n` : ''}"""\n\n`;
}

/** A Python expression that opens the library, failing loudly rather than falling back to the C library. */
function locateExpression(library: string): string {
  return isBareName(library)
    ? `ctypes.util.find_library(${pyString(library)}) or ${pyString(`lib${linkName(library)}.so`)}`
    : pyString(library);
}

function cdefHint(spec: LibrarySpec, apiMode: boolean): string {
  const from = spec.header ? `<${spec.header}>` : "the library's header";
  return apiMode
    ? `/* declarations you use, copied from ${from}; "..." may stand for details */`
    : `/* declarations you use, copied exactly from ${from} */`;
}

function file(relativePath: string, template: Template, values: Record<string, SlotValue>): GeneratedFile {
  return { relativePath, content: renderFile(template, values) };
}

/**
 * The files of one binding style. Throws on an invalid module name (check with `checkModuleName` first).
 * `libraryInput` is what the user typed: a library (`z`, `libz.so.1`), a header (`zlib.h`) or both.
 */
export function generateModule(style: BindingStyleId, name: string, libraryInput: string): GeneratedModule {
  const problem = checkModuleName(name);
  if (problem) throw new Error(`invalid module name "${name}": ${problem}`);
  const spec = parseLibraryInput(libraryInput);
  const lib = describeLibrary(spec);
  const buildScript = `${name}_build.py`;
  const build = `Build step: python ${buildScript} (or pip install . through setup.py) writes _${name}.`;

  switch (style) {
    case 'cffi-abi-inline':
      return {
        files: [
          file(`${name}.py`, bodies.cffiAbiInline, {
            doc: docstring(
              `${name}: ${lib} through cffi, ABI mode, in-line.`,
              'No compiler needed, but nothing checks the cdef: a wrong declaration crashes.',
              'With a C compiler, API mode is safer and faster on PyPy.',
            ),
            decls: cdefHint(spec, false),
            library: spec.library ? pyString(spec.library) : 'None',
            use: '',
          }),
        ],
      };
    case 'cffi-abi-outofline':
      return {
        cffiModulesEntry: cffiModulesEntry(name),
        files: [
          file(buildScript, bodies.cffiAbiBuild, {
            doc: docstring(`Declarations of ${lib} for ${name} (cffi, ABI mode, out-of-line).`, build),
            module: name,
            decls: cdefHint(spec, false),
          }),
          file(`${name}.py`, bodies.cffiAbiImport, {
            doc: docstring(`${name}: ${lib} through cffi, ABI mode, out-of-line.`, `Run ${buildScript} first.`),
            findImport: spec.library && isBareName(spec.library) ? 'import ctypes.util\n\n' : '',
            module: name,
            library: spec.library ? locateExpression(spec.library) : 'None',
            use: '',
          }),
        ],
      };
    case 'cffi-api':
      return {
        cffiModulesEntry: cffiModulesEntry(name),
        files: [
          file(buildScript, bodies.cffiApiBuild, {
            doc: docstring(`C source and declarations of ${lib} for ${name} (cffi, API mode).`, build),
            module: name,
            csource: spec.header ? `#include <${spec.header}>` : "/* #include the library's header here */",
            libraries: spec.library ? pyString(linkName(spec.library)) : '',
            decls: cdefHint(spec, true),
          }),
          file(`${name}.py`, bodies.cffiApiImport, {
            doc: docstring(`${name}: ${lib} through cffi, API mode.`, `Run ${buildScript} first.`),
            module: name,
            use: '',
          }),
        ],
      };
    case 'ctypes':
      return {
        files: [
          file(`${name}.py`, bodies.ctypesModule, {
            doc: docstring(`${name}: ${lib} through ctypes.`, 'On PyPy, cffi is the faster choice for the same code.'),
            library: spec.library ? locateExpression(spec.library) : 'None',
            declarations: [
              '# For each function you call, for example:',
              '# class Point(ctypes.Structure):',
              '#     _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]',
              '# lib.foo.argtypes = [ctypes.c_char_p, ctypes.POINTER(Point)]',
              '# lib.foo.restype = ctypes.c_int',
              '',
            ].join('\n'),
            use: '',
          }),
        ],
      };
    case 'cppyy':
      return {
        files: [
          file(`${name}.py`, bodies.cppyyModule, {
            doc: docstring(`${name}: ${lib} through cppyy.`),
            header: spec.header ?? { commentedOut: 'your_header.h' },
            library: spec.library ? (isBareName(spec.library) ? `lib${linkName(spec.library)}` : spec.library) : { commentedOut: 'libyourlib' },
            cppdef: '// C++ helpers compiled at run time, if you need any',
            use: '',
          }),
        ],
      };
    case 'rpython': {
      const dir = `pypy/module/${name}`;
      const eci = [
        spec.header ? `includes=[${pyString(spec.header)}]` : undefined,
        spec.library ? `libraries=[${pyString(linkName(spec.library))}]` : undefined,
      ].filter(Boolean);
      return {
        files: [
          { relativePath: `${dir}/__init__.py`, content: '' },
          file(`${dir}/moduledef.py`, bodies.rpythonModuledef, { doc: '', module: name }),
          file(`${dir}/interp_${name}.py`, bodies.rpythonInterp, {
            doc: '',
            module: name,
            cBinding: [
              `# Calling ${lib}: declare each function with rffi.llexternal, e.g.`,
              '# from rpython.rtyper.lltypesystem import rffi',
              '# from rpython.translator.tool.cbuild import ExternalCompilationInfo',
              `# eci = ExternalCompilationInfo(${eci.join(', ')})`,
              '# c_foo = rffi.llexternal("foo", [rffi.INT], rffi.INT, compilation_info=eci)',
              '',
            ].join('\n'),
          }),
          file(`${dir}/app_${name}.py`, bodies.rpythonApp, { doc: '', module: name }),
          file(`${dir}/test/test_${name}.py`, bodies.rpythonTest, { doc: '', module: name }),
        ],
      };
    }
  }
}

/** The `cffi_modules` entry for the build script `generateModule` writes. */
export function cffiModulesEntry(name: string): string {
  return `${name}_build.py:ffibuilder`;
}

/**
 * setup.py listing `name`'s build script: a new minimal setup.py when there is none (`existing`
 * undefined), else the existing one with a minimal edit.
 */
export function setupPyWithCffiModule(existing: string | undefined, name: string): SetupPyMerge {
  if (existing === undefined) return { ok: true, text: renderFile(bodies.cffiSetupPy, { module: name }), changed: true };
  return mergeCffiModule(existing, cffiModulesEntry(name));
}

export { mergeCffiModule };
