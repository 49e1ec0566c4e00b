import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fuzzLsp } from './fuzzLsp';
import { LspClient } from './lspClient';

// Incremental equals fresh over stdio on the bench's own files (the per-edit path they exercise: the evaluator
// on the vlc-shaped file, a thousand findings on the synthetic one): seeded random edits, the server's
// diagnostics compared with a fresh open of the same text after every batch (fuzzLsp.ts). The generators are
// under bench/, loaded at run time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { vlcShaped } = require(path.resolve(__dirname, '../../bench/shapes.ts')) as { vlcShaped(lines: number): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.resolve(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, undeclaredEvery?: number): string };

const FILES = [
  { name: 'vlc-shaped (1,200 lines)', text: () => vlcShaped(1_200), seed: 31 },
  { name: 'synthetic (1,000 lines, a finding every few lines)', text: () => bindingFile(1_000, 2), seed: 32 },
];

for (const f of FILES) {
  test(`${f.name}: 240 random edits over LSP, diagnostics equal a fresh open after every batch`, async () => {
    const r = await fuzzLsp({ edits: 240, seed: f.seed, text: f.text() });
    assert.ok(r.comparisons >= 25, JSON.stringify({ ...r, mismatches: r.mismatches.length }));
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.mismatches.map((m) => `after edit ${m.edit}: text in ${m.file}`), []);
  });
}

// The edits the keystroke path reuses work across (the C-valued exports' per-def defLeaks runs, each def's lowering,
// the evaluation updated in place), scripted over stdio on the vlc-shaped file: after each, the edited document's
// diagnostics equal a fresh open's of the same text. They change what a def leaks (and so which names are
// library-valued), add and remove a def, rename a method and a function, and edit a class body outside its methods.
test('vlc-shaped over LSP: diagnostics after edits to what defs leak, defs added, removed and renamed, a class body equal a fresh open', async () => {
  const extra = [
    '', 'def pick():', '    lib = dll', "    return 'none'", '',
    'def use_pick():', '    return pick().libvlc_picked(1.5)', '',
    'holder = None', '',
    'def from_holder():', '    x = dll.libvlc_seen', '    h = holder', '    return h', '',
    'def use_holder():', '    return from_holder().libvlc_held(1.5)', '',
    'def direct(p_0):', '    return dll.libvlc_direct(p_0, 1.5)', '',
    'class Extra(_Ctype):', '    kind = None', '',
    '    def run(self):', '        return dll.libvlc_other(self, 2.5)', '',
    '    def stop(self):', '        return direct(self)', '',
  ].join('\n');
  let text = vlcShaped(1_200) + extra;
  const edits: [string, string][] = [
    ["    return 'none'", '    return lib'], // pick now leaks the library: use_pick's call is a foreign one
    ['    return lib\n', "    return 'none'\n"],
    // another statement makes what from_holder returns a library (its own text unchanged), and then not again
    ['holder = None', 'holder = dll'],
    ['holder = dll', 'holder = None'],
    ['1.5)\n\nclass Extra', '1)\n\nclass Extra'], // direct's argument no longer a float
    ['    def run(self):', '    def run_again(self):'], // a method renamed
    ['    kind = None', '    kind = dll'], // the class body outside its methods
    ['    kind = dll', '    kind = None\n    other = 1'],
    ['def direct(', 'def added(p):\n    return dll.libvlc_added(p, 3.5)\n\ndef direct('], // a def added
    ['def added(p):\n    return dll.libvlc_added(p, 3.5)\n\n', ''], // and removed
    ['def use_pick(', 'def use_picked('], // a function renamed
    ["_Cfunction('libvlc_function_3'", "_Cfunction('libvlc_function_3x'"], // a wrapper's C name
  ];
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    const uri = 'file:///tmp/pb_vlc_edited.py';
    c.open(uri, text, 1);
    const pull = async (u: string) => JSON.stringify((await c.request<{ items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri: u } })).items);
    await pull(uri);
    const seen = new Set<string>();
    let version = 1;
    for (const [k, [find, replace]] of edits.entries()) {
      const at = text.indexOf(find);
      assert.ok(at >= 0, find);
      const doc = TextDocument.create(uri, 'python', version, text);
      c.change(uri, ++version, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + find.length) }, text: replace }]);
      text = text.slice(0, at) + replace + text.slice(at + find.length);
      const incremental = await pull(uri);
      const fresh = `file:///tmp/pb_vlc_fresh_${k}.py`;
      c.open(fresh, text, 1);
      assert.equal(incremental, await pull(fresh), `after edit ${k}: ${JSON.stringify(replace)}`);
      c.notify('textDocument/didClose', { textDocument: { uri: fresh } });
      seen.add(incremental);
    }
    // the edits changed the diagnostics (the comparisons were about something)
    assert.ok(seen.size >= 4, `${seen.size} distinct answers`);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
