import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { needsEvaluation } from '../../server/src/analysis/workspace/workspaceIndex';

// the bench's generators (bench/ builds on test/, so they are loaded at run time, not imported)
const { pythonFiles } = require(path.join(__dirname, '../../bench/parseAll.ts')) as { pythonFiles(dir: string): string[] };
const { bindingFile } = require(path.join(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, every?: number): string };
const { glCompatShaped, vlcShaped, xlibShaped } = require(path.join(__dirname, '../../bench/shapes.ts')) as Record<'glCompatShaped' | 'vlcShaped' | 'xlibShaped', (lines: number) => string>;

// needsEvaluation tests its shapes one pattern at a time (as one alternation V8 tried every branch at every
// offset); the answer must be the alternation's, written out here as it was.
const ALTERNATION = /^[ \t]*(?:def|for)\b|\b(?:getattr|setattr)[ \t]*\(|\bglobals[ \t]*\([ \t]*\)|\w[ \t]*\[[ \t]*['"]|^[ \t]*[\w.]+[ \t]*,[^=\n]*=[^=]|^[ \t]*[\w.]+[ \t]*=[ \t]*[\w.]+[ \t]*=[^=]|\([ \t]*\([ \t]*['"]|^[ \t]*from[ \t]+\S+[ \t]+import[^\n]*\bffi\b/m;

const root = path.resolve(__dirname, '../..');

test('the evaluator shapes, one pattern at a time, answer as the single alternation did', () => {
  const texts = [
    'x = 1\n', 'def f():\n    pass\n', '  for i in x:\n', 'getattr (lib, "f")\n', 'setattr(x, y, z)\n', 'globals( )\n', 'globals\n',
    'd [ "k"]\n', 'a, b = 1, 2\n', 'a, b == c\n', 'x = y = 3\n', 'x = y == 3\n', 'p((("f", lib))\n', 'f(( "f", lib))\n',
    'from m import ffi\n', 'from m import (ffi)\n', 'from m import ffis\n', '"""def f"""\n', 'x.y = z.w = 1\n', '',
    bindingFile(2_000), bindingFile(2_000, 2), glCompatShaped(800), xlibShaped(800), vlcShaped(800),
  ];
  for (const dir of ['examples', 'examples/mixedmodule', 'test/runtime/programs']) {
    for (const f of fs.readdirSync(path.join(root, dir))) if (f.endsWith('.py')) texts.push(fs.readFileSync(path.join(root, dir, f), 'utf8'));
  }
  // real code where the machine has it: every module of CPython's standard library, and each of its first 40 lines alone
  for (const tree of ['/usr/lib/python3.11', '/usr/lib/python3']) {
    if (!fs.existsSync(tree)) continue;
    for (const f of pythonFiles(tree).slice(0, 400)) {
      const text = fs.readFileSync(f, 'utf8');
      texts.push(text, ...text.split('\n').slice(0, 40));
    }
    break;
  }
  let shaped = 0;
  for (const text of texts) {
    const expected = ALTERNATION.test(text);
    if (expected) shaped++;
    assert.equal(needsEvaluation(text), expected, JSON.stringify(text.slice(0, 200)));
  }
  assert.ok(shaped > 15 && shaped < texts.length - 15, `both answers are met (${shaped} of ${texts.length})`);
});
