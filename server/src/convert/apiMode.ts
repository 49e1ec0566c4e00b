/**
 * API out-of-line output: a `_<module>_build.py` with set_source/cdef/compile, the module importing
 * `ffi, lib` from the compiled extension, and the setup.py `cffi_modules` line to add.
 */
import { lookupPrototype } from '../data/cPrototypes';
import type { CdefBlock } from './cdefFromCtypes';
import type { CtypesProgram } from './readCtypes';
import type { Rewriter } from './rewriteUses';
import { stringLiteral, unparen } from './syntax';

export function moduleNameOf(uri: string): string {
  const base = decodeURIComponent(uri.replace(/[?#].*$/, '')).split(/[\\/]/).pop() ?? 'module.py';
  const stem = base.replace(/\.pyi?$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `_${stem}`;
}

export function apiModeFiles(program: CtypesProgram, rw: Rewriter, blocks: CdefBlock[], uri: string): { files: { relativePath: string; content: string }[]; notes: string[]; header: (helpers: string[]) => string } {
  const mod = moduleNameOf(uri);
  const ext = `_${mod}_cffi`;
  const buildFile = `_${mod}_build.py`;
  const headers = new Set<string>();
  const libraries = new Set<string>();
  const notes: string[] = [];
  for (const sig of rw.signatures.values()) {
    const proto = lookupPrototype(sig.fn.name);
    if (proto) headers.add(proto.header);
    else notes.push(`API mode: ${sig.fn.name} is not in the prototype table; add its #include to ${buildFile} by hand`);
  }
  for (const lib of new Set(program.libraries.values())) {
    const path = lib.path ? unparen(lib.path) : undefined;
    let name: string | undefined;
    if (path?.type === 'call' && /find_library$/.test(path.childForFieldName('function')?.text ?? '')) {
      const arg = path.childForFieldName('arguments')?.namedChildren[0];
      name = arg ? stringLiteral(arg)?.value : undefined;
    } else if (path && path.type !== 'none') {
      const s = stringLiteral(path);
      const m = s && /^(?:.*\/)?lib([A-Za-z0-9_+-]+)\.so/.exec(s.value);
      name = m?.[1];
    }
    if (name && name !== 'c') libraries.add(name);
    else if (path && path.type !== 'none' && !name) notes.push(`API mode: could not tell which library ${lib.name} loads; add it to libraries= in ${buildFile}`);
  }
  // Structs declared from ctypes may exist in the headers too: let the compiler check the fields it knows.
  const cdef = blocks.map((b) => b.lines.map((l) => l.replace(/^(struct|union) (\w+) \{ (.*) \};$/, '$1 $2 { $3 ...; };')).join('\n')).join('\n');
  const content = [
    `# Build script for the cffi extension ${ext} (API out-of-line mode), generated from ${mod}.py.`,
    '# Run it once (python ' + buildFile + '), or list it in setup.py: cffi_modules=["' + buildFile + ':ffibuilder"]',
    'from cffi import FFI',
    '',
    'ffibuilder = FFI()',
    'ffibuilder.cdef("""',
    ...cdef.split('\n').map((l) => `    ${l}`),
    '""")',
    `ffibuilder.set_source(${JSON.stringify(ext)}, """`,
    ...[...headers].sort().map((h) => `#include ${h}`),
    `""", libraries=${JSON.stringify([...libraries].sort())})`,
    '',
    'if __name__ == "__main__":',
    '    ffibuilder.compile(verbose=True)',
    '',
  ].join('\n');
  notes.push(`API mode: add cffi_modules=["${buildFile}:ffibuilder"] to setup.py (with setup_requires/install_requires "cffi>=1.0.0")`);
  return {
    files: [
      { relativePath: buildFile, content },
      { relativePath: 'setup.py.cffi_modules.txt', content: `cffi_modules=["${buildFile}:ffibuilder"],\n` },
    ],
    notes,
    header: (helpers) => [`from ${ext} import ffi, lib as _cffi_lib`, ...helpers].join('\n'),
  };
}
