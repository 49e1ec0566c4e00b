// One truth: the CLI (`check --format json`) and the server (stdio, with the corpus as its workspace folder)
// compute the same findings for the same files. The corpus mixes our workspace fixtures and examples with
// Debian's python-magic and libarchive-c (copied at test time) and a long star-import file whose
// declarations sit in parse regions that never name ctypes (what the CLI's pre-filter used to lose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, LspClient, ROOT } from './lspClient';
import { skippedBodiesModule } from '../snippets/skippedBodies';

function copyTree(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (e.name === '__pycache__') continue;
    const s = path.join(src, e.name);
    if (e.isDirectory()) copyTree(s, path.join(dst, e.name));
    else if (e.name.endsWith('.py')) fs.copyFileSync(s, path.join(dst, e.name));
  }
}

function starImportFile(): string {
  const filler = Array.from({ length: 120 }, (_, i) => `def helper_${i}(x):\n    """Nothing to do with C."""\n    return x + ${i}\n`).join('\n');
  return [
    'from ctypes import *', '', filler, '',
    'libc = CDLL(None)', 'libc.strlen.argtypes = [c_char_p]', '', filler.replace(/helper_/g, 'other_'), '',
    'n = libc.strlen(b"abc")', 'p = libc.getenv(b"HOME")', '',
  ].join('\n');
}

function corpus(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pb-truth-'));
  copyTree(path.join(ROOT, 'test/fixtures/workspace/shapes'), dir);
  copyTree(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
  for (const pkg of ['magic', 'libarchive']) copyTree(path.join('/usr/lib/python3/dist-packages', pkg), path.join(dir, pkg));
  fs.writeFileSync(path.join(dir, 'star_regions.py'), starImportFile());
  fs.writeFileSync(path.join(dir, 'skipped_bodies.py'), skippedBodiesModule());
  return dir;
}

function pythonFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.py')).map((f) => path.join(dir, f)).sort();
}

const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

test('the CLI and the server report identical findings over the same corpus', { timeout: 120_000 }, async () => {
  const dir = corpus();
  try {
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.ok(r.status === 0 || r.status === 1, `check exit ${r.status}: ${r.stderr}`);
    const cli = (JSON.parse(r.stdout) as any[]).map((f) => `${path.relative(dir, path.resolve(f.file))}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.code} ${f.severity} ${f.message}`).sort();

    const c = new LspClient();
    try {
      c.handlers.set('window/workDoneProgress/create', () => null);
      await c.initialize({ workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'corpus' }], workDoneProgress: true });
      await c.waitFor('$/progress', (p) => p.value?.kind === 'end', 60_000);
      const files = pythonFiles(dir);
      const server: string[] = [];
      const waits = files.map((f) => c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === pathToFileURL(f).href, 60_000));
      for (const f of files) c.open(pathToFileURL(f).href, fs.readFileSync(f, 'utf8'), 1);
      const published = await Promise.all(waits);
      published.forEach((p, i) => {
        const rel = path.relative(dir, files[i]!);
        for (const d of p.diagnostics) server.push(`${rel}:${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.code} ${SEVERITY[d.severity]} ${d.message}`);
      });
      server.sort();
      assert.ok(cli.some((l) => l.startsWith('star_regions.py') && / PB205 /.test(l)), 'the star-import file has its PB205 in the CLI');
      assert.ok(cli.some((l) => l.startsWith('pkg/__init__.py') && / PB205 /.test(l)), 'cross-module findings in the CLI');
      assert.deepEqual(cli.filter((l) => l.startsWith('skipped_bodies.py')).map((l) => / (PB\d+) /.exec(l)![1]).sort(), ['PB202', 'PB203', 'PB206'], 'the findings in bodies check reads of a module whose other bodies it leaves out');
      assert.ok(cli.length > 10, `a corpus with findings (${cli.length})`);
      assert.deepEqual(server, cli);
      await c.shutdown();
    } finally {
      c.kill();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
