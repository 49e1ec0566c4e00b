import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fixtureUri, restoreEditors, waitFor } from './helpers';

suite('New Binding Module command', () => {
  teardown(restoreEditors);

  test('creates a cffi API module with its build script and setup.py entry, opens it, and never overwrites', async () => {
    const created = (await vscode.commands.executeCommand('pypyBindings.newBindingModule', { style: 'cffi-api', name: 'e2e_zlib', library: 'z zlib.h' })) as string[] | undefined;
    assert.ok(created && created.length > 0, `files created: ${JSON.stringify(created)}`);
    const decoder = new TextDecoder();
    for (const rel of created) {
      const stat = await vscode.workspace.fs.stat(fixtureUri(rel));
      assert.equal(stat.type, vscode.FileType.File, rel);
    }
    const build = created.find((f) => f.endsWith('_build.py'));
    assert.ok(build, 'an API-mode build script');
    const buildText = decoder.decode(await vscode.workspace.fs.readFile(fixtureUri(build)));
    assert.match(buildText, /set_source\(/);
    assert.match(buildText, /zlib\.h/);
    const setupPy = decoder.decode(await vscode.workspace.fs.readFile(fixtureUri('setup.py')));
    assert.match(setupPy, /cffi_modules\s*=\s*\[[^\]]*e2e_zlib_build\.py:ffibuilder/);
    await waitFor('a created file to be open in an editor', () => vscode.window.visibleTextEditors.some((e) => created.some((rel) => e.document.uri.path.endsWith('/' + rel))));

    // running it again with the same name refuses and changes nothing
    const before = decoder.decode(await vscode.workspace.fs.readFile(fixtureUri(build)));
    const again = await vscode.commands.executeCommand('pypyBindings.newBindingModule', { style: 'cffi-api', name: 'e2e_zlib', library: 'm' });
    assert.equal(again, undefined, 'nothing created the second time');
    assert.equal(decoder.decode(await vscode.workspace.fs.readFile(fixtureUri(build))), before);
  });
});
