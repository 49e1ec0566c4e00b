import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BindingModel, ForeignFunction } from '../../server/src/analysis/model';
import { signatureOf } from '../../server/src/analysis/prototypes';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { collectFiles } from '../../server/src/cli/files';
import { loadGrammars } from '../../server/src/parser/languages';
import { lint } from '../../server/src/rules/lint';
import { analyzeWorkspaceFile } from '../../server/src/service/analyzeFile';
import { DocumentService } from '../../server/src/service/documentService';

const SHAPES = path.resolve(__dirname, '../fixtures/workspace/shapes');
const uriOf = (rel: string) => pathToFileURL(path.join(SHAPES, rel)).href;

async function workspace(): Promise<{ index: WorkspaceIndex; model: (rel: string) => BindingModel }> {
  const g = await loadGrammars();
  const index = new WorkspaceIndex(g.pythonParser);
  for (const f of collectFiles([SHAPES], [])) index.addFile(f);
  const model = (rel: string) => {
    const file = path.join(SHAPES, rel);
    return analyzeWorkspaceFile(fs.readFileSync(file, 'utf8'), pathToFileURL(file).href, g, index, { headers: {} }).model;
  };
  return { index, model };
}

const fn = (m: BindingModel, name: string): ForeignFunction => {
  const f = m.ctypes.functions.find((x) => x.name === name);
  assert.ok(f, `${name} is in the model of ${m.uri}: ${m.ctypes.functions.map((x) => x.name).join(', ')}`);
  return f;
};
const codes = (m: BindingModel) => lint(m).map((f) => `${f.code}:${m.text.slice(f.span.start, f.span.end)}`);

test('module names follow the packages; relative, aliased and star imports resolve', async () => {
  const { index } = await workspace();
  assert.deepEqual(index.modules().filter((m) => m.startsWith('pkg')).sort(), ['pkg', 'pkg.ffi', 'pkg.loader', 'pkg.noargs', 'pkg.shapes', 'pkg.users']);
  const users = index.evaluationOf(uriOf('pkg/users.py'))!;
  assert.equal(users.env.get('ffi')?.k, 'module');
  assert.equal(users.env.get('new_archive')?.k, 'fn', '`from .ffi import read_new as new_archive`');
  assert.equal(users.env.get('read_open_memory')?.k, 'fn', '`from .ffi import *` brings names the helper put in globals()');
  assert.ok([...users.deps].includes('pkg.ffi'));
});

test('a library loaded by a project loader in another module, with platform branches', async () => {
  const { model } = await workspace();
  const m = model('pkg/__init__.py');
  const strlen = fn(m, 'strlen');
  assert.equal(strlen.library.name, 'libc');
  assert.equal(strlen.library.origin?.module, 'pkg.loader', 'which module loads the library');
  assert.equal(strlen.library.origin?.stem, 'c');
  assert.equal(strlen.calls.length, 1);
  assert.equal(fn(m, 'abs').library.name, 'other', '`from .loader import load_lib as _load`');
  assert.deepEqual(codes(m).sort(), ['PB204:libc.strlen', 'PB205:libc.strlen', 'PB205:other.abs']);
});

test('a declaring helper, loops over literal tables, and functions used from other modules', async () => {
  const { model } = await workspace();
  const ffi = model('pkg/ffi.py');
  const names = ffi.ctypes.functions.map((f) => f.name).sort();
  assert.deepEqual(names, ['archive_error_string', 'archive_read_free', 'archive_read_new', 'archive_read_open_memory', 'archive_read_support_filter_all', 'archive_read_support_filter_gzip']);
  const open = fn(ffi, 'archive_read_open_memory');
  assert.deepEqual(open.argtypes?.types?.map((t) => (t.kind === 'prim' ? t.name : t.kind)), ['c_void_p', 'c_void_p', 'c_size_t']);
  assert.equal(open.restype?.type.kind === 'prim' && open.restype.type.name, 'c_int');
  assert.ok(open.errcheck, 'errcheck set from the helper parameter');
  assert.ok(open.declaredBy, 'the helper call is recorded');
  assert.deepEqual(codes(ffi), ['PB101:ctypes.cdll.LoadLibrary(find_library(\'archive\'))']);

  const users = model('pkg/users.py');
  const readNew = fn(users, 'archive_read_new');
  assert.equal(readNew.calls.length, 1);
  assert.equal(readNew.declaredElsewhere?.module, 'pkg.ffi');
  assert.deepEqual(readNew.declaredElsewhere?.argtypes, []);
  assert.equal(fn(users, 'archive_read_support_filter_all').calls.length, 1);
  assert.equal(fn(users, 'archive_read_open_memory').calls.length, 1);
  assert.equal(users.cffi.ffis.length, 0, '`from . import ffi` is a module of the workspace, not a cffi ffi');
  assert.deepEqual(codes(users), [], 'signatures declared in ffi.py count here');
});

test('tuple and chained assignments, getattr, lib[...], prototypes applied to (name, lib), star imports', async () => {
  const { model } = await workspace();
  const m = model('pkg/shapes.py');
  const strlen = fn(m, 'strlen');
  assert.equal(strlen.restype?.type.kind === 'prim' && strlen.restype.type.name, 'c_size_t');
  assert.equal(strlen.argtypes?.types?.length, 1);
  assert.equal(strlen.calls.length, 1, 'called through the chained alias');
  assert.equal(fn(m, 'strchr').argtypes?.types?.length, 2);
  assert.equal(fn(m, 'strrchr').restype?.type.kind, 'prim');
  const strcmp = fn(m, 'strcmp');
  assert.equal(strcmp.argtypes?.types?.length, 2, 'from the prototype');
  assert.equal(strcmp.calls.length, 1);
  assert.ok(m.ctypes.functions.some((f) => f.name === 'toupper'));
  assert.deepEqual(codes(m).sort(), ['PB101:CDLL(None)', 'PB101:CDLL(None)', 'PB204:self._lib.strdup', 'PB205:self._lib.strdup']);
});

test('no argtypes with the header installed: the header decides PB204, with its source', async () => {
  const { model } = await workspace();
  const m = model('pkg/noargs.py');
  const readNew = fn(m, 'archive_read_new');
  assert.equal(readNew.cPrototype?.returns, 'struct archive *');
  assert.equal(readNew.cPrototype?.source.kind, 'header');
  assert.match(readNew.cPrototype?.source.kind === 'header' ? readNew.cPrototype.source.path : '', /archive\.h$/);
  const sig = signatureOf(fn(m, 'archive_version_number'), m.uri);
  assert.equal(sig.restypeSource.kind, 'header');
  assert.equal(sig.c?.returns, 'int');
  assert.deepEqual(codes(m).sort(), ['PB101:ctypes.CDLL(find_library(\'archive\'))', 'PB204:lib.archive_read_new']);
});

test('an out-of-line cffi module resolves to the cdef of the script that builds it', async () => {
  const { model } = await workspace();
  const m = model('cffiapp/app.py');
  const ffi = m.cffi.ffis.find((f) => f.name === 'ffi');
  assert.equal(ffi?.external?.module, '_build_foo');
  assert.deepEqual(ffi?.external?.cdefs, ['int foo_add(int, int);']);
});

test('an edit to one module re-links its dependants (open documents through the DocumentService)', async () => {
  const g = await loadGrammars();
  const index = new WorkspaceIndex(g.pythonParser);
  for (const f of collectFiles([SHAPES], [])) index.addFile(f);
  const service = new DocumentService(g, index);
  const read = (rel: string) => fs.readFileSync(path.join(SHAPES, rel), 'utf8');
  service.open(uriOf('pkg/users.py'), 'python', 1, read('pkg/users.py'));
  const ffiText = read('pkg/ffi.py');
  service.open(uriOf('pkg/ffi.py'), 'python', 1, ffiText);
  service.takeRelinked();
  assert.equal(fn(service.model(uriOf('pkg/users.py'))!, 'archive_read_new').declaredElsewhere?.module, 'pkg.ffi');
  // rename the helper's prefix in ffi.py: users.py now calls functions of other C names
  const at = ffiText.indexOf("'archive_'");
  const pos = service.get(uriOf('pkg/ffi.py'))!.text.positionAt(at + 1);
  service.change(uriOf('pkg/ffi.py'), 2, [{ range: { start: pos, end: { line: pos.line, character: pos.character + 'archive'.length } }, text: 'la' }]);
  assert.deepEqual(service.takeRelinked(), [uriOf('pkg/users.py')]);
  const users = service.model(uriOf('pkg/users.py'))!;
  assert.ok(users.ctypes.functions.some((f) => f.name === 'la_read_new'), users.ctypes.functions.map((f) => f.name).join());
  assert.ok(!users.ctypes.functions.some((f) => f.name === 'archive_read_new'));
  service.dispose();
});

test('without a workspace, a file alone still gets its own helpers and tables (first diagnostics never wait)', async () => {
  const g = await loadGrammars();
  const service = new DocumentService(g);
  const uri = uriOf('pkg/ffi.py');
  service.open(uri, 'python', 1, fs.readFileSync(path.join(SHAPES, 'pkg/ffi.py'), 'utf8'));
  assert.equal(service.model(uri)!.ctypes.functions.length, 6);
  service.dispose();
});
