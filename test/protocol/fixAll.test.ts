import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, LspClient } from './lspClient';

/** Applies LSP TextEdits to a text; edits at one position land in array order (the LSP rule). */
function applyTextEdits(text: string, edits: { range: any; newText: string }[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => starts[p.line]! + p.character;
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => offset(a.range.start) - offset(b.range.start))) {
    out += text.slice(at, offset(e.range.start)) + e.newText;
    at = offset(e.range.end);
  }
  return out + text.slice(at);
}

const SOURCE = [
  'import ctypes',
  'import cffi',
  'libc = ctypes.CDLL(None)',
  'p = libc.malloc(8)',
  'libc.printf(b"%d\\n", 3)',
  'ffi = cffi.FFI()',
  'ffi.cdef("int snprintf(char *, size_t, const char *, ...); void free(void *);")',
  'lib = ffi.dlopen(None)',
  'lib.free(None)',
  'n = ffi.new("int")',
  'buf = ffi.new("char[]", 8)',
  'lib.snprintf(buf, 8, b"%d%s", 1, b"x")',
  '',
].join('\n');

test('source.fixAll.pypyBindings: the safe fixes of the file as one versioned edit, the same set as check --fix', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fixall-'));
  const file = path.join(dir, 'm.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).href;
  const c = new LspClient();
  try {
    const init = await c.initialize({ pull: true });
    assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.pypyBindings'));
    c.open(uri, SOURCE, 7);
    await c.request('textDocument/diagnostic', { textDocument: { uri } });
    const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    // what editor.codeActionsOnSave asks for
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['source.fixAll'], triggerKind: 2 } });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    const [fixAll] = actions;
    assert.equal(fixAll.kind, 'source.fixAll.pypyBindings');
    assert.equal(fixAll.edit.documentChanges.length, 1);
    const change = fixAll.edit.documentChanges[0];
    assert.deepEqual(change.textDocument, { uri, version: 7 }, 'the edit carries the document version');
    const fixed = applyTextEdits(SOURCE, change.edits);
    assert.match(fixed, /^libc\.malloc\.restype = ctypes\.c_void_p$/m);
    assert.match(fixed, /^lib\.free\(ffi\.NULL\)$/m);
    assert.match(fixed, /^n = ffi\.new\("int \*"\)$/m);
    assert.match(fixed, /, 1, ffi\.new\("char\[\]", b"x"\)\)$/m, 'bytes wrapped; the int (an unsafe fix) is not');
    assert.doesNotMatch(fixed, /printf\.argtypes/, 'variadic argtypes is unsafe');
    // the CLI applies the same set
    const cli = spawnSync(process.execPath, [CLI, 'check', '--fix', '--quiet', file], { encoding: 'utf8' });
    assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), fixed, 'check --fix wrote the same text');
    // only quick fixes asked for: no fix-all; after the fix, nothing is left to fix
    const quick = await c.request('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['quickfix'] } });
    assert.ok(!quick.some((a: any) => a.kind === 'source.fixAll.pypyBindings'));
    c.change(uri, 8, [{ text: fixed }]);
    await c.request('textDocument/diagnostic', { textDocument: { uri } });
    const again = await c.request('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['source.fixAll.pypyBindings'] } });
    assert.deepEqual(again, []);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
