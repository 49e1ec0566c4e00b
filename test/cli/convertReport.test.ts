// `convert`'s report on stderr: each thing left for a person at its line of the converted text (where its TODO
// is), in order, for one file (stdout, --write) and for a folder (the project engine); the output keeps to the
// project's line length. The same report over LSP: test/protocol/convertReport.test.ts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOURCE } from '../protocol/reportSource';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');

/** TODOs of a text: 1-based line and reason, continuation lines joined. */
function todos(text: string): { line: number; reason: string }[] {
  const lines = text.split('\n');
  const out: { line: number; reason: string }[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*# TODO\(pypy-bindings\): (.*)$/.exec(l);
    if (!m) return;
    let reason = m[1]!;
    for (let j = i + 1; /^\s*# {3}\S/.test(lines[j] ?? ''); j++) reason += ` ${lines[j]!.trim().slice(1).trim()}`;
    out.push({ line: i + 1, reason });
  });
  return out;
}

const listed = (stderr: string, file: string) =>
  [...stderr.matchAll(/^(.*?):(\d+): left for a human: (.*)$/gm)].filter((m) => m[1] === file).map((m) => ({ line: Number(m[2]), reason: m[3]! }));

test('convert FILE lists what it left at the TODO lines of the converted text, in order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-cli-'));
  try {
    fs.writeFileSync(path.join(dir, 'tox.ini'), '[flake8]\nmax-line-length = 72\n');
    const file = path.join(dir, 'm.py');
    fs.writeFileSync(file, SOURCE);
    const r = spawnSync(process.execPath, [BIN, 'convert', file], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const marks = todos(r.stdout);
    assert.ok(marks.length >= 3, r.stdout);
    assert.deepEqual(listed(r.stderr, file), marks, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l.length > 72), [], 'tox.ini says 72 columns');
    // --write gives the same text and the same report
    const w = spawnSync(process.execPath, [BIN, 'convert', file, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(w.status, 0, w.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), r.stdout);
    assert.deepEqual(listed(w.stderr, file), marks);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('convert FOLDER lists each cause at its TODO line of the written module', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-report-dir-'));
  try {
    const pkg = path.join(dir, 'zb');
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, '__init__.py'), '');
    const text = [
      'import ctypes',
      'from ctypes.util import find_library',
      '',
      'zlib = ctypes.CDLL(find_library("z"))',
      'zlib.crc32.argtypes = [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_uint]',
      'zlib.crc32.restype = ctypes.c_ulong',
      'checksum = zlib.crc32',
      '',
      '',
      'def name():',
      '    return zlib._name',
      '',
      '',
      'def handle():',
      '    return zlib._handle',
      '',
    ].join('\n');
    const file = path.join(pkg, 'core.py');
    fs.writeFileSync(file, text);
    const r = spawnSync(process.execPath, [BIN, 'convert', pkg, '--write'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = fs.readFileSync(file, 'utf8');
    const marks = todos(out);
    assert.equal(marks.length, 2, out);
    assert.deepEqual(listed(r.stderr, file), marks, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
