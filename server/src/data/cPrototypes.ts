// Typed access to cPrototypes.json: the built-in table of C prototypes for common libc, libm and zlib
// functions that PB204/PB205 quick fixes and the ctypes→cffi converter read when the code does not say.

/** Which shared library defines the symbol: libc, libm or zlib (what `ctypes.util.find_library` takes). */
export type CLibrary = "c" | "m" | "z";

export interface CPrototype {
  readonly name: string;
  readonly library: CLibrary;
  /** The header that declares it, with angle brackets: `<string.h>`. */
  readonly header: string;
  /** C spelling of the result type, as cffi's cdef accepts it (`size_t`, `char *`, `void`). */
  readonly returns: string;
  /** C spellings of the fixed parameters (an empty list means `(void)`). */
  readonly params: readonly string[];
  /** True for `...` after the fixed parameters (printf family, open). */
  readonly variadic: boolean;
}

/** A global variable (for `T.in_dll(lib, name)` and cffi's `extern T name;`). */
export interface CGlobal {
  readonly name: string;
  readonly library: CLibrary;
  readonly header: string;
  readonly type: string;
}

interface CPrototypeTable {
  readonly typedefs: ReadonlyMap<string, string>;
  readonly globals: ReadonlyMap<string, CGlobal>;
  readonly functions: ReadonlyMap<string, CPrototype>;
}

// require() rather than import: esbuild inlines it, and tsx/node load it as is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rawTable: unknown = require("./cPrototypes.json");

const table: CPrototypeTable = parseTable(rawTable);

export function lookupPrototype(name: string): CPrototype | undefined {
  return table.functions.get(name);
}

export function lookupGlobal(name: string): CGlobal | undefined {
  return table.globals.get(name);
}

export function allPrototypes(): readonly CPrototype[] {
  return [...table.functions.values()];
}

export function allGlobals(): readonly CGlobal[] {
  return [...table.globals.values()];
}

/** Types the table uses that cffi does not predefine, with their LP64 Linux definitions (`time_t` → `long`). */
export function cTypedefs(): ReadonlyMap<string, string> {
  return table.typedefs;
}

/**
 * The `typedef … ;` lines a cdef needs before it can declare `p` (cffi does not predefine `time_t`,
 * `pid_t`, `div_t`…), in the order of first use.
 */
export function typedefsFor(p: CPrototype): string[] {
  const lines: string[] = [];
  for (const t of [p.returns, ...p.params]) {
    for (const word of t.match(/[A-Za-z_]\w*/g) ?? []) {
      const def = table.typedefs.get(word);
      const line = def === undefined ? undefined : `typedef ${def} ${word};`;
      if (line !== undefined && !lines.includes(line)) lines.push(line);
    }
  }
  return lines;
}

/** One cdef line: `size_t strlen(const char *);`, `int snprintf(char *, size_t, const char *, ...);`. */
export function prototypeToCdef(p: CPrototype): string {
  const params = p.params.length === 0 && !p.variadic ? ["void"] : [...p.params];
  if (p.variadic) params.push("...");
  const sep = p.returns.endsWith("*") ? "" : " ";
  return `${p.returns}${sep}${p.name}(${params.join(", ")});`;
}

const CTYPES_SCALARS: ReadonlyMap<string, string> = new Map([
  ["char", "c_char"],
  ["signed char", "c_byte"],
  ["unsigned char", "c_ubyte"],
  ["short", "c_short"],
  ["short int", "c_short"],
  ["signed short", "c_short"],
  ["unsigned short", "c_ushort"],
  ["unsigned short int", "c_ushort"],
  ["int", "c_int"],
  ["signed", "c_int"],
  ["signed int", "c_int"],
  ["unsigned", "c_uint"],
  ["unsigned int", "c_uint"],
  ["long", "c_long"],
  ["long int", "c_long"],
  ["signed long", "c_long"],
  ["unsigned long", "c_ulong"],
  ["unsigned long int", "c_ulong"],
  ["long long", "c_longlong"],
  ["long long int", "c_longlong"],
  ["signed long long", "c_longlong"],
  ["unsigned long long", "c_ulonglong"],
  ["unsigned long long int", "c_ulonglong"],
  ["float", "c_float"],
  ["double", "c_double"],
  ["long double", "c_longdouble"],
  ["_Bool", "c_bool"],
  ["bool", "c_bool"],
  ["wchar_t", "c_wchar"],
  ["size_t", "c_size_t"],
  ["ssize_t", "c_ssize_t"],
  // ctypes has no intptr_t/ptrdiff_t types; these are their LP64 equivalents.
  ["intptr_t", "c_ssize_t"],
  ["uintptr_t", "c_size_t"],
  ["ptrdiff_t", "c_ssize_t"],
  ["int8_t", "c_int8"],
  ["int16_t", "c_int16"],
  ["int32_t", "c_int32"],
  ["int64_t", "c_int64"],
  ["uint8_t", "c_uint8"],
  ["uint16_t", "c_uint16"],
  ["uint32_t", "c_uint32"],
  ["uint64_t", "c_uint64"],
]);

/** Opaque or by-reference-only types: a pointer to one is a `c_void_p` in ctypes code. */
function isOpaque(base: string): boolean {
  return base === "FILE" || base === "void" || /^(struct|union)\s+\w+$/.test(base);
}

/**
 * The ctypes expression for a C type spelling, as one writes it in `argtypes`/`restype`:
 * `size_t` → `ctypes.c_size_t`, `const char *` → `ctypes.c_char_p`, `double *` →
 * `ctypes.POINTER(ctypes.c_double)`, `FILE *` → `ctypes.c_void_p`, `void` → `None`.
 * Undefined when ctypes has no safe spelling without more declarations (a struct by value, `div_t`).
 */
export function cTypeToCtypes(cType: string): string | undefined {
  const t = normalise(cType);
  if (t === "void") return "None";

  const fn = /^(.+?)\(\s*\*\s*\)\s*\((.*)\)$/.exec(t);
  if (fn) {
    const res = cTypeToCtypes(fn[1]);
    const inner = fn[2].trim();
    const args = inner === "" || inner === "void" ? [] : splitParams(inner).map(cTypeToCtypes);
    if (res === undefined || args.some((a) => a === undefined || a === "None")) return undefined;
    return `ctypes.CFUNCTYPE(${[res, ...args].join(", ")})`;
  }

  const ptr = /^(.*?)\s*(\*+)$/.exec(t);
  if (!ptr) return scalarToCtypes(t);
  const base = ptr[1];
  let depth = ptr[2].length;
  let expr: string | undefined;
  if (base === "char" || base === "unsigned char") {
    // char* (and zlib's Bytef*) take bytes and string buffers: c_char_p is what people write.
    expr = "ctypes.c_char_p";
    depth -= 1;
  } else if (base === "wchar_t") {
    expr = "ctypes.c_wchar_p";
    depth -= 1;
  } else if (isOpaque(base)) {
    expr = "ctypes.c_void_p";
    depth -= 1;
  } else {
    expr = scalarToCtypes(base);
  }
  if (expr === undefined || expr === "None") return undefined;
  for (; depth > 0; depth--) expr = `ctypes.POINTER(${expr})`;
  return expr;
}

function scalarToCtypes(t: string): string | undefined {
  const direct = CTYPES_SCALARS.get(t);
  if (direct !== undefined) return `ctypes.${direct}`;
  const def = table.typedefs.get(t);
  if (def !== undefined && CTYPES_SCALARS.has(def)) return `ctypes.${CTYPES_SCALARS.get(def)}`;
  return undefined;
}

/** Drops qualifiers and spacing differences: `const  char*` → `char *`, `int(*)(void*)` → `int (*)(void *)`. */
function normalise(cType: string): string {
  const tokens = (cType.match(/[A-Za-z_]\w*|\.\.\.|[*(),]/g) ?? []).filter(
    (tok) => !["const", "volatile", "restrict", "__restrict"].includes(tok),
  );
  let out = "";
  let prev = "";
  for (const tok of tokens) {
    const word = /^\w/.test(tok);
    const prevWord = /^\w/.test(prev);
    if (prev === ",") out += " ";
    else if ((word || tok === "*" || tok === "(") && prevWord) out += " ";
    else if (tok === "(" && prev === ")") out += "";
    out += tok;
    prev = tok;
  }
  return out;
}

function splitParams(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
      continue;
    }
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

function parseTable(raw: unknown): CPrototypeTable {
  const fail = (what: string): never => {
    throw new Error(`cPrototypes.json: ${what}`);
  };
  if (typeof raw !== "object" || raw === null) fail("not a JSON object");
  const obj = raw as Record<string, unknown>;

  const typedefs = new Map<string, string>();
  for (const [k, v] of Object.entries((obj.typedefs ?? {}) as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`typedef ${k} is not a string`);
    typedefs.set(k, v as string);
  }

  const isLibrary = (v: unknown): v is CLibrary => v === "c" || v === "m" || v === "z";
  const globals = new Map<string, CGlobal>();
  for (const g of (obj.globals ?? []) as Record<string, unknown>[]) {
    if (typeof g.name !== "string" || !isLibrary(g.library) || typeof g.header !== "string" || typeof g.type !== "string") {
      fail(`bad global ${JSON.stringify(g)}`);
    }
    globals.set(g.name as string, g as unknown as CGlobal);
  }

  const functions = new Map<string, CPrototype>();
  if (!Array.isArray(obj.functions)) fail("'functions' is not a list");
  for (const f of obj.functions as Record<string, unknown>[]) {
    const ok =
      typeof f.name === "string" &&
      isLibrary(f.library) &&
      typeof f.header === "string" &&
      typeof f.returns === "string" &&
      Array.isArray(f.params) &&
      f.params.every((p) => typeof p === "string") &&
      typeof f.variadic === "boolean";
    if (!ok) fail(`bad function entry ${JSON.stringify(f)}`);
    if (functions.has(f.name as string)) fail(`duplicate function ${String(f.name)}`);
    functions.set(f.name as string, Object.freeze({ ...f, params: Object.freeze([...(f.params as string[])]) }) as CPrototype);
  }
  return { typedefs, globals, functions };
}
