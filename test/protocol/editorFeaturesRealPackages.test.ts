// The editor features on code we did not write: Debian's python3-magic and python3-libarchive-c, copied to a
// temp workspace at test time (never committed) and served by the real server with that folder open. Their
// libraries are loaded by a loader module (magic) or bound by a helper (`ffi('read_new', …)`, libarchive),
// so every answer below needs the workspace model, and the C prototypes come from the installed headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lspClient';

const DIST = '/usr/lib/python3/dist-packages';

function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `"${needle}" is not in the installed package any more`);
  const before = text.slice(0, at + delta);
  return { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
}

test('python-magic and libarchive-c: outline, signature help, go to definition and completion', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-editor-real-'));
  for (const pkg of ['magic', 'libarchive']) fs.cpSync(path.join(DIST, pkg), path.join(dir, pkg), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  const c = new LspClient();
  try {
    const indexed = c.waitFor('window/logMessage', (p) => /indexed \d+ Python files/.test(p.message), 60_000);
    await c.initialize({ rootUri: pathToFileURL(dir).href });
    await indexed;

    const magicUri = pathToFileURL(path.join(dir, 'magic', '__init__.py')).href;
    const magic = fs.readFileSync(path.join(dir, 'magic', '__init__.py'), 'utf8');
    c.open(magicUri, magic);
    const symbols: { name: string; kind: number; detail?: string }[] = await c.request('textDocument/documentSymbol', { textDocument: { uri: magicUri } });
    const names = symbols.map((s) => s.name);
    assert.ok(names.includes('libmagic'), `the library, loaded by magic/loader.py: ${names.join(', ')}`);
    for (const fn of ['libmagic.magic_open', 'libmagic.magic_file', 'libmagic.magic_load']) assert.ok(names.includes(fn), fn);
    assert.equal(symbols.find((s) => s.name === 'libmagic.magic_file')!.detail, 'restype, argtypes, errcheck');

    // `_magic_file = libmagic.magic_file` … `return _magic_file(cookie, coerce_filename(filename))`
    const call = '_magic_file(cookie, coerce_filename';
    const sig = await c.request('textDocument/signatureHelp', { textDocument: { uri: magicUri }, position: positionOf(magic, call, '_magic_file(cookie, '.length) });
    assert.equal(sig.signatures[0].label, 'char *magic_file(void *, char *)', 'from its argtypes/restype (magic_t is c_void_p)');
    assert.equal(sig.activeParameter, 1);
    assert.match(sig.signatures[0].documentation.value, /<magic\.h> declares `const char \*magic_file\(magic_t, const char \*\)`/);
    const def = await c.request('textDocument/definition', { textDocument: { uri: magicUri }, position: positionOf(magic, call, 2) });
    assert.deepEqual(def.map((l: { range: { start: { line: number } } }) => magic.split('\n')[l.range.start.line]), ['_magic_file.argtypes = [magic_t, c_char_p]', '_magic_file.restype = c_char_p']);
    const members = await c.request('textDocument/completion', { textDocument: { uri: magicUri }, position: positionOf(magic, 'libmagic.magic_open', 'libmagic.'.length) });
    const labels: string[] = members.items.map((i: { label: string }) => i.label);
    for (const want of ['magic_open', 'magic_file', 'magic_getflags']) assert.ok(labels.includes(want), `${want} (magic.h) offered`);

    // libarchive/read.py calls functions that libarchive/ffi.py binds through its `ffi(name, argtypes, restype)` helper
    const readUri = pathToFileURL(path.join(dir, 'libarchive', 'read.py')).href;
    const read = fs.readFileSync(path.join(dir, 'libarchive', 'read.py'), 'utf8');
    c.open(readUri, read);
    const open = await c.request('textDocument/signatureHelp', { textDocument: { uri: readUri }, position: positionOf(read, 'ffi.read_open_fd(archive_p, ', 'ffi.read_open_fd(archive_p, '.length) });
    assert.equal(open?.signatures[0].label, 'int archive_read_open_fd(void *, int, size_t)');
    assert.equal(open.activeParameter, 1);
    assert.match(open.signatures[0].documentation.value, /set in `libarchive\.ffi`/);
    assert.doesNotMatch(c.stderr.join(''), /failed:/);
  } finally {
    await c.shutdown().catch(() => c.kill());
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
