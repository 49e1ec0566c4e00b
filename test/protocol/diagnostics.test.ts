import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LspClient } from './lspClient';

/** LSP position (UTF-16 code units) of the n-th occurrence of `needle`, computed independently of the server. */
function positionOf(text: string, needle: string, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in text`);
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}

const SOURCE = [
  'import ctypes',
  '',
  'libc = ctypes.CDLL(None)',
  'api = ctypes.pythonapi',
  'n = libc.strlen(b"abc")',
  '',
].join('\n');

test('push: diagnostics for an opened file, updated after edits with UTF-16 ranges', async () => {
  const c = new LspClient();
  try {
    const init = await c.initialize();
    assert.equal(init.capabilities.diagnosticProvider, undefined, 'no pull provider for a client without pull support');
    const uri = 'file:///tmp/protocol_push.py';
    c.open(uri, SOURCE, 1);
    const first = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
    const pb201 = first.diagnostics.find((d: any) => d.code === 'PB201');
    assert.ok(pb201, `PB201 published: ${JSON.stringify(first.diagnostics)}`);
    assert.equal(pb201.source, 'pypy-bindings');
    // VS Code opens a file: link at the line its fragment names: the rule's own heading
    const href = /^(file:.*rules\.md)#L(\d+)$/.exec(pb201.codeDescription.href);
    assert.ok(href, pb201.codeDescription.href);
    assert.equal(fs.readFileSync(fileURLToPath(href[1]!), 'utf8').split('\n')[Number(href[2]) - 1], '## PB201');
    const start = positionOf(SOURCE, 'pythonapi');
    assert.deepEqual(pb201.range.start.line, start.line);
    assert.ok(pb201.range.start.character <= start.character && pb201.range.end.character >= start.character + 'pythonapi'.length);

    // insert non-ASCII and astral characters before the flagged code, on the same line
    const prefix = 'é😀 = 1; ';
    c.change(uri, 2, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: prefix }]);
    const edited = SOURCE.replace('api = ctypes.pythonapi', prefix + 'api = ctypes.pythonapi');
    const second = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);
    const moved = second.diagnostics.find((d: any) => d.code === 'PB201');
    const expected = positionOf(edited, 'pythonapi');
    assert.equal(moved.range.start.line, expected.line);
    assert.equal(moved.range.end.character - moved.range.start.character, pb201.range.end.character - pb201.range.start.character);
    assert.equal(moved.range.start.character - pb201.range.start.character, prefix.length, 'shifted by UTF-16 length (emoji counts 2)');

    // a line of non-ASCII text above shifts lines, not columns
    c.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# ünïcödé 🐍 comment\n' }]);
    const third = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 3);
    const again = third.diagnostics.find((d: any) => d.code === 'PB201');
    assert.equal(again.range.start.line, moved.range.start.line + 1);
    assert.equal(again.range.start.character, moved.range.start.character);

    // removing the problem removes the diagnostic
    const fixedLine = prefix + 'api = None';
    c.change(uri, 4, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: (prefix + 'api = ctypes.pythonapi').length } }, text: fixedLine }]);
    const fourth = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 4);
    assert.equal(fourth.diagnostics.filter((d: any) => d.code === 'PB201').length, 0);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('pull: textDocument/diagnostic answers for clients that announce it, and no push happens', async () => {
  const c = new LspClient();
  try {
    const init = await c.initialize({ pull: true });
    assert.ok(init.capabilities.diagnosticProvider, 'pull provider registered');
    const uri = 'file:///tmp/protocol_pull.py';
    c.open(uri, SOURCE, 1);
    const report = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    assert.ok(report.items.some((d: any) => d.code === 'PB201'));
    c.change(uri, 2, [{ text: 'import os\nprint(os.sep)\n' }]);
    const after = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.deepEqual(after.items, [], 'a file that binds nothing gets no diagnostics');
    assert.equal(c.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('pull: an edit that leaves the diagnostics as they were is answered `unchanged` with the same resultId', async () => {
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    const uri = 'file:///tmp/protocol_pull_unchanged.py';
    c.open(uri, SOURCE, 1);
    const first = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(first.kind, 'full');
    assert.equal(typeof first.resultId, 'string');
    // a comment appended at the end moves no diagnostic
    const end = { line: SOURCE.split('\n').length - 1, character: 0 };
    c.change(uri, 2, [{ range: { start: end, end }, text: '# a comment\n' }]);
    const same = await c.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    assert.deepEqual(same, { kind: 'unchanged', resultId: first.resultId });
    // without the previous id (a client that lost it) the answer is full again, under the same id
    const full = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(full.kind, 'full');
    assert.deepEqual(full.items, first.items);
    assert.equal(full.resultId, first.resultId);
    // a line inserted above the findings moves them: a full answer with a new id
    c.change(uri, 3, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# header\n' }]);
    const moved = await c.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    assert.equal(moved.kind, 'full');
    assert.notEqual(moved.resultId, first.resultId);
    const pb201 = moved.items.find((d: any) => d.code === 'PB201');
    assert.equal(pb201.range.start.line, first.items.find((d: any) => d.code === 'PB201').range.start.line + 1);
    // a stale id (not the last answer) gets a full answer
    const last = { line: end.line + 2, character: 0 };
    c.change(uri, 4, [{ range: { start: last, end: last }, text: '# more\n' }]);
    const stale = await c.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    assert.equal(stale.kind, 'full');
    assert.equal(stale.resultId, moved.resultId);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('pull: a finding whose message changes in place (same range, same neighbours) gets a full answer with the new message', async () => {
  // the server keeps the last answer's Diagnostic objects for findings equal at the same place: one equal in
  // range and code but not in message must not be kept
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    const uri = 'file:///tmp/protocol_pull_in_place.py';
    const text = 'import ctypes\n\nlibm = ctypes.CDLL(None)\nx = libm.sqrt(2.5)\ny = libm.cbrt(2.5)\n';
    c.open(uri, text, 1);
    const first = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    const pb205 = (r: any) => r.items.filter((d: any) => d.code === 'PB205');
    assert.equal(pb205(first).length, 2);
    assert.match(pb205(first)[0].message, /argument 1 is a float/);
    const at = positionOf(text, '2.5');
    c.change(uri, 2, [{ range: { start: at, end: { line: at.line, character: at.character + 3 } }, text: '2.0e0' }]);
    const same = await c.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    assert.deepEqual(same, { kind: 'unchanged', resultId: first.resultId }, 'still a float: the same diagnostics');
    c.change(uri, 3, [{ range: { start: at, end: { line: at.line, character: at.character + 5 } }, text: '2' }]);
    const changed = await c.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
    assert.equal(changed.kind, 'full');
    assert.notEqual(changed.resultId, first.resultId);
    assert.deepEqual(pb205(changed)[0].range, pb205(first)[0].range);
    assert.match(pb205(changed)[0].message, /argument 1 goes to `double` as a C int/);
    assert.deepEqual(pb205(changed)[1], pb205(first)[1], 'the other line is as it was');
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('settings from workspace/configuration apply without restart (ignore, severity)', async () => {
  const c = new LspClient();
  let settings: any = { lint: { ignore: [] } };
  c.handlers.set('workspace/configuration', (params: any) => params.items.map(() => settings));
  c.handlers.set('client/registerCapability', () => null);
  try {
    await c.initialize({ pull: true, configuration: true });
    const uri = 'file:///tmp/protocol_settings.py';
    c.open(uri, SOURCE, 1);
    const before = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.ok(before.items.some((d: any) => d.code === 'PB201'));
    settings = { lint: { ignore: ['PB2'], severity: { PB101: 'hint' } } };
    c.notify('workspace/didChangeConfiguration', { settings: null });
    // the server asks the client to refresh; the next pull reflects the new settings
    let after: any;
    for (let i = 0; i < 50; i++) {
      after = await c.request('textDocument/diagnostic', { textDocument: { uri } });
      if (!after.items.some((d: any) => d.code === 'PB201')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(!after.items.some((d: any) => d.code.startsWith('PB2')), 'PB2xx ignored');
    const pb101 = after.items.find((d: any) => d.code === 'PB101');
    assert.ok(pb101, 'PB101 still reported');
    assert.equal(pb101.severity, 4, 'PB101 downgraded to hint');
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});

test('bad input never crashes the server', async () => {
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    const uri = 'file:///tmp/protocol_bad.py';
    c.open(uri, 'import ctypes\nx = ctypes.CDLL(\n"""unterminated\n\x00\uFFFF ffi.cdef("int f(")\n', 1);
    const r1 = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(r1.kind, 'full');
    // an edit with a range beyond the end of the document
    c.change(uri, 2, [{ range: { start: { line: 99, character: 5 }, end: { line: 120, character: 0 } }, text: 'ctypes.pythonapi\n' }]);
    const r2 = await c.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(r2.kind, 'full');
    // a hover on a document that was never opened
    assert.equal(await c.request('textDocument/hover', { textDocument: { uri: 'file:///nope.py' }, position: { line: 0, character: 0 } }), null);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
