import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// check's exit codes (as ruff's), files read and written as Python does (encodings, BOMs, line endings),
// and convert --write's atomic, change-checked write: all through the real CLI.

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pypy-bindings.js');
const PY = '/usr/bin/python3';

function run(args: string[], opts: { preload?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [...(opts.preload ? ['--require', opts.preload] : []), BIN, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether CPython compiles the file (it reads the encoding declaration and BOM itself). */
function compiles(file: string): { ok: boolean; err: string } {
  const r = spawnSync(PY, ['-c', 'import sys; compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")', file], { encoding: 'utf8' });
  return { ok: r.status === 0, err: r.stderr };
}

// one import, on the first line: where a BOM sits
const BINDING = [
  'import ctypes',
  '',
  'libc = ctypes.CDLL("libc.so.6")',
  'libc.strlen.argtypes = [ctypes.c_char_p]',
  'n = libc.strlen(b"hello")',
  'print(n)',
  '',
].join('\n');
/** The line (1-based) of BINDING where PB204 (result used without restype) is reported. */
const PB204_LINE = 5;

let dir: string;
before(() => {
  assert.ok(fs.existsSync(BIN), 'the CLI must be built first (npm run build)');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-filetext-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function put(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

test('check exits 2 with the reason on stderr for a missing path, even beside findings', () => {
  const good = put('findings.py', BINDING);
  const r = run(['check', good, path.join(dir, 'missing.py')]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /missing\.py: no such file/);
  assert.match(r.stdout, /PB204/, 'the findings of the other file are still printed');
  assert.equal(run(['check', good]).status, 1, 'findings alone: 1');
  assert.equal(run(['check', put('clean.py', 'print(1)\n')]).status, 0, 'nothing found: 0');
});

test('a file that cannot be decoded is reported (exit 2), not skipped', () => {
  const bad = put('bad_utf8.py', Buffer.concat([Buffer.from('import ctypes\nx = "'), Buffer.from([0xe9, 0xff]), Buffer.from('"\n')]));
  assert.ok(!compiles(bad).ok, 'CPython rejects it too');
  const r = run(['check', bad]);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /bad_utf8\.py: cannot decode it as utf-8/);
  const unknown = put('unknown_coding.py', '# -*- coding: klingon -*-\nimport ctypes\n');
  const u = run(['check', unknown]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown encoding "klingon"/);
});

test('an expression 3,000 levels deep is a file without findings, with a message (exit 0), not a failure', () => {
  const deep = put('deep.py', `import ctypes\nlibc = ctypes.CDLL(None)\nx = ${'('.repeat(3000)}1${')'.repeat(3000)}\ny = ${'1+'.repeat(3000)}1\n`);
  const r = run(['check', deep]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /deep\.py: nested too deeply to analyse/);
  assert.doesNotMatch(r.stderr, /Maximum call stack/);
});

test('a b"\\UFFFFFFFF" literal (valid bytes: \\U is no escape there) does not stop the file being checked', () => {
  const src = BINDING.replace('n = libc.strlen(b"hello")', 'n = libc.strlen(b"\\UFFFFFFFF")') + 'u = "\\U0001F600\\x41\\101"\n';
  const file = put('ulit.py', src);
  assert.ok(compiles(file).ok, compiles(file).err);
  const r = run(['check', '--format', 'json', file]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, '');
  const reported = JSON.parse(r.stdout) as { code: string; line: number }[];
  assert.ok(reported.some((x) => x.code === 'PB204' && x.line === PB204_LINE), r.stdout);
});

for (const [name, bytes] of [
  ['utf-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BINDING)])],
  ['UTF-16 LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BINDING, 'utf16le')])],
  ['UTF-16 BE BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(BINDING, 'utf16le').swap16()])],
  ['latin-1 declaration', Buffer.from(`# -*- coding: latin-1 -*-\n# caf\xe9\n${BINDING}`, 'latin1')],
  ['CR line ends', Buffer.from(BINDING.replace(/\n/g, '\r'))],
] as const) {
  test(`check reads a file with a ${name} as Python does`, () => {
    const file = put(`enc_${name.replace(/\W+/g, '_')}.py`, bytes);
    const r = run(['check', '--format', 'json', file]);
    assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
    const offset = name === 'latin-1 declaration' ? 2 : 0;
    const reported = JSON.parse(r.stdout) as { code: string; line: number }[];
    assert.ok(reported.some((x) => x.code === 'PB204' && x.line === PB204_LINE + offset), `PB204 on line ${PB204_LINE + offset}: ${r.stdout}`);
  });
}

test('convert --write keeps a latin-1 file latin-1 (é stays é, the declaration stays true)', () => {
  const src = `# -*- coding: latin-1 -*-\n# caf\xe9 cr\xe8me\n${BINDING}`;
  const file = put('latin1.py', Buffer.from(src, 'latin1'));
  assert.ok(compiles(file).ok);
  const r = run(['convert', '--write', file]);
  assert.equal(r.status, 0, r.stderr);
  const bytes = fs.readFileSync(file);
  assert.ok(!bytes.includes(Buffer.from('\ufffd')), 'no replacement character');
  const text = bytes.toString('latin1');
  assert.match(text, /^# -\*- coding: latin-1 -\*-\n# caf\xe9 cr\xe8me\n/);
  assert.match(text, /ffi\.dlopen/, 'converted');
  assert.ok(compiles(file).ok, compiles(file).err);
});

test('convert --write keeps a UTF-8 BOM and CRLF line ends; every new line ends in CRLF', () => {
  const src = '\ufeff' + BINDING.replace(/\n/g, '\r\n');
  const file = put('crlf.py', Buffer.from(src, 'utf8'));
  const r = run(['convert', '--write', file]);
  assert.equal(r.status, 0, r.stderr);
  const bytes = fs.readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
  const text = bytes.toString('utf8');
  assert.match(text, /ffi\.cdef/, 'converted');
  assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no LF-only line');
  assert.equal(text.replace(/\r\n/g, '').includes('\r'), false, 'no CR-only line');
  assert.ok(compiles(file).ok, compiles(file).err);
  // stdout (no --write) uses the file's line ends too
  const again = put('crlf2.py', Buffer.from(BINDING.replace(/\n/g, '\r\n')));
  const out = run(['convert', again]).stdout;
  assert.match(out, /ffi\.dlopen/);
  assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
});

test('convert --write refuses to overwrite a save made while it ran, and keeps the saved text', () => {
  const file = put('raced.py', BINDING);
  const saved = BINDING + 'print("saved while converting")\n';
  // a test-only preload: right after the CLI reads the file, "the user" saves a new version of it
  const hook = put('save_after_read.js', `
const fs = require('fs');
const read = fs.readFileSync;
let done = false;
fs.readFileSync = function (p, ...rest) {
  const out = read.call(this, p, ...rest);
  if (!done && String(p) === ${JSON.stringify(file)}) { done = true; fs.writeFileSync(p, ${JSON.stringify(saved)}); }
  return out;
};`);
  const r = run(['convert', '--write', file], { preload: hook });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /raced\.py: changed since it was read: not written/);
  assert.equal(fs.readFileSync(file, 'utf8'), saved, "the user's save is kept");
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
});

test('convert --write replaces the file atomically through a symlink and keeps its mode', () => {
  const real = put('real_target.py', BINDING);
  fs.chmodSync(real, 0o640);
  const link = path.join(dir, 'link.py');
  fs.symlinkSync(real, link);
  const r = run(['convert', '--write', link]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link stays a link');
  assert.match(fs.readFileSync(real, 'utf8'), /ffi\.dlopen/);
  assert.equal(fs.statSync(real).mode & 0o777, 0o640);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
