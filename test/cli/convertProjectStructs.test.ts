// The project engine (`convert --write main.py pkg`) on Structures and Unions with scalar fields that the code makes,
// reads and writes field by field, also packed (`_pack_`: a cdef of its own with cffi's `pack=`; plan/fieldStructs.ts): the differential fuzzer's `struct-basic` case kept
// packages partly converted for it alone (docs/dev/fuzzing.md, session 9). Each package converts fully and prints
// what the original prints under CPython+cffi and PyPy — ctypes' truncation of integer stores, its TypeError for a
// float in an integer field, `char` fields as one-byte bytes, sizes, offsets and alignments. A struct used any other
// way is left as it was, and refused where it would meet a converted function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, convertsFully, staysCtypes } from '../snippets/projectConversion';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';

const native = `import ctypes

libc = ctypes.CDLL("libc.so.6")
labs = libc.labs
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
memset = libc.memset
memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
memset.restype = ctypes.c_void_p
`;

test('convert PATH...: Structures and Unions with scalar fields become cdef structs made with ffi.new', () => {
  convertsFully(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import labs


class Point(ctypes.Structure):
    """A point."""
    _fields_ = [("x", ctypes.c_short), ("y", ctypes.c_short), ("tag", ctypes.c_char)]


class Word(ctypes.Union):
    _fields_ = [("i", ctypes.c_uint32), ("f", ctypes.c_float), ("flag", ctypes.c_bool)]


class Sample(ctypes.Structure):
    _fields_ = [("n", ctypes.c_uint8), ("v", ctypes.c_double), ("big", ctypes.c_int64)]


class Packed(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("flag", ctypes.c_char), ("value", ctypes.c_int), ("small", ctypes.c_short), ("big", ctypes.c_double)]


class Packed2(ctypes.Structure):
    _pack_ = 2
    _fields_ = [("flag", ctypes.c_char), ("value", ctypes.c_int), ("big", ctypes.c_double)]


def case():
    pt = Point(93, y=10)
    print(pt.x, pt.y, pt.tag)
    pt.x = pt.x * 400
    pt.tag = b"q"
    zero = Point()
    print(pt.x, pt.tag, zero.x, zero.y)
    print(ctypes.sizeof(Point), Point.y.offset, Point.y.size, Point.tag.offset, ctypes.alignment(Point), ctypes.sizeof(pt))
    try:
        pt.y = 1.5
    except TypeError as e:
        print("TypeError", e)


case()
w = Word()
w.f = 1.5
print(w.i, Word(i=1).flag, Word(70000).i, labs(-4), ctypes.sizeof(Word))
s = Sample(300, 2, -1)
s.v = s.v / 3
s.big = 2 ** 64 + 5
print(s.n, round(s.v, 6), s.big, Sample(n=7).v, Sample.big.offset, ctypes.sizeof(s))
pk = Packed(b"y", 256, 3, 1.5)
print(ctypes.sizeof(Packed), Packed.value.offset, Packed.small.offset, Packed.big.offset, ctypes.alignment(Packed))
print(pk.flag, pk.value, pk.small, pk.big, ctypes.sizeof(Packed2), Packed2.big.offset, ctypes.alignment(Packed2))
`,
    },
    (c) => {
      assert.match(c['main.py']!, /struct Point \{ short x; short y; char tag; \};/);
      assert.match(c['main.py']!, /union Word \{/);
      assert.match(c['main.py']!, /struct Packed \{[^}]*\};\n""", pack=1\)/);
      assert.doesNotMatch(c['main.py']!, /ctypes\.(Structure|Union|sizeof|alignment)/);
    },
  );
});

test('convert PATH...: a struct used in a way the plan does not rewrite stays ctypes', () => {
  // read as a value and handed to a converted function by reference: the struct stays a ctypes class, so the
  // call is refused (handed to C alone it converts: convertProjectStructPointers.test.ts)
  staysCtypes(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import labs, memset


class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


pt = Point(1, 2)
print(repr(pt)[:12])
memset(ctypes.byref(pt), 0, ctypes.sizeof(pt))
print(pt.x, pt.y, labs(-1))
`,
    },
    /main\.py:\d+: left for a human: ctypes\.byref\(pt\) hands a ctypes object to memset/,
  );
  // an augmented store (cffi raises where ctypes truncated), a repr, the class read as a value: main.py stays as it was
  for (const use of ['pt.x += 2 ** 40\nprint(pt.x)', 'print(repr(pt)[:12])', 'print(Point.__name__)']) {
    const main = `import ctypes
from pkg.native import labs


class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


pt = Point(1, 2)
print(pt.x, ctypes.sizeof(Point))
${use}
print(labs(-3))
`;
    leftAsItWas(main);
  }
});

/** Converts main.py beside pkg/native.py and requires main.py unchanged, and both interpreters to print what the original prints. */
function leftAsItWas(main: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-structs-'));
  try {
    for (const [rel, text] of Object.entries({ 'pkg/__init__.py': '', 'pkg/native.py': native, 'main.py': main })) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const expected = runPythonOk('/usr/bin/python3', ['main.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', '--write', 'main.py', 'pkg'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'main.py'), 'utf8'), main);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['main.py'], dir), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('convert PATH...: array fields (numbers, rows of numbers, chars) read and stored as ctypes reads and stores them', () => {
  // the fuzzer's `union` and `struct-array-fields` cases kept their structs ctypes in packages (session 11)
  convertsFully(
    {
      'pkg/native.py': native,
      'main.py': `import ctypes
from pkg.native import labs


class Word(ctypes.Union):
    _fields_ = [("i", ctypes.c_uint32), ("f", ctypes.c_float), ("b", ctypes.c_ubyte * 4)]


class Rec(ctypes.Structure):
    _fields_ = [("vals", ctypes.c_int * 4), ("name", ctypes.c_char * 8), ("grid", (ctypes.c_ubyte * 2) * 2)]


def case():
    u = Word()
    u.i = 1234567
    print(list(u.b), ctypes.sizeof(Word))
    u.f = 2.5
    print(u.i, Word(i=1).b[0], Word.b.offset, Word.b.size, u.b[-1], u.b[1:3], u.b[:])
    rec = Rec()
    rec.vals[2] = 2 ** 33 + 7
    rec.name = b"abcdefg"
    rec.name = b"xy"
    rec.grid[1][0] = 9
    print(list(rec.vals), rec.name, [list(row) for row in rec.grid], len(rec.vals), len(rec.grid), rec.grid[1][0])
    r2 = Rec(name=b"abc")
    print(r2.vals[:], r2.name, ctypes.sizeof(Rec), sum(r2.vals), [v * 2 for v in rec.vals], Rec.grid.offset, Rec.name.size)
    for v in rec.vals:
        print(v, end=" ")
    print(Rec(name=b"12345678").name, labs(-3), Rec().vals[-1], len(Rec().grid), Word(i=258).b[1:])


case()
`,
    },
    (c) => {
      const main = c['main.py']!;
      assert.match(main, /struct Rec \{ int vals\[4\]; char name\[8\]; unsigned char grid\[2\]\[2\]; \};/);
      assert.match(main, /_ffi\.string\(rec\.name\)/);
      // a temporary's array is read before cffi frees the struct
      assert.match(main, /_read_field\(_ffi\.new\("union Word \*", \{"i": 1\}\), "b"\)\[0\]/);
      assert.match(main, /list\(u\.b\)\[-1\]/);
    },
  );
  // an array field read as a value (printed, kept) or given bytes too long: main.py stays as it was
  for (const use of ['print(type(rec.vals).__name__)', 'v = rec.vals; print(len(v))', 'print(Rec(name=b"123456789").name)']) {
    leftAsItWas(`import ctypes
from pkg.native import labs


class Rec(ctypes.Structure):
    _fields_ = [("vals", ctypes.c_int * 4), ("name", ctypes.c_char * 8)]


rec = Rec()
try:
    ${use}
except ValueError:
    print("ValueError")
print(list(rec.vals), labs(-3))
`);
  }
});
