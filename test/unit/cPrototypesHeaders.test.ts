// Checks the built-in prototype table against the system's own headers: every entry is redeclared after
// including its header and compiled with `gcc -fsyntax-only -Werror`, so a conflicting declaration fails
// and is reported by name. Needs gcc, libc6-dev and zlib1g-dev; their absence is a failure, not a skip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  allGlobals,
  allPrototypes,
  cTypedefs,
  prototypeToCdef,
  type CGlobal,
  type CPrototype,
} from "../../server/src/data/cPrototypes";

const DEBIAN_PACKAGE: Record<string, string> = { "<zlib.h>": "zlib1g-dev" };

interface Finding {
  /** The table entry the compiler rejected (`function strlen`, `typedef time_t`, `header <zlib.h>`). */
  readonly entry: string;
  readonly message: string;
}

/** One line of C per table entry, so a compiler message's line number names the entry. */
function buildCheckSource(
  prototypes: readonly CPrototype[],
  globals: readonly CGlobal[],
  typedefs: ReadonlyMap<string, string>,
): { source: string; entryAtLine: Map<number, string> } {
  const lines: string[] = ["#define _GNU_SOURCE", "#include <stddef.h>"];
  const entryAtLine = new Map<number, string>();
  const add = (entry: string, text: string): void => {
    lines.push(text);
    entryAtLine.set(lines.length, entry);
  };
  const headers = new Set([...prototypes.map((p) => p.header), ...globals.map((g) => g.header)]);
  for (const h of headers) add(`header ${h}`, `#include ${h}`);
  for (const [name, def] of typedefs) {
    const struct = /^struct\s*\{(.*)\}$/.exec(def);
    if (struct) {
      // A struct typedef is checked by layout: same size and the same offset for every field.
      const tag = `pb_check_${name}`;
      add(`typedef ${name}`, `struct ${tag} {${struct[1]}};`);
      const fields = [...struct[1].matchAll(/(\w+)\s*;/g)].map((m) => m[1]);
      const conds = [`sizeof(${name}) == sizeof(struct ${tag})`, ...fields.map((f) => `offsetof(${name}, ${f}) == offsetof(struct ${tag}, ${f})`)];
      add(`typedef ${name}`, `_Static_assert(${conds.join(" && ")}, "typedef ${name} differs from the header");`);
    } else {
      add(`typedef ${name}`, `_Static_assert(__builtin_types_compatible_p(${name}, ${def}), "typedef ${name} is not ${def}");`);
    }
  }
  for (const g of globals) add(`global ${g.name}`, `extern ${g.type} ${g.name};`);
  // `(name)` so that a function the header also defines as a macro (isalpha, toupper) is still declared.
  for (const p of prototypes) add(`function ${p.name}`, `extern ${prototypeToCdef(p).replace(`${p.name}(`, `(${p.name})(`)}`);
  return { source: lines.join("\n") + "\n", entryAtLine };
}

function checkAgainstHeaders(
  prototypes: readonly CPrototype[],
  globals: readonly CGlobal[] = [],
  typedefs: ReadonlyMap<string, string> = new Map(),
): Finding[] {
  const gcc = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  if (gcc.error || gcc.status !== 0) {
    assert.fail(`gcc is needed to check the prototype table against the system headers, and it did not run: ${gcc.error?.message ?? gcc.stderr}. Install it (Debian: apt-get install -y gcc libc6-dev zlib1g-dev).`);
  }
  const { source, entryAtLine } = buildCheckSource(prototypes, globals, typedefs);
  const dir = mkdtempSync(join(tmpdir(), "pb-cproto-"));
  try {
    const file = join(dir, "check.c");
    writeFileSync(file, source);
    // -Wno-array-parameter: `int *` for glibc's `int[2]` (pipe) is the same type, only spelled differently.
    const r = spawnSync("gcc", ["-fsyntax-only", "-Werror", "-Wall", "-Wno-array-parameter", "-std=gnu11", file], { encoding: "utf8" });
    if (r.status === 0) return [];
    const findings: Finding[] = [];
    for (const m of r.stderr.matchAll(/check\.c:(\d+):\d+: (?:fatal error|error|warning): (.*)/g)) {
      const entry = entryAtLine.get(Number(m[1])) ?? `line ${m[1]} of the generated file`;
      let message = m[2];
      const header = /^header (<.*>)$/.exec(entry);
      if (header) message += ` (Debian package: ${DEBIAN_PACKAGE[header[1]] ?? "libc6-dev"})`;
      findings.push({ entry, message });
    }
    if (findings.length === 0) findings.push({ entry: "(unknown)", message: r.stderr || `gcc exited with ${r.status}` });
    return findings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(findings: readonly Finding[]): string {
  return findings.map((f) => `  ${f.entry}: ${f.message}`).join("\n");
}

test("every function, global and typedef in the table agrees with the system headers", () => {
  const findings = checkAgainstHeaders(allPrototypes(), allGlobals(), cTypedefs());
  assert.deepEqual(findings, [], `wrong entries in server/src/data/cPrototypes.json:\n${describe(findings)}`);
});

test("the header check names the entries that conflict with the headers", () => {
  const planted: CPrototype[] = [
    { name: "strlen", library: "c", header: "<string.h>", returns: "int", params: ["const char *"], variadic: false },
    { name: "frexp", library: "m", header: "<math.h>", returns: "double", params: ["double", "float *"], variadic: false },
    { name: "crc32", library: "z", header: "<zlib.h>", returns: "unsigned long", params: ["unsigned long", "const unsigned char *", "unsigned long"], variadic: false },
    { name: "puts", library: "c", header: "<stdio.h>", returns: "int", params: ["const char *"], variadic: false },
  ];
  const findings = checkAgainstHeaders(planted, [], new Map([["time_t", "int"]]));
  const entries = new Set(findings.map((f) => f.entry));
  assert.deepEqual([...entries].sort(), ["function crc32", "function frexp", "function strlen", "typedef time_t"], describe(findings));
});

test("a missing header is reported as that header, with the package to install", () => {
  const planted: CPrototype[] = [
    { name: "nothing", library: "c", header: "<pb_no_such_header.h>", returns: "int", params: [], variadic: false },
  ];
  const findings = checkAgainstHeaders(planted);
  assert.equal(findings[0]?.entry, "header <pb_no_such_header.h>", describe(findings));
  assert.match(findings[0].message, /No such file/);
});

test("the table covers the function families the quick fixes promise", () => {
  const names = new Set(allPrototypes().map((p) => p.name));
  assert.ok(names.size >= 150, `only ${names.size} functions`);
  for (const n of ["strlen", "snprintf", "frexp", "modf", "ldexp", "time", "isalpha", "getpid", "compress", "uncompress", "compressBound", "crc32", "adler32", "zlibVersion", "deflateBound"]) {
    assert.ok(names.has(n), `${n} missing`);
  }
});
