// A round's output that only adds whole comment lines (a result left with TODOs only) is not resolved again for the
// names it lost (convertFile.ts's onlyCommentLines): such insertions must lose none, on whole and broken texts alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, convertText, onlyCommentLines } from '../../server/src/convert/convertFile';
import { lostNames } from '../../server/src/convert/check/outputInvariant';
import { loadGrammars } from '../../server/src/parser/languages';
import { corpus } from '../oracle/convertedOutputs';
import { rng } from '../protocol/fuzzLsp';

test('whole comment lines inserted at line starts lose no name, and the predicate refuses what is not one', async () => {
  const { pythonParser } = await loadGrammars();
  const r = rng(11);
  let checked = 0;
  for (const { name, text } of corpus(40)) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    const edits = [...new Set(Array.from({ length: 6 }, () => starts[Math.floor(r() * starts.length)]!))].map((at) => ({ start: at, end: at, newText: `${' '.repeat(Math.floor(r() * 8))}# TODO(pypy-bindings): stays ctypes\n` }));
    if (!onlyCommentLines(text, edits)) continue;
    assert.deepEqual(lostNames(pythonParser, text, applyEdits(text, edits)), [], name);
    checked++;
  }
  assert.ok(checked > 300, `${checked} texts checked`);
  const text = 'x = 1 + \\\n    2\ny = x\n';
  const after = text.indexOf('    2');
  assert.equal(onlyCommentLines(text, [{ start: after, end: after, newText: '# c\n' }]), false, 'a line continued from the one above');
  assert.equal(onlyCommentLines(text, [{ start: 0, end: 0, newText: '# c\nz = 1\n' }]), false, 'a line of code');
  assert.equal(onlyCommentLines(text, [{ start: 2, end: 2, newText: '# c\n' }]), false, 'not at a line start');
  assert.equal(onlyCommentLines(text, [{ start: 0, end: 1, newText: '# c\n' }]), false, 'a replacement');
});

test('a file whose conversion is left with TODOs only converts as before (its TODOs, its report)', async () => {
  // 30 structs built with bytes in a char* field: every function stays ctypes, the file gets TODOs only (its last
  // round's output is not resolved again for lost names)
  const lines = ['import ctypes', 'from ctypes import c_int, c_char_p, Structure, POINTER', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 30; i++) lines.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int), ("b", c_char_p)]`, `_lib.h_${i}.argtypes = [POINTER(S${i})]`, `_lib.h_${i}.restype = c_int`, `s_${i} = S${i}(1, b"x")`, `_lib.h_${i}(ctypes.byref(s_${i}))`);
  const text = lines.join('\n') + '\n';
  const result = await convertText(text);
  assert.ok(result.todosOnly);
  const out = applyEdits(text, result.edits);
  const code = (t: string) => t.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  assert.deepEqual(code(out), code(text), 'the code is unchanged (the formatter may add blank lines)');
  assert.ok(result.leftForHuman.length >= 30 && result.leftForHuman.every((l) => out.split('\n')[l.line - 1]!.startsWith('# TODO(pypy-bindings): ')), 'every TODO reported at its line');
});
