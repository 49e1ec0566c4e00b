import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { applyEdits, disableRuleEdit, fixesFor } from '../../server/src/rules/fixes';
import { lint, type Finding } from '../../server/src/rules/lint';

async function findingsOf(src: string): Promise<{ model: Awaited<ReturnType<typeof analyzeText>>['model']; findings: Finding[] }> {
  const { model } = await analyzeText(src, 'file:///proj/m.py');
  return { model, findings: lint(model) };
}

/** Applies the single quick fix of the first finding with `code`, and returns the new text. */
async function fixOnce(src: string, code: string): Promise<{ text: string; title: string }> {
  const { model, findings } = await findingsOf(src);
  const f = findings.find((x) => x.code === code);
  assert.ok(f, `${code} expected in:\n${src}`);
  const fixes = fixesFor(model, f);
  assert.equal(fixes.length, 1, `one fix for ${code}`);
  return { text: applyEdits(src, fixes[0]!.edits), title: fixes[0]!.title };
}

test('PB204 fix writes restype after the last signature assignment, spelled with the module name', async () => {
  const src = 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\nlibc.strlen.argtypes = [ctypes.c_char_p]\n\nn = libc.strlen(b"abc")\n';
  const { text, title } = await fixOnce(src, 'PB204');
  assert.equal(text, 'import ctypes\n\nlibc = ctypes.CDLL("libc.so.6")\nlibc.strlen.argtypes = [ctypes.c_char_p]\nlibc.strlen.restype = ctypes.c_size_t\n\nn = libc.strlen(b"abc")\n');
  assert.match(title, /restype = ctypes\.c_size_t/);
  const again = await findingsOf(text);
  assert.deepEqual(again.findings.map((f) => f.code), ['PB101'], 'the fixed file no longer has PB204');
});

test('PB204 fix uses from-imported names and the indentation of the library statement', async () => {
  const src = `from ctypes import CDLL, c_void_p, c_size_t


class Alloc:
    def __init__(self):
        self.libc = CDLL(None)

    def get(self, n):
        return self.libc.malloc(n)
`;
  const { text } = await fixOnce(src, 'PB204');
  assert.ok(text.includes('        self.libc = CDLL(None)\n        self.libc.malloc.restype = c_void_p\n'), text);
  assert.ok(!text.includes('import ctypes'), 'no import added when the names are in scope');
});

test('PB204 fix adds import ctypes when the type is not in scope, and says so', async () => {
  const src = 'from ctypes import CDLL\nlibc = CDLL(None)\np = libc.malloc(8)\n';
  const { text, title } = await fixOnce(src, 'PB204');
  assert.equal(text, 'import ctypes\nfrom ctypes import CDLL\nlibc = CDLL(None)\nlibc.malloc.restype = ctypes.c_void_p\np = libc.malloc(8)\n');
  assert.match(title, /adds import ctypes/);
  const again = await findingsOf(text);
  assert.ok(!again.findings.some((f) => f.code === 'PB204'));
});

test('PB205 fix writes argtypes through an alias and an `import ctypes as C`', async () => {
  const src = 'import ctypes as C\nlibm = C.CDLL("libm.so.6")\nfrexp = libm.frexp\nfrexp.restype = C.c_double\ne = C.c_int()\nm = frexp(0.75, C.byref(e))\n';
  const { text } = await fixOnce(src, 'PB205');
  assert.ok(text.includes('frexp.restype = C.c_double\nfrexp.argtypes = [C.c_double, C.POINTER(C.c_int)]\n'), text);
  const again = await findingsOf(text);
  assert.deepEqual(again.findings.map((f) => f.code), ['PB101']);
});

test('PB205 fix keeps CRLF line endings', async () => {
  const src = 'import ctypes\r\nlibc = ctypes.CDLL(None)\r\nlibc.puts("x")\r\n';
  const { text } = await fixOnce(src, 'PB205');
  assert.equal(text, 'import ctypes\r\nlibc = ctypes.CDLL(None)\r\nlibc.puts.argtypes = [ctypes.c_char_p]\r\nlibc.puts("x")\r\n');
});

test('no PB204/PB205 fix for a function the table does not know', async () => {
  const { model, findings } = await findingsOf('import ctypes\nlib = ctypes.CDLL("libfoo.so")\nx = lib.foo_make(1.5)\nlib.foo_free(x)\n');
  const relevant = findings.filter((f) => f.code === 'PB204' || f.code === 'PB205');
  assert.equal(relevant.length, 2);
  for (const f of relevant) assert.deepEqual(fixesFor(model, f), []);
});

test('PB309/PB307/PB304 fixes replace the argument or the type', async () => {
  const head = 'import cffi\nffi = cffi.FFI()\nffi.cdef("void *memset(void *, int, size_t); int printf(const char *, ...);")\nlib = ffi.dlopen(None)\n';
  assert.equal((await fixOnce(head + 'lib.memset(None, 0, 0)\n', 'PB309')).text, head + 'lib.memset(ffi.NULL, 0, 0)\n');
  assert.equal((await fixOnce(head + 'lib.printf(b"%d", 7)\n', 'PB307')).text, head + 'lib.printf(b"%d", ffi.cast("int", 7))\n');
  assert.equal((await fixOnce(head + 'p = ffi.new("int")\n', 'PB304')).text, head + 'p = ffi.new("int *")\n');
  const fixed = await fixOnce(head + "s = ffi.new('char *', b'abc')\n", 'PB304');
  assert.equal(fixed.text, head + "s = ffi.new('char[]', b'abc')\n");
  assert.deepEqual((await findingsOf(fixed.text)).findings, []);
});

test('disableRuleEdit appends a noqa comment, or extends an existing one', async () => {
  const src = 'import ctypes\nlibc = ctypes.CDLL(None)\np = libc.malloc(8)  # noqa: PB205\n';
  const at = src.indexOf('ctypes.CDLL');
  const e1 = disableRuleEdit(src, at, 'PB101')!;
  assert.equal(applyEdits(src, [e1]), 'import ctypes\nlibc = ctypes.CDLL(None)  # noqa: PB101\np = libc.malloc(8)  # noqa: PB205\n');
  const e2 = disableRuleEdit(src, src.indexOf('libc.malloc'), 'PB204')!;
  const fixed = applyEdits(applyEdits(src, [e1]), [{ ...e2, start: e2.start + e1.newText.length, end: e2.end + e1.newText.length }]);
  assert.equal(fixed, 'import ctypes\nlibc = ctypes.CDLL(None)  # noqa: PB101\np = libc.malloc(8)  # noqa: PB205, PB204\n');
  const { findings } = await findingsOf(fixed);
  assert.deepEqual(findings, [], 'the disabled findings are gone');
  assert.equal(disableRuleEdit(src, src.indexOf('libc.malloc'), 'PB205'), undefined, 'already silenced');
  assert.equal(disableRuleEdit('x = f(  # noqa\n)', 0, 'PB101'), undefined, 'bare noqa already silences');
});

test('disableRuleEdit refuses lines inside a triple-quoted string and backslash continuations', () => {
  const src = 'ffi.cdef("""\nint f(;\n""")\nx = 1 + \\\n  2\n';
  assert.equal(disableRuleEdit(src, src.indexOf('int f'), 'PB301'), undefined);
  assert.equal(disableRuleEdit(src, src.indexOf('x = 1'), 'PB101'), undefined);
  const ok = disableRuleEdit(src, src.indexOf('""")'), 'PB301');
  assert.deepEqual(ok, { start: src.indexOf('""")') + 4, end: src.indexOf('""")') + 4, newText: '  # noqa: PB301' });
});
