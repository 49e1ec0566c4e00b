import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './lspClient';

const SHAPES = path.join(ROOT, 'test/fixtures/workspace/shapes');
const uriOf = (rel: string) => pathToFileURL(path.join(SHAPES, rel)).href;
const read = (rel: string) => fs.readFileSync(path.join(SHAPES, rel), 'utf8');
const summary = (p: any) => p.diagnostics.map((d: any) => `${d.code}@${d.range.start.line + 1}`).sort().join(' ');

test('workspace folders: indexed in the background with work-done progress; cross-module findings; an edit re-links dependants', async () => {
  const c = new LspClient();
  const progressTokens: unknown[] = [];
  c.handlers.set('window/workDoneProgress/create', (p) => {
    progressTokens.push(p.token);
    return null;
  });
  try {
    await c.initialize({ workspaceFolders: [{ uri: pathToFileURL(SHAPES).href, name: 'shapes' }], workDoneProgress: true });
    // the loader of `libc` is in loader.py, its functions are used here: known once the index is linked
    c.open(uriOf('pkg/__init__.py'), read('pkg/__init__.py'), 1);
    const first = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/__init__.py'));
    assert.ok(Array.isArray(first.diagnostics), 'first diagnostics do not wait for the index');
    const linked = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/__init__.py') && summary(p) === 'PB204@10 PB205@10 PB205@14');
    assert.ok(linked);
    const end = await c.waitFor('$/progress', (p) => p.value?.kind === 'end');
    assert.ok(progressTokens.includes(end.token), 'progress reported on the token the server created');
    assert.ok(c.notifications.some((n) => n.method === '$/progress' && n.params.value?.kind === 'begin' && /indexing/i.test(n.params.value.title)));

    // signatures declared by ffi.py's helper count in users.py; `from . import ffi` is a module, not a cffi ffi
    c.open(uriOf('pkg/users.py'), read('pkg/users.py'), 1);
    const users = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/users.py'));
    assert.equal(summary(users), '', JSON.stringify(users.diagnostics));

    // declaring helpers, tuple/chained assignments, prototypes, a class holding a CDLL, headers
    c.open(uriOf('pkg/shapes.py'), read('pkg/shapes.py'), 1);
    const shapes = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/shapes.py'));
    assert.equal(summary(shapes), 'PB101@31 PB101@5 PB204@34 PB205@34');
    c.open(uriOf('pkg/noargs.py'), read('pkg/noargs.py'), 1);
    const noargs = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/noargs.py'));
    assert.equal(summary(noargs), 'PB101@5 PB204@7');
    assert.match(noargs.diagnostics.find((d: any) => d.code === 'PB204').message, /struct archive \*/);

    // edit ffi.py (open): the helper now declares no argtypes, so users.py's calls lose theirs
    const ffiText = read('pkg/ffi.py');
    c.open(uriOf('pkg/ffi.py'), ffiText, 1);
    await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/ffi.py'));
    const at = ffiText.indexOf('    f.argtypes = argtypes\n');
    const line = ffiText.slice(0, at).split('\n').length - 1;
    c.change(uriOf('pkg/ffi.py'), 2, [{ range: { start: { line, character: 4 }, end: { line, character: 4 } }, text: '# ' }]);
    const relinked = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uriOf('pkg/users.py') && /PB205/.test(summary(p)));
    assert.equal(summary(relinked), 'PB205@10 PB205@9', 'the calls with arguments have no argtypes any more');
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
