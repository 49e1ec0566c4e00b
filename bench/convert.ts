/**
 * Converter figures for `npm run bench`: the real packages converted (time against `check` on the same
 * folder), the PyPy speed-up of a call-heavy loop over each converted package, and conversion time as a
 * binding grows to thousands of functions. Single runs: read them as ratios.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertToCffi } from '../server/src/convert/convertFile';
import { loadGrammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';

const root = path.resolve(__dirname, '..');
const CLI = path.join(root, 'bin', 'pypy-bindings.js');
const DIST = '/usr/lib/python3/dist-packages';

// the child's own CPU time (user + system), printed by a preload at exit: steadier than wall time on a
// shared machine
const CPU_PRELOAD = "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nPB_CPU_MS ' + (u.user + u.system) / 1000 + '\\n'); });";

function timed(args: string[]): { ms: number; cpu: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(CPU_PRELOAD)}`, CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const cpu = Number(/PB_CPU_MS ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms: performance.now() - t0, cpu, stderr: r.stderr.replace(/\nPB_CPU_MS [\d.]+\n/, '') };
}

/** Medians of three interleaved runs of each (check first, then convert on a fresh copy). */
function compare(checkArgs: string[], convertArgs: () => string[]): { check: { ms: number; cpu: number }; convert: { ms: number; cpu: number; stderr: string } } {
  const checks: { ms: number; cpu: number }[] = [];
  const converts: { ms: number; cpu: number; stderr: string }[] = [];
  for (let i = 0; i < 3; i++) {
    checks.push(timed(checkArgs));
    converts.push(timed(convertArgs()));
  }
  const med = <T extends { ms: number; cpu: number }>(xs: T[]): T & { ms: number; cpu: number } => {
    const byMs = [...xs].sort((a, b) => a.ms - b.ms);
    const byCpu = [...xs].sort((a, b) => a.cpu - b.cpu);
    return { ...byMs[1]!, ms: byMs[1]!.ms, cpu: byCpu[1]!.cpu };
  };
  return { check: med(checks), convert: med(converts) };
}

/** The loops: each prints µs per iteration. They use only the packages' public names. */
const LOOPS: Record<string, string> = {
  magic: `
import time, magic
m = magic.Magic()
def run(n):
    for i in range(n):
        magic.magic_errno(m.cookie)
        magic.magic_setflags(m.cookie, 0)
        m.getparam(magic.MAGIC_PARAM_BYTES_MAX)
run(20000)
t = time.perf_counter(); run(200000); print((time.perf_counter() - t) / 200000 * 1e6)
`,
  libarchive: `
import time
from libarchive import ffi
from libarchive.entry import ArchiveEntry, new_archive_entry
def run(n):
    with new_archive_entry() as p:
        e = ArchiveEntry(None, p)
        for i in range(n):
            ffi.entry_set_size(p, i)
            e.size; e.filetype; e.mode; e.isdir
run(20000)
t = time.perf_counter(); run(200000); print((time.perf_counter() - t) / 200000 * 1e6)
`,
  pysodium: `
import time
import pysodium as s
m = b'x' * 16
def run(n):
    for i in range(n):
        s.crypto_hash_sha256(m)
        s.crypto_generichash(m)
        s.randombytes(8)
run(20000)
t = time.perf_counter(); run(200000); print((time.perf_counter() - t) / 200000 * 1e6)
`,
};

function loop(py: string, pythonpath: string, code: string): number {
  const r = spawnSync(py, ['-c', code], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonpath } });
  if (r.status !== 0) throw new Error(`${py}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** A binding of n functions declared as real code does it (bound names, argtypes, restype, a wrapper). */
function generatedBinding(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, c_long, c_char_p, c_void_p, c_size_t, byref', '', 'lib = ctypes.CDLL("libc.so.6")', ''];
  for (let i = 0; i < n; i++) {
    out.push(`f${i} = lib.abs`, `f${i}.argtypes = [c_int]`, `f${i}.restype = c_int`, '', `def call${i}(x):`, `    n = c_size_t(x)`, `    return f${i}(x) + n.value`, '');
  }
  return out.join('\n');
}

/** scale.ts's binding of n functions: argtypes, restype and a call each. */
function functionsFile(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, c_char_p', '_lib = ctypes.CDLL("libdemo.so")', ''];
  for (let i = 0; i < n; i++) out.push(`_lib.f_${i}.argtypes = [c_int, c_char_p]`, `_lib.f_${i}.restype = c_int`, `r_${i} = _lib.f_${i}(${i}, b"x")`);
  return out.join('\n') + '\n';
}

/** `n` structs with a `c_char_p` field, each passed by pointer: they stay ctypes, found over three rounds. */
function structsFile(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, c_char_p, Structure, POINTER', '_lib = ctypes.CDLL("libdemo.so")', ''];
  for (let i = 0; i < n; i++) out.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int), ("b", c_char_p)]`, `_lib.h_${i}.argtypes = [POINTER(S${i})]`, `_lib.h_${i}.restype = c_int`, `s_${i} = S${i}(1, b"x")`, `_lib.h_${i}(ctypes.byref(s_${i}))`);
  return out.join('\n') + '\n';
}

/** `n` callback types, each with its function, a callback made from it and the foreign function that takes it. */
function callbacksFile(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, CFUNCTYPE', '_lib = ctypes.CDLL("libdemo.so")', ''];
  for (let i = 0; i < n; i++) out.push(`CB${i} = CFUNCTYPE(c_int, c_int)`, `_lib.k_${i}.argtypes = [CB${i}]`, `_lib.k_${i}.restype = c_int`, `def cb_${i}(x):`, `    return x`, `c_${i} = CB${i}(cb_${i})`, `_lib.k_${i}(c_${i})`);
  return out.join('\n') + '\n';
}

const cpuMs = (fn: () => void): number => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/**
 * The single-file engine (quick fix, "Convert this file", `convert FILE`) against `check`'s analysis of the same
 * file, in-process CPU, medians of 5 interleaved runs: principle 6 of the converter issue asks for ≤ ×2.
 */
export async function singleFileRatios(): Promise<string[]> {
  const g = await loadGrammars();
  const out: string[] = [];
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const files: [string, string][] = [500, 1_000, 2_000].map((n) => [`${String(n).padStart(5)} functions`, functionsFile(n)]);
  files.push([' 1000 structs', structsFile(1_000)], [' 1000 callbacks', callbacksFile(1_000)]);
  for (const [label, text] of files) {
    const checks: number[] = [];
    const converts: number[] = [];
    for (let r = 0; r < 5; r++) {
      let model: ReturnType<DocumentService['model']>;
      checks.push(cpuMs(() => {
        const service = new DocumentService(g);
        service.open('file:///bench/single.py', 'python', 1, text);
        model = service.model('file:///bench/single.py');
        lint(model!, {});
        service.dispose();
      }));
      converts.push(cpuMs(() => convertToCffi(model!, { mode: 'abi-inline' })));
    }
    out.push(`${label}: convert ${med(converts).toFixed(0)} ms CPU, check ${med(checks).toFixed(0)} ms CPU: ×${(med(converts) / med(checks)).toFixed(1)}`);
  }
  return out;
}

export async function convertBench(section: (t: string) => void): Promise<void> {
  section('single-file conversion (convertToCffi: quick fix, command, convert FILE) ÷ check of the same file, in-process CPU');
  for (const line of await singleFileRatios()) console.log(line);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-convert-'));
  try {
    section('real packages: project conversion (convert DIR --write) against check on the same folder');
    for (const pkg of ['magic', 'libarchive', 'pysodium']) {
      if (!fs.existsSync(path.join(DIST, pkg))) {
        console.log(`${pkg}: not installed (scripts/system-deps.sh)`);
        continue;
      }
      const orig = path.join(work, 'orig');
      const conv = path.join(work, 'cffi');
      const fresh = (): string[] => {
        fs.rmSync(path.join(conv, pkg), { recursive: true, force: true });
        fs.cpSync(path.join(DIST, pkg), path.join(conv, pkg), { recursive: true, filter: (s) => !s.includes('__pycache__') });
        return ['convert', path.join(conv, pkg), '--write'];
      };
      fs.cpSync(path.join(DIST, pkg), path.join(orig, pkg), { recursive: true, filter: (s) => !s.includes('__pycache__') });
      const { check, convert: c } = compare(['check', path.join(orig, pkg), '--exit-zero'], fresh);
      const summary = /converted .*/.exec(c.stderr)?.[0] ?? c.stderr.trim().split('\n')[0];
      console.log(`${pkg.padEnd(11)} convert ${c.ms.toFixed(0)} ms / ${c.cpu.toFixed(0)} ms CPU, check ${check.ms.toFixed(0)} ms / ${check.cpu.toFixed(0)} ms CPU (×${(c.ms / check.ms).toFixed(2)} wall, ×${(c.cpu / check.cpu).toFixed(2)} CPU; with node start-up): ${summary}`);
    }
    section('call-heavy loop over each package: µs per iteration (ctypes original → converted to cffi)');
    for (const pkg of Object.keys(LOOPS)) {
      const orig = path.join(work, 'orig');
      const conv = path.join(work, 'cffi');
      if (!fs.existsSync(path.join(conv, pkg))) continue;
      const cpO = loop('/usr/bin/python3', orig, LOOPS[pkg]!);
      const cpC = loop('/usr/bin/python3', conv, LOOPS[pkg]!);
      const ppO = loop('pypy3', orig, LOOPS[pkg]!);
      const ppC = loop('pypy3', conv, LOOPS[pkg]!);
      console.log(`${pkg.padEnd(11)} CPython ${cpO.toFixed(2)} → ${cpC.toFixed(2)} µs (×${(cpO / cpC).toFixed(1)}); PyPy ${ppO.toFixed(2)} → ${ppC.toFixed(2)} µs (×${(ppO / ppC).toFixed(1)} faster)`);
    }
    section('conversion time as a binding grows (one module: project engine vs check, CLI with start-up)');
    for (const n of [1000, 4000]) {
      const text = generatedBinding(n);
      const dirs = ['check', 'convert'].map((k) => {
        const dir = path.join(work, `gen${n}-${k}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'binding.py'), text);
        fs.writeFileSync(path.join(dir, 'other.py'), 'import os\n');
        return dir;
      });
      const { check, convert: c } = compare(['check', dirs[0]!, '--exit-zero'], () => {
        fs.writeFileSync(path.join(dirs[1]!, 'binding.py'), text);
        return ['convert', dirs[1]!, '--write'];
      });
      console.log(`${String(n).padStart(5)} functions (${(text.length / 1024).toFixed(0)} KiB): convert ${c.ms.toFixed(0)} ms / ${c.cpu.toFixed(0)} ms CPU, check ${check.ms.toFixed(0)} ms / ${check.cpu.toFixed(0)} ms CPU (×${(c.ms / check.ms).toFixed(2)} wall, ×${(c.cpu / check.cpu).toFixed(2)} CPU)`);
      // the default `convert DIR` prints a patch instead of writing: the line diff of the whole module counts too
      fs.writeFileSync(path.join(dirs[1]!, 'binding.py'), text);
      const { check: check2, convert: d } = compare(['check', dirs[0]!, '--exit-zero'], () => ['convert', dirs[1]!]);
      console.log(`${String(n).padStart(5)} functions, patch printed (convert DIR): ${d.ms.toFixed(0)} ms / ${d.cpu.toFixed(0)} ms CPU, check ${check2.cpu.toFixed(0)} ms CPU (×${(d.cpu / check2.cpu).toFixed(2)} CPU)`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void convertBench((t) => console.log(`\n## ${t}`));
}
