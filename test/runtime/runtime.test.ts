// The runtime proof of the ctypes→cffi converter: every program in programs/ is converted with the CLI,
// and the converted code must print exactly what the ctypes original prints, under CPython+cffi and PyPy.
// See README.md. Run alone: node --import tsx --test test/runtime/runtime.test.ts (RUNTIME_FILTER=substr).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { newWarnings, pycodestyleCounts, total } from "./pycodestyle";

const ROOT = resolve(__dirname, "..", "..");
const PROGRAMS = join(__dirname, "programs");
const CLI = join(ROOT, "bin", "pypy-bindings.js");
const CPYTHON = "/usr/bin/python3";
const PYPY = "pypy3";
const TODO_MARK = "# TODO(pypy-bindings):";
const TIMEOUT_MS = 60_000;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

function run(cmd: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      const error = err && typeof err.code !== "number" ? `${err.message}${err.killed ? " (killed: timeout)" : ""}` : undefined;
      done({ code, stdout, stderr, error });
    });
  });
}

function explain(what: string, r: RunResult): string {
  return `${what} exited with ${r.code}${r.error ? ` (${r.error})` : ""}\n--- stderr ---\n${r.stderr.slice(-4000)}`;
}

/** Everything the suite needs, checked once, so a missing tool fails every program with the same clear reason. */
async function checkTools(): Promise<string | undefined> {
  const problems: string[] = [];
  const cffiCheck = await run(CPYTHON, ["-c", "import cffi"], ROOT);
  if (cffiCheck.code !== 0) problems.push(`${CPYTHON} with cffi is needed (Debian: apt-get install python3-cffi): ${cffiCheck.error ?? cffiCheck.stderr.trim()}`);
  const pypyCheck = await run(PYPY, ["-c", "import cffi"], ROOT);
  if (pypyCheck.code !== 0) problems.push(`pypy3 is needed (Debian: apt-get install pypy3): ${pypyCheck.error ?? pypyCheck.stderr.trim()}`);
  if (!existsSync(join(ROOT, "dist", "server.js"))) {
    problems.push("the CLI is not built: dist/server.js is missing (run `npm run build` first)");
  }
  return problems.length ? problems.join("\n") : undefined;
}

// A program "uses ctypes" if it imports it or reaches into it; ctypes.util.find_library may stay
// (cffi's dlopen in out-of-line mode needs it). Decided on the AST, so docstrings and comments don't count.
const CTYPES_USES = String.raw`
import ast, json, sys
tree = ast.parse(sys.stdin.read())
uses = []
cffi = False
for node in ast.walk(tree):
    if isinstance(node, ast.Import):
        cffi = cffi or any(a.name == "cffi" for a in node.names)
        for a in node.names:
            if (a.name == "ctypes" or a.name.startswith("ctypes.") or a.name == "_ctypes") and a.name != "ctypes.util":
                uses.append("line %d: import %s" % (node.lineno, a.name))
    elif isinstance(node, ast.ImportFrom):
        cffi = cffi or node.module == "cffi"
        if node.module in ("ctypes", "_ctypes") or (node.module or "").startswith("ctypes.") and node.module != "ctypes.util":
            uses.append("line %d: from %s import ..." % (node.lineno, node.module))
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ctypes" and node.attr != "util":
        uses.append("line %d: ctypes.%s" % (node.lineno, node.attr))
print(json.dumps({"ctypes": uses, "cffi": cffi}))
`;

const filter = process.env.RUNTIME_FILTER ?? "";
const programs = readdirSync(PROGRAMS)
  .filter((f) => f.endsWith(".py") && f.includes(filter))
  .sort();

const passed: string[] = [];
const failed: string[] = [];
const style = { before: 0, after: 0 };
let tools: Promise<string | undefined> | undefined;

describe(`runtime: ctypes programs converted to cffi${filter ? ` (RUNTIME_FILTER=${filter})` : ""}`, { concurrency: 2 }, () => {
  it("finds programs to run", () => {
    assert.ok(programs.length > 0, `no program in ${PROGRAMS} matches RUNTIME_FILTER=${JSON.stringify(filter)}`);
    if (!filter) assert.ok(programs.filter((p) => !p.startsWith("h_")).length >= 40, "the corpus must hold at least 40 convertible programs");
  });

  for (const program of programs) {
    it(program, async () => {
      try {
        await checkProgram(program);
        passed.push(program);
      } catch (e) {
        failed.push(program);
        throw e;
      }
    });
  }

  after(() => {
    const human = programs.filter((p) => p.startsWith("h_")).length;
    console.log(
      `runtime summary: ${passed.length}/${programs.length} programs passed (${programs.length - human} convertible, ${human} h_), ${failed.length} failed${failed.length ? `: ${failed.join(", ")}` : ""}`,
    );
    console.log(`runtime pycodestyle: ${style.before} warnings in the originals, ${style.after} in the converted programs`);
  });
});

async function checkProgram(program: string): Promise<void> {
  tools ??= checkTools();
  const missing = await tools;
  assert.equal(missing, undefined, `cannot run the runtime suite:\n${missing}`);

  const source = join(PROGRAMS, program);
  const human = program.startsWith("h_");
  const work = mkdtempSync(join(tmpdir(), "pb-runtime-"));
  try {
    // 1. What the ctypes original prints is the specification; the corpus itself must agree across interpreters.
    const original = await run(CPYTHON, [source], work);
    assert.equal(original.code, 0, explain(`original ${program} under ${CPYTHON}`, original));
    const expected = original.stdout;
    assert.ok(expected.length > 0, `${program} prints nothing: nothing to compare`);
    const originalPypy = await run(PYPY, [source], work);
    assert.equal(originalPypy.code, 0, explain(`original ${program} under pypy3`, originalPypy));
    assert.equal(originalPypy.stdout, expected, `the corpus program ${program} itself prints differently under pypy3`);

    // 2. Convert with the CLI.
    const conv = await run(process.execPath, [CLI, "convert", source], ROOT);
    assert.equal(conv.code, 0, explain(`pypy-bindings convert ${program}`, conv));
    const converted = conv.stdout;
    assert.ok(converted.trim().length > 0, `pypy-bindings convert ${program} printed no source`);
    const convertedFile = join(work, basename(program));
    writeFileSync(convertedFile, converted);
    const where = `\n--- converted ${program} ---\n${converted}\n--- convert stderr ---\n${conv.stderr}`;

    // 3. The converted source: ctypes gone (or TODOs for h_ programs), and it compiles.
    if (human) {
      assert.ok(converted.includes(TODO_MARK), `${program} uses HUMAN-row constructs, so the conversion must mark them with "${TODO_MARK}"${where}`);
      assert.ok(conv.stderr.trim().length > 0, `the CLI must list on stderr what it left unconverted in ${program}${where}`);
    } else {
      const uses = await runWithInput(CPYTHON, ["-c", CTYPES_USES], converted, work);
      assert.equal(uses.code, 0, explain("the ctypes-use check", uses) + where);
      const found = JSON.parse(uses.stdout) as { ctypes: string[]; cffi: boolean };
      assert.deepEqual(found.ctypes, [], `converted ${program} still uses ctypes${where}`);
      assert.ok(found.cffi, `converted ${program} does not import cffi${where}`);
    }
    const compiled = await run(CPYTHON, ["-m", "py_compile", convertedFile], work);
    assert.equal(compiled.code, 0, explain(`py_compile of converted ${program}`, compiled) + where);

    // 3a. One TODO per cause, and the CLI lists each at its line of the converted text, in order.
    const todos = todosOf(converted);
    const reasons = todos.map((t) => t.reason);
    assert.deepEqual(reasons.filter((r, i) => reasons.indexOf(r) !== i), [], `${program}: one TODO per cause, not one per place${where}`);
    const listed = [...conv.stderr.matchAll(/^.*?:(\d+): left for a human: (.*)$/gm)].map((m) => ({ line: Number(m[1]), reason: m[2]! }));
    assert.deepEqual(listed, todos, `${program}: the report gives each TODO at its line of the converted text${where}`);

    // 3b. Laid out as PEP 8 wants: no pycodestyle warning the original did not have (by code and count).
    const lint = await pycodestyleCounts([source, convertedFile], work);
    const added = newWarnings(lint.get(source)!, lint.get(convertedFile)!);
    assert.deepEqual(added, [], `converting ${program} added pycodestyle warnings${where}`);
    style.before += total(lint.get(source)!);
    style.after += total(lint.get(convertedFile)!);

    // 4. Same output under CPython+cffi and PyPy.
    for (const interpreter of [CPYTHON, PYPY]) {
      const r = await run(interpreter, [convertedFile], work);
      assert.equal(r.code, 0, explain(`converted ${program} under ${interpreter}`, r) + where);
      assert.equal(r.stdout, expected, `converted ${program} prints differently under ${interpreter} than the ctypes original${where}`);
    }

    // 5. Converting the converted program changes nothing.
    const again = await run(process.execPath, [CLI, "convert", convertedFile], ROOT);
    assert.equal(again.code, 0, explain(`second conversion of ${program}`, again));
    assert.equal(again.stdout, converted, `converting converted ${program} again changed it (not idempotent)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The TODOs of a converted text: 1-based line and reason, continuation lines (`#   …`) joined. */
function todosOf(text: string): { line: number; reason: string }[] {
  const lines = text.split("\n");
  const out: { line: number; reason: string }[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*# TODO\(pypy-bindings\): (.*)$/.exec(l);
    if (!m) return;
    let reason = m[1]!;
    for (let j = i + 1; /^\s*# {3}\S/.test(lines[j] ?? ""); j++) reason += ` ${lines[j]!.trim().slice(1).trim()}`;
    out.push({ line: i + 1, reason });
  });
  return out;
}

function runWithInput(cmd: string, args: readonly string[], input: string, cwd: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { cwd, timeout: TIMEOUT_MS, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      done({ code, stdout, stderr, error: err && typeof err.code !== "number" ? err.message : undefined });
    });
    child.stdin?.end(input);
  });
}
