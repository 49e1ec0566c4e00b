// The API out-of-line conversion (pypyBindings.convert.mode = "api-outofline"), proven like the in-line one:
// every corpus program that ABI mode converts is converted with `convert --mode api-outofline --write`, its
// generated _build.py is compiled by gcc through each interpreter's cffi, and the program must print what the
// ctypes original printed, under CPython+cffi and under PyPy. Which programs ABI mode converts is decided here,
// in-process (no ctypes left, nothing left for a human), not listed; the other programs (converted partly, with
// TODOs) must build what they convert and print the same too. RUNTIME_FILTER=substr runs some.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'pypy-bindings.js');
const PROGRAMS = join(__dirname, 'programs');
const INTERPRETERS = [['CPython+cffi', '/usr/bin/python3'], ['PyPy', 'pypy3']] as const;
const filter = process.env.RUNTIME_FILTER ?? '';
const programs = readdirSync(PROGRAMS).filter((f) => f.endsWith('.py') && f.includes(filter)).sort();
const CTYPES_LEFT = /^\s*(?:import\s+ctypes(?!\.util\b)|from\s+ctypes(?!\.util\b)\S*\s+import)|\bctypes\.(?!util\b)\w/m;

interface Run { code: number | null; stdout: string; stderr: string }
const run = (cmd: string, args: string[], cwd: string): Promise<Run> =>
  new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: 120_000, maxBuffer: 16 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr: stderr + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
    });
  });

/** The programs ABI in-line mode converts whole: cffi in, no ctypes left but find_library, no TODO. */
async function abiConverted(): Promise<string[]> {
  const out: string[] = [];
  for (const p of programs) {
    const text = readFileSync(join(PROGRAMS, p), 'utf8');
    const r = await convertText(text, { mode: 'abi-inline' }, `file:///corpus/${p}`);
    const converted = applyEdits(text, r.edits);
    if (r.edits.length && !r.leftForHuman.length && /^\s*from cffi import FFI/m.test(converted) && !CTYPES_LEFT.test(converted)) out.push(p);
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), 'pb-api-mode-'));
const results = new Map<string, Map<string, boolean>>();
let converted: string[] = [];
const partlyOk: string[] = [];

describe(`API out-of-line conversion builds and behaves like the ctypes original${filter ? ` (RUNTIME_FILTER=${filter})` : ''}`, { concurrency: 2 }, () => {
  before(async () => {
    converted = await abiConverted();
  });
  after(() => {
    const ok = (label: string) => [...results.values()].filter((m) => m.get(label)).length;
    console.log(`api-mode summary: ABI mode converts ${converted.length} of ${programs.length} programs; in API mode ${ok('CPython+cffi')} build and match under CPython+cffi, ${ok('PyPy')} under PyPy; of the ${programs.length - converted.length} others, ${partlyOk.length} print the same`);
    rmSync(work, { recursive: true, force: true });
  });

  it('ABI mode converts most of the corpus, so the API suite has programs to cover', () => {
    if (!filter) assert.ok(converted.length >= 40, `ABI mode converts only ${converted.length} programs`);
    else assert.ok(programs.length > 0, `no program matches RUNTIME_FILTER=${filter}`);
  });

  // every program: those ABI mode converts must convert whole here too; the others (h_ programs, left partly
  // ctypes with TODOs) must still build what they convert and print the same
  for (const file of programs) {
    it(file, async () => {
      const whole = converted.includes(file);
      if (!whole) assert.ok(!/^\d/.test(file), `${file} is a numbered corpus program, which ABI mode must convert`);
      const dir = join(work, file.replace(/\.py$/, ''));
      mkdirSync(dir);
      const program = join(dir, file);
      copyFileSync(join(PROGRAMS, file), program);
      const expected = await run('/usr/bin/python3', [program], dir);
      assert.equal(expected.code, 0, expected.stderr);
      const conv = await run(process.execPath, [CLI, 'convert', '--mode', 'api-outofline', '--write', program], dir);
      assert.equal(conv.code, 0, conv.stderr);
      const source = readFileSync(program, 'utf8');
      if (whole) assert.doesNotMatch(source, CTYPES_LEFT, `no ctypes left:\n${source}`);
      const build = readdirSync(dir).find((f) => f.endsWith('_build.py'));
      if (whole) assert.ok(build, `a _build.py next to the module (stderr: ${conv.stderr})`);
      assert.ok(!readdirSync(dir).some((f) => f.endsWith('.txt')), 'no side files');
      const buildText = build ? readFileSync(join(dir, build), 'utf8') : '';
      if (build) assert.match(buildText, /set_source\(/);
      const where = `\n--- ${build} ---\n${buildText}\n--- converted ---\n${source}`;
      // each interpreter builds its own extension (different ABI tags) in its own folder, both at once
      const outcomes = await Promise.all(INTERPRETERS.map(async ([label, python]) => {
        const own = join(dir, label);
        mkdirSync(own);
        copyFileSync(program, join(own, file));
        if (build) {
          copyFileSync(join(dir, build), join(own, build));
          const b = await run(python, [build], own);
          if (b.code !== 0) return `${label}: the build failed:\n${b.stderr.slice(-3000)}`;
        }
        const r = await run(python, [file], own);
        if (r.code !== 0) return `${label}: the program failed:\n${r.stderr.slice(-3000)}`;
        if (r.stdout !== expected.stdout) return `${label}: prints differently:\n${r.stdout}\n--- ctypes printed ---\n${expected.stdout}`;
        return undefined;
      }));
      if (!whole && outcomes.every((o) => o === undefined)) partlyOk.push(file);
      if (whole) results.set(file, new Map(INTERPRETERS.map(([label], i) => [label, outcomes[i] === undefined])));
      const failures = outcomes.filter((o) => o !== undefined);
      assert.deepEqual(failures, [], `${failures.join('\n')}${where}`);
    });
  }
});
