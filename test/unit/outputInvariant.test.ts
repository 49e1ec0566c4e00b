// The invariant both converters check on their output (convert/check/outputInvariant.ts, convert/check/nameResolution.ts):
// every name the output reads is defined, every `lib.x` is declared, and across a project every name one module
// reads from another is still there. Unknown means no claim: these tests also pin what must not be reported.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { unresolvedNames } from '../../server/src/convert/check/nameResolution';
import { ctypesCallbackArgumentsInCffi, lostExports, lostNames, undeclaredLibNames, undeclaredLibraryUses } from '../../server/src/convert/check/outputInvariant';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';
import { FIELDS_READ } from './invariantSamples';

let parser: Parser;
before(async () => {
  parser = (await loadGrammars()).pythonParser;
});

const unresolved = (text: string): string[] => {
  const tree = parser.parse(text)!;
  try {
    return unresolvedNames(tree, text).map((u) => u.name);
  } finally {
    tree.delete();
  }
};

test('names bound by every kind of binding resolve; a name bound nowhere does not', () => {
  const text = [
    'import os.path, sys as system',
    'from ctypes import *',
    'from . import sibling',
    'from json import (loads as parse, dumps)',
    'X, (Y, *Z) = 1, (2, 3)',
    'total: int = 0',
    'for i, (j, k) in []: pass',
    'with open("f") as fh, open("g") as (ga, gb): pass',
    'try:',
    '    pass',
    'except OSError as err:',
    '    print(err)',
    'def f(a, b=X, *args, c: int, d: str = "", **kw):',
    '    global G',
    '    G = 1',
    '    inner = lambda p, *q, r=1, **s: p + r + a',
    '    def g():',
    '        nonlocal inner',
    '        return inner, args, kw, c, d, b',
    '    return [m * n for m in range(3) for n in range(m)], {e: v for e, v in {}.items()}, (w := 2), w',
    'class C(Structure):',
    '    _fields_ = [("x", c_int)]',
    '    def method(self):',
    '        return C, __class__, super()',
    'print(os.path, system, sibling, parse, dumps, X, Y, Z, total, i, j, k, fh, ga, gb, f, C, G, POINTER, sizeof, undefined_name)',
    '',
  ].join('\n');
  assert.deepEqual(unresolved(text), ['undefined_name']);
});

test('a class body does not enclose its methods or comprehensions; the first iterable is read outside', () => {
  const text = [
    'class K:',
    '    size = 3',
    '    def m(self):',
    '        return size',
    '    doubled = [size * i for i in range(2)]',
    '    ok = [i for i in range(size)]',
    '',
  ].join('\n');
  assert.deepEqual(unresolved(text), ['size', 'size']);
});

test('unknown means no claim: star imports, globals(), exec, broken text, annotations, del', () => {
  assert.deepEqual(unresolved('from os import *\nprint(path, anything)\n'), []);
  assert.deepEqual(unresolved('globals()["made"] = 1\nprint(made)\n'), []);
  assert.deepEqual(unresolved('exec("made = 1")\nprint(made)\n'), []);
  assert.deepEqual(unresolved('print(x\n'), []);
  assert.deepEqual(unresolved('def f(a: Later) -> Later: pass\nv: Later\n'), []);
  assert.deepEqual(unresolved('del gone\n'), []);
  assert.deepEqual(unresolved('print(__file__, __name__)\n'), []);
});

test('lostNames: a class deleted while still read, a dropped import still used, an undefined helper', () => {
  const input = 'import ctypes\nclass S(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_int)]\nprint(S._fields_, ctypes.sizeof(S))\n';
  const output = 'from cffi import FFI\nffi = FFI()\nprint(S._fields_, ctypes.sizeof(S), _cstring_or_none(None))\n';
  const lost = lostNames(parser, input, output);
  assert.deepEqual(lost.map((l) => l.name), ['S', 'ctypes', 'S', '_cstring_or_none']);
  assert.match(lost[0]!.reason, /S is read at line 3 of the converted file, which no longer defines it/);
  assert.equal(output.slice(lost[0]!.offset, lost[0]!.offset + 1), 'S');
});

test('lostNames makes no claim on a name the input already read undefined, nor when nothing is lost', () => {
  assert.deepEqual(lostNames(parser, 'print(maybe_builtin)\n', 'print(maybe_builtin)\n'), []);
  const input = 'import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.abs(-1))\n';
  assert.deepEqual(lostNames(parser, input, 'from cffi import FFI\nffi = FFI()\nffi.cdef("int abs(int);")\nlibc = ffi.dlopen(None)\nprint(libc.abs(-1))\n'), []);
});

test('undeclaredLibNames: lib.x on a cffi library that its cdef does not declare (PB305 on the output)', () => {
  const input = 'import ctypes\nlibc = ctypes.CDLL(None)\nprint(libc.abs(-1), libc.labs(-2))\n';
  const output = 'from cffi import FFI\nffi = FFI()\nffi.cdef("int abs(int);")\nlibc = ffi.dlopen(None)\nprint(libc.abs(-1), libc.labs(-2))\n';
  const found = undeclaredLibNames(input, output);
  assert.equal(found.length, 1);
  assert.match(found[0]!.reason, /libc\.labs is declared in no cdef of ffi/);
  assert.deepEqual(undeclaredLibNames(input, output.replace('int abs(int);', 'int abs(int); long labs(long);')), []);
});

test('lostExports: a name another module imports, star-imports or reads as mod.x, removed by the conversion', () => {
  const a = { name: 'pkg.a', pkg: 'pkg', input: 'import ctypes\nsize_t = ctypes.c_size_t\nf = 1\n', output: 'f = 1\n' };
  const b = { name: 'pkg.b', pkg: 'pkg', input: 'from . import a\nprint(a.size_t, a.f)\n', output: 'from . import a\nprint(a.size_t, a.f)\n' };
  const c = { name: 'pkg.c', pkg: 'pkg', input: 'from .a import *\nprint(size_t, f)\n', output: 'from .a import *\nprint(size_t, f)\n' };
  const d = { name: 'pkg.d', pkg: 'pkg', input: 'from pkg.a import size_t as st, f\n', output: 'from pkg.a import size_t as st, f\n' };
  const e = { name: 'pkg.e', pkg: 'pkg', input: 'import pkg.a\nprint(pkg.a.size_t)\n', output: 'import pkg.a\nprint(pkg.a.size_t)\n' };
  const found = lostExports(parser, [a, b, c, d, e]);
  assert.deepEqual(found.map((p) => `${p.module}:${p.name}`), ['pkg.b:size_t', 'pkg.c:size_t', 'pkg.d:size_t', 'pkg.e:size_t']);
  assert.match(found[0]!.reason, /size_t is read from pkg\.a, which no longer defines it/);
  // nothing lost when the name stays
  assert.deepEqual(lostExports(parser, [{ ...a, output: a.input }, b, c, d, e]), []);
});

test('lostExports: a package read only through a relative import counts; a loss no module reads does not', () => {
  const init = { name: 'pkg', pkg: 'pkg', input: 'import ctypes\nsize_t = ctypes.c_size_t\n', output: '\n' };
  const b = { name: 'pkg.b', pkg: 'pkg', input: 'from . import size_t\n', output: 'from . import size_t\n' };
  assert.deepEqual(lostExports(parser, [init, b]).map((p) => `${p.module}:${p.name}`), ['pkg.b:size_t']);
  // the same loss where no module names the one that lost it: nothing can read it
  const lone = { name: 'binding', pkg: '', input: init.input, output: init.output };
  const other = { name: 'other', pkg: '', input: 'import os\n', output: 'import os\n' };
  assert.deepEqual(lostExports(parser, [lone, other]), []);
});


// the output main's project engine wrote for `from pkg import nat; x = nat; x.libc.abs(-3)` (issue 12): nothing declared abs
const NAT_OUT = 'import ctypes.util\nfrom cffi import FFI\n_ffi = FFI()\n_ffi.cdef("""\n    size_t strlen(char *);\n""")\nlibc = _Library(ctypes.util.find_library("c"))\nlibc.strlen = _cffi_function(libc._cffi_lib, "strlen")\n\n\nclass Holder:\n    lib = _ffi.dlopen("libc.so.6")\n';
const natModule = { name: 'pkg.nat', pkg: 'pkg', input: '', output: NAT_OUT };
const reader = (name: string, output: string) => ({ name, pkg: 'pkg', input: output, output });

test('undeclaredLibraryUses: lib.x on a converted library reached through any name (aliases, functions, other modules) must be declared', () => {
  const uses = reader('main', [
    'import pkg.nat as n2',
    'import pkg',
    'from pkg import nat, helper',
    'from pkg.nat import libc as lc',
    'x = nat',
    'n = n2',
    'p = pkg',
    'def f():',
    '    m = nat',
    '    return m.libc.toupper(97)',
    'def g(nat):',
    '    return nat.libc.fine_here(1)', // a parameter hides the module
    'print(x.libc.abs(-3), n.libc.labs(-4), p.nat.libc.llabs(-5), lc.atoi(b"1"), helper.y.libc.puts(b"a"), x.Holder.lib.getpid())',
    'print(x.libc.strlen(b"ab"), nat.libc._name, lc.__class__, nat.Holder.lib.strlen(b"a"))', // declared, a _Library attribute, a dunder
  ].join('\n') + '\n');
  const helper = reader('pkg.helper', 'from pkg import nat\ny = nat\n');
  const found = undeclaredLibraryUses(parser, [natModule, uses, helper]);
  const names = (ps: { module: string; offset: number }[]) => ps.map((p) => `${p.module}:${uses.output.slice(p.offset).match(/^\w+/)![0]}`);
  assert.deepEqual(names(found).sort(), ['main:abs', 'main:atoi', 'main:getpid', 'main:labs', 'main:llabs', 'main:puts', 'main:toupper']);
  assert.match(found.find((p) => uses.output.slice(p.offset).startsWith('abs'))!.reason, /x\.libc\.abs is not declared in the cdef of pkg\.nat \(its library libc is cffi now\)/);
  // declared: no finding
  const declared = NAT_OUT.replace('size_t strlen(char *);', 'size_t strlen(char *); int abs(int); int toupper(int); long labs(long); long long llabs(long long); int atoi(char *); int puts(char *); int getpid(void);');
  assert.deepEqual(undeclaredLibraryUses(parser, [{ ...natModule, output: declared }, uses, helper]), []);
  // nothing converted, nothing to check
  assert.deepEqual(undeclaredLibraryUses(parser, [{ ...natModule, output: 'import ctypes\nlibc = ctypes.CDLL(None)\n' }, uses, helper]), []);
});

test('undeclaredLibraryUses: a library a package re-exports, read by a module whose text names no defining module (`from . import libc`)', () => {
  // session 10: pkg/api.py names neither pkg nor nat, so the check skipped it, and abs went undeclared with no TODO
  const init = { name: 'pkg', pkg: 'pkg', input: 'from .nat import libc\n', output: 'from .nat import libc\n' };
  const api = reader('pkg.api', 'from . import libc\nprint(libc.abs(-3), libc.strlen(b"a"))\n');
  const starInit = { name: 'pkg', pkg: 'pkg', input: 'from .nat import *\n', output: 'from .nat import *\n' };
  const deep = { ...reader('pkg.deep.api', 'from .. import libc\nprint(libc.labs(-3))\n'), pkg: 'pkg.deep' };
  const at = (ps: { module: string; offset: number }[], texts: Record<string, string>) => ps.map((p) => `${p.module}:${texts[p.module]!.slice(p.offset).match(/^\w+/)![0]}`);
  const texts = { 'pkg.api': api.output, 'pkg.deep.api': deep.output };
  assert.deepEqual(at(undeclaredLibraryUses(parser, [natModule, init, api, deep]), texts).sort(), ['pkg.api:abs', 'pkg.deep.api:labs']);
  assert.deepEqual(at(undeclaredLibraryUses(parser, [natModule, starInit, api]), texts), ['pkg.api:abs']);
  // a relative import of a package that reaches no converted library: nothing to report
  assert.deepEqual(undeclaredLibraryUses(parser, [natModule, { ...init, output: 'import os\n' }, api]), []);
});

test('undeclaredLibraryUses: a module holding a converted library used as a value the check cannot follow is reported', () => {
  const found = undeclaredLibraryUses(parser, [natModule, reader('main', 'from pkg import nat\ndef g(m):\n    return m.libc.abs(-3)\nprint(g(nat), [nat], getattr(nat, "lib" + "c"))\n')]);
  assert.equal(found.length, 3);
  assert.match(found[0]!.reason, /nat \(the module pkg\.nat\) is used as a value: the check cannot tell which functions of pkg\.nat's cffi libraries are reached through it/);
  // getattr by a name that cannot be a library (libarchive's getattr(ffi, 'read_support_filter_' + name)), a parameter of the same name
  assert.deepEqual(undeclaredLibraryUses(parser, [natModule, reader('main', 'from pkg import nat\nprint(getattr(nat, "read_" + "x", None), hasattr(nat, "f"))\ndef h(nat):\n    return [nat]\n')]), []);
});

test('the single-file converter shrinks a plan whose output would read a class it deleted', async () => {
  const r = await convertText(FIELDS_READ);
  const out = applyEdits(FIELDS_READ, r.edits);
  assert.deepEqual(lostNames(parser, FIELDS_READ, out), [], out);
  assert.match(out, /^class div_t\(ctypes\.Structure\):$/m);
  assert.ok(r.leftForHuman.some((h) => /it would read div_t, which the converted file no longer defines/.test(h.reason)), JSON.stringify(r.leftForHuman));
});

test('ctypesCallbackArgumentsInCffi: a kept ctypes callback hands its ctypes arguments to ffi.cast', () => {
  const output = [
    'from ctypes import *',
    'from cffi import FFI',
    'ffi = FFI()',
    'CMP = CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))',
    'def cmp(a, b):',
    '    return ffi.cast("int *", a)[0] - b.contents.value + ffi.sizeof("int")',
    'cb = CMP(cmp)',
    '@CMP',
    'def other(p, q):',
    '    return ffi.cast("int *", q.x)[0]',
    'def plain(a):',
    '    return ffi.cast("int *", a)[0]',
    '',
  ].join('\n');
  const found = ctypesCallbackArgumentsInCffi(parser, output);
  assert.deepEqual(found.map((f) => `${f.name}@${output.slice(0, f.offset).split('\n').length}`), ['a@6', 'q@10']);
  assert.match(found[0]!.reason, /the arguments ctypes passes to the callback cmp would reach cffi \(ffi\.cast\)/);
});

test('the single-file converter keeps a kept ctypes callback reading its arguments with ctypes', async () => {
  const text = [
    'from ctypes import *',
    'libc = CDLL("libc.so.6")',
    'CMPFUNC = CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))',
    'QSORT_PROTO = CFUNCTYPE(None, c_void_p, c_size_t, c_size_t, c_void_p)',
    'qsort = QSORT_PROTO(("qsort", libc))',
    'def _cmp(a, b):',
    '    x = cast(a, POINTER(c_int))[0]',
    '    return x',
    'cmp = CMPFUNC(_cmp)',
    'arr = (c_int * 2)(2, 1)',
    'qsort(arr, 2, sizeof(c_int), cmp)',
    'buf = create_string_buffer(b"", 64)',
    'print(libc.snprintf(buf, c_size_t(64), b"%d", c_int(3)), buf.value)',
    '',
  ].join('\n');
  const out = applyEdits(text, (await convertText(text)).edits);
  assert.match(out, /ffi\.new\("char\[64\]"/, 'the rest still converts');
  assert.match(out, /^ {4}x = cast\(a, POINTER\(c_int\)\)\[0\]$/m, out);
});
