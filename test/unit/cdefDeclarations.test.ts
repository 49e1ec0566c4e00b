// The cdef declarations read by the cffi-language parser (analysis/cdefCheck.ts, one parse per cdef) against
// those the tree-sitter reader reads off the masked C (analysis/cdef.ts's CReader, kept as the oracle and as
// the fallback): equal names, spans, texts and type strings, on generated cdefs (the bench's generators), on
// real text we did not write (the headers python-magic and libarchive-c bind, from libmagic-dev and
// libarchive-dev, libsodium-dev's and zlib1g-dev's, with the declarations cffi rejects taken out; the libc
// prototype table), and on those cdefs mutated at random. Whether the
// parse read them itself or fell back is counted: the comparison must see both, and mostly the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { CFFI_PREDEFINED_TYPES, externPythonAt, maskCffiSyntax, parseCdef } from '../../server/src/analysis/cdef';
import { checkCdef } from '../../server/src/analysis/cdefCheck';
import { allPrototypes, cTypedefs, prototypeToCdef } from '../../server/src/data/cPrototypes';
import { loadGrammars } from '../../server/src/parser/languages';
import { BASES, EXTRAS, mutants, tokens } from '../oracle/cdefCorpus';

// the bench's generators (bench/ builds on test/, so they are loaded at run time, not imported)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.join(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, every?: number): string };

const HEADERS = ['/usr/include/archive.h', '/usr/include/archive_entry.h', '/usr/include/magic.h', '/usr/include/zlib.h', '/usr/include/zconf.h'];
const SODIUM = '/usr/include/sodium';

/** Whether the cffi-language parser reads this cdef's declarations itself (else parseCdef asks tree-sitter). */
function readsItself(text: string): boolean {
  const masked = maskCffiSyntax(text);
  const r = checkCdef(text, CFFI_PREDEFINED_TYPES, { masked: masked.c, span: (s, e) => ({ start: s, end: e }) as never, isExternPython: (s) => externPythonAt(text, masked, s) });
  return r.declarations !== undefined;
}

interface Tally {
  sources: number;
  /** Sources the checker finds no problem in. */
  valid: number;
  itself: number;
  declarations: number;
}

function compare(cParser: Parser, name: string, text: string, tally: Tally): void {
  const decoded = { value: text, offsets: [...Array(text.length + 1).keys()], exact: true };
  const toSpan = (s: number, e: number) => ({ start: s, end: e });
  const got = parseCdef(cParser, decoded, toSpan);
  const want = parseCdef(cParser, decoded, toSpan, true);
  assert.deepEqual(got, want, name);
  tally.sources++;
  if (!want.problems.length) tally.valid++;
  if (readsItself(text)) tally.itself++;
  tally.declarations += want.declarations.length;
}

/** Blanks [from, to) keeping newlines, so every offset stays where it was. */
function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, ' ') + text.slice(to);
}

/**
 * A real header as a cdef: `#ifdef __cplusplus` blocks, directives other than an integer `#define` and the
 * export macros taken out, then every top-level declaration cffi's language rejects (as the checker sees it)
 * blanked. What is left is the header's own text, comments and layout included.
 */
function headerAsCdef(cParser: Parser, raw: string): string {
  let text = raw.replace(/__attribute__\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)/g, (m) => ' '.repeat(m.length));
  text = text.replace(/\b(SODIUM_EXPORT_WEAK|SODIUM_EXPORT|__LA_DECL|__LA_DEPRECATED|ZEXTERN|ZEXPORTVA|ZEXPORT|__THROW|__wur)\b/g, (m) => ' '.repeat(m.length));
  const lines = text.split('\n');
  let cplusplus = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const directive = /^\s*#/.test(l);
    if (directive && /^\s*#\s*if(def)?\b.*__cplusplus/.test(l)) cplusplus = 1;
    else if (cplusplus && directive && /^\s*#\s*if/.test(l)) cplusplus++;
    else if (cplusplus && directive && /^\s*#\s*endif/.test(l)) cplusplus--, (lines[i] = '');
    if (cplusplus || (directive && !/^\s*#\s*define\s+\w+\s+(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*$/.test(l))) {
      lines[i] = '';
      while (lines[i]!.endsWith('\\') && i + 1 < lines.length) lines[++i] = '';
    }
  }
  text = lines.join('\n');
  const tree = cParser.parse(text)!;
  const known = new Set(CFFI_PREDEFINED_TYPES);
  const cuts: [number, number][] = [];
  for (const top of tree.rootNode.namedChildren) {
    if (!top || top.type === 'comment') continue;
    let end = top.endIndex;
    const semi = /^\s*;/.exec(text.slice(end));
    if (semi) end += semi[0].length;
    const checked = checkCdef(text.slice(top.startIndex, end), known);
    if (top.type === 'ERROR' || top.hasError || checked.problems.length) cuts.push([top.startIndex, end]);
    else for (const t of checked.typedefNames) known.add(t.name);
  }
  tree.delete();
  for (const [s, e] of cuts) text = blank(text, s, e);
  return text;
}

/** Mutants that keep a cdef valid (mostly): layout and comments between tokens, an extra qualifier or star. */
function layoutMutants(src: string, seed: number, count: number): string[] {
  let x = seed;
  const rnd = (n: number) => ((x = (x * 1103515245 + 12345) & 0x7fffffff) % Math.max(1, n));
  const toks = tokens(src);
  const inserts = [' ', '\n', '\t', '  /* note */ ', '/**/', ' // note\n', '\n\n    ', ' /* a\n b */ ', ' const ', '*', ' volatile '];
  const out: string[] = [];
  for (let k = 0; k < count && toks.length; k++) {
    const at = new Set<number>();
    for (let j = 0; j < 1 + rnd(4); j++) at.add(toks[rnd(toks.length)]!.s);
    let t = '';
    let last = 0;
    for (const p of [...at].sort((a, b) => a - b)) {
      t += src.slice(last, p) + inserts[rnd(inserts.length)]!;
      last = p;
    }
    out.push(t + src.slice(last));
  }
  return out;
}

test('declarations from the cffi-language parse equal the tree-sitter reader on generated and corpus cdefs', async () => {
  const g = await loadGrammars();
  const tally: Tally = { sources: 0, valid: 0, itself: 0, declarations: 0 };
  for (const [i, text] of [...BASES, ...EXTRAS].entries()) compare(g.cParser, `corpus ${i}`, text, tally);
  for (const [k, part] of bindingFile(3_000, 2).split('ffi.cdef("""').slice(1).entries()) compare(g.cParser, `bench cdef ${k}`, part.split('""")')[0]!, tally);
  const typedefs = [...cTypedefs()].map(([name, def]) => `typedef ${def} ${name};`);
  compare(g.cParser, 'libc prototype table', [...typedefs, ...allPrototypes().map(prototypeToCdef)].join('\n'), tally);
  assert.ok(tally.itself > 0.8 * tally.valid && tally.declarations > 1_000, JSON.stringify(tally));
});

test('declarations from the cffi-language parse equal the tree-sitter reader on real headers', async () => {
  const g = await loadGrammars();
  const tally: Tally = { sources: 0, valid: 0, itself: 0, declarations: 0 };
  assert.ok(fs.existsSync(SODIUM), `${SODIUM} missing: install libsodium-dev (scripts/system-deps.sh)`);
  const headers = [...HEADERS, ...fs.readdirSync(SODIUM).filter((f) => f.endsWith('.h')).sort().map((f) => path.join(SODIUM, f))];
  let real = 0;
  for (const h of headers) {
    assert.ok(fs.existsSync(h), `${h} missing (scripts/system-deps.sh)`);
    const text = headerAsCdef(g.cParser, fs.readFileSync(h, 'utf8'));
    const before = tally.itself;
    compare(g.cParser, h, text, tally);
    if (tally.itself > before) real++;
  }
  // most headers, comments and all, are read by the one parse; and the comparison saw real work
  assert.ok(real > 0.8 * headers.length, `${real} of ${headers.length} headers read without tree-sitter`);
  assert.ok(tally.declarations > 1_000, JSON.stringify(tally));
});

test('declarations from the cffi-language parse equal the tree-sitter reader on mutated cdefs', async () => {
  const g = await loadGrammars();
  const tally: Tally = { sources: 0, valid: 0, itself: 0, declarations: 0 };
  const bench = bindingFile(400, 2).split('ffi.cdef("""')[1]!.split('""")')[0]!;
  for (const [i, b] of [...BASES, bench].entries()) {
    for (const [k, m] of layoutMutants(b, 7 + i, 12).entries()) compare(g.cParser, `layout mutant ${i}.${k}: ${JSON.stringify(m)}`, m, tally);
    for (const [k, m] of mutants(b, 2).entries()) compare(g.cParser, `mutant ${i}.${k}: ${JSON.stringify(m)}`, m, tally);
  }
  // both paths were compared: broken mutants fall back to tree-sitter, the layout ones mostly do not
  assert.ok(tally.itself > 0.6 * tally.valid && tally.itself < tally.sources, JSON.stringify(tally));
});

test('`#define NAME ...`, `A = ...` and `extern "Python" { ... }` keep the declarations around them, on both paths', async () => {
  const g = await loadGrammars();
  const text = [
    '#define BUF_SIZE ...',
    'int after_define(int a);',
    'enum valued { V_A = ..., V_B = ... };',
    'extern "Python" {',
    '    int cb_one(int);',
    '    void cb_two(void *);',
    '}',
    'int plain(void);',
  ].join('\n');
  assert.ok(readsItself(text));
  const decoded = { value: text, offsets: [...Array(text.length + 1).keys()], exact: true };
  for (const treeSitter of [false, true]) {
    const parsed = parseCdef(g.cParser, decoded, (s, e) => ({ start: s, end: e }), treeSitter);
    const summary = parsed.declarations.map((d) => `${d.kind} ${d.name}${d.kind === 'function' ? ` ${d.returns}(${d.params!.map((p) => p.type).join(', ')})${d.externPython ? ' extern "Python"' : ''}` : ''}${d.kind === 'enumerator' ? ` = ${JSON.stringify(d.text)}` : ''}`);
    assert.deepEqual(summary, [
      'macro BUF_SIZE',
      'function after_define int(int)',
      'enum valued',
      'enumerator V_A = "V_A"',
      'enumerator V_B = "V_B"',
      'function cb_one int(int) extern "Python"',
      'function cb_two void(void *) extern "Python"',
      'function plain int()',
    ], treeSitter ? 'tree-sitter' : 'one parse');
    assert.equal(parsed.declarations[0]!.text, '#define BUF_SIZE ...');
  }
});
