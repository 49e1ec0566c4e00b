import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, openFixture, restoreEditors, waitFor } from './helpers';

suite('activation', () => {
  teardown(restoreEditors);

  test('opening a Python file activates the extension and registers its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in this extension host`);
    assert.ok(
      (ext.packageJSON.activationEvents as string[]).includes('onLanguage:python'),
      'the manifest activates on Python',
    );
    // This suite runs first (files are loaded in name order) and no Python file is open yet.
    assert.equal(ext.isActive, false, 'the extension activated before any Python file was opened');
    const editor = await openFixture('slow_strlen.py');
    assert.equal(editor.document.languageId, 'python');
    await waitFor('the extension to activate', () => ext.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'pypyBindings.restartServer',
      'pypyBindings.showLogs',
      'pypyBindings.convertFileToCffi',
      'pypyBindings.convertFolderToCffi',
      'pypyBindings.newBindingModule',
    ]) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
  });
});
