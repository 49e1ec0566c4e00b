// The conversion's formatting pass (server/src/convert/format/): the project's line length read from its own
// settings, PEP 8 blank lines where the converter worked, long cdef and Python lines wrapped, untouched lines
// never changed, TODOs wrapped and read back whole. pycodestyle judges whole conversions in test/runtime and
// test/realpkg.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';
import { formatEdits } from '../../server/src/convert/format/formatConversion';
import { keptLines } from '../../server/src/convert/format/lineMap';
import { lineLengthFor } from '../../server/src/convert/format/projectStyle';
import { todoLines, todoReasonsAbove, todosIn } from '../../server/src/convert/format/todoComments';
import { leftoverReason, oneTodoPerCause } from '../../server/src/convert/format/todoText';
import { wrapCdefLine } from '../../server/src/convert/format/wrapCdef';
import { loadGrammars } from '../../server/src/parser/languages';

const dir = mkdtempSync(join(tmpdir(), 'pb-format-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(dir, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

test('line length: each tool\'s own setting, the nearest folder wins, the smallest there, 79 by default', () => {
  assert.equal(lineLengthFor(join(project({}), 'm.py')).max >= 1, true);
  const ruff = project({ 'pyproject.toml': '[tool.ruff]\nline-length = 100\n', 'pkg/m.py': '' });
  assert.deepEqual(lineLengthFor(join(ruff, 'pkg', 'm.py')), { max: 100, source: 'pyproject.toml [tool.ruff] line-length' });
  const black = project({ 'pyproject.toml': '[tool.black]\nline-length = 88\n[tool.ruff]\nline-length = 120\n' });
  assert.equal(lineLengthFor(join(black, 'm.py')).max, 88);
  const flake8 = project({ 'setup.cfg': '[metadata]\nname = x\n\n[flake8]\nmax-line-length = 99  # wide\n' });
  assert.deepEqual(lineLengthFor(join(flake8, 'm.py')), { max: 99, source: 'setup.cfg [flake8] max-line-length' });
  const tox = project({ 'tox.ini': '[pycodestyle]\nmax_line_length = 110\n' });
  assert.equal(lineLengthFor(join(tox, 'm.py')).max, 110);
  const dotFlake8 = project({ '.flake8': '[flake8]\nmax-line-length: 95\n' });
  assert.equal(lineLengthFor(join(dotFlake8, 'm.py')).max, 95);
  const ec = project({ '.editorconfig': 'root = true\n[*]\nmax_line_length = 140\n[*.py]\nmax_line_length = 90\n[*.js]\nmax_line_length = 60\n' });
  assert.deepEqual(lineLengthFor(join(ec, 'm.py')), { max: 90, source: '.editorconfig max_line_length' });
  // a nearer folder that sets nothing does not hide the project's setting; a nearer one that sets it wins
  const nested = project({ 'pyproject.toml': '[tool.ruff]\nline-length = 100\n', 'a/b/setup.cfg': '[metadata]\nname = x\n', 'a/c/tox.ini': '[flake8]\nmax-line-length = 70\n' });
  assert.equal(lineLengthFor(join(nested, 'a', 'b', 'm.py')).max, 100);
  assert.equal(lineLengthFor(join(nested, 'a', 'c', 'm.py')).max, 70);
  const broken = project({ 'pyproject.toml': '[tool.ruff\nline-length = 100\n' });
  assert.equal(lineLengthFor(join(broken, 'm.py')).max, lineLengthFor(join(broken, '..', 'm.py')).max);
});

test('the converter formats to the project\'s line length, found from the file\'s folder', async () => {
  const text = [
    'import ctypes',
    'libc = ctypes.CDLL(None)',
    'libc.snprintf.restype = ctypes.c_int',
    'buf = ctypes.create_string_buffer(64)',
    'n = libc.snprintf(buf, 64, b"%d %s", 42, b"abc")',
    'print(n, buf.value, "a tail long enough to pass the seventy-nine columns")',
    '',
  ].join('\n');
  const narrow = await convertText(text, { mode: 'abi-inline' }, 'untitled:m.py');
  const narrowOut = applyEdits(text, narrow.edits);
  assert.ok(narrowOut.split('\n').every((l) => l.length <= 79), narrowOut);
  assert.match(narrowOut, /^print\(\n {4}n,/m);
  const wide = project({ 'pyproject.toml': '[tool.black]\nline-length = 120\n' });
  const r = await convertText(text, { mode: 'abi-inline' }, pathToFileURL(join(wide, 'm.py')).href);
  const out = applyEdits(text, r.edits);
  assert.match(out, /^print\(n, ffi\.string\(buf\), "a tail long enough to pass the seventy-nine columns"\)$/m, out);
});

test('blank lines: two around the helpers and definitions, none piled where declarations went, untouched gaps kept', async () => {
  const text = [
    '"""doc"""',
    'import ctypes',
    'import ctypes.util',
    '',
    'libc = ctypes.CDLL(ctypes.util.find_library("c"))',
    '',
    'libc.getenv.argtypes = [ctypes.c_char_p]',
    'libc.getenv.restype = ctypes.c_char_p',
    '',
    '',
    '',
    '',
    'libc.strlen.argtypes = [ctypes.c_char_p]',
    'libc.strlen.restype = ctypes.c_size_t',
    '',
    'def home():',
    '    return libc.getenv(b"HOME")',
    'x = 1',
    '',
    '',
    '',
    '',
    'y = 2',
    '',
  ].join('\n');
  const r = await convertText(text);
  const out = applyEdits(text, r.edits);
  assert.doesNotMatch(out.replace(/\n\n\n\n+y = 2/, ''), /\n\n\n\n/, out);
  assert.match(out, /\n\n\n# ctypes gave bytes[^\n]*\ndef _cstring_or_none\(p\):\n[^\n]*\n\n\nlibc = /, out);
  assert.match(out, /find_library\("c"\)\)\n\n\ndef home\(\):/, out);
  // `x = 1` after the def the converter touched gets its two blank lines (E305); `y = 2`'s gap is not ours to fix
  assert.match(out, /    return _cstring_or_none\(libc\.getenv\(b"HOME"\)\)\n\n\nx = 1\n\n\n\n\ny = 2\n$/, out);
});

test('only the lines the converter touched change; the edits are as small as the change', async () => {
  const g = await loadGrammars();
  const original = 'import os\n\n\nx  =  1   \ndef f( a ):\n  return a\nprint( f(x) )\n';
  const edits = [{ start: original.indexOf('print'), end: original.length - 1, newText: 'print(f(x), "a tail long enough to need wrapping at the seventy-nine columns, and more")' }];
  const formatted = formatEdits(g.pythonParser, original, edits);
  const out = applyEdits(original, formatted);
  // the user's own odd spacing and 2-space indent stay; the touched line is wrapped, after two blank lines (E305)
  assert.ok(out.startsWith('import os\n\n\nx  =  1   \ndef f( a ):\n  return a\n\n\nprint(\n  f(x),\n  "a tail'), out);
  for (const e of formatted) assert.ok(e.start >= original.indexOf('  return a\n') + 10, JSON.stringify(formatted));
  assert.deepEqual(keptLines(original, edits, applyEdits(original, edits)), [0, 1, 2, 3, 4, 5, -1, 7]);
});

test('cdef lines: one declaration, one member, one parameter per line when too long', () => {
  const struct = '    struct tm { int tm_sec; int tm_min; int tm_hour; int tm_mday; int tm_mon; int tm_year; char *tm_zone; };';
  assert.deepEqual(wrapCdefLine(struct, 79), ['    struct tm {', '        int tm_sec;', '        int tm_min;', '        int tm_hour;', '        int tm_mday;', '        int tm_mon;', '        int tm_year;', '        char *tm_zone;', '    };']);
  const proto = '    int archive_read_open(void *, void *, int (*)(void *, void *), ssize_t (*)(void *, void *, void **), int (*)(void *, void *));';
  assert.deepEqual(wrapCdefLine(proto, 79), ['    int archive_read_open(', '        void *,', '        void *,', '        int (*)(void *, void *),', '        ssize_t (*)(void *, void *, void **),', '        int (*)(void *, void *)', '    );']);
  assert.deepEqual(wrapCdefLine('    int f(int, int);', 79), ['    int f(int, int);']);
  assert.deepEqual(wrapCdefLine('    typedef int a_long_type_name_t; typedef int another_long_type_name_t; int f(void);', 60), ['    typedef int a_long_type_name_t;', '    typedef int another_long_type_name_t;', '    int f(void);']);
  assert.deepEqual(wrapCdefLine('    enum color { COLOR_RED = 1, COLOR_GREEN = 2, COLOR_BLUE = 4, COLOR_ALL = 7 };', 40), ['    enum color {', '        COLOR_RED = 1,', '        COLOR_GREEN = 2,', '        COLOR_BLUE = 4,', '        COLOR_ALL = 7', '    };']);
});

test('TODOs: wrapped to the line length, read back whole, recognised above their statement', () => {
  const reason = 'libc.strverscmp has no argtypes and is not in the built-in prototype table: its C signature is unknown';
  const lines = todoLines('    ', reason, 79);
  assert.ok(lines.length > 1 && lines.every((l) => l.length <= 79), lines.join('\n'));
  const text = `def f():\n${lines.join('\n')}\n    return libc.strverscmp(a, b)\n`;
  assert.deepEqual(todosIn(text), [{ line: 1, reason }]);
  assert.deepEqual(todoReasonsAbove(text, text.indexOf('    return')), [reason]);
});

test('a converted file with a TODO converts again to itself (the wrapped TODO is recognised)', async () => {
  const text = [
    'import ctypes',
    'import ctypes.util',
    'libc = ctypes.CDLL(ctypes.util.find_library("c"))',
    'libc.strlen.argtypes = [ctypes.c_char_p]',
    'libc.strlen.restype = ctypes.c_size_t',
    'print(libc.strlen(b"abc"), libc.strverscmp(b"a1", b"a2"))',
    '',
  ].join('\n');
  const r = await convertText(text);
  const once = applyEdits(text, r.edits);
  assert.match(once, /# TODO\(pypy-bindings\):/);
  const again = await convertText(once);
  assert.equal(applyEdits(once, again.edits), once);
  for (const left of r.leftForHuman) assert.match(once.split('\n')[left.line - 1]!, /# TODO\(pypy-bindings\):/, JSON.stringify(r.leftForHuman));
});

test('the helpers the converter adds take the file\'s indentation step', async () => {
  const text = [
    'import ctypes',
    'libc = ctypes.CDLL(None)',
    'libc.getenv.argtypes = [ctypes.c_char_p]',
    'libc.getenv.restype = ctypes.c_char_p',
    '',
    '',
    'def home():',
    '  if True:',
    '    return libc.getenv(b"HOME")',
    '',
  ].join('\n');
  const out = applyEdits(text, (await convertText(text)).edits);
  assert.match(out, /\ndef _cstring_or_none\(p\):\n {2}return None if p == ffi\.NULL else ffi\.string\(p\)\n/, out);
  assert.match(out, /\ndef home\(\):\n {2}if True:\n {4}return _cstring_or_none/, out);
});

test('one TODO per cause: at the declaration, not at each call; consequences fold into their cause', async () => {
  const text = [
    'import ctypes',
    'libc = ctypes.CDLL(None)',
    'libc.strlen.argtypes = [ctypes.c_char_p]',
    'libc.strlen.restype = ctypes.c_size_t',
    'libc.mystery.restype = ctypes.c_int',
    'print(libc.strlen(b"ab"), libc.mystery(1))',
    'print(libc.mystery(2))',
    'print(libc.mystery(3))',
    '',
  ].join('\n');
  const r = await convertText(text);
  const out = applyEdits(text, r.edits);
  const todos = todosIn(out);
  assert.equal(todos.length, 1, out);
  // the declaration carries it, with the next step in cffi's terms
  assert.match(todos[0]!.reason, /^libc\.mystery has no argtypes .* so cffi cannot declare it .*; set libc\.mystery\.argtypes and \.restype as its C header declares them, then convert again/);
  assert.match(out, /# TODO\(pypy-bindings\): libc\.mystery[^]*?\nlibc_ctypes\.mystery\.restype = ctypes\.c_int\n/, out);
  assert.deepEqual(r.leftForHuman.map((l) => l.line), [todos[0]!.line + 1]);
});

test('a ctypes name no rule converts: its TODO says what cffi has instead, once for the cause and what it keeps in ctypes', async () => {
  const text = readFileSync(join(__dirname, '..', 'runtime', 'programs', 'h_04_pointer_alias.py'), 'utf8');
  const out = applyEdits(text, (await convertText(text)).edits);
  const todos = todosIn(out).map((t) => t.reason);
  assert.equal(todos.length, 1, out);
  assert.match(todos[0]!, /^ctypes\.pointer stays: .*ffi\.new\("T \*", value\) .*then convert again$/, out);
  assert.match(out, /# TODO[^]*\np = pointer\(total\)\n/, 'at the first use, not where the value it points to is made');
});

test('nothing that does nothing: no FFI and no unused dlopen when no function converts; range notes only when they apply', async () => {
  const text = ['import ctypes', 'libc = ctypes.CDLL(None)', 'print(libc.mystery(1))', ''].join('\n');
  const r = await convertText(text);
  const out = applyEdits(text, r.edits);
  assert.doesNotMatch(out.replace(/^#.*\n/gm, ''), /cffi|dlopen|libc_ctypes/, out);
  assert.equal(todosIn(out).length, 1);
  const constants = ['import ctypes', 'libc = ctypes.CDLL(None)', 'libc.abs.argtypes = [ctypes.c_int]', 'libc.abs.restype = ctypes.c_int', 'print(libc.abs(-5))', ''].join('\n');
  assert.deepEqual((await convertText(constants)).notes.filter((n) => /range|OverflowError/.test(n)), []);
  const computed = constants.replace('libc.abs(-5)', 'libc.abs(len("abc") - 9)');
  assert.ok((await convertText(computed)).notes.some((n) => /OverflowError/.test(n)));
  const wide = constants.replace('libc.abs(-5)', 'libc.abs(2 ** 40)');
  assert.ok((await convertText(wide)).notes.some((n) => /wrapped in ffi\.cast/.test(n)));
});

test('oneTodoPerCause: the first place of a cause, with the count of the others; none for a cause already marked', () => {
  const R = 'the dlopen mode is not a ctypes RTLD_* constant: give ffi.dlopen its flags by hand';
  const items = [
    { reason: `buf is used where ctypes stays (${R})`, start: 5 },
    { reason: R, start: 30 },
    { reason: 'x flows into buf, which stays in ctypes', start: 1 },
    { reason: R, start: 60 },
    { reason: R, start: 90 },
  ];
  assert.deepEqual(oneTodoPerCause(items, []), [{ reason: `${R} (the same at 2 more places below)`, start: 30 }]);
  assert.deepEqual(oneTodoPerCause(items, [`${R} (the same at 2 more places below)`]), []);
  assert.equal(leftoverReason('c_int').includes('ffi.new("T *", v)'), true);
});

test("the converter's strings take the file's quotes; the user's untouched lines keep theirs", async () => {
  const text = [
    'import ctypes',
    "libc = ctypes.CDLL(None)",
    "libc.getenv.argtypes = [ctypes.c_char_p]",
    "libc.getenv.restype = ctypes.c_char_p",
    "NAME = 'HOME'",
    'OTHER = "kept as written"',
    "buf = ctypes.create_string_buffer(8)",
    "print(libc.getenv(b'HOME'), buf.raw, NAME, OTHER)",
    '',
  ].join('\n');
  const out = applyEdits(text, (await convertText(text)).edits);
  assert.match(out, /^buf = ffi\.new\('char\[\]', 8\)$/m, out);
  assert.match(out, /return None if p == ffi\.NULL else ffi\.string\(p\)/);
  assert.match(out, /^OTHER = "kept as written"$/m);
  assert.match(out, /^ffi\.cdef\("""$/m, 'a cdef keeps its triple double quotes');
});
