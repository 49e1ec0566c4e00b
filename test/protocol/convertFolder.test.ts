// The server side of "PyPy: Convert ctypes to CFFI in This Folder": one workspace edit over the folder's
// modules, annotated as needing confirmation (the refactor preview), open documents converted from their
// editor text with their version; the converted package runs the same under CPython+cffi and PyPy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, applyTextEdits } from './lspClient';

const LOADER = ['import ctypes', 'from ctypes.util import find_library', '', '', 'def load():', '    return ctypes.CDLL(find_library("c"))', ''].join('\n');
const API = [
  'from ctypes import c_char_p, c_size_t, c_int, byref',
  'from . import loader',
  '',
  'libc = loader.load()',
  'strlen = libc.strlen',
  'strlen.argtypes = [c_char_p]',
  'strlen.restype = c_size_t',
  'abs_ = libc.abs',
  'abs_.argtypes = [c_int]',
  'abs_.restype = c_int',
  '',
  '',
  'def lengths(words):',
  '    return [strlen(w) for w in words] + [abs_(-7)]',
  '',
].join('\n');
const EDITED_API = API.replace('[abs_(-7)]', '[abs_(-8)]');

test('convertFolder: one confirmed workspace edit, versioned for open documents; the package runs the same', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-folder-'));
  const pkg = path.join(root, 'cpkg');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, '__init__.py'), 'from .api import lengths\n');
  fs.writeFileSync(path.join(pkg, 'loader.py'), LOADER);
  fs.writeFileSync(path.join(pkg, 'api.py'), API);
  const apiUri = pathToFileURL(path.join(pkg, 'api.py')).href;
  const loaderUri = pathToFileURL(path.join(pkg, 'loader.py')).href;
  const c = new LspClient();
  let applied: any;
  c.handlers.set('workspace/applyEdit', (params: any) => {
    applied = params;
    return { applied: true };
  });
  try {
    const init = await c.initialize({ pull: true });
    assert.ok(init.capabilities.executeCommandProvider.commands.includes('pypyBindings.server.convertFolder'));
    c.open(apiUri, EDITED_API, 4); // unsaved editor text wins over the file on disk
    const result = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFolder', arguments: [{ folder: pathToFileURL(pkg).href }] });
    assert.equal(result.applied, true, JSON.stringify(result));
    assert.match(result.message, /Converted 2 foreign functions/);
    assert.deepEqual(result.leftForHuman, []);
    const edit = applied.edit;
    const annotations = Object.values(edit.changeAnnotations) as any[];
    assert.equal(annotations.length, 1);
    assert.equal(annotations[0].needsConfirmation, true);
    const byUri = new Map<string, any>(edit.documentChanges.map((d: any) => [d.textDocument.uri, d]));
    assert.deepEqual([...byUri.keys()].sort(), [apiUri, loaderUri].sort(), 'only the modules that change');
    assert.equal(byUri.get(apiUri).textDocument.version, 4);
    assert.equal(byUri.get(loaderUri).textDocument.version, null);
    for (const d of byUri.values()) for (const e of d.edits) assert.ok(e.annotationId in edit.changeAnnotations);

    fs.writeFileSync(path.join(pkg, 'api.py'), EDITED_API); // the baseline: the editor's text, saved, in ctypes
    const before = execFileSync('/usr/bin/python3', ['-c', 'import cpkg; print(cpkg.lengths([b"", b"abc", b"hello"]))'], { cwd: root, encoding: 'utf8' });
    fs.writeFileSync(path.join(pkg, 'api.py'), applyTextEdits(EDITED_API, byUri.get(apiUri).edits));
    fs.writeFileSync(path.join(pkg, 'loader.py'), applyTextEdits(LOADER, byUri.get(loaderUri).edits));
    const api = fs.readFileSync(path.join(pkg, 'api.py'), 'utf8');
    assert.match(api, /size_t strlen\(char \*\);/);
    assert.match(api, /\[abs_\(-8\)\]/, 'the editor text was converted, not the file on disk');
    assert.doesNotMatch(api + fs.readFileSync(path.join(pkg, 'loader.py'), 'utf8'), /import ctypes\n|from ctypes import/);
    assert.equal(before.trim(), '[0, 3, 5, 8]');
    for (const py of ['/usr/bin/python3', 'pypy3']) {
      assert.equal(execFileSync(py, ['-c', 'import cpkg; print(cpkg.lengths([b"", b"abc", b"hello"]))'], { cwd: root, encoding: 'utf8' }), before, py);
    }

    // a folder the plan cannot prove safe: TODOs at the causes, reported at lines of the edited text
    const bad = path.join(root, 'badpkg');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'm.py'), 'import ctypes\nlib = ctypes.CDLL(None)\nprint(lib._handle != 0)\n');
    applied = undefined;
    const r2 = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFolder', arguments: [{ folder: pathToFileURL(bad).href }] });
    assert.match(r2.message, /stays ctypes/);
    assert.equal(r2.leftForHuman.length, 1);
    const after = applyTextEdits(fs.readFileSync(path.join(bad, 'm.py'), 'utf8'), applied.edit.documentChanges[0].edits);
    assert.match(after.split('\n')[r2.leftForHuman[0].line - 1]!, /# TODO\(pypy-bindings\): lib\._handle is ctypes-only/);

    const none = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFolder', arguments: [{ folder: 'untitled:nowhere' }] });
    assert.equal(none.applied, false);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('convertFolder reads the C headers the settings name (pypyBindings.c.includePaths, libraryHeaders), as the file command does', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-folder-headers-'));
  const inc = path.join(root, 'include');
  const pkg = path.join(root, 'bits');
  fs.mkdirSync(inc);
  fs.mkdirSync(pkg);
  // ffs is in neither the built-in table nor a header searched for libc: only the configured one declares it
  fs.writeFileSync(path.join(inc, 'pbbits.h'), 'int ffs(int i);\n');
  const source = ['import ctypes', 'from ctypes.util import find_library', 'libc = ctypes.CDLL(find_library("c"))', '', '', 'def lowest(x):', '    return libc.ffs(x)', ''].join('\n');
  fs.writeFileSync(path.join(pkg, '__init__.py'), source);
  const uri = pathToFileURL(path.join(pkg, '__init__.py')).href;
  const convertWith = async (c: Record<string, unknown>): Promise<{ result: any; text: string }> => {
    const client = new LspClient();
    let applied: any;
    client.handlers.set('workspace/applyEdit', (params: any) => {
      applied = params;
      return { applied: true };
    });
    client.handlers.set('workspace/configuration', (params: any) => params.items.map(() => ({ c })));
    try {
      await client.initialize({ configuration: true });
      const result = await client.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFolder', arguments: [{ folder: pathToFileURL(pkg).href }] });
      const edits = applied?.edit.documentChanges.find((d: any) => d.textDocument.uri === uri)?.edits ?? [];
      assert.equal(await client.shutdown(), 0);
      return { result, text: applyTextEdits(source, edits) };
    } finally {
      client.kill();
    }
  };
  try {
    const without = await convertWith({});
    assert.match(without.result.message, /stays ctypes/);
    assert.match(without.result.leftForHuman[0]?.reason ?? '', /ffs has no argtypes and no C prototype was found/);
    const configured = await convertWith({ includePaths: [inc], libraryHeaders: { c: ['pbbits.h'] } });
    assert.match(configured.result.message, /Converted 1 foreign functions/, JSON.stringify(configured.result));
    assert.match(configured.text, /int ffs\(int\);/);
    assert.doesNotMatch(configured.text, /import ctypes\n/);
    fs.writeFileSync(path.join(pkg, '__init__.py'), configured.text);
    for (const py of ['/usr/bin/python3', 'pypy3']) {
      assert.equal(execFileSync(py, ['-c', 'import bits; print([bits.lowest(x) for x in (0, 1, 8, 96)])'], { cwd: root, encoding: 'utf8' }).trim(), '[0, 1, 4, 6]', py);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
