// The rounds read the input's ctypes declarations once (convertFile.ts's RoundPrograms): what a round sets on them is
// put back before the next, so the conversion must be exactly the one reading them again for every round gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ConvertOptions, convertText } from '../../server/src/convert/convertFile';
import { generate } from '../fuzz/generator';

async function same(text: string, options: ConvertOptions, label: string): Promise<void> {
  const kept = await convertText(text, options);
  const read = await convertText(text, { ...options, readEveryRound: true });
  assert.deepEqual(kept, read, label);
}

/** Rounds that set what the reuse puts back: a prototype a round leaves for a person, a function called without argtypes, a struct spelled by a header. */
const CRAFTED = [
  ['import ctypes', 'from ctypes import c_int, c_char_p, CFUNCTYPE, POINTER, Structure', '_lib = ctypes.CDLL("libdemo.so")', 'CB = CFUNCTYPE(c_int, c_int)', 'class S(Structure):', '    _fields_ = [("a", c_int), ("b", c_char_p)]', '_lib.k.argtypes = [CB, POINTER(S)]', '_lib.k.restype = c_int', 'def cb(x):', '    return x', 's = S(1, b"x")', 'print(_lib.k(CB(cb), ctypes.byref(s)), _lib.strlen(b"abc"), isinstance(cb, CB))', ''].join('\n'),
  ['import ctypes', 'libc = ctypes.CDLL("libc.so.6")', 'other = ctypes.CDLL("libm.so.6")', 'libc.abs.argtypes = [ctypes.c_int]', 'other.cos.argtypes = [ctypes.c_double]', 'other.cos.restype = ctypes.c_double', 'x = ctypes.c_int(3)', 'print(libc.abs(x), other.cos(1.0), libc.labs(ctypes.byref(x)))', ''].join('\n'),
];

test('the rounds convert with their first read of the declarations as with a read per round', async () => {
  for (const [i, text] of CRAFTED.entries()) {
    for (const mode of ['abi-inline', 'api-outofline'] as const) {
      await same(text, { mode }, `crafted ${i} (${mode})`);
      for (const lib of ['_lib', 'libc', 'other']) await same(text, { mode, only: { libraryName: lib } }, `crafted ${i} (${mode}, only ${lib})`);
    }
  }
  const dir = path.join(__dirname, '../runtime/programs');
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) await same(fs.readFileSync(path.join(dir, f), 'utf8'), { mode: 'abi-inline' }, `runtime ${f}`);
  for (let seed = 1; seed <= 40; seed++) {
    for (const [rel, text] of Object.entries(generate(seed).files)) await same(text, { mode: seed % 2 ? 'abi-inline' : 'api-outofline' }, `fuzz seed ${seed} ${rel}`);
  }
});
