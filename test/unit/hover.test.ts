// hoverAt on realistic binding files, through the real analysis (analyzeText) and parsed document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../../server/src/analysis/analyze';
import { hoverAt, type HoverProblem } from '../../server/src/hover/hover';
import { loadGuide } from '../../server/src/guide/guide';
import { blockQuote } from '../../server/src/guide/markdown';

const CTYPES_FILE = `import ctypes
from ctypes import c_int, POINTER, Structure, byref

libc = ctypes.CDLL("libc.so.6")
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t
libc.abs.argtypes = [c_int]
libc.getenv.restype = ctypes.c_char_p

class Point(Structure):
    _fields_ = [("x", c_int), ("next", POINTER(c_int)), ("name", ctypes.c_char * 8)]

n = libc.strlen(b"abc")
size = ctypes.sizeof(c_int)
`;

const CFFI_FILE = `import cffi
from cffi import FFI

ffi = FFI()
ffi.cdef("""
    struct point { int x; int y; };
    int add(int a, int b);
    double area(struct point *p);
""")
lib = ffi.dlopen("libfoo.so")
p = ffi.new("struct point *")
r = lib.add(1, 2)
err = ffi.errno
q = lib.missing
`;

const OTHER_FILE = `import cppyy
import _rawffi
from pypy.interpreter.mixedmodule import MixedModule

cppyy.include("zlib.h")

class Module(MixedModule):
    interpleveldefs = {'sieve': 'demo.sieve'}
    appleveldefs = {'DemoError': 'app_demo.DemoError'}
`;

const PLAIN_FILE = `from mylib import lib, new, cast

def new(x):
    return x

lib.run(new(1), cast(2))
value = lib.answer
`;

/** Hover at the `nth` occurrence of `needle` (plus `delta` characters into it). */
async function hover(text: string, needle: string, { nth = 0, delta = 0, problems = [] as HoverProblem[] } = {}) {
  const { model, doc } = await analyzeText(text, 'file:///t.py');
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `no occurrence ${i} of ${needle}`);
  }
  const lines = TextDocument.create('file:///t.py', 'python', 1, text);
  const h = hoverAt(model, doc, at + delta, problems, lines);
  doc.dispose();
  if (!h) return undefined;
  const value = (h.contents as { kind: string; value: string }).value;
  return { value, covered: text.slice(lines.offsetAt(h.range!.start), lines.offsetAt(h.range!.end)), range: h.range! };
}

function section(id: string) {
  const s = loadGuide().section(id);
  assert.ok(s);
  return s;
}

test('`import ctypes` quotes the first paragraph of CTypes word for word, named, ranked, and links the full section', async () => {
  const h = await hover(CTYPES_FILE, 'ctypes', { delta: 2 });
  assert.ok(h);
  assert.equal(h.covered, 'ctypes');
  assert.deepEqual(h.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 13 } });
  assert.equal(
    h.value,
    `**CTypes** — 2nd of 4 ways: works, slower than CFFI on PyPy\n\n${blockQuote(section('ctypes').blocks[0]!)}\n\n` +
      '— PyPy documentation, *Writing extension modules for pypy*: [the full section](https://doc.pypy.org/en/latest/extending.html#ctypes)',
  );
  assert.match(h.value, /^> Also, ctypes' performance is not as good as CFFI's\.$/m);
  assert.doesNotMatch(h.value, /_rawffi/, 'only the relevant paragraph');
});

test('a name imported from ctypes explains its C type and cffi spelling, then quotes CTypes', async () => {
  const h = await hover(CTYPES_FILE, 'c_int', { delta: 1 });
  assert.ok(h);
  assert.equal(h.covered, 'c_int');
  assert.ok(h.value.startsWith('`c_int` — ctypes type for the C type `int`\n\ncffi spelling: `int` in the cdef and in type strings, e.g. `ffi.new("int *")`\n\n---\n\n**CTypes** — 2nd of 4 ways'), h.value);
});

test('ctypes.c_char_p in argtypes: C type plus the cdata pitfall', async () => {
  const h = await hover(CTYPES_FILE, 'ctypes.c_char_p', { delta: 9 });
  assert.ok(h);
  assert.equal(h.covered, 'ctypes.c_char_p');
  assert.match(h.value, /^`ctypes\.c_char_p` — ctypes type for the C type `char \*`$/m);
  assert.match(h.value, /cffi returns a `char \*` cdata: read it with `ffi\.string\(p\)`/);
});

test('POINTER(c_int) and c_char * 8 are spelled as C types', async () => {
  const ptr = await hover(CTYPES_FILE, 'POINTER(c_int)', { delta: 2 });
  assert.ok(ptr);
  const inner = await hover(CTYPES_FILE, 'POINTER(c_int)', { delta: 9 });
  assert.equal(inner?.covered, 'c_int');
  assert.match(inner.value, /the C type `int`$/m);
  assert.equal(ptr.covered, 'POINTER(c_int)');
  assert.match(ptr.value, /^`POINTER\(c_int\)` — ctypes type for the C type `int \*`$/m);
  const arr = await hover(CTYPES_FILE, 'ctypes.c_char * 8', { delta: 15 });
  assert.ok(arr);
  assert.equal(arr.covered, 'ctypes.c_char * 8');
  assert.match(arr.value, /the C type `char\[8\]`/);
});

test('a Structure subclass shows its cffi struct declaration', async () => {
  const h = await hover(CTYPES_FILE, 'Point');
  assert.ok(h);
  assert.equal(h.covered, 'Point');
  assert.ok(h.value.includes('```c\nstruct Point {\n    int x;\n    int *next;\n    char name[8];\n};\n```'), h.value);
  assert.match(h.value, /`ffi\.new\("struct Point \*"\)`/);
});

test('a foreign function shows the prototype its argtypes/restype imply, and what is missing', async () => {
  const strlen = await hover(CTYPES_FILE, 'libc.strlen', { nth: 2, delta: 6 });
  assert.ok(strlen);
  assert.equal(strlen.covered, 'libc.strlen');
  assert.match(strlen.value, /```c\nsize_t strlen\(char \*\);\n```/);
  assert.match(strlen.value, /declares it \(<string\.h>\) as `size_t strlen\(const char \*\);`/);
  assert.doesNotMatch(strlen.value, /is not set/);

  const getenv = await hover(CTYPES_FILE, 'libc.getenv');
  assert.ok(getenv);
  assert.match(getenv.value, /```c\nchar \*getenv\(\/\* unknown \*\/\);\n```/);
  assert.match(getenv.value, /- `argtypes` is not set/);

  const abs = await hover(CTYPES_FILE, 'libc.abs');
  assert.ok(abs);
  assert.match(abs.value, /```c\nint abs\(int\);\n```/);
  assert.match(abs.value, /- `restype` is not set: ctypes assumes C `int`/);
});

test('ctypes.sizeof(c_int): names the model has no span for are read from the tree', async () => {
  const fn = await hover(CTYPES_FILE, 'ctypes.sizeof', { delta: 8 });
  assert.ok(fn);
  assert.equal(fn.covered, 'ctypes.sizeof');
  assert.match(fn.value, /^`ctypes\.sizeof` — in cffi: `ffi\.sizeof\("T"\)`/);
  const arg = await hover(CTYPES_FILE, 'c_int)', { nth: 2 });
  assert.ok(arg);
  assert.equal(arg.covered, 'c_int');
  assert.deepEqual(arg.range.start, { line: 13, character: 21 });
});

test('cffi import, FFI and the ffi object quote the CFFI section', async () => {
  const mod = await hover(CFFI_FILE, 'cffi');
  assert.ok(mod);
  assert.equal(mod.covered, 'cffi');
  assert.ok(mod.value.startsWith('**CFFI** — 1st of 4 ways: the recommended way, fast under PyPy’s JIT\n\n> [CFFI](https://cffi.readthedocs.org/) is the recommended way.'));
  assert.ok(mod.value.endsWith('— PyPy documentation, *Writing extension modules for pypy*: [the full section](https://doc.pypy.org/en/latest/extending.html#cffi)'));
  assert.doesNotMatch(mod.value, /JIT does a quite reasonable job/, 'one paragraph');
  const ffiName = await hover(CFFI_FILE, 'ffi = FFI()');
  assert.ok(ffiName);
  assert.equal(ffiName.covered, 'ffi');
  assert.match(ffiName.value, /^`ffi` — a cffi `FFI` object, ABI mode/);
  assert.match(ffiName.value, /1 cdef call\(s\) with 3 declaration\(s\); libraries: `lib`\./);
  assert.ok(ffiName.value.includes(blockQuote(section('cffi').blocks[0]!)));
  const factory = await hover(CFFI_FILE, 'FFI()');
  assert.ok(factory);
  assert.equal(factory.covered, 'FFI');
  assert.ok(factory.value.includes('**CFFI**'));
});

test('ffi methods and attributes explain themselves with their pitfall', async () => {
  const n = await hover(CFFI_FILE, 'new', { delta: 1 });
  assert.ok(n);
  assert.equal(n.covered, 'new');
  assert.ok(n.value.startsWith('```python\nffi.new(cdecl, init=None)\n```\n\nAllocates zero-filled C memory'));
  assert.match(n.value, /\*\*Pitfall:\*\* The memory is freed when that owning cdata is collected/);
  const errno = await hover(CFFI_FILE, 'errno');
  assert.ok(errno);
  assert.equal(errno.covered, 'errno');
  assert.match(errno.value, /ffi\.errno/);
  const dlopen = await hover(CFFI_FILE, 'dlopen');
  assert.ok(dlopen);
  assert.match(dlopen.value, /Keep the returned `lib` referenced/);
});

test('lib.NAME shows the cdef declaration and its line; undeclared names say so', async () => {
  const add = await hover(CFFI_FILE, 'lib.add', { delta: 5 });
  assert.ok(add);
  assert.equal(add.covered, 'add');
  assert.ok(add.value.startsWith('```c\nint add(int a, int b);\n```\n\n`lib.add` — declared in the cdef of `ffi`, line 7.'), add.value);
  const missing = await hover(CFFI_FILE, 'missing');
  assert.ok(missing);
  assert.match(missing.value, /not declared in any cdef of `ffi`: accessing it raises `AttributeError`/);
});

test('a C identifier inside a cdef string resolves to its declaration', async () => {
  const use = await hover(CFFI_FILE, 'point *p', { delta: 2 });
  assert.ok(use);
  assert.equal(use.covered, 'point');
  assert.ok(use.value.startsWith('```c\nstruct point { int x; int y; };\n```\n\nDeclared in the cdef of `ffi`, line 6.'), use.value);
  const decl = await hover(CFFI_FILE, 'area');
  assert.ok(decl);
  assert.match(decl.value, /double area\(struct point \*p\);/);
  assert.match(decl.value, /Declared here in the cdef of `ffi`, line 8\./);
  const predefined = await hover(CFFI_FILE, 'double');
  assert.ok(predefined);
  assert.match(predefined.value, /`double` — a type cffi predefines/);
  assert.equal(await hover(CFFI_FILE, '{ int x', { delta: 1 }), undefined, 'whitespace in a cdef has no hover');
});

test('cppyy, _rawffi and mixed modules quote their part of the guide', async () => {
  const cppyy = await hover(OTHER_FILE, 'cppyy');
  assert.ok(cppyy);
  assert.ok(cppyy.value.startsWith(`**cppyy** — 3rd of 4 ways: for C++, with the JIT removing most cross-language overhead\n\n${blockQuote(section('cppyy').blocks[0]!)}\n\n— PyPy`));
  const include = await hover(OTHER_FILE, 'cppyy.include', { delta: 7 });
  assert.ok(include);
  assert.match(include.value, /^`cppyy\.include` — parses a C\+\+ header/);

  const rawffi = await hover(OTHER_FILE, '_rawffi');
  assert.ok(rawffi);
  const paragraph = section('ctypes').blocks[1]!;
  assert.equal(
    rawffi.value,
    '**CTypes**, on `_rawffi` and `_rawffi.alt` — the layer under ctypes, which is 2nd of 4 ways: works, slower than CFFI on PyPy\n\n' +
      `${blockQuote(paragraph)}\n\n— PyPy documentation, *Writing extension modules for pypy*: [the full section](https://doc.pypy.org/en/latest/extending.html#ctypes)`,
  );
  assert.doesNotMatch(rawffi.value, /The goal of the ctypes module/);

  for (const needle of ['MixedModule', 'MixedModule):', 'interpleveldefs', 'appleveldefs', 'Module(']) {
    const h = await hover(OTHER_FILE, needle, { delta: needle === 'Module(' ? 0 : 0 });
    assert.ok(h, needle);
    assert.ok(h.value.includes(`**RPython Mixed Modules** — 4th of 4 ways`), needle);
    assert.ok(h.value.includes(blockQuote(section('rpython-mixed-modules').blocks[0]!)), needle);
  }
});

test('a PB finding under the cursor adds what its message does not say: why, the guide\'s one sentence, the rule\'s own section', async () => {
  const text = CTYPES_FILE;
  const start = text.indexOf('ctypes.CDLL');
  const problems: HoverProblem[] = [
    { code: 'PB101', message: 'ctypes foreign calls are slow on PyPy', span: { start, end: start + 'ctypes.CDLL("libc.so.6")'.length } },
    { code: 'E501', message: 'not ours', span: { start, end: start + 5 } },
  ];
  const h = await hover(text, 'CDLL', { problems });
  assert.ok(h);
  const link = /^\*\*\[PB101\]\((file:[^)#]*rules\.md)#L(\d+)\)\*\* · ctypes used for foreign calls\n\nPyPy runs ctypes code/.exec(h.value);
  assert.ok(link, h.value);
  const rulesMd = fs.readFileSync(fileURLToPath(link[1]!), 'utf8').split('\n');
  assert.equal(rulesMd[Number(link[2]) - 1], '## PB101', 'the link opens the rule\'s own heading');
  assert.doesNotMatch(h.value, /ctypes foreign calls are slow on PyPy/, 'the message is not repeated: the editor shows it');
  assert.doesNotMatch(h.value, /not ours/);
  assert.equal((h.value.match(/^> /gm) ?? []).length, 1, 'one sentence of the guide');
  assert.match(h.value, /^> Also, ctypes' performance is not as good as CFFI's\.\n\n— PyPy documentation, \[CTypes\]\(https:\/\/doc\.pypy\.org\/en\/latest\/extending\.html#ctypes\)/m);
  assert.doesNotMatch(h.value, /\*\*CTypes\*\* — 2nd of 4 ways/, 'the section is not quoted again below the rule');

  // on a plain line with only a finding, the finding's span is the range
  const plain = 'import sys\nprint(sys.getrefcount(x))\n';
  const s = plain.indexOf('sys.getrefcount');
  const onlyFinding = await hover(plain, 'getrefcount', { problems: [{ code: 'PB202', message: 'no refcounts on PyPy', span: { start: s, end: s + 15 } }] });
  assert.ok(onlyFinding);
  assert.equal(onlyFinding.covered, 'sys.getrefcount');
  assert.match(onlyFinding.value, /^\*\*\[PB202\]\([^)]*\)\*\* · sys\.getrefcount/);
  assert.match(onlyFinding.value, /^> This document tries to explain/m);
});

test('no hover on ordinary Python: a user’s own lib, new and cast', async () => {
  for (const [needle, nth] of [['lib', 0], ['new', 0], ['cast', 0], ['new', 1], ['lib', 1], ['new', 2], ['cast', 1], ['lib', 2]] as const) {
    assert.equal(await hover(PLAIN_FILE, needle, { nth }), undefined, `${needle}#${nth}`);
  }
  // and in a binding file, plain Python next to the bindings stays silent
  assert.equal(await hover(CTYPES_FILE, 'n = ', {}), undefined);
  assert.equal(await hover(CFFI_FILE, 'r = ', {}), undefined);
  assert.equal(await hover(CFFI_FILE, '1, 2'), undefined);
});

test('POINTER(T) outside argtypes and _fields_ shows the C type it builds', async () => {
  const text = 'import ctypes\nfrom ctypes import POINTER, c_int\nPI = POINTER(POINTER(c_int))\nbuf = ctypes.cast(0, ctypes.POINTER(ctypes.c_char))\n';
  const nested = await hover(text, 'POINTER(POINTER', { delta: 2 });
  assert.ok(nested);
  assert.match(nested.value, /^`POINTER\(POINTER\(c_int\)\)` — ctypes type for the C type `int \*\*`$/m);
  const qualified = await hover(text, 'ctypes.POINTER(ctypes.c_char)', { delta: 9 });
  assert.ok(qualified);
  assert.match(qualified.value, /^`ctypes\.POINTER\(ctypes\.c_char\)` — ctypes type for the C type `char \*`$/m);
  assert.doesNotMatch(qualified.value, /`T \*`/);
});

test('a struct hover in a build script names the runtime ffi of the compiled module, not the builder', async () => {
  const text = 'from cffi import FFI\nffibuilder = FFI()\nffibuilder.cdef("struct vec { double x, y; }; double norm(struct vec *v);")\nffibuilder.set_source("_geom", "")\n';
  const h = await hover(text, 'vec {', { delta: 1 });
  assert.ok(h);
  assert.match(h.value, /From Python \(after `from _geom import ffi, lib`\): `ffi\.new\("struct vec \*"\)`/);
  assert.doesNotMatch(h.value, /ffibuilder\.new/);
  const fn = await hover(text, 'norm');
  assert.match(fn!.value, /From Python \(after `from _geom import ffi, lib`\): `lib\.norm\(\.\.\.\)`/);
});

test('a hover quotes the guide at most once, and points at it in one line when it quotes nothing', async () => {
  const strlen = await hover(CTYPES_FILE, 'libc.strlen', { nth: 2, delta: 6 });
  assert.ok(strlen);
  assert.equal((strlen.value.match(/^> /gm) ?? []).length, 0, 'a function hover explains; it does not quote');
  assert.equal((strlen.value.match(/PyPy guide: \[CTypes\]/g) ?? []).length, 1);
  const start = CTYPES_FILE.indexOf('libc.strlen(b');
  const withFinding = await hover(CTYPES_FILE, 'libc.strlen(b', { delta: 6, problems: [{ code: 'PB204', message: 'no restype', span: { start, end: start + 11 } }] });
  assert.ok(withFinding);
  assert.equal((withFinding.value.match(/^> /gm) ?? []).length, 1, 'the rule\'s one sentence');
  assert.doesNotMatch(withFinding.value, /PyPy guide: \[CTypes\]/, 'no second pointer to the same section');
});
