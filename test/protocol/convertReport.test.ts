// The convert command's report over LSP: what was left for a person, at lines of the text the edit
// produces (each line holds the TODO with that reason), in order; the edit is laid out to the project's
// line length, read from the document's folder. The CLI's report is checked in test/cli/convertReport.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, applyTextEdits } from './lspClient';
import { SOURCE } from './reportSource';

/** Applies LSP TextEdits (one document) to a text, last first, as an editor does. */
/** The reason of the TODO at a 0-based line, its continuation lines joined. */
function todoAt(lines: readonly string[], i: number): string | undefined {
  const m = /^\s*# TODO\(pypy-bindings\): (.*)$/.exec(lines[i] ?? '');
  if (!m) return undefined;
  let reason = m[1]!;
  for (let j = i + 1; /^\s*# {3}\S/.test(lines[j] ?? ''); j++) reason += ` ${lines[j]!.trim().slice(1).trim()}`;
  return reason;
}


test('the convert command reports each thing left at its TODO line in the converted text, in order', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-'));
  const file = path.join(root, 'pkg', 'm.py');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(path.join(root, 'setup.cfg'), '[flake8]\nmax-line-length = 72\n');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).href;
  const c = new LspClient();
  let applied: any;
  c.handlers.set('workspace/applyEdit', (params: any) => {
    applied = params;
    return { applied: true };
  });
  try {
    await c.initialize({ pull: true });
    c.open(uri, SOURCE, 3);
    const result = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFile', arguments: [{ uri }] });
    assert.equal(result.applied, true, JSON.stringify(result));
    const change = applied.edit.documentChanges.find((d: any) => d.textDocument?.uri === uri);
    assert.equal(change.textDocument.version, 3);
    const after = applyTextEdits(SOURCE, change.edits);
    const lines = after.split('\n');
    assert.ok(result.leftForHuman.length >= 3, JSON.stringify(result.leftForHuman));
    const at = result.leftForHuman.map((l: { line: number }) => l.line);
    assert.deepEqual(at, [...at].sort((a, b) => a - b), 'in line order');
    for (const l of result.leftForHuman as { line: number; reason: string }[]) {
      assert.equal(todoAt(lines, l.line - 1), l.reason, `line ${l.line} of the converted text holds the TODO "${l.reason}"\n${after}`);
    }
    // every TODO of the converted text is in the report, and the edit keeps to setup.cfg's 72 columns
    const todoLines = lines.map((_, i) => i + 1).filter((i) => todoAt(lines, i - 1) !== undefined);
    assert.deepEqual(todoLines, at);
    assert.deepEqual(lines.filter((l) => l.length > 72), [], after);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
