import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText } from '../../server/src/analysis/analyze';
import { convertToCffi } from '../../server/src/convert/convertFile';
import { hoverAt } from '../../server/src/hover/hover';
import { fixesFor } from '../../server/src/rules/fixes';
import { lint } from '../../server/src/rules/lint';

const root = path.resolve(__dirname, '../..');
const TOKENS = ['(', ')', '[', ']', '"""', "'", '"', '\\', '\n', '    ', ':', ',', '.', '#', 'ctypes.', 'ffi.cdef("', 'int f(', '...', ';', '*', 'None', 'lib.', '\u00e9', '\ud83d\ude00', '\t', '\r\n'];

/** Mangled versions of real binding files: every feature must answer or decline, never throw. */
test('analysis, rules, fixes, hovers and the converter survive mangled input', async () => {
  const sources = ['examples', 'test/runtime/programs'].flatMap((d) =>
    fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(root, d, f), 'utf8')),
  );
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let runs = 0;
  for (let k = 0; k < 60; k++) {
    let text = sources[rand(sources.length)]!;
    for (let m = 0; m < 1 + rand(6); m++) {
      const at = rand(text.length + 1);
      text = rand(2) ? text.slice(0, at) + TOKENS[rand(TOKENS.length)] + text.slice(at) : text.slice(0, at) + text.slice(Math.min(text.length, at + rand(40)));
    }
    const { model, doc } = await analyzeText(text, `file:///fuzz/${k}.py`);
    try {
      const findings = lint(model, {});
      for (const f of findings) {
        assert.ok(f.span.start >= 0 && f.span.end <= text.length && f.span.start <= f.span.end, `span in range: ${f.code}`);
        for (const fix of fixesFor(model, f)) for (const e of fix.edits) assert.ok(e.start <= e.end && e.end <= text.length);
      }
      const positions = TextDocument.create(`file:///fuzz/${k}.py`, 'python', 1, text);
      for (let h = 0; h < 10; h++) hoverAt(model, doc, rand(text.length + 1), findings, positions);
      const result = convertToCffi(model, { mode: k % 2 ? 'abi-inline' : 'api-outofline' });
      for (const e of result.edits) assert.ok(e.start <= e.end && e.end <= text.length);
      runs++;
    } finally {
      doc.dispose();
    }
  }
  assert.equal(runs, 60);
});
