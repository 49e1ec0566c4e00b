import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, codes, lineOf, only } from './rulesHelpers';

test('PB301 points at the C syntax error inside the cdef literal', async () => {
  const src = `from cffi import FFI
ffi = FFI()
ffi.cdef("""
    int ok(int);
    int broken(int x
    double fine(double);
""")
`;
  const hits = only(await check(src), 'PB301');
  assert.ok(hits.length >= 1, 'a syntax error is reported');
  assert.ok(hits.every((h) => h.line === lineOf(src, 'int broken') || h.line === lineOf(src, 'double fine')), JSON.stringify(hits.map((h) => [h.line, h.text])));
  assert.equal(hits[0]!.line, lineOf(src, 'int broken'));
  assert.equal(hits[0]!.severity, 'error');
  assert.equal(hits[0]!.finding.guideSection, 'cffi');
});

test('PB301 maps positions through concatenated and raw strings', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("int a(void);" r" int b(int;")\n';
  const hits = only(await check(src), 'PB301');
  assert.ok(hits.length >= 1);
  const col = src.indexOf('int b(int;');
  assert.ok(hits[0]!.finding.span.start >= col && hits[0]!.finding.span.end <= src.indexOf('")'), JSON.stringify(hits.map((h) => h.text)));
});

test('PB302 flags #include, #ifdef, #pragma and __attribute__ in a cdef', async () => {
  const src = `import cffi
ffi = cffi.FFI()
ffi.cdef("""
#include <zlib.h>
#ifdef WIN32
int win(void);
#endif
#pragma pack(1)
struct s { int a; } __attribute__((packed));
""")
`;
  const hits = only(await check(src), 'PB302');
  const texts = hits.map((h) => h.text);
  assert.ok(texts.includes('#include <zlib.h>'), JSON.stringify(texts));
  assert.ok(texts.some((t) => t.startsWith('#ifdef')), JSON.stringify(texts));
  assert.ok(texts.some((t) => t.startsWith('#pragma')), JSON.stringify(texts));
  assert.ok(texts.includes('__attribute__'), JSON.stringify(texts));
  assert.equal(hits.find((h) => h.text === '#include <zlib.h>')!.line, 4);
  assert.deepEqual(only(await check('import cffi\nffi = cffi.FFI()\nffi.cdef("#define N 42\\nint f(int);")\n'), 'PB302'), [], '#define is allowed');
});

test('PB303 flags `...` only for an ffi used with dlopen', async () => {
  const abi = `import cffi
ffi = cffi.FFI()
ffi.cdef("struct s { int a; ...; }; #define N ...")
lib = ffi.dlopen("libfoo.so")
`;
  const hits = only(await check(abi), 'PB303');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[3, '...', 'warning'], [3, '...', 'warning']]);
  const api = `import cffi
ffibuilder = cffi.FFI()
ffibuilder.cdef("struct s { int a; ...; }; typedef int... pid_t; int printf(const char *, ...);")
ffibuilder.set_source("_foo", "#include <foo.h>")
`;
  assert.deepEqual(codes(await check(api)), []);
  const variadicAbi = 'import cffi\nffi = cffi.FFI()\nffi.cdef("int printf(const char *, ...);")\nlib = ffi.dlopen(None)\n';
  assert.deepEqual(only(await check(variadicAbi), 'PB303'), [], 'a variadic parameter list is not a partial declaration');
});

test('PB304 flags ffi.new of a non-pointer type and ffi.new("char *", bytes)', async () => {
  const src = `from cffi import FFI
ffi = FFI()
ffi.cdef("""
typedef int *intp;
typedef struct { int x; } point_t;
typedef int (*cb_t)(int);
typedef int arr_t[4];
""")
a = ffi.new("int")
b = ffi.new("struct foo")
c = ffi.new("point_t")
d = ffi.new("cb_t")
e = ffi.new("char *", b"hello")
ok1 = ffi.new("int *")
ok2 = ffi.new("char[]", b"hello")
ok3 = ffi.new("intp")
ok4 = ffi.new("arr_t")
ok5 = ffi.new("point_t *")
ok6 = ffi.new("char *")
ok7 = ffi.new("unknown_from_elsewhere_t")
`;
  const hits = only(await check(src), 'PB304');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [
    [lineOf(src, 'a ='), '"int"'], [lineOf(src, 'b ='), '"struct foo"'], [lineOf(src, 'c ='), '"point_t"'],
    [lineOf(src, 'd ='), '"cb_t"'], [lineOf(src, 'e ='), '"char *"'],
  ]);
  assert.match(hits[4]!.finding.message, /char\[\]/);
});

test('PB304 is not fooled by a user object with a new() method', async () => {
  const src = 'import cffi\nclass Pool:\n    def new(self, t):\n        return t\npool = Pool()\nx = pool.new("int")\n';
  assert.deepEqual(codes(await check(src)), []);
});

const STRLEN_ABI = `from cffi import FFI
ffi = FFI()
ffi.cdef("""
    size_t strlen(const char *s);
    int snprintf(char *buf, size_t n, const char *fmt, ...);
    void *memset(void *p, int c, size_t n);
    extern int optind;
    #define BUFSIZE 64
    enum color { RED, GREEN };
""")
lib = ffi.dlopen(None)
`;

test('PB305 flags lib.NAME missing from every cdef, not declared names', async () => {
  const src = STRLEN_ABI + 'print(lib.strlen(b"a"), lib.optind, lib.BUFSIZE, lib.RED, lib.__name__)\nlib.strnlen(b"a", 3)\nlib.color\n';
  const hits = only(await check(src), 'PB305');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[lineOf(src, 'lib.strnlen'), 'strnlen', 'error'], [lineOf(src, 'lib.color'), 'color', 'error']]);
});

test('PB305 stays silent for out-of-line libs, run-time cdefs, included ffis and cdefs with problems', async () => {
  const outOfLine = 'from _foo_cffi import ffi, lib\nlib.anything(1)\n';
  assert.deepEqual(codes(await check(outOfLine)), []);
  const runtime = 'import cffi\nffi = cffi.FFI()\nffi.cdef(open("decls.h").read())\nffi.cdef("int f(int);")\nlib = ffi.dlopen("x")\nlib.g(1)\n';
  assert.deepEqual(only(await check(runtime), 'PB305'), []);
  const included = 'import cffi\nffi = cffi.FFI()\nffi.include(base_ffi)\nffi.cdef("int f(int);")\nlib = ffi.dlopen("x")\nlib.g(1)\n';
  assert.deepEqual(only(await check(included), 'PB305'), []);
  const broken = 'import cffi\nffi = cffi.FFI()\nffi.cdef("#include <x.h>\\nint f(int);")\nlib = ffi.dlopen("x")\nlib.g(1)\n';
  assert.deepEqual(only(await check(broken), 'PB305'), []);
  const ownLib = 'import cffi\nclass L:\n    pass\nlib = L()\nlib.whatever\n';
  assert.deepEqual(codes(await check(ownLib)), []);
});

test('PB306 checks the argument count against the prototype (variadic: at least the fixed ones)', async () => {
  const src = STRLEN_ABI + `buf = ffi.new("char[]", 64)
lib.strlen(b"a", b"b")
lib.strlen()
lib.snprintf(buf, 64)
lib.snprintf(buf, 64, b"ok")
lib.snprintf(buf, 64, b"%d", ffi.cast("int", 3))
lib.strlen(*args)
`;
  const hits = only(await check(src), 'PB306');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [
    [lineOf(src, 'lib.strlen(b"a", b"b")'), 'lib.strlen(b"a", b"b")'],
    [lineOf(src, 'lib.strlen()'), 'lib.strlen()'],
    [lineOf(src, 'lib.snprintf(buf, 64)\n'), 'lib.snprintf(buf, 64)'],
  ]);
  assert.match(hits[2]!.finding.message, /at least 3/);
});

test('PB307 flags plain numbers and strings in the variadic part', async () => {
  const src = STRLEN_ABI + 'buf = ffi.new("char[]", 64)\nlib.snprintf(buf, 64, b"%d %s %f", 42, b"x", 2.5)\nlib.snprintf(buf, 64, b"%d", ffi.cast("int", 42))\n';
  const hits = only(await check(src), 'PB307');
  assert.deepEqual(hits.map((h) => h.text), ['42', 'b"x"', '2.5']);
  assert.deepEqual(hits.map((h) => h.finding.data?.replacement), ['ffi.cast("int", 42)', 'ffi.new("char[]", b"x")', 'ffi.cast("double", 2.5)']);
});

test('PB308 flags a cast of a temporary, a nested ffi.new and a store into a C field', async () => {
  const src = `import cffi
ffi = cffi.FFI()
ffi.cdef("struct node { char *name; struct node *next; }; extern char *progname;")
lib = ffi.dlopen("libfoo.so")
ints = ffi.cast("int *", ffi.new("int[4]"))
argv = ffi.new("char *[]", [ffi.new("char[]", b"prog")])
pp = ffi.new("char **", ffi.new("char[]", b"x"))
node = ffi.new("struct node *")
node.name = ffi.new("char[]", b"first")
lib.progname = ffi.new("char[]", b"me")
keep = ffi.new("char[]", b"kept")
node.next = ffi.NULL
self_like.buffer = ffi.new("char[]", 10)
`;
  const hits = only(await check(src), 'PB308');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [
    [5, 'ffi.new("int[4]")'], [6, 'ffi.new("char[]", b"prog")'], [7, 'ffi.new("char[]", b"x")'],
    [9, 'ffi.new("char[]", b"first")'], [10, 'ffi.new("char[]", b"me")'],
  ]);
});

test('PB309 flags None for a pointer parameter, not for an int one', async () => {
  const src = STRLEN_ABI + 'lib.memset(None, 0, 8)\nlib.strlen(ffi.NULL)\n';
  const hits = only(await check(src), 'PB309');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.finding.data?.replacement]), [[lineOf(src, 'lib.memset(None'), 'None', 'ffi.NULL']]);
});

test('PB310 flags a type cffi does not predefine, unless a cdef of the same ffi declares it', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("time_t time(time_t *t); pid_t getpid(void);")\nffi.cdef("typedef int pid_t;")\nlib = ffi.dlopen(None)\n';
  const hits = only(await check(src), 'PB310');
  assert.deepEqual(hits.map((h) => [h.line, h.text]), [[3, 'time_t'], [3, 'time_t']]);
  assert.match(hits[0]!.finding.message, /typedef long time_t/);
  const declared = 'import cffi\nffi = cffi.FFI()\nffi.cdef("typedef long time_t; time_t time(time_t *t); size_t n(FILE *f, uint32_t x, struct s *p);")\n';
  assert.deepEqual(codes(await check(declared)), []);
});

test('PB311 flags Python.h in the C source of set_source', async () => {
  const src = 'import cffi\nffibuilder = cffi.FFI()\nffibuilder.cdef("int f(int);")\nffibuilder.set_source("_m", """\n#include <Python.h>\nint f(int x) { return x; }\n""")\n';
  const hits = only(await check(src), 'PB311');
  assert.deepEqual(hits.map((h) => [h.line, h.text, h.severity]), [[5, '#include <Python.h>', 'warning']]);
});

test('a correct ABI-mode cffi file gets no findings', async () => {
  const src = STRLEN_ABI + `buf = ffi.new("char[]", lib.BUFSIZE)
n = lib.snprintf(buf, len(buf), b"%d-%s", ffi.cast("int", 42), ffi.new("char[]", b"abc"))
print(lib.strlen(buf), ffi.string(buf), lib.optind)
lib.memset(buf, 0, lib.BUFSIZE)
`;
  assert.deepEqual(await check(src), []);
});

test('PB303 is not reported for an opaque `typedef ... name;`, which cffi accepts in ABI mode', async () => {
  const src = 'import cffi\nffi = cffi.FFI()\nffi.cdef("typedef ... Layout; typedef ... *Handle; struct s { int a; ...; };")\nlib = ffi.dlopen(None)\n';
  const hits = only(await check(src), 'PB303');
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.finding.span.start, src.indexOf('...;'), 'only the partial struct');
});
