// Multi-file conversions are reviewed before they apply and undone in one step, in a real VS Code:
// "PyPy: Convert ctypes to CFFI in This Folder" and an API out-of-line file conversion open the refactor
// preview (nothing changes until it is accepted; discarding leaves every file as it was), apply as one edit,
// and one undo restores every file and removes the created build script. Existing build files are never touched.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { restoreEditors, waitFor } from './helpers';

const LOADER = ['import ctypes', 'from ctypes.util import find_library', '', '', 'def load():', '    return ctypes.CDLL(find_library("c"))', ''].join('\n');
const API = ['from ctypes import c_char_p, c_size_t', 'from . import loader', '', 'libc = loader.load()', 'strlen = libc.strlen', 'strlen.argtypes = [c_char_p]', 'strlen.restype = c_size_t', '', '', 'def length(word):', '    return strlen(word)', ''].join('\n');
const SETUP = 'from setuptools import setup\n\nsetup(\n    name="cpkg",\n    packages=["cpkg"],\n)\n';
const OWN_BUILD = '# my own build script: never to be touched\n';
const MODULE = ['import ctypes, ctypes.util', 'class TimeSpec(ctypes.Structure):', '    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]', 'libc = ctypes.CDLL(ctypes.util.find_library("c"))', 'libc.clock_gettime.argtypes = [ctypes.c_int, ctypes.POINTER(TimeSpec)]', 'libc.clock_gettime.restype = ctypes.c_int', 't = TimeSpec()', 'print(libc.clock_gettime(0, ctypes.byref(t)))', ''].join('\n');

const decoder = new TextDecoder();
const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

/**
 * Writes the files and waits until the file watcher has reported them: the refactor preview counts a file
 * event that arrives while it is open as a conflict (the file "changed in the meantime") and applies nothing.
 */
async function writeFiles(dir: vscode.Uri, files: Record<string, string>): Promise<void> {
  const seen = new Set<string>();
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, '**/*'));
  const note = (u: vscode.Uri) => seen.add(u.toString());
  watcher.onDidCreate(note);
  watcher.onDidChange(note);
  try {
    // the watcher starts asynchronously: a probe file rewritten until its event arrives shows it is live
    const probe = vscode.Uri.joinPath(dir, '.watcher-probe');
    let n = 0;
    await waitFor('the file watcher to start', async () => {
      if (seen.has(probe.toString())) return true;
      await vscode.workspace.fs.writeFile(probe, new TextEncoder().encode(String(n++)));
      return false;
    }, 30_000);
    await vscode.workspace.fs.delete(probe);
    const uris = Object.keys(files).map((name) => vscode.Uri.joinPath(dir, ...name.split('/')));
    for (const [i, text] of Object.values(files).entries()) await vscode.workspace.fs.writeFile(uris[i]!, new TextEncoder().encode(text));
    // a file in a new folder may be reported as the folder's creation only
    const reported = (u: vscode.Uri): boolean => seen.has(u.toString()) || (u.path.length > dir.path.length && reported(vscode.Uri.joinPath(u, '..')));
    await waitFor('the file watcher to report the written files', () => uris.every(reported), 30_000);
  } finally {
    watcher.dispose();
  }
}

/** What the editor has for a file (its unsaved text when open), or undefined when the file does not exist. */
async function textOf(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return decoder.decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a user does in the refactor preview: changes that need confirmation start unchecked, so each file is
 * ticked (the tree collapsed to its files, one by one), then Apply; or Discard.
 */
async function answerPreview(answer: 'apply' | 'discard', files: number): Promise<void> {
  if (answer === 'discard') {
    await vscode.commands.executeCommand('refactorPreview.discard');
    return;
  }
  await vscode.commands.executeCommand('refactorPreview.focus');
  await vscode.commands.executeCommand('list.collapseAll');
  await vscode.commands.executeCommand('list.focusFirst');
  for (let i = 0; i < files; i++) {
    await vscode.commands.executeCommand('refactorPreview.toggleCheckedState');
    await vscode.commands.executeCommand('list.focusDown');
  }
  await vscode.commands.executeCommand('refactorPreview.apply');
}

/**
 * Runs a command whose workspace edit needs confirmation and answers the refactor preview once it shows the
 * proposed texts (documents of its own scheme); until then the edit must be pending and `unchanged` hold.
 */
async function throughPreview<T>(run: () => Thenable<T>, answer: 'apply' | 'discard', files: number, unchanged: () => Promise<void>): Promise<T> {
  let settled = false;
  const earlier = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  const pending = Promise.resolve(run()).finally(() => (settled = true));
  const shown = () => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'vscode-bulkeditpreview-editor' && !earlier.has(d.uri.toString()));
  await waitFor('the refactor preview to show the proposed changes', () => settled || shown().length >= files, 60_000);
  assert.equal(settled, false, 'the command applied its edit without the refactor preview');
  await unchanged();
  await answerPreview(answer, files);
  return pending;
}

suite('multi-file conversions: refactor preview, one undo', () => {
  teardown(restoreEditors);

  test('Convert in This Folder: discarded in the preview nothing changes; applied, one undo restores every file', async () => {
    const dir = vscode.Uri.joinPath(root(), `preview_${Date.now()}`);
    const pkg = vscode.Uri.joinPath(dir, 'cpkg');
    await vscode.workspace.fs.createDirectory(pkg);
    await writeFiles(dir, { 'setup.py': SETUP, '_api_build.py': OWN_BUILD, 'cpkg/__init__.py': 'from .api import length\n', 'cpkg/loader.py': LOADER, 'cpkg/api.py': API });
    try {
      const files = ['cpkg/__init__.py', 'cpkg/loader.py', 'cpkg/api.py', 'setup.py', '_api_build.py'].map((f) => vscode.Uri.joinPath(dir, ...f.split('/')));
      const original = await Promise.all(files.map(textOf));
      const asBefore = async () => assert.deepEqual(await Promise.all(files.map(textOf)), original, 'no file changed');

      const discarded = await throughPreview(() => vscode.commands.executeCommand<{ applied: boolean }>('pypyBindings.convertFolderToCffi', dir), 'discard', 2, asBefore);
      assert.equal(discarded?.applied, false, 'discarding the preview applies nothing');
      await asBefore();

      const applied = await throughPreview(() => vscode.commands.executeCommand<{ applied: boolean; message: string }>('pypyBindings.convertFolderToCffi', dir), 'apply', 2, asBefore);
      assert.equal(applied?.applied, true, JSON.stringify(applied));
      const api = await textOf(files[2]!);
      assert.match(api!, /size_t strlen\(char \*\);/);
      assert.doesNotMatch(api! + (await textOf(files[1]!)), /^\s*(import ctypes$|from ctypes import)/m, 'the modules are cffi now');
      assert.equal(await textOf(files[3]!), SETUP, 'setup.py is not touched by an in-line conversion');
      assert.equal(await textOf(files[4]!), OWN_BUILD, 'the existing build script is not touched');

      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(files[2]!));
      await vscode.commands.executeCommand('undo');
      await waitFor('one undo to restore every module', async () => JSON.stringify(await Promise.all(files.map(textOf))) === JSON.stringify(original));
      for (const d of vscode.workspace.textDocuments.filter((t) => files.some((f) => f.toString() === t.uri.toString()))) assert.equal(d.isDirty, false, `${d.uri.path} is back to its saved text`);
    } finally {
      await restoreEditors();
      await vscode.workspace.fs.delete(dir, { recursive: true });
    }
  });

  test('API out-of-line: the build script is created in the same edit, setup.py merged; one undo removes it and restores setup.py', async () => {
    const config = vscode.workspace.getConfiguration('pypyBindings.convert');
    const previous = config.inspect<string>('mode')?.workspaceValue;
    await config.update('mode', 'api-outofline', vscode.ConfigurationTarget.Workspace);
    const dir = vscode.Uri.joinPath(root(), `preview_api_${Date.now()}`);
    await vscode.workspace.fs.createDirectory(dir);
    await writeFiles(dir, { 'clock.py': MODULE, 'setup.py': SETUP, '_clock_build.py': OWN_BUILD });
    const [module, setup, own, created] = ['clock.py', 'setup.py', '_clock_build.py', '_clock_build_2.py'].map((f) => vscode.Uri.joinPath(dir, f)) as [vscode.Uri, vscode.Uri, vscode.Uri, vscode.Uri];
    try {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(module));
      await waitFor('the api-outofline setting to reach the server', () => vscode.workspace.getConfiguration('pypyBindings.convert').get('mode') === 'api-outofline');
      const asBefore = async () => {
        assert.equal(editor.document.getText(), MODULE);
        assert.equal(await exists(created), false, 'no build script before the preview is accepted');
        assert.equal(await textOf(setup), SETUP);
      };
      const discarded = await throughPreview(() => vscode.commands.executeCommand<{ applied: boolean }>('pypyBindings.convertFileToCffi', module), 'discard', 3, asBefore);
      assert.equal(discarded?.applied, false, 'discarding the preview applies nothing');
      await asBefore();
      const r = await throughPreview(() => vscode.commands.executeCommand<{ applied: boolean; message: string }>('pypyBindings.convertFileToCffi', module), 'apply', 3, asBefore);
      assert.equal(r?.applied, true, JSON.stringify(r));
      assert.match(editor.document.getText(), /^from _clock_cffi_2 import ffi, lib as _cffi_lib$/m);
      const build = await waitFor('the created build script', () => textOf(created));
      assert.match(build, /struct timespec \{ long tv_sec; long tv_nsec; \.\.\.; \};/, 'the C name of the struct');
      assert.match((await textOf(setup))!, /cffi_modules=\["_clock_build_2\.py:ffibuilder"\]/);
      assert.equal(await textOf(own), OWN_BUILD, 'the existing _clock_build.py is not touched');

      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('undo');
      await waitFor('one undo to restore the module and setup.py and remove the build script', async () => editor.document.getText() === MODULE && (await textOf(setup)) === SETUP && !(await exists(created)));
      assert.equal(await textOf(own), OWN_BUILD);
    } finally {
      await config.update('mode', previous, vscode.ConfigurationTarget.Workspace);
      await restoreEditors();
      await vscode.workspace.fs.delete(dir, { recursive: true });
    }
  });
});
