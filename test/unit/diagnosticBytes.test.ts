import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Message } from 'vscode-languageserver/node';
import { encodeMessage } from '../../server/src/lsp/diagnosticBytes';
import { DiagnosticObjects, DiagnosticResults } from '../../server/src/lsp/diagnostics';
import type { Finding } from '../../server/src/rules/finding';
import { rng } from '../protocol/fuzzLsp';

// Answers are assembled from each kept Diagnostic object's bytes: after any sequence of edits the bytes sent must
// parse to what JSON.stringify of the same answer gives, for kept objects and new ones alike.
test('pull answers and published diagnostics encoded from kept bytes parse equal to JSON.stringify, over 300 random edits', () => {
  const random = rng(15);
  const uri = 'file:///t.py';
  let text = Array.from({ length: 60 }, (_, i) => `name_${i} = call_${i}(1, 2.5)  # é ✓ 𝄞`).join('\n');
  const objects = new DiagnosticObjects();
  const results = new DiagnosticResults();
  let resultId: string | undefined;
  let reused = 0;
  let previous = new Set<unknown>();
  for (let k = 0; k < 300; k++) {
    // an edit: a character inserted or removed somewhere, sometimes a line break (every later range moves)
    const at = Math.floor(random() * text.length);
    text = random() < 0.5 ? text.slice(0, at) + (random() < 0.2 ? '\n' : 'x') + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    const doc = TextDocument.create(uri, 'python', k + 1, text);
    const findings: Finding[] = [];
    for (const m of text.matchAll(/call_(\d+)/g)) {
      const n = Number(m[1]);
      findings.push({ code: 'PB205', severity: n % 3 === 0 ? 'warning' : 'information', span: { start: m.index!, end: m.index! + m[0].length }, message: `\`${m[0]}\` “quoted” ${n % 7 === 0 ? 'é\\"\n' : ''}`, guideSection: undefined as never });
    }
    const items = objects.convert(uri, doc, findings);
    for (const d of items) if (previous.has(d)) reused++;
    previous = new Set(items);
    const report = results.report(uri, items, resultId);
    resultId = report.resultId;
    const messages = [
      { jsonrpc: '2.0', id: k, result: report },
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version: k + 1, diagnostics: items } },
    ] as unknown as Message[];
    for (const msg of messages) assert.deepEqual(JSON.parse(encodeMessage(msg).toString('utf8')), JSON.parse(JSON.stringify(msg)), `edit ${k}`);
  }
  assert.ok(reused > 1_000, `${reused} diagnostics kept across edits`); // the kept bytes were read, not only made
});

test('messages that are not kept diagnostic lists are stringified as they are', () => {
  const items = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'm' }];
  for (const msg of [
    { jsonrpc: '2.0', id: 1, result: { kind: 'full', items } }, // a list DiagnosticObjects did not make
    { jsonrpc: '2.0', id: 2, result: null },
    { jsonrpc: '2.0', id: 3, error: { code: -32800, message: 'cancelled' } },
  ] as unknown as Message[]) assert.equal(encodeMessage(msg).toString('utf8'), JSON.stringify(msg));
});
