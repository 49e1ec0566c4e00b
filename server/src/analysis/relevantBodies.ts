import type { Parser } from 'web-tree-sitter';
import { ParsedDocument } from '../documents/parsedDocument';
import { CTYPES_EXPORTS } from './ctypesNames';
import { defBodies, withBodiesSkipped, type DefBody } from './defBodies';
import type { RegionFacts } from './regionFacts';
import { IMPORT_WORD, namesPattern, relevantFixpoint, SEEDS } from './relevantRegions';

/**
 * Words of the rules that read a call whatever its object is bound to (PB203's `X.from_address(id(o))`): a body
 * holding one is kept.
 */
const RULE_WORDS = ['from_address'];

/** An import statement that can bind a C-valued name: it names a binding module or an out-of-line `ffi` (its line; a parenthesized list runs on to `)`). */
const BINDING_IMPORT_LINE = /^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import\b(?:[ \t]*\([^)]*\)?|[^\n]*)/gm;
const BINDING_WORD = /ctypes|cffi|cppyy|_rawffi|\bffi\b|MixedModule/;
/** A line binding a name from what follows: an assignment (its target's root, its value) or a class (its name, its bases). */
const BINDING_LINE = /^[ \t]*(?:class[ \t]+([A-Za-z_]\w*)[ \t]*\(([^\n]*)|([A-Za-z_]\w*)[\w.[\]'", \t*]*?=(?!=)([^\n]*))/gm;

/**
 * Adds to `names` the names of `pairs` (name, what binds it) whose binder mentions one of them as a whole word,
 * until none is added: a worklist over the binders' words (one regex of every name per round was quadratic on a
 * file with `from ctypes import *`).
 */
function close(names: Set<string>, pairs: readonly (readonly [string, string])[]): void {
  const byWord = new Map<string, string[]>();
  for (const [name, from] of pairs) {
    if (names.has(name)) continue;
    for (const w of from.matchAll(/\w+/g)) {
      const list = byWord.get(w[0]);
      if (!list) byWord.set(w[0], [name]);
      else if (list[list.length - 1] !== name) list.push(name);
    }
  }
  const work = [...names];
  for (let n = work.pop(); n !== undefined; n = work.pop()) {
    for (const name of byWord.get(n) ?? []) {
      if (names.has(name)) continue;
      names.add(name);
      work.push(name);
    }
    byWord.delete(n);
  }
}

/**
 * The names through which code can reach C in a file linked without a workspace evaluation: the seeds, the
 * names bound by imports of binding modules (every ctypes name for `from ctypes import *`) or of an `ffi`, and,
 * until nothing is added, assignment targets (their root) whose value mentions one and classes deriving from one.
 * Names bound from other imports are left out: without an evaluation they hold nothing of C, and what they
 * change (how a name is qualified) is read from the import statements, which are always analysed.
 */
function bindingNames(facts: readonly RegionFacts[]): Set<string> {
  const names = new Set([...SEEDS, ...RULE_WORDS]);
  const pairs: [string, string][] = [];
  for (const f of facts) {
    for (const imp of f.imports) {
      if (!imp.binding && !BINDING_WORD.test(imp.module) && !imp.names.some((n) => BINDING_WORD.test(n.name))) continue;
      if (imp.star && imp.module === 'ctypes') for (const n of CTYPES_EXPORTS) names.add(n);
      if (imp.boundName) names.add(imp.boundName);
      for (const n of imp.names) names.add(n.asName);
    }
    for (const a of f.assigns) {
      const root = /^[A-Za-z_]\w*/.exec(a.target.text)?.[0];
      if (root) pairs.push([root, a.value.text]);
    }
    for (const c of f.classes) pairs.push([c.name, c.bases.join(',')]);
  }
  close(names, pairs);
  return names;
}

const IMPORT_KEYWORDS = new Set(['from', 'import', 'as']);

/** bindingNames guessed from the text alone (wider is safe, it only keeps more bodies; narrower costs a round). */
function guessedBindingNames(text: string): Set<string> {
  const names = new Set([...SEEDS, ...RULE_WORDS]);
  for (const m of text.matchAll(BINDING_IMPORT_LINE)) {
    if (!BINDING_WORD.test(m[0])) continue;
    for (const w of m[0].matchAll(/[A-Za-z_]\w*/g)) if (!IMPORT_KEYWORDS.has(w[0])) names.add(w[0]);
    if (m[0].includes('*')) for (const n of CTYPES_EXPORTS) names.add(n);
  }
  const pairs: [string, string][] = [];
  for (const m of text.matchAll(BINDING_LINE)) {
    let from = m[2] ?? m[4]!;
    // a value that opens a triple-quoted string runs on to its end (`code = """…import ctypes…"""`)
    const q = /"""|'''/.exec(from)?.[0];
    if (q && from.split(q).length % 2 === 0) {
      const end = m.index! + m[0].length;
      const closing = text.indexOf(q, end);
      from += text.slice(end, closing < 0 ? text.length : closing);
    }
    pairs.push([m[1] ?? m[3]!, from]);
  }
  close(names, pairs);
  return names;
}

/** Below this share of the text left out, the parse saved does not pay for the second look at the names. */
const WORTH_SKIPPING = 0.1;

/**
 * For one-shot analysis without a workspace evaluation (the CLI): the document parsed with the bodies of the
 * defs that cannot matter replaced by `pass` (defBodies.ts), so a test class that names ctypes in one method is
 * not parsed and walked whole. A body cannot matter when it holds no import and names nothing of
 * bindingNames: the model is made of facts that name one (libraries, functions, structs, ffi objects, ctypes
 * names, each found through a name bound from a binding module), and what the rules read of the rest they read
 * from the whole text (`model.text`: PB207's sole assignment, PB204's later `.decode`, noqa comments), which is
 * kept. The names are guessed from the text, then checked against the facts of the parse: a body left out
 * that names one is kept in another round. Undefined when little would be left out or the parse has a syntax
 * error (tree-sitter's recovery is not local: a body left out could change the statements around it), or a
 * star import of an unknown module makes every region count: the caller parses the whole text.
 */
export function relevantBodiesDocument(parser: Parser, text: string): ParsedDocument | undefined {
  const bodies = defBodies(text);
  if (!bodies.length) return undefined;
  const names = guessedBindingNames(text);
  const bodyText = (b: DefBody) => text.slice(b.start, b.end);
  for (let round = 0; round < 3; round++) {
    const pattern = namesPattern(names);
    const { text: skeleton, skipped } = withBodiesSkipped(text, bodies, (b) => {
      const body = bodyText(b);
      return !IMPORT_WORD.test(body) && !pattern.test(body);
    });
    if (skipped.reduce((n, b) => n + b.end - b.start, 0) < WORTH_SKIPPING * text.length) return undefined;
    const doc = new ParsedDocument(parser, skeleton);
    const fixpoint = doc.regions.some((r) => r.tree.rootNode.hasError) ? undefined : relevantFixpoint(doc.regions);
    if (!fixpoint || fixpoint.every) {
      doc.dispose();
      return undefined;
    }
    const found = bindingNames(fixpoint.facts);
    const reached = namesPattern(found);
    if (skipped.every((b) => !reached.test(bodyText(b)))) {
      doc.text = text; // the model and the rules read the whole text
      return doc;
    }
    doc.dispose();
    for (const n of found) names.add(n);
  }
  return undefined;
}
