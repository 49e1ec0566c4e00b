// The rewrite's render and propagation walks read the input's flat copy and make a Node only for what a rule can match
// (rewrite/rewriter.ts, rewrite/staysCtypes.ts): they must find what their node-API versions found
// (test/oracle/nodeApiRewrite.ts) — the same edits, frozen code, requests to the next round, TODOs, helpers and handles —
// on fuzz programs, the runtime corpus, the real packages and generated bindings, broken at random places too, in ABI
// and API mode, in a first round and in a second one that reads the first one's requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parser } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { InputTree } from '../../server/src/convert/inputTree';
import { readCtypes } from '../../server/src/convert/readCtypes';
import { keyOf } from '../../server/src/convert/syntax';
import { Rewriter } from '../../server/src/convert/rewrite/rewriter';
import { NodeApiRewriter, nodeApiComputeFrozen } from '../oracle/nodeApiRewrite';
import { corpus } from '../oracle/convertedOutputs';

function round(parser: Parser, text: string, oracle: boolean, api: boolean, demoted: ReadonlyMap<string, string>) {
  const input = InputTree.parse(parser, text);
  try {
    const program = readCtypes(text, input);
    const rw = oracle ? new NodeApiRewriter(program, 'ffi', api, demoted) : new Rewriter(program, 'ffi', api, demoted);
    rw.plan();
    rw.collectKinds();
    if (oracle) {
      // what stays ctypes this round, found again by the node-API walk
      rw.frozen.clear();
      rw.ctypesArguments.length = 0;
      nodeApiComputeFrozen(rw);
    }
    const edits: { start: number; end: number; newText: string }[] = [];
    rw.collectEdits(input.root, edits);
    rw.propagate();
    return {
      edits,
      frozen: [...rw.frozen].sort(),
      ctypesArguments: rw.ctypesArguments,
      requests: [...rw.requests],
      human: rw.human.map((h) => [keyOf(h.node), h.reason]),
      helpers: [...rw.helpers],
      handles: [...rw.handles],
    };
  } finally {
    input.tree.delete();
  }
}

test('the render and propagation walks on the flat copy find what the node-API walks found, in two rounds, ABI and API mode', async () => {
  const g = await loadGrammars();
  let rewritten = 0;
  let requested = 0;
  // the installed packages' modules once each (their mutants and pysodium's long module make the test slow, not sharper)
  for (const { name, text } of corpus(10).filter((c) => !c.name.startsWith('pysodium/') && !/^(magic|libarchive)\/.*mutant/.test(c.name))) {
    for (const api of [false, true]) {
      let demoted: ReadonlyMap<string, string> = new Map();
      for (const r of [1, 2]) {
        const flat = round(g.pythonParser, text, false, api, demoted);
        const nodes = round(g.pythonParser, text, true, api, demoted);
        assert.deepEqual(flat, nodes, `${name} (${api ? 'API' : 'ABI'} mode, round ${r})`);
        if (flat.edits.length) rewritten++;
        if (flat.requests.length) requested++;
        demoted = new Map([...demoted, ...flat.requests]);
      }
    }
  }
  // the corpus exercises both walks: edits to compare, and requests that make a second round freeze code
  assert.ok(rewritten > 200, `${rewritten} rounds rewrote something`);
  assert.ok(requested > 30, `${requested} rounds asked the next one to keep something in ctypes`);
});
