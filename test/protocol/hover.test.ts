// Hovers over the real server (`pypy-bindings lsp --stdio`): quoted guide text, explanations and ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LspClient, ROOT } from './lspClient';

/** LSP position (UTF-16 code units) of the n-th occurrence of `needle` plus `delta`, computed independently of the server. */
function positionOf(text: string, needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  at += delta;
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
}

/** The guide's source text, so quotes are checked against the shipped file rather than against the renderer. */
const GUIDE = fs.readFileSync(path.join(ROOT, 'server/data/guide/extending.rst'), 'utf8');

/** Asserts that every source line of the paragraph starting with `firstWords` appears quoted (`> line`). */
function assertQuotes(markdown: string, firstWords: string, lines: number): void {
  const start = GUIDE.indexOf(firstWords);
  assert.ok(start >= 0, `guide has no "${firstWords}"`);
  const source = GUIDE.slice(start).split('\n').slice(0, lines);
  // RST markup differs from Markdown only in ``literals``, references and `---`; compare the plain words.
  const words = (s: string) => s.replace(/:doc:`([^<`]*?)\s*<[^>]*>`/g, '$1').replace(/``|`_+|_+`|`|\[|\]\([^)]*\)|\*|_(?=\w)|(?<=\w)__?(?=\W|$)/g, '').replace(/---/g, '\u2014').replace(/\s+/g, ' ').trim();
  const quoted = markdown.split('\n').filter((l) => l.startsWith('> ')).map((l) => l.slice(2)).join('\n');
  for (const line of source) assert.ok(words(quoted).includes(words(line)), `quote lacks guide line: ${line}`);
}

const CTYPES_SOURCE = `import ctypes  # π ≈ 3.14 — non-ASCII before the targets on purpose
from ctypes import c_int, POINTER, Structure

libc = ctypes.CDLL("libc.so.6")
libc.strlen.argtypes = [ctypes.c_char_p]
libc.strlen.restype = ctypes.c_size_t

class Point(Structure):
    _fields_ = [("x", c_int), ("next", POINTER(c_int))]

n = libc.strlen(b"abc")
`;

const CFFI_SOURCE = `import cffi

ffi = cffi.FFI()
ffi.cdef("""
    struct point { int x; int y; };
    int add(int a, int b);
    double area(struct point *p);
""")
lib = ffi.dlopen("libfoo.so")
p = ffi.new("struct point *")
r = lib.add(1, 2)
`;

const OTHER_SOURCE = `import cppyy
import _rawffi
from pypy.interpreter.mixedmodule import MixedModule

class Module(MixedModule):
    interpleveldefs = {'sieve': 'demo.sieve'}
    appleveldefs = {'DemoError': 'app_demo.DemoError'}

def new(x):
    return x

lib = new(1)
`;

test('hover over each binding target returns the guide quote or explanation, with exact ranges', async () => {
  const c = new LspClient();
  try {
    const init = await c.initialize();
    assert.equal(init.capabilities.hoverProvider, true);
    const docs = { ctypes: 'file:///tmp/hover_ctypes.py', cffi: 'file:///tmp/hover_cffi.py', other: 'file:///tmp/hover_other.py' };
    c.open(docs.ctypes, CTYPES_SOURCE);
    c.open(docs.cffi, CFFI_SOURCE);
    c.open(docs.other, OTHER_SOURCE);

    const hover = async (uri: string, text: string, needle: string, nth = 0, delta = 0) => {
      const position = positionOf(text, needle, nth, delta);
      const h = await c.request('textDocument/hover', { textDocument: { uri }, position });
      return h as { contents: { kind: string; value: string }; range: { start: unknown; end: unknown } } | null;
    };
    const rangeOf = (text: string, needle: string, nth = 0) => ({ start: positionOf(text, needle, nth), end: positionOf(text, needle, nth, needle.length) });

    // import ctypes → the relevant paragraph of the CTypes section, quoted word for word, linked to the full section
    const ctypesImport = await hover(docs.ctypes, CTYPES_SOURCE, 'ctypes', 0, 2);
    assert.ok(ctypesImport);
    assert.equal(ctypesImport.contents.kind, 'markdown');
    assert.deepEqual(ctypesImport.range, rangeOf(CTYPES_SOURCE, 'ctypes'));
    assert.match(ctypesImport.contents.value, /^\*\*CTypes\*\* — 2nd of 4 ways: works, slower than CFFI on PyPy/);
    assertQuotes(ctypesImport.contents.value, 'The goal of the ctypes module', 6);
    assert.doesNotMatch(ctypesImport.contents.value, /_rawffi/, 'one paragraph, not the whole section');
    assert.match(ctypesImport.contents.value, /— PyPy documentation, \*Writing extension modules for pypy\*: \[the full section\]\(https:\/\/doc\.pypy\.org\/en\/latest\/extending\.html#ctypes\)$/);

    // a ctypes type (after non-ASCII text: ranges are UTF-16)
    const cint = await hover(docs.ctypes, CTYPES_SOURCE, 'c_int', 0, 1);
    assert.ok(cint);
    assert.deepEqual(cint.range, rangeOf(CTYPES_SOURCE, 'c_int'));
    assert.match(cint.contents.value, /^`c_int` — ctypes type for the C type `int`/);
    const pointer = await hover(docs.ctypes, CTYPES_SOURCE, 'POINTER(c_int)', 0, 1);
    assert.ok(pointer);
    assert.deepEqual(pointer.range, rangeOf(CTYPES_SOURCE, 'POINTER(c_int)'));
    assert.match(pointer.contents.value, /the C type `int \*`/);
    const struct = await hover(docs.ctypes, CTYPES_SOURCE, 'Point');
    assert.ok(struct);
    assert.ok(struct.contents.value.includes('struct Point {\n    int x;\n    int *next;\n};'));

    // a foreign function → its implied prototype
    const strlen = await hover(docs.ctypes, CTYPES_SOURCE, 'libc.strlen', 2, 7);
    assert.ok(strlen);
    assert.deepEqual(strlen.range, rangeOf(CTYPES_SOURCE, 'libc.strlen', 2));
    assert.match(strlen.contents.value, /```c\nsize_t strlen\(char \*\);\n```/);

    // cffi import, ffi object, ffi API, lib.NAME, cdef identifier
    const cffiImport = await hover(docs.cffi, CFFI_SOURCE, 'cffi');
    assert.ok(cffiImport);
    assert.deepEqual(cffiImport.range, rangeOf(CFFI_SOURCE, 'cffi'));
    assert.match(cffiImport.contents.value, /^\*\*CFFI\*\* — 1st of 4 ways/);
    assertQuotes(cffiImport.contents.value, 'CFFI__ is the recommended way.', 7);
    assert.equal((cffiImport.contents.value.match(/is the recommended way/g) ?? []).length, 1, 'quoted once');
    const newCall = await hover(docs.cffi, CFFI_SOURCE, 'ffi.new', 0, 5);
    assert.ok(newCall);
    assert.deepEqual(newCall.range, { start: positionOf(CFFI_SOURCE, 'new("'), end: positionOf(CFFI_SOURCE, 'new("', 0, 3) });
    assert.match(newCall.contents.value, /ffi\.new\(cdecl, init=None\)/);
    assert.match(newCall.contents.value, /\*\*Pitfall:\*\*/);
    const add = await hover(docs.cffi, CFFI_SOURCE, 'lib.add', 0, 5);
    assert.ok(add);
    assert.deepEqual(add.range, { start: positionOf(CFFI_SOURCE, 'lib.add', 0, 4), end: positionOf(CFFI_SOURCE, 'lib.add', 0, 7) });
    assert.match(add.contents.value, /int add\(int a, int b\);[\s\S]*line 6\./);
    const point = await hover(docs.cffi, CFFI_SOURCE, 'point *p', 0, 1);
    assert.ok(point);
    assert.deepEqual(point.range, { start: positionOf(CFFI_SOURCE, 'point *p'), end: positionOf(CFFI_SOURCE, 'point *p', 0, 5) });
    assert.match(point.contents.value, /struct point \{ int x; int y; \};[\s\S]*line 5\./);

    // cppyy, _rawffi, mixed modules
    const cppyy = await hover(docs.other, OTHER_SOURCE, 'cppyy');
    assert.ok(cppyy);
    assertQuotes(cppyy.contents.value, 'For C++, _cppyy_ is', 6);
    const rawffi = await hover(docs.other, OTHER_SOURCE, '_rawffi');
    assert.ok(rawffi);
    // PB102 is reported there: the rule quotes the guide's one sentence about _rawffi, and nothing more
    assert.match(rawffi.contents.value, /^> PyPy implements ctypes as pure Python code around two built-in modules called \\_rawffi and \\_rawffi\.alt/m);
    assert.equal((rawffi.contents.value.match(/^> /gm) ?? []).length, 1);
    assert.doesNotMatch(rawffi.contents.value, /The goal of the ctypes module/);
    for (const needle of ['MixedModule', 'interpleveldefs', 'appleveldefs']) {
      const h = await hover(docs.other, OTHER_SOURCE, needle);
      assert.ok(h, needle);
      assert.deepEqual(h.range, rangeOf(OTHER_SOURCE, needle), needle);
      assertQuotes(h.contents.value, 'This is the internal way to write built-in', 3);
    }

    // ordinary Python: no hover
    assert.equal(await hover(docs.other, OTHER_SOURCE, 'new', 1), null);
    assert.equal(await hover(docs.other, OTHER_SOURCE, 'lib'), null);
  } finally {
    await c.shutdown().catch(() => c.kill());
  }
});

test('a PB diagnostic under the cursor adds only what its message does not say, and links the rule\'s own section', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const uri = 'file:///tmp/hover_pb.py';
    const text = 'import ctypes\napi = ctypes.pythonapi\n';
    c.open(uri, text);
    const published = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    const pb201 = published.diagnostics.find((d: { code: string }) => d.code === 'PB201');
    assert.ok(pb201, JSON.stringify(published.diagnostics));
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'pythonapi', 0, 2) });
    assert.ok(h);
    const link = /^\*\*\[PB201\]\((file:[^)#]*)#L(\d+)\)\*\* · ctypes API missing on PyPy\n\n/.exec(h.contents.value);
    assert.ok(link, h.contents.value);
    assert.equal(link[1] + '#L' + link[2], pb201.codeDescription.href, 'the hover and the diagnostic link to the same place');
    assert.equal(fs.readFileSync(fileURLToPath(link[1]!), 'utf8').split('\n')[Number(link[2]) - 1], '## PB201');
    assert.ok(!h.contents.value.includes(pb201.message), 'the message (shown by the editor above the hover) is not repeated');
    assert.equal((h.contents.value.match(/^> /gm) ?? []).length, 1, 'one sentence of the guide');
    assert.match(h.contents.value, /^> The goal of the ctypes module of PyPy is to be as compatible as possible with the CPython ctypes version\.$/m);
  } finally {
    await c.shutdown().catch(() => c.kill());
  }
});
