// The flat copy of a tree (parser/flatTree.ts) and what is read from it (region facts, analysis/regionFacts.ts;
// cdef declarations, analysis/cdef.ts; the evaluator's lowering, workspace/pyir.ts) against the public API: the raw cursor walk must copy exactly what web-tree-sitter's TreeCursor reports,
// and the facts and declarations must equal those read through the node API (test/oracle/nodeApiFacts.ts,
// nodeApiCdef.ts, nodeApiLowering.ts), on generated
// binding files, on real code we did not write (Debian's python3-magic and python3-libarchive-c, CPython's
// standard library) and on the same files broken at random places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParsedDocument } from '../../server/src/documents/parsedDocument';
import { regionFacts } from '../../server/src/analysis/regionFacts';
import { flatten, flattenReusing, flatTreeOf, rawWalks, releaseFlatTree } from '../../server/src/parser/flatTree';
import { loadGrammars } from '../../server/src/parser/languages';
import { nodeApiFacts } from '../oracle/nodeApiFacts';
import { nodeApiParseCdef } from '../oracle/nodeApiCdef';
import { BASES, EXTRAS, mutants } from '../oracle/cdefCorpus';
import { parseCdef } from '../../server/src/analysis/cdef';
import { lowerModule, StmtAnchor, type TopStmt } from '../../server/src/analysis/workspace/pyir';
import { nodeApiLowerModule } from '../oracle/nodeApiLowering';

// the bench's generators (bench/ builds on test/, so they are loaded at run time, not imported)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.join(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, every?: number): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { glCompatShaped, vlcShaped, xlibShaped } = require(path.join(__dirname, '../../bench/shapes.ts')) as Record<'glCompatShaped' | 'vlcShaped' | 'xlibShaped', (lines: number) => string>;

const STDLIB = '/usr/lib/python3.11';
const DIST = '/usr/lib/python3/dist-packages';

function realFiles(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const pkg of ['magic', 'libarchive']) {
    const dir = path.join(DIST, pkg);
    assert.ok(fs.existsSync(dir), `${dir} missing: install python3-magic and python3-libarchive-c (scripts/system-deps.sh)`);
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.py')) out.push({ name: `${pkg}/${f}`, text: fs.readFileSync(path.join(dir, f), 'utf8') });
  }
  assert.ok(fs.existsSync(STDLIB), `${STDLIB} missing`);
  for (const f of ['ctypes/__init__.py', 'ctypes/util.py', 'ctypes/_aix.py', 'ctypes/macholib/dyld.py', 'uuid.py', 'typing.py', 'dataclasses.py', 'test/test_ctypes/test_structures.py', 'test/test_ctypes/test_funcptr.py']) {
    const p = path.join(STDLIB, f);
    if (fs.existsSync(p)) out.push({ name: f, text: fs.readFileSync(p, 'utf8') });
  }
  return out;
}

function generated(): { name: string; text: string }[] {
  return [
    { name: 'gl_compat-shaped', text: glCompatShaped(1_500) },
    { name: 'xlib-shaped', text: xlibShaped(1_500) },
    { name: 'vlc-shaped', text: vlcShaped(2_000) },
    { name: 'synthetic', text: bindingFile(1_500, 2) },
    { name: 'odd text', text: 'x = "é😀" + f"{a!r}"\r\nfrom ctypes import (c_int,  # why\n  c_char_p as P)\nclass S(ctypes.Structure):\n    "doc"\n    _fields_ = [("a", c_int, 3)]\n' },
    { name: 'empty', text: '' },
  ];
}

/** The same text cut at seeded places (unclosed brackets and strings, lines joined): error recovery trees. */
function broken(name: string, text: string, seed: number): { name: string; text: string } {
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % Math.max(1, n));
  let t = text;
  for (let k = 0; k < 8; k++) {
    const at = rnd(t.length);
    const cut = ['(', '"', '[', '\n', ' = ', '"""', ''][rnd(7)]!;
    t = t.slice(0, at) + cut + t.slice(at + rnd(3));
  }
  return { name: `${name} (broken, seed ${seed})`, text: t };
}

test('the raw cursor walk copies exactly what the public TreeCursor reports', async () => {
  const g = await loadGrammars();
  assert.ok(rawWalks(), 'loadGrammars kept the raw wasm exports (else every walk takes the slow path)');
  const inputs = [...generated(), ...realFiles()];
  inputs.push(...inputs.slice(0, 6).map((f, i) => broken(f.name, f.text, i + 1)));
  for (const { name, text } of inputs) {
    for (const parser of [g.pythonParser, g.cParser]) {
      const tree = parser.parse(text)!;
      const fast = flatten(tree, text);
      const slow = flatten(tree, text, true);
      assert.equal(fast.count, slow.count, name);
      for (const k of ['type', 'field', 'start', 'end', 'parent', 'after'] as const) assert.deepEqual([...fast[k]], [...slow[k]], `${name}: ${k}`);
      assert.equal(fast.typeName(0), tree.rootNode.type);
      assert.equal(fast.end[0], tree.rootNode.endIndex);
      tree.delete();
    }
  }
});

test('region facts from the flat tree equal those read through the node API', async () => {
  const g = await loadGrammars();
  const inputs = [...generated(), ...realFiles()];
  inputs.push(...inputs.map((f, i) => broken(f.name, f.text, 100 + i)));
  let regions = 0;
  let facts = 0;
  for (const { name, text } of inputs) {
    const doc = new ParsedDocument(g.pythonParser, text);
    for (const r of doc.regions) {
      const want = nodeApiFacts(r);
      const got = regionFacts(r);
      assert.equal(JSON.stringify(got), JSON.stringify(want), `${name}: region at ${r.offset}`);
      regions++;
      facts += want.assigns.length + want.calls.length + want.attrs.length + want.imports.length + want.classes.length;
    }
    doc.dispose();
  }
  // the comparison saw real work, not empty fact lists
  assert.ok(regions > 100 && facts > 10_000, `${regions} regions, ${facts} facts`);
});

test('cdef declarations from the flat tree equal those read through the node API', async () => {
  const g = await loadGrammars();
  const sources: { name: string; text: string }[] = [...BASES, ...EXTRAS].map((text, i) => ({ name: `corpus ${i}`, text }));
  for (const [i, b] of BASES.slice(0, 12).entries()) for (const [k, m] of mutants(b, 2).entries()) sources.push({ name: `mutant ${i}.${k}`, text: m });
  // real headers we did not write (libsodium-dev, libarchive-dev, libmagic-dev), read as if they were cdefs
  for (const h of ['/usr/include/archive.h', '/usr/include/archive_entry.h', '/usr/include/magic.h', '/usr/include/sodium/crypto_box.h', '/usr/include/sodium/crypto_secretstream_xchacha20poly1305.h']) {
    assert.ok(fs.existsSync(h), `${h} missing (scripts/system-deps.sh)`);
    sources.push({ name: h, text: fs.readFileSync(h, 'utf8') });
  }
  const cdefText = bindingFile(3_000, 2).split('ffi.cdef("""')[1]!.split('""")')[0]!;
  sources.push({ name: 'synthetic cdef', text: cdefText + '\nint f(int, ...);\nstruct s { int a; ...; };\ntypedef ... opaque_t;\nextern "Python" int cb(int);\n' });
  let declarations = 0;
  for (const { name, text } of sources) {
    const decoded = { value: text, offsets: [...Array(text.length + 1).keys()], exact: true };
    const toSpan = (s: number, e: number) => ({ start: s, end: e });
    // the tree-sitter reader itself (parseCdef reads a valid cdef with the cffi-language parser: cdefDeclarations.test.ts)
    const got = parseCdef(g.cParser, decoded, toSpan, true);
    const want = nodeApiParseCdef(g.cParser, decoded, toSpan);
    assert.deepEqual(got, want, name);
    declarations += want.declarations.length;
  }
  assert.ok(declarations > 500, `${declarations} declarations compared`);
});

test('the evaluator lowering from the flat tree equals the node-API lowering', async () => {
  const g = await loadGrammars();
  const inputs = [...generated(), ...realFiles()];
  inputs.push(...inputs.map((f, i) => broken(f.name, f.text, 200 + i)));
  const json = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'anchor' ? (v as { offset: number }).offset : v));
  // the lowering's offsets are relative to each statement's (and def body's) own start: the oracle's, to the region
  const regionRelative = (tops: TopStmt[]) => tops.map((t) => ({ stmt: shift(t.stmt, (t.anchor as StmtAnchor).rel, t.anchor), anchor: (t.anchor as StmtAnchor).region }));
  const shift = (x: unknown, by: number, top: unknown): unknown => {
    if (Array.isArray(x)) return x.map((i) => shift(i, by, top));
    if (!x || typeof x !== 'object' || x instanceof StmtAnchor) return x;
    const o = x as Record<string, unknown>;
    const inner = o.t === 'def' ? (o.anchor as StmtAnchor).rel : by;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 's' || k === 'e') out[k] = (v as number) + by;
      else if (k === 'anchor') out[k] = (v as StmtAnchor).region;
      else out[k] = shift(v, k === 'params' || k === 'body' ? inner : by, top);
    }
    return out;
  };
  let statements = 0;
  for (const { name, text } of inputs) {
    // a whole module (the workspace index) and each parse region (open documents)
    const tree = g.pythonParser.parse(text)!;
    const want = nodeApiLowerModule(tree.rootNode, { offset: 0 });
    assert.equal(json(regionRelative(lowerModule(tree, text, { offset: 0 }))), json(want), name);
    statements += want.length;
    tree.delete();
    const doc = new ParsedDocument(g.pythonParser, text);
    for (const r of doc.regions) assert.equal(json(regionRelative(lowerModule(r.tree, r.text, r))), json(nodeApiLowerModule(r.tree.rootNode, r)), `${name}: region at ${r.offset}`);
    doc.dispose();
  }
  assert.ok(statements > 5_000, `${statements} statements compared`);
});

// After an edit inside a long region (a class of hundreds of methods), its flat copy is made from the last one:
// each def or class wholly before or after the edited text is copied, not walked (parser/flatTree.ts
// `flattenReusing`). The copy must equal a fresh walk of the new tree, after any edit (several at once, broken
// text and its repair, defs added and removed, indentation changed), with the raw and the public cursor.
test('a long region\'s flat copy made from its last one after seeded edits equals a fresh walk', async () => {
  const g = await loadGrammars();
  const typing = path.join(STDLIB, 'typing.py');
  assert.ok(fs.existsSync(typing), `${typing} missing`);
  const inputs = [
    { name: 'vlc-shaped', text: vlcShaped(3_000), sites: /method_\d+|libvlc_function_\d+|self|value|'''/g },
    { name: 'typing.py', text: fs.readFileSync(typing, 'utf8'), sites: /def |self|return|:\n|\(|"""/g },
  ];
  const TOKENS = ['9', 'x', '\n', '    ', '"', "'''", '(', ')', ':', '#', ' = ', '\n    def added(self):\n        return 1\n', '    @staticmethod\n', 'def top():\n    pass\n', '\n\nclass Inner:\n    pass\n', 'lambda: 0', ''];
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  let copied = 0;
  let reads = 0;
  for (const [n, input] of inputs.entries()) {
    const random = (() => {
      let x = 4242 + n;
      return () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    })();
    const doc = new ParsedDocument(g.pythonParser, input.text);
    let version = 1;
    const check = (what: string) => {
      for (const r of doc.regions) {
        const prior = r.prior;
        const publicCopy = prior ? flattenReusing(r.tree, r.text, { ...prior }, true) : undefined;
        const got = flatTreeOf(r);
        const want = flatten(r.tree, r.text);
        for (const [how, flat] of [['raw', got], ['public', publicCopy]] as const) {
          if (!flat) continue;
          for (const k of ['type', 'field', 'start', 'end', 'parent', 'after'] as const) assert.ok(same(flat[k], want[k]), `${input.name} ${what} (${how}): region at ${r.offset}: ${k}`);
        }
        if (prior) {
          reads++;
          copied += prior.copied ?? 0;
        }
        releaseFlatTree(r);
      }
    };
    check('open');
    // an edit that keeps the length of each def and class around it but not its structure (a call becomes a subscript)
    const call = doc.text.indexOf('(self, value)', doc.text.indexOf('return libvlc_function_5('));
    if (n === 0) {
      assert.ok(call > 0);
      doc.applyEdits([{ start: call, end: call + 13, newText: '(self)[value]' }], ++version);
      check('a call made a subscript');
      doc.applyEdits([{ start: call, end: call + 13, newText: '(self, value)' }], ++version);
      check('and back');
    }
    for (let round = 0; round < 25; round++) {
      // a few edits (one to three between two reads, as keystrokes arrive between analyses), then each undone
      const undo: { start: number; end: number; newText: string }[] = [];
      for (let e = 1 + Math.floor(random() * 4); e > 0; e--) {
        const text = doc.text;
        const sites = [...text.matchAll(input.sites)].map((m) => m.index!);
        let at = random() < 0.8 && sites.length ? sites[Math.floor(random() * sites.length)]! + Math.floor(random() * 3) : Math.floor(random() * text.length);
        if (random() < 0.2) at = text.lastIndexOf('\n', at - 1) + 1;
        const newText = TOKENS[Math.floor(random() * TOKENS.length)]!;
        // some replace as many characters as they insert (a def's extent can stay while its text changes)
        const r = random();
        const remove = Math.min(text.length - at, r < 0.3 ? Math.floor(random() * 30) : r < 0.5 ? newText.length : 0);
        undo.push({ start: at, end: at + newText.length, newText: text.slice(at, at + remove) });
        doc.applyEdits([{ start: at, end: at + remove, newText }], ++version);
        if (random() < 0.7) check(`round ${round}: ${JSON.stringify(newText)} at ${at} (removing ${remove})`);
      }
      for (const u of undo.reverse()) {
        doc.applyEdits([u], ++version);
        if (random() < 0.7) check(`round ${round}: undone at ${u.start}`);
      }
      assert.equal(doc.text, input.text);
      check(`round ${round}: all undone`);
    }
    doc.dispose();
  }
  // the comparisons were about copies: the reads of a long region took most of its nodes from the last copy
  assert.ok(reads > 100 && copied > reads * 1_000, `${reads} reads from a prior copy, ${copied} nodes copied`);
});
