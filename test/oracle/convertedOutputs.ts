/**
 * Writes the single-file converter's whole answer (edits applied, TODOs, notes, extra files) for a fixed corpus to
 * one file per input, so a change meant to keep the output can be diffed before/after:
 * `node --import tsx test/oracle/convertedOutputs.ts DIR [--programs N]`, then `diff -r BEFORE AFTER`.
 * The corpus: fuzz programs (every file), the runtime corpus, the real packages (installed and their API-mode
 * fixtures), generated bindings, and each of those texts broken at random places; every text in ABI and API mode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, convertText } from '../../server/src/convert/convertFile';
import { generate } from '../fuzz/generator';
import { rng } from '../protocol/fuzzLsp';

const DIST = '/usr/lib/python3/dist-packages';

export function corpus(programs: number): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const dirOf = (name: string, dir: string) => {
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) out.push({ name: `${name}/${f}`, text: fs.readFileSync(path.join(dir, f), 'utf8') });
  };
  dirOf('runtime', path.join(__dirname, '../runtime/programs'));
  dirOf('realpkg', path.join(__dirname, '../realpkg/programs'));
  for (const pkg of ['magic', 'libarchive', 'pysodium']) if (fs.existsSync(path.join(DIST, pkg))) dirOf(pkg, path.join(DIST, pkg));
  for (let seed = 1; seed <= programs; seed++) {
    const p = generate(seed);
    for (const [rel, text] of Object.entries(p.files)) out.push({ name: `fuzz${seed}/${rel}`, text });
  }
  const lines = ['import ctypes', 'from ctypes import c_int, c_char_p, CFUNCTYPE, Structure, POINTER', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 60; i++) lines.push(`class S${i}(Structure):`, `    _fields_ = [("a", c_int), ("s", c_char_p)]`, `CB${i} = CFUNCTYPE(c_int, c_int)`, `_lib.k_${i}.argtypes = [CB${i}, POINTER(S${i})]`, `_lib.k_${i}.restype = c_int`, `def cb_${i}(x):`, `    return x`, `_lib.k_${i}(CB${i}(cb_${i}), ctypes.byref(S${i}()))`, `r_${i} = _lib.f_${i}(${i}, b"x")`, `print(S${i}().s, type(S${i}()))`);
  out.push({ name: 'generated/structs.py', text: lines.join('\n') + '\n' });
  const fns = ['import ctypes', 'from ctypes import c_int, c_char_p', '_lib = ctypes.CDLL("libdemo.so")'];
  for (let i = 0; i < 300; i++) fns.push(`_lib.f_${i}.argtypes = [c_int, c_char_p]`, `_lib.f_${i}.restype = c_int`, `r_${i} = _lib.f_${i}(${i}, b"x")`);
  out.push({ name: 'generated/functions.py', text: fns.join('\n') + '\n' });
  // mutants: a cut at a random place, which often leaves a tree with errors
  const r = rng(7);
  for (const { name, text } of [...out]) {
    if (name.startsWith('fuzz') && r() < 0.7) continue;
    for (let k = 0; k < 2 && text.length > 10; k++) {
      const at = Math.floor(r() * text.length);
      out.push({ name: `${name}.mutant${k}`, text: text.slice(0, at) + text.slice(at + Math.floor(r() * 40)) });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: convertedOutputs.ts DIR [--programs N]');
  const i = process.argv.indexOf('--programs');
  const programs = i > 0 ? Number(process.argv[i + 1]) : 200;
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const { name, text } of corpus(programs)) {
    for (const mode of ['abi-inline', 'api-outofline'] as const) {
      let answer: string;
      try {
        const r = await convertText(text, { mode });
        answer = JSON.stringify({ output: applyEdits(text, r.edits), left: r.leftForHuman, notes: r.notes, extra: r.extraFiles, changed: r.changedFiles, todosOnly: r.todosOnly }, null, 1);
      } catch (e) {
        answer = `threw: ${(e as Error).stack?.split('\n').slice(0, 2).join(' ')}`;
      }
      fs.writeFileSync(path.join(dir, `${name.replace(/\//g, '__')}.${mode}.json`), answer);
      n++;
    }
  }
  console.log(`${n} conversions written to ${dir}`);
}

if (require.main === module) void main();
