import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { CLI, LspClient } from './lspClient';

// The server bundle's V8 code cache (server/src/startup/codeCache.ts), over the real server's stdio: written
// after the first diagnostics, used by the next server, and a corrupted, truncated, foreign or stale file is
// ignored with a line on stderr — the diagnostics are the same in every case and the server never fails.

const URI = 'file:///tmp/codecache.py';
const SOURCE = [
  'import ctypes',
  'libc = ctypes.CDLL(None)',
  'n = libc.strlen(b"x").decode()',
  'libc.printf.argtypes = [ctypes.c_char_p]',
  'r = libc.sqrt(2.5)',
  '',
].join('\n');

const cacheFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.codecache'));

/** One server with the cache in `dir`: its diagnostics of SOURCE, and its stderr once it waited `lingerMs` for the cache to be written. */
async function serve(dir: string, lingerMs: number, waitForWrite = false): Promise<{ items: unknown[]; stderr: string }> {
  const c = new LspClient(['lsp', '--stdio'], { PYPY_BINDINGS_CODE_CACHE: dir });
  try {
    await c.initialize({ pull: true });
    c.open(URI, SOURCE);
    const report = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
    const until = Date.now() + lingerMs;
    while (Date.now() < until && !(waitForWrite && /code cache written/.test(c.stderr.join('')))) await new Promise((r) => setTimeout(r, 50));
    // the server still answers after the cache step
    const again = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
    assert.ok(again);
    assert.equal(await c.shutdown(), 0);
    return { items: report.items, stderr: c.stderr.join('') };
  } finally {
    c.kill();
  }
}

test('the code cache: written once, then used; corrupted, truncated, rejected and stale files are ignored with a log line', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-codecache-'));
  try {
    // a cache another bundle left behind: deleted when this bundle's is written
    const stale = path.join(dir, 'serverMain.0123456789abcdef.codecache');
    fs.writeFileSync(stale, 'PBCC1\nnot this bundle');

    const first = await serve(dir, 15_000, true);
    assert.match(first.stderr, /code cache written: .*serverMain\.[0-9a-f]{16}\.codecache/);
    assert.ok(first.items.length >= 2, `the sample has findings: ${JSON.stringify(first.items)}`);
    assert.ok(!fs.existsSync(stale), 'the stale cache is removed');
    const [name] = cacheFiles(dir);
    assert.ok(name);
    const file = path.join(dir, name);
    const good = fs.readFileSync(file);

    // a valid cache is used and not written again
    const used = await serve(dir, 1_500);
    assert.deepEqual(used.items, first.items);
    assert.doesNotMatch(used.stderr, /ignoring the code cache|code cache written/);
    assert.deepEqual(fs.readFileSync(file), good);

    const broken: [string, Buffer, RegExp][] = [
      ['one payload byte flipped', Buffer.from(good.map((b, i) => (i === good.length - 100 ? b ^ 0xff : b))), /checksum mismatch/],
      ['truncated', good.subarray(0, good.length >> 1), /checksum mismatch/],
      ['cut inside the header', good.subarray(0, 10), /not a code cache file/],
      ['not a cache at all', Buffer.from('hello'), /not a code cache file/],
    ];
    // a payload whose checksum holds but that V8 rejects: V8's own checks apply too
    const junk = Buffer.alloc(4096, 7);
    broken.push(['a valid checksum over bytes V8 rejects', Buffer.concat([Buffer.from('PBCC1\n'), crypto.createHash('sha256').update(junk).digest(), junk]), /rejected by V8/]);
    for (const [what, bytes, why] of broken) {
      fs.writeFileSync(file, bytes);
      const r = await serve(dir, 15_000, true);
      assert.match(r.stderr, new RegExp(`ignoring the code cache .*${why.source}`), what);
      assert.deepEqual(r.items, first.items, what);
      assert.match(r.stderr, /code cache written/, `${what}: a good cache is written again`);
      assert.ok(fs.readFileSync(file).length > 4096, what);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('PYPY_BINDINGS_CODE_CACHE=off: no cache is read or written', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-codecache-off-'));
  try {
    const c = new LspClient(['lsp', '--stdio'], { PYPY_BINDINGS_CODE_CACHE: 'off', XDG_CACHE_HOME: dir, HOME: dir });
    try {
      await c.initialize({ pull: true });
      c.open(URI, SOURCE);
      const report = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
      assert.ok(report.items.length >= 2);
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(await c.shutdown(), 0);
    } finally {
      c.kill();
    }
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.doesNotMatch(c.stderr.join(''), /code cache/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI reads the same cache: a corrupted one is reported once, removed, and the output is unchanged', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-codecache-cli-'));
  try {
    const src = path.join(dir, 'sample.py');
    fs.writeFileSync(src, SOURCE);
    const check = (cache: string) => spawnSync(process.execPath, [CLI, 'check', src, '--format', 'json'], { encoding: 'utf8', env: { ...process.env, PYPY_BINDINGS_CODE_CACHE: cache } });
    const cacheDir = path.join(dir, 'cache');
    const plain = check('off');
    fs.mkdirSync(cacheDir);
    // the file name is the bundle's: find it by letting a server write it, then corrupt it
    const first = await serve(cacheDir, 15_000, true);
    assert.match(first.stderr, /code cache written/);
    const [name] = cacheFiles(cacheDir);
    const file = path.join(cacheDir, name!);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    const corrupted = check(cacheDir);
    assert.equal(corrupted.status, plain.status);
    assert.equal(corrupted.stdout, plain.stdout);
    assert.match(corrupted.stderr, /ignoring the code cache .*checksum mismatch/);
    assert.ok(!fs.existsSync(file), 'the corrupted cache is removed');
    const after = check(cacheDir);
    assert.equal(after.stdout, plain.stdout);
    assert.equal(after.stderr, plain.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
