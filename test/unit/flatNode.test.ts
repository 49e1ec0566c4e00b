// The output checks read flat trees through FlatNode (parser/flatNode.ts) and share one parse per text
// (convert/check/parsedText.ts): FlatNode must answer as web-tree-sitter's Node on every member the checks read, and
// the checks must find what their node-API versions found (test/oracle/nodeApiGate.ts), on the runtime corpus, the
// real packages and generated bindings, each with its converted output, and on those texts broken at random places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { flatten } from '../../server/src/parser/flatTree';
import { type FlatNode, flatRoot, walkFlat } from '../../server/src/parser/flatNode';
import { walk } from '../../server/src/convert/syntax';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';
import { unsafeCffiUses, unsafeCtypesShapes } from '../../server/src/convert/check/outputGate';
import { ctypesCallbackArgumentsInCffi } from '../../server/src/convert/check/outputInvariant';
import { ParsedText } from '../../server/src/convert/check/parsedText';
import { nodeApiCtypesCallbackArgumentsInCffi, nodeApiUnsafeCffiUses, nodeApiUnsafeCtypesShapes } from '../oracle/nodeApiGate';
import { rng } from '../protocol/fuzzLsp';

const FIELDS = ['left', 'right', 'function', 'arguments', 'object', 'attribute', 'name', 'body', 'parameters', 'definition', 'module_name', 'value', 'alias'];
const DIST = '/usr/lib/python3/dist-packages';

function inputs(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const corpus = path.join(__dirname, '../runtime/programs');
  for (const f of fs.readdirSync(corpus).filter((f) => f.endsWith('.py')).sort()) out.push({ name: f, text: fs.readFileSync(path.join(corpus, f), 'utf8') });
  for (const pkg of ['magic', 'libarchive']) {
    const dir = path.join(DIST, pkg);
    assert.ok(fs.existsSync(dir), `${dir} missing: install python3-magic and python3-libarchive-c (scripts/system-deps.sh)`);
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) out.push({ name: `${pkg}/${f}`, text: fs.readFileSync(path.join(dir, f), 'utf8') });
  }
  const lines = ['import ctypes', 'from ctypes import c_int, CFUNCTYPE, Structure, POINTER', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 40; i++) lines.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int)]`, `CB${i} = CFUNCTYPE(c_int, c_int)`, `_lib.k_${i}.argtypes = [CB${i}, POINTER(S${i})]`, `_lib.k_${i}.restype = c_int`, `def cb_${i}(x):`, `    return x`, `_lib.k_${i}(CB${i}(cb_${i}), ctypes.byref(S${i}()))`, `r_${i} = _lib.f_${i}(c_int(${i}))`);
  out.push({ name: 'generated', text: lines.join('\n') + '\n' });
  return out;
}

/** FlatNode and Node agree on what the checks read of `n` and of its subtree, in walk order. */
function assertSameNodes(name: string, nodes: Node, flats: FlatNode): void {
  const a = [...walk(nodes)];
  const b = [...walkFlat(flats)];
  assert.equal(b.length, a.length, `${name}: node count`);
  a.forEach((n, i) => {
    const f = b[i]!;
    const at = `${name}: node ${i} (${n.type} at ${n.startIndex})`;
    assert.deepEqual([f.type, f.startIndex, f.endIndex, f.text], [n.type, n.startIndex, n.endIndex, n.text], at);
    assert.deepEqual([f.parent?.type, f.parent?.startIndex, f.parent?.endIndex], [n.parent?.type, n.parent?.startIndex, n.parent?.endIndex], `${at}: parent`);
    assert.deepEqual(f.namedChildren.map((c) => [c.type, c.startIndex]), n.namedChildren.map((c) => [c.type, c.startIndex]), `${at}: named children`);
    for (const field of FIELDS) {
      const x = n.childForFieldName(field);
      const y = f.childForFieldName(field);
      assert.deepEqual(y && [y.type, y.startIndex, y.endIndex], x && [x.type, x.startIndex, x.endIndex], `${at}: field ${field}`);
    }
  });
}

test('FlatNode reads as Node: types, text, offsets, parents, named children and fields, on real, generated and broken files', async () => {
  const g = await loadGrammars();
  const r = rng(3);
  let broken = 0;
  for (const { name, text } of inputs()) {
    const texts = [text];
    for (let k = 0; k < 3 && text.length > 10; k++) {
      const at = Math.floor(r() * text.length);
      texts.push(text.slice(0, at) + text.slice(at + Math.floor(r() * 40)));
    }
    for (const t of texts) {
      const tree = g.pythonParser.parse(t)!;
      try {
        if (tree.rootNode.hasError) broken++;
        assertSameNodes(name, tree.rootNode, flatRoot(flatten(tree, t)));
      } finally {
        tree.delete();
      }
    }
  }
  assert.ok(broken > 5, 'some mutants do not parse');
});

test('the output checks on flat trees find what their node-API versions found, on each input and its converted output', async () => {
  const g = await loadGrammars();
  const parser = g.pythonParser;
  let problems = 0;
  let converted = 0;
  for (const { name, text } of inputs()) {
    const result = await convertText(text);
    const output = applyEdits(text, result.edits);
    if (output !== text) converted++;
    // the draft as convertFile hands it over: one parse shared by every check, and a broken one
    for (const out of [output, output.replace(/\bdlopen\(/, 'dlopen(('), output.replace('FFI()', 'FFI()\nlib.x.argtypes = [1]\n')]) {
      const input = new ParsedText(parser, text);
      const shared = new ParsedText(parser, out);
      try {
        const want = [nodeApiUnsafeCtypesShapes(parser, text, out), nodeApiUnsafeCffiUses(parser, out), nodeApiCtypesCallbackArgumentsInCffi(parser, out)];
        problems += want.flat().length;
        assert.deepEqual([unsafeCtypesShapes(parser, input, shared), unsafeCffiUses(parser, shared), ctypesCallbackArgumentsInCffi(parser, shared)], want, name);
        assert.deepEqual([unsafeCtypesShapes(parser, text, out), unsafeCffiUses(parser, out), ctypesCallbackArgumentsInCffi(parser, out)], want, `${name}, from strings`);
      } finally {
        input.dispose();
        shared.dispose();
      }
    }
  }
  assert.ok(converted > 20, 'most inputs convert');
  assert.ok(problems > 10, 'the checks find problems to compare');
});
