import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CExports } from '../../server/src/analysis/workspace/cExports';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { collectFiles } from '../../server/src/cli/files';
import { loadGrammars } from '../../server/src/parser/languages';
import { lint } from '../../server/src/rules/lint';
import { DocumentService } from '../../server/src/service/documentService';

const SHAPES = path.resolve(__dirname, '../fixtures/workspace/shapes');
const files = collectFiles([SHAPES], []);

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = ['CDLL(None)', 'import ctypes\n', '\n', 'x = ', 'def f():\n    ', 'lib.', '#', '"', ')', 'argtypes', 'from .loader import load_lib\n', 'class K(Structure):\n    pass\n', 'globals()', ' '];

const summary = (c: CExports) => JSON.stringify({ names: [...c.names].sort(), all: c.all, lib: [...c.lib.names].sort(), libAll: c.lib.all, observes: c.observes });

test('the C-valued exports and findings after random edits equal a fresh index of the same texts', async () => {
  const g = await loadGrammars();
  const index = new WorkspaceIndex(g.pythonParser);
  for (const f of files) index.addFile(f);
  const service = new DocumentService(g, index, { headers: {} });
  // shapes.py is imported by no module (an edit re-analyses it alone); loader.py is read by __init__.py (a fresh computation)
  const open = ['pkg/shapes.py', 'pkg/loader.py'].map((rel) => ({ rel, uri: pathToFileURL(path.join(SHAPES, rel)).href, version: 1 }));
  for (const d of open) service.open(d.uri, 'python', 1, fs.readFileSync(path.join(SHAPES, d.rel), 'utf8'));
  const random = rng(15);
  let compared = 0;
  for (let step = 0; step < 40; step++) {
    const d = open[step % open.length]!;
    const text = service.get(d.uri)!.text.getText();
    const at = Math.floor(random() * (text.length + 1));
    const remove = random() < 0.4 ? Math.min(text.length - at, Math.floor(random() * 12)) : 0;
    const insert = remove && random() < 0.5 ? '' : SNIPPETS[Math.floor(random() * SNIPPETS.length)]!;
    const doc = service.get(d.uri)!.text;
    service.change(d.uri, ++d.version, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + remove) }, text: insert }]);
    for (const o of open) service.model(o.uri); // the server re-links what changed

    const fresh = new WorkspaceIndex(g.pythonParser);
    for (const f of files) fresh.addFile(f);
    const freshService = new DocumentService(g, fresh, { headers: {} });
    for (const o of open) freshService.open(o.uri, 'python', o.version, service.get(o.uri)!.text.getText());
    for (const name of fresh.modules()) assert.equal(summary(index.exportsOf(name)), summary(fresh.exportsOf(name)), `step ${step}: ${name}`);
    for (const o of open) {
      const codes = (s: DocumentService) => lint(s.model(o.uri)!, {}).map((f) => `${f.code}@${f.span.start}`).sort().join(' ');
      assert.equal(codes(service), codes(freshService), `step ${step}: findings of ${o.rel}`);
      compared++;
    }
    freshService.dispose();
  }
  service.dispose();
  assert.equal(compared, 80);
});
