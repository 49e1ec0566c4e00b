import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { findingsFor, toDiagnostic } from '../../server/src/lsp/diagnostics';
import { loadGrammars } from '../../server/src/parser/languages';
import { DocumentService } from '../../server/src/service/documentService';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.resolve(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, undeclaredEvery?: number): string };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const tick = () => new Promise((resolve) => setImmediate(resolve));

// A keystroke's model replaces the last one: nothing of the session may keep the old models alive (each model's
// closures once shared the link's context, which held the previous link, so every model of a session stayed
// reachable: ~0.5–0.8 MB per keystroke on the bench's 10k-line files, copied by every scavenge).
test('the models of earlier keystrokes are garbage once the next is made (reuse path, diagnostics computed)', async () => {
  const g = await loadGrammars();
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  const uri = 'file:///memory/keystrokes.py';
  const text = bindingFile(400, 2);
  const doc = service.open(uri, 'python', 1, text);
  const old: WeakRef<object>[] = [];
  const at = text.indexOf('func_7') + 2;
  for (let k = 0; k < 12; k++) {
    const pos = doc.text.positionAt(at);
    const insert = k % 2 === 0;
    service.change(uri, k + 2, [{ range: { start: pos, end: insert ? pos : { line: pos.line, character: pos.character + 1 } }, text: insert ? '9' : '' }]);
    const model = service.model(uri)!;
    assert.ok(findingsFor(model, DEFAULT_SETTINGS).map((f) => toDiagnostic(doc.text, f)).length > 0);
    if (k < 10) old.push(new WeakRef(model));
  }
  await tick();
  gc();
  await tick();
  gc();
  const alive = old.filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of ${old.length} earlier models are still reachable`);
  service.dispose();
});
