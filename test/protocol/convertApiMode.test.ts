// API out-of-line conversion over LSP (pypyBindings.convert.mode = "api-outofline"): the workspace edit is a
// reviewed multi-file refactoring — every change annotated as needing confirmation (VS Code's refactor preview),
// the build script a CreateFile that never overwrites, an existing setup.py a minimal edit with its version
// (the editor's unsaved text, when open), an existing _build.py never touched (the next free name is used).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lspClient';

const MODULE = [
  'import ctypes, ctypes.util',
  'class TimeSpec(ctypes.Structure):',
  '    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]',
  'libc = ctypes.CDLL(ctypes.util.find_library("c"))',
  'libc.clock_gettime.argtypes = [ctypes.c_int, ctypes.POINTER(TimeSpec)]',
  'libc.clock_gettime.restype = ctypes.c_int',
  't = TimeSpec()',
  'print(libc.clock_gettime(0, ctypes.byref(t)))',
  '',
].join('\n');
const SETUP = 'from setuptools import setup\n\nsetup(\n    name="clock",\n    py_modules=["clock"],\n)\n';
const OWN_BUILD = '# my build script\n';

test('API mode over LSP: one annotated edit with CreateFile and a versioned setup.py merge; existing files are left alone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-api-lsp-'));
  fs.writeFileSync(path.join(dir, 'clock.py'), MODULE);
  fs.writeFileSync(path.join(dir, 'setup.py'), SETUP);
  fs.writeFileSync(path.join(dir, '_clock_build.py'), OWN_BUILD);
  const uri = pathToFileURL(path.join(dir, 'clock.py')).href;
  const setupUri = pathToFileURL(path.join(dir, 'setup.py')).href;
  const c = new LspClient();
  c.handlers.set('workspace/configuration', (params: any) => params.items.map(() => ({ convert: { mode: 'api-outofline' } })));
  let applied: any;
  c.handlers.set('workspace/applyEdit', (params: any) => {
    applied = params.edit;
    return { applied: true };
  });
  try {
    await c.initialize({ pull: true, configuration: true });
    c.open(uri, MODULE, 3);
    const edited = SETUP.replace('name="clock"', 'name="clock-unsaved"');
    c.open(setupUri, edited, 9); // setup.py open with unsaved text: the merge is made on that text, with its version
    const result = await c.request('workspace/executeCommand', { command: 'pypyBindings.server.convertFile', arguments: [{ uri }] });
    assert.equal(result.applied, true, JSON.stringify(result));
    const edit = applied;
    const annotations = edit.changeAnnotations;
    assert.deepEqual(Object.keys(annotations), ['pypyBindings.convertApiMode']);
    assert.equal(annotations['pypyBindings.convertApiMode'].needsConfirmation, true, 'the refactor preview is asked for');

    const kinds = edit.documentChanges.map((d: any) => d.kind ?? `edit ${path.basename(d.textDocument.uri)}`);
    assert.deepEqual(kinds, ['edit clock.py', 'create', 'edit _clock_build_2.py', 'edit setup.py'], 'the module, then the build script created and filled, then setup.py');
    const [moduleEdit, create, fill, setupEdit] = edit.documentChanges;
    assert.equal(moduleEdit.textDocument.version, 3);
    assert.equal(create.uri, pathToFileURL(path.join(dir, '_clock_build_2.py')).href, '_clock_build.py exists: the next free name');
    assert.deepEqual(create.options, { overwrite: false, ignoreIfExists: false }, 'a creation that fails rather than overwrite');
    assert.equal(create.annotationId, 'pypyBindings.convertApiMode');
    assert.equal(fill.edits.length, 1);
    assert.deepEqual(fill.edits[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const build = fill.edits[0].newText as string;
    assert.match(build, /struct timespec \{ long tv_sec; long tv_nsec; \.\.\.; \};/, 'the C struct name, not the Python class name');
    assert.match(build, /#include <time\.h>/);
    assert.match(build, /set_source\("_clock_cffi_2"/);
    assert.equal(setupEdit.textDocument.version, 9, 'setup.py edited as the editor has it');
    assert.equal(setupEdit.edits.length, 1, 'one minimal edit');
    assert.deepEqual(setupEdit.edits[0].range, { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } });
    assert.equal(setupEdit.edits[0].newText, '    cffi_modules=["_clock_build_2.py:ffibuilder"],\n    setup_requires=["cffi>=1.0.0"],\n');
    for (const d of edit.documentChanges) for (const e of d.edits ?? [d]) assert.equal(e.annotationId, 'pypyBindings.convertApiMode');
    assert.ok(!edit.documentChanges.some((d: any) => (d.uri ?? d.textDocument.uri).endsWith('.txt')), 'no side file');
    assert.ok(!edit.documentChanges.some((d: any) => (d.uri ?? d.textDocument.uri).endsWith('/_clock_build.py')), 'the existing build script is not in the edit');
    assert.equal(fs.readFileSync(path.join(dir, '_clock_build.py'), 'utf8'), OWN_BUILD);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
