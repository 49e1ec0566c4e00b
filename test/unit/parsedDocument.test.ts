import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument } from '../../server/src/analysis/analyze';
import type { BindingModel } from '../../server/src/analysis/model';
import { ParsedDocument } from '../../server/src/documents/parsedDocument';
import { candidateCuts, candidateCutsAfterEdit, findSplitPoints, scan, isClean } from '../../server/src/documents/splitPoints';
import { loadGrammars } from '../../server/src/parser/languages';
import { flatten } from '../../server/src/parser/flatTree';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';
import { lint } from '../../server/src/rules/lint';
import { generate } from '../fuzz/generator';

/** A stable summary of what the analysis found, with absolute offsets. */
function summary(m: BindingModel): unknown {
  return {
    libs: m.ctypes.libraries.map((l) => [l.name, l.nameSpan.start, l.functions.map((f) => [f.name, f.refs.map((r) => r.start), f.argtypes?.types?.length, f.restype?.type.kind, f.calls.map((c) => c.span.start)])]),
    structs: m.ctypes.structs.map((s) => [s.name, s.span.start, s.fields?.map((f) => f.name)]),
    ffis: m.cffi.ffis.map((f) => [f.name, f.mode, f.cdefs.map((c) => c.declarations.map((d) => [d.kind, d.name, d.nameSpan.start, d.nameSpan.end]))]),
    acc: m.cffi.libAccesses.map((a) => [a.name, a.span.start]),
    uses: m.ctypes.uses.map((u) => [u.name, u.span.start]),
  };
}

function block(i: number): string {
  return [
    `class S${i}(ctypes.Structure):`,
    `    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_double)]`,
    '',
    `@decorator`,
    `def f${i}(x):`,
    `    if x:`,
    `        return libc.strlen(x)`,
    `    else:`,
    `        return 0`,
    '',
    `libc.func_${i}.argtypes = [ctypes.c_int,`,
    `    ctypes.c_char_p]`,
    `libc.func_${i}.restype = ctypes.c_long`,
    `value_${i} = libc.func_${i}(1, b"x") \\`,
    `    + 1`,
    `ffi.cdef("""`,
    `int cf_${i}(int);`,
    `struct t${i} { int x; };`,
    `""")`,
    `try:`,
    `    lib.cf_${i}(1)`,
    `except Exception:`,
    `    pass`,
    '',
  ].join('\n');
}

const SOURCE = ['import ctypes', 'from cffi import FFI', 'libc = ctypes.CDLL(None)', 'ffi = FFI()', 'lib = ffi.dlopen(None)', '', ...Array.from({ length: 60 }, (_, i) => block(i))].join('\n');

test('split points never fall inside strings, brackets, continuations, decorators or else/except', () => {
  const cuts = findSplitPoints(SOURCE, 200);
  assert.ok(cuts.length > 20, `the sample is cut into many regions (${cuts.length})`);
  for (const c of cuts.slice(1)) {
    assert.ok(isClean(scan(SOURCE.slice(0, c))), `clean state before cut at ${c}`);
    const line = SOURCE.slice(c, SOURCE.indexOf('\n', c));
    assert.ok(!/^(\s|else|except|finally|elif|int cf_|struct t|""")/.test(line), `bad cut before: ${line}`);
    assert.ok(!SOURCE.slice(0, c).trimEnd().split('\n').pop()!.startsWith('@'), 'not after a decorator');
  }
});

test('region-incremental edits give the same analysis as a fresh parse (random edits)', async () => {
  const g = await loadGrammars();
  const doc = new ParsedDocument(g.pythonParser, SOURCE);
  let text = SOURCE;
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const snippets = ['x', '9', '\n', ' ', '"', '"""', '(', ')', '#', '\\\n', 'é😀', ''];
  const valid = (d: ParsedDocument) => !d.regions.some((r) => r.tree.rootNode.hasError);
  let compared = 0;
  const compare = (label: string) => {
    assert.equal(doc.text, text);
    assert.equal(doc.regions.map((r) => r.text).join(''), text, 'regions cover the text exactly');
    const fresh = new ParsedDocument(g.pythonParser, text);
    const whole = g.pythonParser.parse(text)!;
    // only syntactically valid states are comparable: error recovery depends on context by design
    if (valid(doc) && !whole.rootNode.hasError) {
      assert.deepEqual(summary(analyzeDocument(doc, 'u', g.cParser)), summary(analyzeDocument(fresh, 'u', g.cParser)), label);
      compared++;
    }
    whole.delete();
    fresh.dispose();
  };
  for (let k = 0; k < 120; k++) {
    const start = rand(text.length);
    const end = Math.min(text.length, start + (rand(4) === 0 ? rand(30) : 0));
    const newText = snippets[rand(snippets.length)]!;
    const removed = text.slice(start, end);
    doc.applyEdits([{ start, end, newText }], 2 * k + 2);
    text = text.slice(0, start) + newText + text.slice(end);
    if (k % 5 === 0) compare(`after edit ${k}`);
    const stillValid = (() => {
      const t = g.pythonParser.parse(text)!;
      const ok = !t.rootNode.hasError;
      t.delete();
      return ok;
    })();
    if (rand(10) < 8 || !stillValid) {
      // undo, as a user often does: the document returns to a valid state through regions alone
      doc.applyEdits([{ start, end: start + newText.length, newText: removed }], 2 * k + 3);
      text = text.slice(0, start) + removed + text.slice(start + newText.length);
      if (k % 5 === 0) compare(`after undoing edit ${k}`);
    }
  }
  assert.ok(compared > 15, `enough valid states compared (${compared})`);
  assert.ok(doc.stats.regionParses > 100, `most edits stayed in one region (${JSON.stringify(doc.stats)})`);
  doc.dispose();
});

test('an edit that opens a string re-parses the whole document, and closing it restores the regions', async () => {
  const g = await loadGrammars();
  const doc = new ParsedDocument(g.pythonParser, SOURCE);
  const regions = doc.regions.length;
  const at = SOURCE.indexOf('value_3 =');
  doc.applyEdits([{ start: at, end: at, newText: '"""' }], 2);
  assert.equal(doc.stats.fullParses, 2);
  doc.applyEdits([{ start: at, end: at + 3, newText: '' }], 3);
  assert.equal(doc.regions.length, regions);
  const fresh = new ParsedDocument(g.pythonParser, SOURCE);
  assert.deepEqual(summary(analyzeDocument(doc, 'u', g.cParser)), summary(analyzeDocument(fresh, 'u', g.cParser)));
  doc.dispose();
  fresh.dispose();
});

// A re-parsed long region's cut scan starts at the last clean line start before the edit and stops where it meets
// the old scan again (splitPoints.ts `candidateCutsAfterEdit`): after every seeded edit of a chain (each result the
// next one's `before`), it must equal a scan of the whole new text, on texts whose scan state the edits keep moving
// (strings opened and closed, brackets, backslash continuations, decorators, CRLF, column-0 lines inside strings).
test('the cut scan after an edit equals a scan of the whole new text', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { vlcShaped } = require('../../bench/shapes.ts') as { vlcShaped(lines: number): string };
  const texts = [vlcShaped(1_500)];
  for (const f of ['/usr/lib/python3.11/typing.py', '/usr/lib/python3.11/dataclasses.py']) if (fs.existsSync(f)) texts.push(fs.readFileSync(f, 'utf8'));
  const TOKENS = ['"', "'", '"""', "'''", '(', ')', '[', ']', '\\\n', '\\', '\n', '\r\n', '@decorator\n', 'def f():\n    pass\n', 'class K:\n', 'else:\n', '#', '# "\n', 'x = 1\n', ' ', '9', ''];
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let resumed = 0;
  for (const original of texts) {
    let text = original;
    let cuts = candidateCuts(text);
    for (let step = 0; step < 150; step++) {
      if (step % 50 === 0) {
        text = original;
        cuts = candidateCuts(text);
      }
      let at = Math.floor(random() * text.length);
      if (random() < 0.3) at = text.lastIndexOf('\n', at - 1) + 1;
      const remove = random() < 0.3 ? Math.min(text.length - at, Math.floor(random() * 20)) : 0;
      const insert = TOKENS[Math.floor(random() * TOKENS.length)]!;
      const next = text.slice(0, at) + insert + text.slice(at + remove);
      const got = candidateCutsAfterEdit(cuts, next, at, at + remove, at + insert.length);
      const want = candidateCuts(next);
      assert.deepEqual(got, want, `step ${step}: ${JSON.stringify(insert)} at ${at} (removing ${remove})`);
      if (got.lines!.length > 0 && want.lines!.length > 0) resumed++;
      text = next;
      cuts = got;
    }
  }
  assert.ok(resumed > 300, `${resumed} edits compared`);
  // a clean line start inside the inserted text that lands on an old clean line start: the text after it differs (a string opens)
  const lines = Array.from({ length: 3_000 }, () => 'y=1\n').join('');
  const at = 2_000 * 4;
  const insert = 'x = 1\n"""\n';
  const next = lines.slice(0, at) + insert + lines.slice(at + 8);
  assert.deepEqual(candidateCutsAfterEdit(candidateCuts(lines), next, at, at + 8, at + insert.length), candidateCuts(next), 'a string opened after an inserted line');
});

test('a whole-text tree as one region (ofWholeTree) gives the same analysis as parsing by regions, and stays the caller\'s', async () => {
  const g = await loadGrammars();
  // the sample above, and generated programs and their conversions (the converter's output is what it reads this way)
  const texts = [SOURCE];
  for (let seed = 1; seed <= 20; seed++) {
    for (const text of Object.values(generate(seed).files)) {
      texts.push(text);
      texts.push(applyEdits(text, (await convertText(text)).edits));
    }
  }
  let wellCut = 0;
  for (const text of texts) {
    const tree = g.pythonParser.parse(text)!;
    const whole = ParsedDocument.ofWholeTree(g.pythonParser, text, tree, flatten(tree, text));
    if (!whole) {
      tree.delete();
      continue;
    }
    wellCut++;
    const fresh = new ParsedDocument(g.pythonParser, text);
    const a = analyzeDocument(whole, 'untitled:converted.py', g.cParser);
    const b = analyzeDocument(fresh, 'untitled:converted.py', g.cParser);
    assert.deepEqual(summary(a), summary(b));
    assert.deepEqual(lint(a, {}), lint(b, {}));
    whole.dispose();
    fresh.dispose();
    assert.equal(tree.rootNode.type, 'module', 'the tree is still alive after dispose');
    tree.delete();
  }
  assert.ok(wellCut > 40, `most texts are well cut (${wellCut} of ${texts.length})`);
  const broken = 'def f(:\n    pass\nx = 1\n';
  const tree = g.pythonParser.parse(broken)!;
  assert.equal(ParsedDocument.ofWholeTree(g.pythonParser, broken, tree), undefined, 'a tree with an error is parsed by regions instead');
  tree.delete();
});
