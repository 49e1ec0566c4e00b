/**
 * The doubling bench: each input dimension is doubled twice (n, 2n, 4n) and the cost of the work that
 * dimension drives is timed in-process (median of repeats, sizes interleaved so load hits all alike). A
 * linear cost grows ~2× per doubling; the goal is at most ~2.2×. Also memory per open document against its
 * text size.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { WorkspaceIndex } from '../server/src/analysis/workspace/workspaceIndex';
import { check } from '../server/src/cli/check';
import { convertToCffi } from '../server/src/convert/convertFile';
import { loadGrammars, type Grammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';
import { bindingFile } from './generate';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A cost at a size: `run(size)` returns its own time (ms), so set-up is not counted. */
interface Dimension {
  name: string;
  unit: string;
  sizes: number[];
  /** What was measured, for the reader (once per size). */
  note?: (size: number) => string;
  run: (size: number) => Promise<number> | number;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Opens `text` in a fresh service (with a workspace index, as the server has) and computes its diagnostics. */
function firstDiagnostics(g: Grammars, text: string): number {
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  const ms = time(() => {
    service.open('file:///bench/scale.py', 'python', 1, text);
    lint(service.model('file:///bench/scale.py')!, {});
  });
  service.dispose();
  return ms;
}

function cdefFile(decls: number): string {
  const out = ['from cffi import FFI', 'ffi = FFI()', 'ffi.cdef("""'];
  for (let i = 0; out.length < decls + 3; i++) {
    out.push(`    typedef struct { int a; ...; } opaque_${i}_t;`, `    int f_${i}(int a, const char *b, ...);`, `    #define C_${i} ...`, `    struct s_${i} { int x; double y; ...; };`);
  }
  out.push('""")', 'lib = ffi.dlopen(None)', 'print(lib.f_1(1, b"x"))', '');
  return out.join('\n');
}

/** One line `x = [_lib.f0(0), …]` of about `chars` characters: every call a PB204/PB205 finding. */
function longLine(chars: number): string {
  const calls: string[] = [];
  for (let i = 0, n = 0; n < chars; i++) {
    const c = `_lib.f${i}(${i}), `;
    calls.push(c);
    n += c.length;
  }
  return `import ctypes\n_lib = ctypes.CDLL(None)\nx = [${calls.join('')}]\n`;
}

function functionsFile(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, c_char_p', '_lib = ctypes.CDLL("libdemo.so")', ''];
  for (let i = 0; i < n; i++) out.push(`_lib.f_${i}.argtypes = [c_int, c_char_p]`, `_lib.f_${i}.restype = c_int`, `r_${i} = _lib.f_${i}(${i}, b"x")`);
  return out.join('\n') + '\n';
}

/** `n` structs passed by pointer and `n` callbacks, each with its function: what the converter plans per declaration. */
function structsCallbacksFile(n: number): string {
  const out = ['import ctypes', 'from ctypes import c_int, c_char_p, Structure, CFUNCTYPE, POINTER', '_lib = ctypes.CDLL("libdemo.so")', ''];
  for (let i = 0; i < n; i++) {
    out.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int), ("b", c_char_p)]`, `_lib.h_${i}.argtypes = [POINTER(S${i})]`, `_lib.h_${i}.restype = c_int`, `s_${i} = S${i}(1, b"x")`, `_lib.h_${i}(ctypes.byref(s_${i}))`);
    out.push(`CB${i} = CFUNCTYPE(c_int, c_int)`, `_lib.k_${i}.argtypes = [CB${i}]`, `_lib.k_${i}.restype = c_int`, `def cb_${i}(x):`, `    return x`, `c_${i} = CB${i}(cb_${i})`, `_lib.k_${i}(c_${i})`);
  }
  return out.join('\n') + '\n';
}

/** A package of `n` modules: one loads the library, the others import it and call its functions. */
function workspaceDir(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-scale-'));
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'pkg', 'native.py'), 'import ctypes\n_lib = ctypes.CDLL("libdemo.so")\n_lib.f.argtypes = [ctypes.c_int]\n_lib.f.restype = ctypes.c_int\n');
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(path.join(dir, 'pkg', `mod_${i}.py`), `from pkg.native import _lib\nfrom pkg import mod_${Math.max(0, i - 1)}\n\ndef use_${i}():\n    return _lib.f(${i}) + _lib.g_${i}(${i})\n`);
  }
  return dir;
}

async function checkQuiet(args: string[]): Promise<void> {
  await check(args, { out: () => undefined, err: () => undefined });
}

export async function scaleBench(repeats = 3): Promise<string[]> {
  const g = await loadGrammars();
  const dims: Dimension[] = [
    { name: 'lines (first diagnostics of a binding file)', unit: 'lines', sizes: [2_500, 5_000, 10_000], run: (n) => firstDiagnostics(g, bindingFile(n)) },
    {
      name: 'findings (first diagnostics, 5,000 lines)', unit: 'undeclared 1 in', sizes: [40, 20, 10],
      note: (every) => `${lint(ownModel(g, bindingFile(5_000, every)), {}).length} findings`,
      run: (every) => firstDiagnostics(g, bindingFile(5_000, every)),
    },
    { name: 'cdef size (first diagnostics of one cdef with `...`)', unit: 'decl lines', sizes: [1_000, 2_000, 4_000], run: (n) => firstDiagnostics(g, cdefFile(n)) },
    {
      name: 'cdef size (one keystroke inside the cdef → diagnostics)', unit: 'decl lines', sizes: [1_000, 2_000, 4_000],
      run: (n) => {
        const text = cdefFile(n);
        const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
        const uri = 'file:///bench/cdef.py';
        service.open(uri, 'python', 1, text);
        lint(service.model(uri)!, {});
        const line = Math.floor(n / 2);
        const ms = time(() => {
          service.change(uri, 2, [{ range: { start: { line, character: 8 }, end: { line, character: 8 } }, text: 'x' }]);
          lint(service.model(uri)!, {});
        });
        service.dispose();
        return ms;
      },
    },
    { name: 'line length (one line full of findings)', unit: 'chars', sizes: [32_000, 64_000, 128_000], run: (n) => firstDiagnostics(g, longLine(n)) },
    { name: 'functions per library (first diagnostics)', unit: 'functions', sizes: [1_000, 2_000, 4_000], run: (n) => firstDiagnostics(g, functionsFile(n)) },
    {
      name: 'functions per library (ctypes→cffi conversion of the file)', unit: 'functions', sizes: [500, 1_000, 2_000],
      run: (n) => {
        const m = ownModel(g, functionsFile(n));
        return time(() => convertToCffi(m, { mode: 'abi-inline' }));
      },
    },
    {
      name: 'structs and callbacks per file (ctypes→cffi conversion of the file)', unit: 'of each', sizes: [125, 250, 500],
      run: (n) => {
        const m = ownModel(g, structsCallbacksFile(n));
        return time(() => convertToCffi(m, { mode: 'abi-inline' }));
      },
    },
    {
      name: 'modules in the workspace (`check` of the package, in-process)', unit: 'modules', sizes: [100, 200, 400],
      run: async (n) => {
        const dir = workspaceDir(n);
        const t0 = performance.now();
        await checkQuiet([dir, '--format', 'json']);
        const ms = performance.now() - t0;
        fs.rmSync(dir, { recursive: true, force: true });
        return ms;
      },
    },
    {
      name: 'paste size (paste into an open document → diagnostics)', unit: 'KiB', sizes: [256, 512, 1_024],
      run: (kib) => {
        const paste = bindingFile(Math.round((kib * 1024) / 40));
        const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
        const uri = 'file:///bench/paste.py';
        service.open(uri, 'python', 1, bindingFile(200));
        lint(service.model(uri)!, {});
        const ms = time(() => {
          service.change(uri, 2, [{ range: { start: { line: 100, character: 0 }, end: { line: 100, character: 0 } }, text: paste.slice(0, kib * 1024) + '\n' }]);
          lint(service.model(uri)!, {});
        });
        service.dispose();
        return ms;
      },
    },
    {
      name: 'file size (`check` of one file, in-process)', unit: 'KiB', sizes: [512, 1_024, 2_048],
      run: async (kib) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-scale-'));
        const file = path.join(dir, 'big.py');
        fs.writeFileSync(file, bindingFile(Math.round((kib * 1024) / 40)));
        const t0 = performance.now();
        await checkQuiet([file, '--format', 'json']);
        const ms = performance.now() - t0;
        fs.rmSync(dir, { recursive: true, force: true });
        return ms;
      },
    },
  ];

  const out = ['| dimension | sizes | ms at each size | growth per doubling (goal ≤2.2×) |', '|---|---|---|---|'];
  for (const d of dims) {
    const samples = d.sizes.map(() => [] as number[]);
    await d.run(d.sizes[0]!); // warm-up (JIT, grammar caches)
    for (let r = 0; r < repeats; r++) for (let i = 0; i < d.sizes.length; i++) samples[i]!.push(await d.run(d.sizes[i]!));
    const ms = samples.map(median);
    const growth = ms.slice(1).map((m, i) => m / ms[i]!);
    const notes = d.note ? ` (${d.sizes.map(d.note).join(', ')})` : '';
    out.push(`| ${d.name} | ${d.sizes.join(', ')} ${d.unit}${notes} | ${ms.map((m) => m.toFixed(0)).join(', ')} | ${growth.map((x) => `${x.toFixed(2)}×${x > 2.2 ? ' ⚠' : ''}`).join(', ')} |`);
  }
  out.push('', ...memoryPerDocument(g));
  return out;
}

function ownModel(g: Grammars, text: string) {
  const service = new DocumentService(g);
  service.open('file:///bench/own.py', 'python', 1, text);
  const m = service.model('file:///bench/own.py')!;
  service.dispose();
  return m;
}

/** Heap (JS + external, which holds the parse trees' memory) retained by open documents, per byte of text. */
function memoryPerDocument(g: Grammars): string[] {
  const out = ['| open document | text | retained heap+external | ÷ text size | RSS growth |', '|---|---|---|---|---|'];
  for (const kib of [512, 1_024, 2_048]) {
    const text = bindingFile(Math.round((kib * 1024) / 40));
    const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
    gc();
    const m0 = process.memoryUsage();
    service.open('file:///bench/mem.py', 'python', 1, text);
    lint(service.model('file:///bench/mem.py')!, {});
    gc();
    const m1 = process.memoryUsage();
    const retained = m1.heapUsed + m1.external - (m0.heapUsed + m0.external);
    const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
    out.push(`| ${kib} KiB binding file | ${mib(text.length)} | ${mib(retained)} | ${(retained / text.length).toFixed(1)}× | ${mib(m1.rss - m0.rss)} |`);
    service.dispose();
  }
  return out;
}
