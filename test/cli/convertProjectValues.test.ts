// The project engine (`convert --write main.py pkg`) on the ctypes values the differential fuzzer found keeping
// packages partly converted (docs/dev/fuzzing.md): variadic functions (snprintf, sscanf) declared with argtypes
// for their fixed part and given ints, bytes, `c_T(v)`, `byref(cell)` and string buffers in `...`; `c_T(v).value`
// read at once; c_char_p/c_wchar_p variables used through `.value`; `sizeof(c_T)` and `sizeof(buffer)`; `byref`
// handed to a `void *` parameter of a function reached as `pkg.mod.f`. Each package converts fully and prints
// what the original prints under CPython+cffi and PyPy; a call with more arguments than a non-variadic
// function's argtypes stays ctypes, with the reason. The per-file engine reads `c_T(v).value` by the same rule
// (convert/constructedValue.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERPRETERS, runPythonOk } from '../snippets/pythons';
import { BIN, LIBM_OUT_PARAMS, convertsFully, staysCtypes } from '../snippets/projectConversion';

test('convert PATH...: variadic functions declared for their fixed part, given ints, bytes, c_T(v), byref(cell) and buffers', () => {
  convertsFully(
    {
      'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
snprintf = libc.snprintf
snprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
snprintf.restype = ctypes.c_int
libc.sscanf.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.sscanf.restype = ctypes.c_int
`,
      // its only cffi value is the c_int in "...": the module must still make its ffi
      'pkg/fmt.py': `import ctypes
from .native import snprintf


def padded(v):
    buf = ctypes.create_string_buffer(16)
    snprintf(buf, 16, b"%5d|", ctypes.c_int(v))
    return buf.value
`,
      'main.py': `import ctypes
from pkg.native import snprintf
from pkg import native
from pkg.fmt import padded


def show(size):
    buf = ctypes.create_string_buffer(size)
    n = snprintf(buf, ctypes.sizeof(buf), b"%d %x %s %ld %.3f %zu|%5d|", -42, 255, b"mu", ctypes.c_long(2 ** 35), ctypes.c_double(12.125), ctypes.c_size_t(7), ctypes.c_int(3))
    return n, buf.value


print(show(64), show(8))
a = ctypes.c_int()
d = ctypes.c_double()
w = ctypes.create_string_buffer(16)
n = native.libc.sscanf(b"29 9.75 omega", b"%d %lf %15s", ctypes.byref(a), ctypes.byref(d), w)
print(n, a.value, d.value, w.value, padded(42))
`,
    },
    (c) => {
      assert.match(c['pkg/native.py']!, /int snprintf\(char \*, size_t, char \*, \.\.\.\);/);
      assert.match(c['pkg/native.py']!, /_cffi_variadic\(/);
    },
  );
});

test('convert PATH...: c_T(v).value read at once, c_char_p/c_wchar_p variables through .value, sizeof(c_T)', () => {
  convertsFully({
    'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
strlen = libc.strlen
strlen.argtypes = [ctypes.c_char_p]
strlen.restype = ctypes.c_size_t
`,
    'main.py': `import ctypes
from pkg.native import strlen

print(ctypes.c_int(2147483650).value, ctypes.c_uint16(65538).value, ctypes.c_byte(-130).value)
print(ctypes.c_float(1.1).value, ctypes.c_double(7.25).value, ctypes.c_bool(3).value, ctypes.c_bool().value)
print(ctypes.c_char(b"x").value, ctypes.c_char(77).value, ctypes.c_int().value, ctypes.c_double().value)
print(ctypes.c_void_p().value, ctypes.c_char_p().value, ctypes.c_char_p(b"mu").value, ctypes.c_wchar_p("zeta").value)


def names():
    cp = ctypes.c_char_p(b"mu")
    wp = ctypes.c_wchar_p("h\\u00e9llo")
    print(cp.value, wp.value, strlen(cp))
    cp.value = b"changed"
    print(cp.value, strlen(cp))


names()
print(ctypes.sizeof(ctypes.c_int), ctypes.sizeof(ctypes.c_double), ctypes.sizeof(ctypes.c_void_p), ctypes.sizeof(ctypes.c_int16))
`,
  });
});

test('convert PATH...: byref(cell) handed to a void * parameter of a function reached as pkg.mod.f', () => {
  convertsFully({
    'pkg/native.py': `import ctypes

libc = ctypes.CDLL(None)
memcmp = libc.memcmp
memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
memcmp.restype = ctypes.c_int
`,
    'main.py': `import ctypes
import pkg.native

a = ctypes.c_int(7)
b = ctypes.c_int(7)
c = ctypes.c_int(9)
print(pkg.native.memcmp(ctypes.byref(a), ctypes.byref(b), 4), pkg.native.memcmp(ctypes.byref(a), ctypes.byref(c), 4) < 0)
`,
  });
});

test('convert PATH...: more arguments than the argtypes of a function that is not variadic stays ctypes, with the reason', () => {
  staysCtypes(
    {
      'pkg/native.py': 'import ctypes\n\nlibc = ctypes.CDLL(None)\nlabs = libc.labs\nlabs.argtypes = [ctypes.c_long]\nlabs.restype = ctypes.c_long\n',
      'main.py': 'from pkg.native import labs\n\nprint(labs(-5, 3))\n',
    },
    /main\.py:\d+: left for a human: labs gets 2 arguments here and its argtypes list 1/,
  );
});

test('convert FILE: the per-file engine reads c_T(v).value by the same rule (c_char, fresh values)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-values-'));
  try {
    const file = path.join(dir, 'values.py');
    fs.writeFileSync(file, `import ctypes
libc = ctypes.CDLL(None)
labs = libc.labs
labs.argtypes = [ctypes.c_long]
labs.restype = ctypes.c_long
print(ctypes.c_bool(3).value, ctypes.c_bool().value, ctypes.c_char(b"x").value, ctypes.c_char(77).value)
print(ctypes.c_void_p().value, ctypes.c_char_p().value, ctypes.c_int().value, ctypes.c_double().value, labs(-4))
`);
    const expected = runPythonOk('/usr/bin/python3', ['values.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /left for a human/);
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /ctypes\.c_/);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['values.py'], dir), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('convert PATH...: a cell whose .value is set out of its C type\'s range, or by +=, truncates as ctypes did', () => {
  // session 10: `e.value = 2**32 + 7` became `e[0] = 2**32 + 7`, an OverflowError under cffi (fixture cell-value-store-out-of-range)
  convertsFully(
    {
      'pkg/native.py': LIBM_OUT_PARAMS,
      'main.py': `import ctypes
from pkg.native import frexp, libm

e = ctypes.c_int()
e.value = 2**32 + 7
print(e.value)
e.value += 2**33
e.value <<= 31
print(e.value)
e.value = -5
print(frexp(8.0, ctypes.byref(e)), e.value)
try:
    e.value = 1.5
except TypeError:
    print("type error")
u = ctypes.c_ubyte(3)
u.value -= 4
print(u.value)
d = ctypes.c_double(1.0)
d.value += 2
d.value = 7
print(libm.modf(d.value + 0.25, ctypes.byref(d)), d.value)
`,
    },
    (c) => assert.match(c['main.py']!, /e\[0\] = _c_integer\("int", e\[0\] \+ \(2\*\*33\)\)/),
  );
});

test('convert FILE: the per-file engine truncates a cell\'s .value stores (=, op=) as ctypes did; a c_bool cell stores the truth', () => {
  // session 10: `e.value = 2**32 + 7` / `e.value += 2**33` became `e[0] = …` / `e[0] += …`, OverflowError under cffi
  // (fixture cell-value-store-out-of-range-single-file)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-values-'));
  try {
    const file = path.join(dir, 'stores.py');
    fs.writeFileSync(file, `import ctypes
libm = ctypes.CDLL("libm.so.6")
frexp = libm.frexp
frexp.argtypes = [ctypes.c_double, ctypes.POINTER(ctypes.c_int)]
frexp.restype = ctypes.c_double
e = ctypes.c_int()
e.value = 2**32 + 7
print(e.value)
e.value += 2**33
e.value <<= 31
print(e.value)
e.value = 7
e.value -= 1
print(frexp(8.0, ctypes.byref(e)), e.value)
try:
    e.value = 1.5
except TypeError:
    print("type error")
`);
    const expected = runPythonOk('/usr/bin/python3', ['stores.py'], dir);
    const r = spawnSync(process.execPath, [BIN, 'convert', file, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = fs.readFileSync(file, 'utf8');
    assert.match(out, /e\[0\] = _c_integer\("int", e\[0\] \+ \(2\*\*33\)\)/);
    assert.doesNotMatch(out, /ctypes\.c_int\(\)/);
    for (const py of INTERPRETERS) assert.equal(runPythonOk(py, ['stores.py'], dir), expected, py);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
