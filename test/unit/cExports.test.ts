import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { relevantStatements, relevantStatementsAfter, unitOfPieces, unitsOf, type Unit } from '../../server/src/analysis/workspace/cExports';
import { flatten } from '../../server/src/parser/flatTree';
import { classPieces, importLines, WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { collectFiles, mayBind } from '../../server/src/cli/files';
import { loadGrammars } from '../../server/src/parser/languages';
import { lint } from '../../server/src/rules/lint';
import { analyzeWorkspaceFile } from '../../server/src/service/analyzeFile';

// the bench's generators (outside the test project)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { vlcShaped } = require(path.resolve(__dirname, '../../bench/shapes.ts')) as { vlcShaped(lines: number): string };

/** A package where C reaches some names through real import chains and not others (the stdlib's shape: heapq → doctest → …). */
const PACKAGE: Record<string, string> = {
  'pkg/__init__.py': '',
  'pkg/loader.py': [
    'import ctypes', 'import os', '', 'NAME = "libc.so.6"', '',
    'def load():', '    """Loads libc."""', '    return ctypes.CDLL(NAME)', '',
    'def unrelated():', '    return os.getcwd()', '',
  ].join('\n'),
  // imports the loader, but none of its own names holds a C value
  'pkg/plain.py': ['import os', 'from . import loader', '', 'VALUE = loader.NAME', '', 'def helper():', '    return os.path.join(VALUE, "x")', ''].join('\n'),
  // reads a C-valued name through a module attribute
  'pkg/user.py': ['from . import plain', 'from . import loader', '', 'lib = loader.load()', 'lib.strlen(b"abc")', ''].join('\n'),
  // re-exports through a star import and a helper class
  'pkg/wrap.py': ['from .loader import *', '', 'class Wrapper:', '    def __init__(self):', '        self.lib = load()', ''].join('\n'),
  'pkg/wrapuser.py': ['from .wrap import Wrapper', '', 'w = Wrapper()', 'w.lib.strchr(b"abc", 98)', ''].join('\n'),
  // a C-valued name reached through a re-exported module
  'pkg/via.py': ['from . import plain', '', 'lib = plain.loader.load()', 'lib.abs(-1)', ''].join('\n'),
  // only plain names of modules on a chain to C: no finding is possible here
  'pkg/reader.py': ['from . import plain', 'from .loader import unrelated', '', 'print(plain.helper(), unrelated())', ''].join('\n'),
  // names bound dynamically by a C-valued statement make every name of the module count
  'pkg/dyn.py': ['import ctypes', '_lib = ctypes.CDLL(None)', 'for _n in ("abs", "labs"):', '    globals()[_n] = getattr(_lib, _n)', ''].join('\n'),
  'pkg/dynuser.py': ['from .dyn import abs', 'abs(-1)', ''].join('\n'),
  // helpers that meet a library: only those a library can leave make their callers worth reading
  'pkg/helpers.py': [
    'import ctypes', '',
    'def open_lib(name):', '    """Returns the library."""', '    handle = ctypes.CDLL(name)', '    return handle', '',
    'def probe():', '    from ctypes import cdll', '    dll = cdll.LoadLibrary("libc.so.6")', '    if dll.abs(-1) != 1:',
    '        raise OSError("no libc")', '    probe.result = "yes"', '    return probe.result', '',
    'def fill(holder):', '    lib = ctypes.CDLL("libc.so.6")', '    if holder is not None: holder.lib = lib', '',
    'def hand(callback):', '    callback(ctypes.CDLL("libc.so.6"))', '',
    'def closure():', '    lib = ctypes.CDLL("libc.so.6")', '    def get():', '        return lib.strlen', '    return get', '',
    'def uses_probe():', '    return probe()', '',
    'def longpath(path):', '    buffer = ctypes.create_unicode_buffer(len(path) * 2)', '    length = ctypes.windll.kernel32.GetLongPathNameW(path, buffer, len(buffer))',
    '    lib = ctypes.CDLL("libc.so.6")', '    if lib.strlen(path):', '        return buffer[:length]', '    return path', '',
    'def get_strlen():', '    lib = ctypes.CDLL("libc.so.6")', '    return lib.strlen', '',
    // a local library by attribute (no loader call): its foreign function's result is no library
    'def ticks():', '    api = ctypes.windll.kernel32', '    return api.GetTickCount()', '',
  ].join('\n'),
  // a def reaching a library through another module's chain (`loader.load`)
  'pkg/chained.py': ['from . import loader', '', 'def mine():', '    """Loads it."""', '    return loader.load()', '', 'def theirs():', '    return loader.NAME', ''].join('\n'),
  'pkg/usehelper.py': ['from .helpers import open_lib', '', 'libc = open_lib("libc.so.6")', 'libc.strlen(b"abc")', ''].join('\n'),
  'pkg/usefill.py': ['from .helpers import fill', '', 'class Holder:', '    pass', '', 'h = Holder()', 'fill(h)', 'h.lib.strlen(b"abc")', ''].join('\n'),
  'pkg/useclosure.py': ['from . import helpers', '', 'get = helpers.closure()', 'get()(b"abc")', ''].join('\n'),
  'pkg/useprobe.py': ['from .helpers import probe, uses_probe', 'from . import helpers', '', 'print(probe(), uses_probe(), helpers.probe.result)', ''].join('\n'),
};

async function workspace(): Promise<{ dir: string; index: WorkspaceIndex; uri: (rel: string) => string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-cexports-'));
  for (const [rel, text] of Object.entries(PACKAGE)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const index = new WorkspaceIndex((await loadGrammars()).pythonParser);
  for (const f of collectFiles([dir], [])) index.addFile(f);
  return { dir, index, uri: (rel) => pathToFileURL(path.join(dir, rel)).href };
}

test('the C-valued exports of a module: names whose statements reach ctypes, attribute by attribute across modules', async () => {
  const { dir, index, uri } = await workspace();
  try {
    const loader = index.exportsOf('pkg.loader');
    assert.ok(loader.names.has('load'), 'a loader function mentions ctypes');
    assert.ok(!loader.names.has('NAME') && !loader.names.has('unrelated'), 'a string and a function that never touch C are not C-valued');
    assert.deepEqual([...index.exportsOf('pkg.plain').names], [], '`loader.NAME` is not C-valued, so nothing in plain.py is');
    assert.deepEqual(index.exportsOf('pkg.plain').modules.get('loader'), ['pkg.loader'], 'the module it re-exports is followed: `plain.loader.load` counts');
    assert.ok(index.exportsOf('pkg.user').names.has('lib'));
    assert.ok(index.exportsOf('pkg.wrap').names.has('Wrapper') && index.exportsOf('pkg.wrap').names.has('load'), 'a class using a star-imported loader, and the re-export');
    assert.equal(index.exportsOf('pkg.dyn').all, true, 'globals()[...] in a C-valued statement');
    for (const rel of ['pkg/user.py', 'pkg/wrapuser.py', 'pkg/dynuser.py', 'pkg/via.py']) assert.equal(index.mayBind(uri(rel)), true, rel);
    assert.equal(index.mayBind(uri('pkg/reader.py')), false, 'reader.py reads only plain names');
    assert.equal(index.mayBind(uri('pkg/plain.py')), false);

    // a function that meets a library is library-valued only when one can leave it (returned, stored, handed on, closed over)
    const helpers = index.exportsOf('pkg.helpers').lib.names;
    for (const n of ['open_lib', 'fill', 'hand', 'closure', 'get_strlen']) assert.ok(helpers.has(n), `${n} lets a library out`);
    for (const n of ['probe', 'uses_probe', 'cdll', 'longpath', 'ticks']) assert.ok(!helpers.has(n), `${n}: a library used inside and dropped (a function's import is its own)`);
    assert.deepEqual([...index.exportsOf('pkg.chained').lib.names], ['mine'], 'a library returned through a module chain leaks; a plain name read through one does not');
    for (const rel of ['pkg/usehelper.py', 'pkg/usefill.py', 'pkg/useclosure.py']) assert.equal(index.mayBind(uri(rel)), true, rel);
    assert.equal(index.mayBind(uri('pkg/useprobe.py')), false, 'probe() returns a string: its callers meet no library');

    // evaluating user.py does not evaluate plain.py: no name it reads there can hold a C value
    const before = index.evaluations;
    index.evaluationOf(uri('pkg/user.py'));
    assert.equal(index.evaluations - before, 2, 'user.py and loader.py only');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the workspace pre-filter never skips a file that gets a finding (this package and the workspace fixtures)', async () => {
  const g = await loadGrammars();
  const { dir, index } = await workspace();
  const shapes = path.resolve(__dirname, '../fixtures/workspace/shapes');
  const shapesIndex = new WorkspaceIndex(g.pythonParser);
  for (const f of collectFiles([shapes], [])) shapesIndex.addFile(f);
  let withFindings = 0;
  const found = new Set<string>();
  try {
    for (const [root, ix] of [[dir, index], [shapes, shapesIndex]] as const) {
      for (const f of collectFiles([root], [])) {
        const text = fs.readFileSync(f, 'utf8');
        const uri = pathToFileURL(f).href;
        const { model, doc } = analyzeWorkspaceFile(text, uri, g, ix, { headers: {} });
        const findings = lint(model, {});
        doc.dispose();
        if (!findings.length) continue;
        withFindings++;
        found.add(path.basename(f));
        assert.ok(mayBind(text) || ix.mayBind(uri), `${f} has ${findings.map((x) => x.code).join(', ')} but would be skipped`);
      }
    }
    assert.ok(withFindings >= 6, `enough files with findings (${withFindings})`);
    assert.ok(found.has('usehelper.py'), `a library returned by another module's helper gives a finding (${[...found]})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('units: top-level statements outside strings, with the names they bind', () => {
  const units = unitsOf('"""doc\nx = 1 at column 0\n"""\nimport a.b as c, d\nx, (y, z) = w.v = 1\ndef f():\n    global g\n    q = 1\nclass K(B):\n    r = 2\nfor i in t:\n    j = i\n');
  assert.deepEqual(units.map((u) => u.bound.sort()), [[], ['c', 'd'], ['w', 'x', 'y', 'z'], ['f', 'g'], ['K'], ['i', 'j']]);
  assert.ok(units[3]!.words.has('q'));
});

test('on demand (the CLI): the same C-valued exports and the same gate as the whole computation', async () => {
  const g = await loadGrammars();
  const { dir } = await workspace();
  const shapes = path.resolve(__dirname, '../fixtures/workspace/shapes');
  try {
    for (const root of [dir, shapes]) {
      const whole = new WorkspaceIndex(g.pythonParser);
      const lazy = new WorkspaceIndex(g.pythonParser, { exportsOnDemand: true });
      const files = collectFiles([root], []).filter((f) => f.endsWith('.py'));
      for (const f of files) {
        whole.addFile(f);
        lazy.addFile(f);
      }
      let binds = 0;
      // the gate first (as check asks it, before any export is computed), then every module's exports
      for (const f of files) {
        const uri = pathToFileURL(f).href;
        assert.equal(lazy.mayBind(uri), whole.mayBind(uri), f);
        assert.equal(lazy.observesNothing(uri), whole.observesNothing(uri), f);
        if (whole.mayBind(uri)) binds++;
      }
      for (const m of whole.modules()) {
        const [a, b] = [whole.exportsOf(m), lazy.exportsOf(m)];
        assert.deepEqual([[...b.names].sort(), b.all, [...b.lib.names].sort(), b.lib.all, b.observes, b.cUnits], [[...a.names].sort(), a.all, [...a.lib.names].sort(), a.lib.all, a.observes, a.cUnits], m);
      }
      assert.ok(binds >= 3, `${root}: files that bind (${binds})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('importLines equals matchAll of the import-line regex (stdlib files, CR and CRLF line ends, U+2028)', () => {
  const IMPORT_LINE = /^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b([^\n]*)|import[ \t]+([^\n#;]+))/gm;
  const texts = ['import a\rimport b\rfrom c import d\n', 'from x import (a,\r b)\rimport y\n', 'x\u2028import z\u2029from . import q', 'import a;import b\n  import c # import d\nfrom a import b as c, d\\\n  , e', 'importlib\nimport\nimport  x'];
  for (const root of ['/usr/lib/python3.11/ctypes', '/usr/lib/python3.11/test/support', path.resolve(__dirname, '../fixtures/workspace')]) {
    if (!fs.existsSync(root)) continue;
    for (const f of collectFiles([root], [])) if (f.endsWith('.py')) texts.push(fs.readFileSync(f, 'utf8'));
  }
  const n = texts.length;
  for (let i = 0; i < n; i++) texts.push(texts[i]!.replace(/\n/g, '\r'), texts[i]!.replace(/\n/g, '\r\n'));
  const key = (ms: RegExpMatchArray[]) => JSON.stringify(ms.map((m) => [m.index, ...m]));
  let withImports = 0;
  for (const t of texts) {
    const expected = [...t.matchAll(IMPORT_LINE)];
    if (expected.length) withImports++;
    assert.equal(key(importLines(t)), key(expected), t.slice(0, 80));
  }
  assert.ok(withImports > 20, `texts with import lines (${withImports})`);
});

/** The definition of `relevantStatements`: keep a unit binding a name that a kept unit mentions, until nothing changes. */
function relevantByFixpoint(units: readonly Unit[], cUnits: readonly boolean[]): boolean[] {
  const keep = units.map((u, i) => cUnits[i] === true || u.dynamic || (u.isImport && u.imports.some((x) => x.kind === 'star')));
  const needed = new Set<string>();
  units.forEach((u, i) => keep[i] && u.words.forEach((w) => needed.add(w)));
  for (let changed = true; changed;) {
    changed = false;
    units.forEach((u, i) => {
      if (keep[i] || !u.bound.some((b) => needed.has(b))) return;
      keep[i] = changed = true;
      u.words.forEach((w) => needed.add(w));
    });
  }
  return keep;
}

test('relevantStatements equals its fixpoint definition (the vlc-shaped file, stdlib ctypes, random C-valued units)', () => {
  const texts = [vlcShaped(3_000), 'import ctypes\nA = 1\nB = A\nC = B\nlib = ctypes.CDLL(C)\nD = 2\ndef f():\n    return D\n'];
  const stdlib = '/usr/lib/python3.11/ctypes';
  if (fs.existsSync(stdlib)) for (const f of collectFiles([stdlib], [])) if (f.endsWith('.py')) texts.push(fs.readFileSync(f, 'utf8'));
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let grown = 0;
  for (const text of texts) {
    const units = unitsOf(text);
    for (const density of [0, 0.02, 0.2, 0.6]) {
      const cUnits = units.map(() => random() < density);
      const expected = relevantByFixpoint(units, cUnits);
      assert.deepEqual(relevantStatements(units, cUnits), expected, `${text.slice(0, 40)} at ${density}`);
      if (expected.some((k, i) => k && !cUnits[i])) grown++;
    }
  }
  assert.ok(grown > 5, `cases where the closure kept more than the C-valued units (${grown})`);
});

// After an edit the server asks relevantStatements again starting from the last result (relevantStatementsAfter, an open
// document's evaluation): chains of seeded edits that add and remove mentions of names other units bind (inside
// strings, calls and names), rename bindings, and move the C-valued flags, each result equal to a fresh computation.
test('relevantStatementsAfter equals relevantStatements after chains of edits (the vlc-shaped file)', () => {
  let text = vlcShaped(2_500);
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let units = unitsOf(text);
  let cUnits = units.map(() => random() < 0.05);
  let memo = relevantStatementsAfter(units, cUnits, undefined);
  let reused = 0;
  let moved = 0;
  for (let k = 0; k < 300; k++) {
    const names = [...new Set(units.flatMap((u) => u.bound))];
    const lines = text.split('\n');
    const at = Math.floor(random() * lines.length);
    const kind = random();
    if (kind < 0.4) lines[at] = `${lines[at]} ${pick(names)}`; // a mention (a comment, a string, a call argument…)
    else if (kind < 0.6) lines[at] = lines[at]!.replace(/\w+\s*$/, ''); // a word gone
    else if (kind < 0.7) lines[at] = lines[at]!.replace(/\b(\w+)\b/, '$1x'); // a name renamed (maybe a binding)
    else if (kind < 0.8) lines[at] = `${lines[at]}9`; // a word no unit binds
    text = lines.join('\n');
    const fresh = unitsOf(text);
    // units of unchanged text are the old objects, as an open document's regions keep them
    const old = new Map(units.map((u) => [`${u.at}:${u.words.size}:${u.bound.join(',')}`, u]));
    const next = fresh.map((u) => old.get(`${u.at}:${u.words.size}:${u.bound.join(',')}`) ?? u);
    if (next.length !== cUnits.length || random() < 0.1) cUnits = next.map(() => random() < 0.05);
    const after = relevantStatementsAfter(next, cUnits, memo);
    const expected = relevantStatements(next, cUnits);
    assert.deepEqual(after.keep, expected, `edit ${k}`);
    if (after.keep === memo.keep) reused++;
    if (expected.some((x, i) => x !== memo.keep[i])) moved++;
    units = next;
    memo = after;
  }
  assert.ok(reused > 50, `results reused (${reused})`);
  assert.ok(moved > 20, `edits that changed which statements are relevant (${moved})`);
});

// A long class statement of an open document is read in pieces, one per method (workspaceIndex.ts `classPieces`,
// cExports.ts `unitOfPieces`): the unit must equal the one read from the whole text, on every class of the stdlib
// (code we did not write: docstrings with code in them, decorators, nested classes, globals, imports in methods,
// f-strings) and of the vlc-shaped file. Sets are compared as sets (every reader asks them `has` or iterates to a yes/no).
test('a class statement read in pieces, one per method, gives the unit of its whole text', async () => {
  const g = await loadGrammars();
  const stdlib = '/usr/lib/python3.11';
  assert.ok(fs.existsSync(stdlib), `${stdlib} missing`);
  const texts = [vlcShaped(3_000)];
  for (const dir of ['', 'asyncio', 'email', 'importlib', 'json', 'logging', 'unittest', 'xml/etree', 'ctypes']) {
    for (const f of fs.readdirSync(path.join(stdlib, dir)).sort()) if (f.endsWith('.py')) texts.push(fs.readFileSync(path.join(stdlib, dir, f), 'utf8'));
  }
  const sorted = (s: Iterable<string>) => [...s].sort();
  const mentions = (m: { words: Set<string>; chains: Map<string, string[][]>; bare: Set<string> } | undefined) =>
    m && { words: [...m.words], chains: [...m.chains].map(([k, v]) => [k, v.map((c) => c.join('.'))]), bare: sorted(m.bare) };
  const summary = (u: Unit) => ({ ...mentions(u), at: u.at, shadow: sorted(u.shadow), bound: u.bound, imports: u.imports, dynamic: u.dynamic, isImport: u.isImport, head: mentions(u.head), defSource: u.defSource });
  let pieced = 0;
  let refused = 0;
  for (const text of texts) {
    const tree = g.pythonParser.parse(text)!;
    if (tree.rootNode.hasError) {
      tree.delete();
      continue;
    }
    const flat = flatten(tree, text);
    for (let c = 1; c < flat.count; c = flat.after[c]!) {
      if (flat.typeName(c) !== 'class_definition') continue;
      const start = flat.start[c]!;
      const t = text.slice(start, flat.end[c]!) + '\n';
      const pieces = classPieces(flat, start, t);
      if (!pieces) continue;
      assert.equal(pieces.join(''), t);
      const got = unitOfPieces(pieces, start, undefined, new Map());
      if (!got) {
        refused++;
        continue;
      }
      const want = unitsOf(t, 0, start, [0]);
      assert.equal(want.length, 1);
      assert.deepEqual(summary(got), summary(want[0]!), `${text.slice(0, 60)}: the class at ${start}`);
      pieced++;
    }
    tree.delete();
  }
  assert.ok(pieced > 600, `${pieced} classes read in pieces (${refused} refused)`);
});
