// A round's draft is parsed for its ctypes leftovers only when its text shows some may be left (convertFile.ts's
// mayUseCtypes): the conversion must be exactly the one parsing every draft gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, convertText, type ConvertMode } from '../../server/src/convert/convertFile';
import { generate } from '../fuzz/generator';
import { loadGrammars } from '../../server/src/parser/languages';

const binding = (imports: string, extra: string) => [imports, '_lib = ctypes.CDLL("libdemo.so")', '_lib.f.argtypes = [ctypes.c_int]', '_lib.f.restype = ctypes.c_int', 'r = _lib.f(1)', extra, ''].join('\n');

/** Each reach of ctypes a draft may keep (a module alias, a from-import alias, a star import, a dotted import, a local import), none, or only in a string. */
const CRAFTED = [
  binding('import ctypes', ''),
  binding('import ctypes', 'p = ctypes.py_object(3)'),
  binding('import ctypes\nfrom ctypes import py_object as PO', 'p = PO(3)'),
  binding('import ctypes\nfrom ctypes import *', 'p = py_object(3)'),
  binding('import ctypes\nimport ctypes as C', 'p = C.py_object(3)'),
  binding('import ctypes\nimport ctypes.util as cu', 'p = cu.find_library("c")'),
  binding('import ctypes', 's = "ctypes"  # ctypes'),
  binding('import ctypes', 'def g():\n    import ctypes as D\n    return D.py_object(1)'),
  binding('import ctypes', 'import os; p = ctypes.py_object(3)'),
  binding('import ctypes', 'p = (ctypes\n     .py_object(3))'),
];

async function same(text: string, mode: ConvertMode, label: string): Promise<void> {
  const scanned = await convertText(text, { mode });
  const parsed = await convertText(text, { mode, parseEveryDraft: true });
  assert.deepEqual(scanned, parsed, label);
}

test('a draft read on its text when it shows no ctypes left converts as parsing every draft does', async () => {
  for (const [i, text] of CRAFTED.entries()) for (const mode of ['abi-inline', 'api-outofline'] as const) await same(text, mode, `crafted ${i} (${mode})`);
  // the shapes the scan must not miss are left for a person: a TODO in the output says the name stays
  const first = await convertText(CRAFTED[0]!);
  assert.ok(!/ctypes/.test(applyEdits(CRAFTED[0]!, first.edits)), 'the plain binding is converted whole (its draft is not parsed)');
  for (const i of [1, 2, 3, 4, 7, 8, 9]) assert.equal((await convertText(CRAFTED[i]!)).leftForHuman.length, 1, `crafted ${i} keeps its ctypes use, with a TODO`);
  for (let seed = 1; seed <= 40; seed++) {
    for (const [rel, text] of Object.entries(generate(seed).files)) await same(text, 'abi-inline', `fuzz seed ${seed} ${rel}`);
  }
  const lines = ['import ctypes', 'from ctypes import c_int, c_char_p', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 200; i++) lines.push(`_lib.f_${i}.argtypes = [c_int, c_char_p]`, `_lib.f_${i}.restype = c_int`, `r_${i} = _lib.f_${i}(${i}, b"x")`);
  await same(lines.join('\n') + '\n', 'abi-inline', 'a generated binding of 200 functions');
});

test('a round whose draft is the last round\'s again reads its leftovers without parsing it again', async () => {
  // structs built with bytes in a char* field stay ctypes from the first round; what they keep ctypes is asked for by
  // it, so a second round confirms it, with the same draft
  const lines = ['import ctypes', 'from ctypes import c_int, c_char_p, Structure, POINTER', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 30; i++) lines.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int), ("b", c_char_p)]`, `_lib.h_${i}.argtypes = [POINTER(S${i})]`, `_lib.h_${i}.restype = c_int`, `s_${i} = S${i}(1, b"x")`, `_lib.h_${i}(ctypes.byref(s_${i}))`);
  const text = lines.join('\n') + '\n';
  const { pythonParser } = await loadGrammars();
  const parse = pythonParser.parse.bind(pythonParser);
  const parsed: string[] = [];
  pythonParser.parse = ((input: Parameters<typeof parse>[0], ...rest: unknown[]) => {
    if (typeof input === 'string') parsed.push(input);
    return (parse as (...a: unknown[]) => ReturnType<typeof parse>)(input, ...rest);
  }) as typeof pythonParser.parse;
  let reused: Awaited<ReturnType<typeof convertText>>;
  let reparsed: string[];
  try {
    reused = await convertText(text);
    reparsed = parsed.splice(0);
    const everyDraft = await convertText(text, { mode: 'abi-inline', parseEveryDraft: true });
    assert.deepEqual(reused, everyDraft);
    // parsing every draft parses one text twice (the two rounds' same draft); reading it again does not
    const twice = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i).length;
    assert.equal(twice(parsed), 1, 'the second round does parse its draft when asked to');
    assert.equal(twice(reparsed), 0, 'no text is parsed twice');
  } finally {
    pythonParser.parse = parse;
  }
  assert.ok(reused.todosOnly && reused.leftForHuman.length > 30, 'the structs and their functions stay ctypes, with TODOs');
});
