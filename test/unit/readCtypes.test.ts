// The converter's input side (server/src/convert/inputTree.ts, readCtypes.ts, desugar.ts) reads the flat copy of
// one shared parse; the node-API readers it replaced (test/oracle/nodeApiCtypes.ts, nodeApiDesugar.ts) are the
// oracles: equal programs (every declaration, with the statement and value nodes the rewrite holds), equal types
// and ctypes names of every expression the rewrite may ask about, and equal desugaring edits, on the fuzz
// generator's programs, the runtime corpus, real packages we did not write (python-magic, libarchive-c, ctypes
// itself) and the same files broken at seeded places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { loadGrammars } from '../../server/src/parser/languages';
import { InputTree } from '../../server/src/convert/inputTree';
import { type CtypesProgram, readCtypes } from '../../server/src/convert/readCtypes';
import { desugarDeclarations } from '../../server/src/convert/desugar';
import { enclosing, keyOf, walk } from '../../server/src/convert/syntax';
import { nodeApiReadCtypes } from '../oracle/nodeApiCtypes';
import { nodeApiDesugar } from '../oracle/nodeApiDesugar';
import { generate } from '../fuzz/generator';

// the bench's generators (bench/ builds on test/, so they are loaded at run time, not imported)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.join(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, every?: number): string };

const DIST = '/usr/lib/python3/dist-packages';
const STDLIB = '/usr/lib/python3.11';

function inputs(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (let seed = 1; seed <= 160; seed++) for (const [f, text] of Object.entries(generate(seed).files)) out.push({ name: `fuzz ${seed} ${f}`, text });
  out.push({ name: 'synthetic binding', text: bindingFile(1_500, 2) });
  const corpus = path.join(__dirname, '..', 'runtime', 'programs');
  for (const f of fs.readdirSync(corpus).sort()) if (f.endsWith('.py')) out.push({ name: `runtime ${f}`, text: fs.readFileSync(path.join(corpus, f), 'utf8') });
  for (const pkg of ['magic', 'libarchive']) {
    const dir = path.join(DIST, pkg);
    assert.ok(fs.existsSync(dir), `${dir} missing: install python3-magic and python3-libarchive-c (scripts/system-deps.sh)`);
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.py')) out.push({ name: `${pkg}/${f}`, text: fs.readFileSync(path.join(dir, f), 'utf8') });
  }
  for (const f of ['ctypes/__init__.py', 'ctypes/util.py', 'ctypes/_aix.py', 'ctypes/macholib/dyld.py', 'uuid.py']) {
    const p = path.join(STDLIB, f);
    if (fs.existsSync(p)) out.push({ name: f, text: fs.readFileSync(p, 'utf8') });
  }
  return out;
}

/** The same text cut at seeded places (unclosed brackets and strings, lines joined): error recovery trees. */
function broken(name: string, text: string, seed: number): { name: string; text: string } {
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % Math.max(1, n));
  let t = text;
  for (let k = 0; k < 6; k++) {
    const at = rnd(t.length);
    const cut = ['(', '"', '[', '\n', ' = ', '"""', '', ')', ':'][rnd(9)]!;
    t = t.slice(0, at) + cut + t.slice(at + rnd(3));
  }
  return { name: `${name} (broken, seed ${seed})`, text: t };
}

/** A program as plain data: nodes by span and type, maps as entries, the closures left out. */
function plain(p: CtypesProgram): string {
  return JSON.stringify(p, (k, v: unknown) => {
    if (k === 'input' || k === 'root' || k === 'text' && typeof v === 'string' && v === p.text) return undefined;
    if (v instanceof Map) return [...v.entries()];
    if (v && typeof v === 'object' && 'startIndex' in v && 'tree' in v) return keyOf(v as Node);
    return v;
  });
}

test('the flat reader gives the node-API reader\'s programs, types and ctypes names', async () => {
  const g = await loadGrammars();
  const all = inputs();
  all.push(...all.filter((_, i) => i % 3 === 0).map((f, i) => broken(f.name, f.text, i + 1)));
  let declarations = 0;
  let asked = 0;
  for (const { name, text } of all) {
    const tree = g.pythonParser.parse(text)!;
    const want = nodeApiReadCtypes(text, tree.rootNode);
    const input = new InputTree(text, tree);
    const got = readCtypes(text, input);
    assert.equal(plain(got), plain(want), name);
    declarations += want.functions.size + want.structs.size + want.libraries.size + want.prototypes.size + want.aliases.size;
    // what the rewrite asks of any expression, on the nodes a walk from the root meets
    for (const n of walk(got.root)) {
      if (n.type === 'module' || n.type === 'block' || n.type === 'comment') continue;
      assert.equal(JSON.stringify(got.typeOf(n)), JSON.stringify(want.typeOf(n)), `${name}: typeOf ${keyOf(n)}`);
      assert.equal(got.ctypesName(n), want.ctypesName(n), `${name}: ctypesName ${keyOf(n)}`);
      asked++;
    }
    // the nodes it made are those a walk meets (the rewrite compares nodes by identity in places)
    // the rewrite's scans by type: a walk's nodes, in a walk's order, the very objects
    const walked = [...walk(got.root)];
    for (const types of [['call'], ['attribute'], ['decorated_definition', 'call', 'assignment', 'for_statement', 'for_in_clause', 'augmented_assignment', 'with_item']]) {
      const want = walked.filter((n) => types.includes(n.type));
      const have = got.input.nodesOf(...types);
      assert.equal(have.length, want.length, `${name}: nodesOf(${types})`);
      have.forEach((n, i) => assert.ok(n === want[i], `${name}: nodesOf(${types}) #${i}`));
    }
    for (const id of walked.filter((n) => n.type === 'identifier').slice(0, 50)) {
      assert.deepEqual(got.input.identifiersNamed(id.text).map(keyOf), walked.filter((n) => n.type === 'identifier' && n.text === id.text).map(keyOf), `${name}: identifiers ${id.text}`);
    }
    for (const n of walked.slice(0, 400)) assert.ok(got.input.hasNode(n.startIndex, n.endIndex, n.type), `${name}: hasNode ${keyOf(n)}`);
    // the rewrite's scopes (kinds.ts) and frozen ranges (rewriter.ts) go up the flat copy's parents
    for (const n of walked.filter((_, i) => i % 7 === 0)) {
      for (const type of ['function_definition', 'class_definition'] as const) {
        const e = got.input.enclosing(n, type);
        const want = enclosing(n, type);
        assert.equal(e && keyOf(e), want && keyOf(want), `${name}: enclosing ${type} of ${keyOf(n)}`);
      }
      const i = got.input.indexOf(n);
      assert.equal(got.input.keyAt(i), keyOf(n), `${name}: indexOf ${keyOf(n)}`);
    }
    for (const f of got.functions.values()) {
      for (const d of [f.argtypes, f.restype, f.errcheck]) if (d && d.statement.parent?.type === 'module') assert.ok(got.root.namedChildren.includes(d.statement), `${name}: ${keyOf(d.statement)} is the walk's node`);
    }
    tree.delete();
  }
  assert.ok(declarations > 1_000 && asked > 100_000, `${declarations} declarations, ${asked} expressions compared`);
});

test('desugaring from the flat tree equals the node-API desugaring', async () => {
  const g = await loadGrammars();
  const all = inputs();
  all.push(...all.filter((_, i) => i % 3 === 1).map((f, i) => broken(f.name, f.text, 1000 + i)));
  let spelled = 0;
  for (const { name, text } of all) {
    const tree = g.pythonParser.parse(text)!;
    const want = nodeApiDesugar(text, tree.rootNode);
    const got = desugarDeclarations(new InputTree(text, tree));
    assert.deepEqual(got, want, name);
    if (want) spelled++;
    tree.delete();
  }
  assert.ok(spelled > 20, `${spelled} files desugared`);
});
