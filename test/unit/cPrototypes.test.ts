import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  allGlobals,
  allPrototypes,
  cTypeToCtypes,
  lookupGlobal,
  lookupPrototype,
  prototypeToCdef,
  typedefsFor,
} from "../../server/src/data/cPrototypes";

const PYTHON = "/usr/bin/python3";

test("lookupPrototype finds table entries by name and nothing else", () => {
  const strlen = lookupPrototype("strlen");
  assert.deepEqual(strlen, { name: "strlen", library: "c", header: "<string.h>", returns: "size_t", params: ["const char *"], variadic: false });
  assert.equal(lookupPrototype("frexp")?.library, "m");
  assert.deepEqual(lookupPrototype("frexp")?.params, ["double", "int *"]);
  assert.equal(lookupPrototype("compressBound")?.library, "z");
  assert.equal(lookupPrototype("snprintf")?.variadic, true);
  assert.equal(lookupPrototype("my_own_function"), undefined);
  assert.equal(lookupPrototype("toString"), undefined, "inherited object keys are not prototypes");
  assert.equal(lookupGlobal("optind")?.type, "int");
});

test("entries are frozen so a consumer cannot corrupt the shared table", () => {
  const p = lookupPrototype("strlen")!;
  assert.throws(() => (p.params as string[]).push("int"));
  assert.equal(lookupPrototype("strlen")!.params.length, 1);
});

test("cTypeToCtypes maps C spellings to the ctypes people write in argtypes/restype", () => {
  const cases: [string, string | undefined][] = [
    ["void", "None"],
    ["int", "ctypes.c_int"],
    ["unsigned int", "ctypes.c_uint"],
    ["size_t", "ctypes.c_size_t"],
    ["ssize_t", "ctypes.c_ssize_t"],
    ["long long", "ctypes.c_longlong"],
    ["unsigned long", "ctypes.c_ulong"],
    ["long double", "ctypes.c_longdouble"],
    ["_Bool", "ctypes.c_bool"],
    ["uint32_t", "ctypes.c_uint32"],
    ["const char *", "ctypes.c_char_p"],
    ["char*", "ctypes.c_char_p"],
    ["const unsigned char *", "ctypes.c_char_p"],
    ["wchar_t *", "ctypes.c_wchar_p"],
    ["void *", "ctypes.c_void_p"],
    ["const void *", "ctypes.c_void_p"],
    ["FILE *", "ctypes.c_void_p"],
    ["struct tm *", "ctypes.c_void_p"],
    ["struct z_stream_s *", "ctypes.c_void_p"],
    ["double *", "ctypes.POINTER(ctypes.c_double)"],
    ["int *", "ctypes.POINTER(ctypes.c_int)"],
    ["unsigned long *", "ctypes.POINTER(ctypes.c_ulong)"],
    ["char **", "ctypes.POINTER(ctypes.c_char_p)"],
    ["char *const *", "ctypes.POINTER(ctypes.c_char_p)"],
    ["void **", "ctypes.POINTER(ctypes.c_void_p)"],
    ["int **", "ctypes.POINTER(ctypes.POINTER(ctypes.c_int))"],
    ["time_t", "ctypes.c_long"],
    ["const time_t *", "ctypes.POINTER(ctypes.c_long)"],
    ["pid_t", "ctypes.c_int"],
    ["int (*)(const void *, const void *)", "ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)"],
    ["void (*)(void)", "ctypes.CFUNCTYPE(None)"],
    // No ctypes spelling without a Structure definition: the caller must not guess.
    ["div_t", undefined],
    ["struct tm", undefined],
    ["FILE", undefined],
    ["div_t (*)(int)", undefined],
    ["void **(*)(int)", "ctypes.CFUNCTYPE(ctypes.POINTER(ctypes.c_void_p), ctypes.c_int)"],
    ["my_handle_t", undefined],
    ["", undefined],
  ];
  for (const [c, expected] of cases) assert.equal(cTypeToCtypes(c), expected, JSON.stringify(c));
});

test("prototypeToCdef writes one cdef line per entry", () => {
  assert.equal(prototypeToCdef(lookupPrototype("strlen")!), "size_t strlen(const char *);");
  assert.equal(prototypeToCdef(lookupPrototype("strcpy")!), "char *strcpy(char *, const char *);");
  assert.equal(prototypeToCdef(lookupPrototype("rand")!), "int rand(void);");
  assert.equal(prototypeToCdef(lookupPrototype("snprintf")!), "int snprintf(char *, size_t, const char *, ...);");
  assert.equal(
    prototypeToCdef(lookupPrototype("qsort")!),
    "void qsort(void *, size_t, size_t, int (*)(const void *, const void *));",
  );
});

test("typedefsFor lists the declarations cffi needs first", () => {
  assert.deepEqual(typedefsFor(lookupPrototype("difftime")!), ["typedef long time_t;"]);
  assert.deepEqual(typedefsFor(lookupPrototype("div")!), ["typedef struct { int quot; int rem; } div_t;"]);
  assert.deepEqual(typedefsFor(lookupPrototype("strlen")!), []);
});

// The table is only useful if cffi accepts its spellings and the symbols live in the stated library,
// and if every ctypes expression it yields is real ctypes: both checked by the real interpreter.
test("cffi accepts every entry's cdef and finds each symbol in its library", () => {
  const entries = allPrototypes().map((p) => ({ name: p.name, library: p.library, cdef: [...typedefsFor(p), prototypeToCdef(p)].join("\n") }));
  const globals = allGlobals().map((g) => ({ name: g.name, library: g.library, cdef: `extern ${g.type} ${g.name};` }));
  const script = String.raw`
import json, sys, ctypes.util, cffi
bad = []
for e in json.load(sys.stdin):
    ffi = cffi.FFI()
    try:
        ffi.cdef(e["cdef"])
        lib = ffi.dlopen(ctypes.util.find_library(e["library"]))
        getattr(lib, e["name"])
    except Exception as exc:
        bad.append("%s: %s: %s" % (e["name"], type(exc).__name__, exc))
print(json.dumps(bad))
`;
  const r = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify([...entries, ...globals]), encoding: "utf8" });
  assert.equal(r.status, 0, `${PYTHON} with cffi is needed (Debian python3-cffi): ${r.error?.message ?? r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test("every ctypes expression cTypeToCtypes yields evaluates in ctypes", () => {
  const exprs = new Set<string>();
  for (const p of allPrototypes()) {
    for (const t of [p.returns, ...p.params]) {
      const e = cTypeToCtypes(t);
      if (e !== undefined) exprs.add(e);
    }
  }
  assert.ok(exprs.size > 20);
  const script = `import ctypes, json, sys\nbad = []\nfor e in json.load(sys.stdin):\n    try:\n        eval(e)\n    except Exception as exc:\n        bad.append(e + ": " + repr(exc))\nprint(json.dumps(bad))\n`;
  const r = spawnSync(PYTHON, ["-c", script], { input: JSON.stringify([...exprs]), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test("only the struct-by-value typedefs lack a ctypes mapping", () => {
  const unmapped = new Set<string>();
  for (const p of allPrototypes()) {
    for (const t of [p.returns, ...p.params]) if (cTypeToCtypes(t) === undefined) unmapped.add(t);
  }
  assert.deepEqual([...unmapped].sort(), ["div_t", "ldiv_t", "lldiv_t"]);
});
