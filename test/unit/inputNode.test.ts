// The converter's rules, plan and kinds read the input through InputNode (convert/inputTree.ts), a node-API subset over
// the flat copy: it must answer as web-tree-sitter's Node (the oracle) on every member the converter reads — type, text,
// offsets, named-ness, row, parent, children, named children, every field, `descendantForIndex` — for every node, named
// or not, of the runtime corpus, the real packages, fuzz programs and generated bindings, broken at random places too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { InputTree } from '../../server/src/convert/inputTree';
import { corpus } from '../oracle/convertedOutputs';
import { rng } from '../protocol/fuzzLsp';

const at = (n: Node | null | undefined) => n && [n.type, n.startIndex, n.endIndex];

test('InputNode reads as Node on every node and offset of real, generated and broken files', async () => {
  const g = await loadGrammars();
  const fields = g.pythonParser.language!.fields.filter((f): f is string => !!f);
  const r = rng(11);
  let files = 0;
  let broken = 0;
  for (const { name, text } of corpus(4)) {
    const tree = g.pythonParser.parse(text)!;
    try {
      files++;
      if (tree.rootNode.hasError) broken++;
      const input = new InputTree(text, tree);
      // both trees in pre-order through `children`: every node, named or not
      const real: Node[] = [tree.rootNode];
      const mine: Node[] = [input.root];
      let count = 0;
      for (let i = 0; real.length; i++) {
        const n = real.pop()!;
        const m = mine.pop()!;
        count++;
        const where = `${name}: node ${i} (${n.type} at ${n.startIndex})`;
        assert.deepEqual([m.type, m.startIndex, m.endIndex, m.text, m.isNamed, m.startPosition.row], [n.type, n.startIndex, n.endIndex, n.text, n.isNamed, n.startPosition.row], where);
        assert.deepEqual(at(m.parent), at(n.parent), `${where}: parent`);
        assert.equal(input.indexOf(m), i, `${where}: index`);
        assert.equal(input.node(i), m, `${where}: one object per node`);
        assert.deepEqual(m.namedChildren.map(at), n.namedChildren.map(at), `${where}: named children`);
        for (const field of fields) assert.deepEqual(at(m.childForFieldName(field)), at(n.childForFieldName(field)), `${where}: field ${field}`);
        const kids = n.children;
        const mineKids = m.children;
        assert.deepEqual(mineKids.map(at), kids.map(at), `${where}: children`);
        real.push(...kids.reverse());
        mine.push(...mineKids.reverse());
      }
      assert.equal(count, input.count, `${name}: node count`);
      // every offset of a short file, a sample of a long one, and ranges
      const offsets = text.length <= 3000 ? [...Array(text.length + 1).keys()] : Array.from({ length: 1500 }, () => Math.floor(r() * (text.length + 1)));
      for (const o of offsets) {
        assert.deepEqual(at(input.root.descendantForIndex(o)), at(tree.rootNode.descendantForIndex(o)), `${name}: descendantForIndex(${o})`);
        const e = Math.min(text.length, o + Math.floor(r() * 30));
        assert.deepEqual(at(input.root.descendantForIndex(o, e)), at(tree.rootNode.descendantForIndex(o, e)), `${name}: descendantForIndex(${o}, ${e})`);
      }
    } finally {
      tree.delete();
    }
  }
  assert.ok(files > 100 && broken > 5, `real files and broken ones (${files}, ${broken} broken)`);
});
