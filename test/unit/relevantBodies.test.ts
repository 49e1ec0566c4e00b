import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { analyzeDocument } from '../../server/src/analysis/analyze';
import { defBodies, withBodiesSkipped } from '../../server/src/analysis/defBodies';
import { relevantBodiesDocument } from '../../server/src/analysis/relevantBodies';
import { lintOptions } from '../../server/src/config/lintOptions';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { ParsedDocument } from '../../server/src/documents/parsedDocument';
import { loadGrammars } from '../../server/src/parser/languages';
import { lint } from '../../server/src/rules/lint';
import { skippedBodiesModule } from '../snippets/skippedBodies';

const findings = (doc: ParsedDocument, cParser: Parameters<typeof analyzeDocument>[2]) =>
  lint(analyzeDocument(doc, 'file:///t/mod.py', cParser, { relevantRegionsOnly: true }), lintOptions(DEFAULT_SETTINGS)).map((f) => `${f.code}@${f.span.start}-${f.span.end} ${f.message}`);

test('defBodies: the indented block of each def, outside strings and brackets; one-line defs have none', () => {
  const text = [
    'def one(): return 1',
    '@decorated',
    'def two(a,',
    '        b):  # the header ends here',
    '    s = """',
    'text at column 0 stays in the string',
    '"""',
    '    def inner():',
    '        return (1,',
    '2)',
    '    return s',
    'x = 1',
    '',
  ].join('\n');
  const bodies = defBodies(text).map((b) => text.slice(b.start, b.end));
  assert.deepEqual(bodies, [
    '    s = """\ntext at column 0 stays in the string\n"""\n    def inner():\n        return (1,\n2)\n    return s\n',
    '        return (1,\n2)\n',
  ]);
  const { text: skipped } = withBodiesSkipped(text, defBodies(text), () => true);
  assert.equal(skipped.length, text.length);
  assert.deepEqual(skipped.split('\n').map((l) => l.trimEnd()), ['def one(): return 1', '@decorated', 'def two(a,', '        b):  # the header ends here', '    pass', '', '', '', '', '', '', 'x = 1', '']);
});

test('a document with the bodies no binding name reaches left out gives the findings of the whole text', async () => {
  const g = await loadGrammars();
  const text = skippedBodiesModule();
  const whole = new ParsedDocument(g.pythonParser, text);
  const skeleton = relevantBodiesDocument(g.pythonParser, text);
  assert.ok(skeleton, 'the test module is one whose bodies are left out');
  assert.ok(skeleton.regions.reduce((n, r) => n + r.text.split('pass').length - 1, 0) >= 40, 'the plain methods are left out');
  assert.equal(skeleton.text, text);
  const expected = findings(whole, g.cParser);
  assert.deepEqual(expected.map((f) => f.slice(0, 5)).sort(), ['PB202', 'PB203', 'PB206']);
  assert.deepEqual(findings(skeleton, g.cParser), expected);
  whole.dispose();
  skeleton.dispose();
});

test('on the standard library, leaving bodies out changes no finding of a file that binds', async () => {
  const g = await loadGrammars();
  const dir = '/usr/lib/python3.11';
  let used = 0;
  for (const f of ['ctypes/__init__.py', 'ctypes/util.py', 'ctypes/_aix.py', 'ctypes/_endian.py', 'test/support/__init__.py', 'test/support/os_helper.py', 'multiprocessing/sharedctypes.py', 'uuid.py']) {
    const text = fs.readFileSync(`${dir}/${f}`, 'utf8');
    const skeleton = relevantBodiesDocument(g.pythonParser, text);
    if (!skeleton) continue;
    used++;
    const whole = new ParsedDocument(g.pythonParser, text);
    assert.deepEqual(findings(skeleton, g.cParser), findings(whole, g.cParser), f);
    whole.dispose();
    skeleton.dispose();
  }
  assert.ok(used >= 2, `bodies left out in ${used} files`);
});
