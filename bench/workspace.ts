/**
 * Workspace figures: indexing time and memory for generated workspaces of 10 and 1,000 modules, and one
 * file's edit → diagnostics time in each (the ratio says whether it grows with the workspace).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndex } from '../server/src/analysis/workspace/workspaceIndex';
import { collectFiles } from '../server/src/cli/files';
import { loadGrammars } from '../server/src/parser/languages';
import { lint } from '../server/src/rules/lint';
import { DocumentService } from '../server/src/service/documentService';

const HELPER = `import ctypes
from ctypes import c_int, c_char_p, c_void_p, c_size_t
from .loader import load_lib

lib = load_lib()


def ffi(name, argtypes, restype):
    f = getattr(lib, 'gen_' + name)
    f.argtypes = argtypes
    f.restype = restype
    globals()[name] = f
    return f

`;

/** A package of `n` modules: one loader, a declaring module per 8 modules, the rest calling their functions. */
export function generateWorkspace(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pb-ws-${n}-`));
  const pkg = path.join(dir, 'gen');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, '__init__.py'), '"""Generated workspace (benchmark input)."""\n');
  fs.writeFileSync(path.join(pkg, 'loader.py'), "import ctypes\nimport sys\n\n\ndef load_lib():\n    if sys.platform == 'win32':\n        return ctypes.WinDLL('gen.dll')\n    return ctypes.CDLL('libgen.so.1')\n");
  const decl = Math.max(1, Math.floor(n / 8));
  for (let d = 0; d < decl; d++) {
    const body = Array.from({ length: 20 }, (_, i) => `ffi('f${d}_${i}', [c_void_p, c_int], c_int)`).join('\n');
    fs.writeFileSync(path.join(pkg, `ffi${d}.py`), `${HELPER}${body}\nTABLE = [${Array.from({ length: 5 }, (_, i) => `'t${d}_${i}'`).join(', ')}]\nfor t in TABLE:\n    ffi(t, [c_char_p], c_size_t)\n`);
  }
  for (let u = 0; n > decl + 2 && u < n - decl - 2; u++) {
    const d = u % decl;
    const calls = Array.from({ length: 8 }, (_, i) => `    r${i} = F.f${d}_${i}(handle, ${i})`).join('\n');
    fs.writeFileSync(path.join(pkg, `use${u}.py`), `"""Module ${u}: calls functions declared in ffi${d}."""\nfrom . import ffi${d} as F\nfrom .ffi${d} import t${d}_0\n\n\ndef work(handle, name):\n${calls}\n    n = t${d}_0(name)\n    return r0 + n\n\n\nclass Thing(object):\n    def go(self, h):\n        return F.f${d}_1(h, 2)\n`);
  }
  return dir;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function measure(n: number): Promise<{ index: number; heap: number; p50: number; p95: number; modules: number }> {
  const g = await loadGrammars();
  const dir = generateWorkspace(n);
  try {
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const index = new WorkspaceIndex(g.pythonParser);
    const files = collectFiles([dir], []);
    for (const f of files) index.addFile(f);
    index.evaluateAll();
    const tIndex = performance.now() - t0;
    global.gc?.();
    const heap = process.memoryUsage().heapUsed - heap0;

    const service = new DocumentService(g, index);
    const file = path.join(dir, 'gen', 'use0.py');
    const uri = pathToFileURL(file).href;
    const text = fs.readFileSync(file, 'utf8');
    service.open(uri, 'python', 1, text);
    lint(service.model(uri)!, {});
    const line = text.split('\n').findIndex((l) => l.includes('r3 ='));
    const times: number[] = [];
    for (let k = 0; k < 300; k++) {
      const insert = k % 2 === 0;
      const range = insert ? { start: { line, character: 6 }, end: { line, character: 6 } } : { start: { line, character: 6 }, end: { line, character: 7 } };
      const s = performance.now();
      service.change(uri, k + 2, [{ range, text: insert ? 'x' : '' }]);
      lint(service.model(uri)!, {});
      times.push(performance.now() - s);
    }
    service.dispose();
    return { index: tIndex, heap, p50: pct(times, 50), p95: pct(times, 95), modules: files.length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWorkspace(): Promise<string[]> {
  const small = await measure(10);
  const large = await measure(1000);
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  return [
    `${small.modules} modules: index ${small.index.toFixed(0)} ms, heap +${mib(small.heap)}; edit → diagnostics of one module p50 ${small.p50.toFixed(2)} ms, p95 ${small.p95.toFixed(2)} ms`,
    `${large.modules} modules: index ${large.index.toFixed(0)} ms (${(large.index / large.modules).toFixed(2)} ms/module), heap +${mib(large.heap)}; edit → diagnostics p50 ${large.p50.toFixed(2)} ms, p95 ${large.p95.toFixed(2)} ms`,
    `edit latency ratio 1,000 : 10 modules: p50 ${(large.p50 / small.p50).toFixed(2)}×, p95 ${(large.p95 / small.p95).toFixed(2)}× (1.0 = does not grow with the workspace)`,
  ];
}

if (require.main === module) void benchWorkspace().then((lines) => lines.forEach((l) => console.log(l)));
