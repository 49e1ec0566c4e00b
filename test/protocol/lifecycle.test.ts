import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './lspClient';

// The lifecycle as the LSP spec states it (3.17, "Server lifecycle"), over the real server's stdio.

const URI = 'file:///tmp/lifecycle.py';
const SOURCE = 'import ctypes\nlibc = ctypes.CDLL(None)\nn = libc.strlen(b"x")\n';

/** Resolves with the exit code, or rejects when the server is still running after `ms`. */
function exited(c: LspClient, ms = 10_000): Promise<number | null> {
  return Promise.race([
    c.exitCode,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms`)), ms)),
  ]);
}

async function session(fn: (c: LspClient) => Promise<void>): Promise<void> {
  const c = new LspClient();
  try {
    await fn(c);
  } finally {
    c.kill();
  }
}

test('before initialize: requests fail with ServerNotInitialized (-32002), notifications are dropped', () =>
  session(async (c) => {
    await assert.rejects(c.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 0, character: 1 } }), /^Error: -32002: /);
    await assert.rejects(c.request('shutdown', null), /^Error: -32002: /);
    c.open(URI, SOURCE); // dropped: the document was opened before the session began
    await c.initialize({ pull: true });
    // SOURCE has a PB204: an empty report shows the early didOpen was not applied
    const report = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
    assert.deepEqual(report.items, []);
    assert.equal(await c.shutdown(), 0);
  }));

test('after shutdown: requests fail with InvalidRequest (-32600); exit then exits 0', () =>
  session(async (c) => {
    await c.initialize({ pull: true });
    c.open(URI, SOURCE);
    assert.equal(await c.request('shutdown', null), null);
    await assert.rejects(c.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 1, character: 1 } }), /^Error: -32600: /);
    await assert.rejects(c.request('textDocument/diagnostic', { textDocument: { uri: URI } }), /^Error: -32600: /);
    c.notify('exit', null);
    assert.equal(await exited(c), 0);
  }));

test('exit without shutdown exits 1', () =>
  session(async (c) => {
    await c.initialize();
    c.notify('exit', null);
    assert.equal(await exited(c), 1);
  }));

test('exit before initialize exits 1', () =>
  session(async (c) => {
    c.notify('exit', null);
    assert.equal(await exited(c), 1);
  }));

test('a second initialize fails with a clear error and keeps the open documents', () =>
  session(async (c) => {
    await c.initialize({ pull: true });
    c.open(URI, SOURCE);
    const first = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
    assert.ok(first.items.some((d: any) => d.code === 'PB204'), JSON.stringify(first.items));
    await assert.rejects(c.request('initialize', { processId: null, rootUri: null, capabilities: {} }), /^Error: -32600: .*already initialized/);
    const again = await c.request('textDocument/diagnostic', { textDocument: { uri: URI } });
    assert.deepEqual(again.items, first.items, 'the document is still open, with the same diagnostics');
    assert.equal(await c.shutdown(), 0);
  }));

test('the server exits when its input stream closes (1 without shutdown)', () =>
  session(async (c) => {
    await c.initialize();
    c.closeInput();
    assert.equal(await exited(c), 1);
  }));

test('the server exits 0 when its input closes after shutdown', () =>
  session(async (c) => {
    await c.initialize();
    await c.request('shutdown', null);
    c.closeInput();
    assert.equal(await exited(c), 0);
  }));

test('a malformed header makes the server exit (1) with a message, rather than hang', () =>
  session(async (c) => {
    await c.initialize();
    c.writeRaw('Content-Type: application/vscode-jsonrpc\r\nX-Nonsense: 1\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"shutdown"}');
    assert.equal(await exited(c), 1);
    assert.match(c.stderr.join(''), /cannot read the LSP input stream.*Content-Length/);
  }));

test('a non-numeric Content-Length makes the server exit (1)', () =>
  session(async (c) => {
    await c.initialize();
    c.writeRaw('Content-Length: lots\r\n\r\n{}');
    assert.equal(await exited(c), 1);
  }));

test('a Content-Length that cuts a message short makes the server exit (1) when the body does not parse', () =>
  session(async (c) => {
    await c.initialize();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 98, method: 'shutdown', params: null });
    c.writeRaw(`Content-Length: ${body.length - 5}\r\n\r\n${body}`);
    assert.equal(await exited(c), 1);
  }));
