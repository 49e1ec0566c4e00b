import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openFixture, restoreEditors, waitFor, waitForCode, waitForNoCode, withCode } from './helpers';

function lintConfig(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('pypyBindings.lint');
}

/** Sets a workspace setting for the duration of body, then puts the previous value back. */
async function withSetting(key: string, value: unknown, body: () => Promise<void>): Promise<void> {
  const previous = lintConfig().inspect(key)?.workspaceValue;
  await lintConfig().update(key, value, vscode.ConfigurationTarget.Workspace);
  try {
    await body();
  } finally {
    await lintConfig().update(key, previous, vscode.ConfigurationTarget.Workspace);
  }
}

suite('settings apply without reload', () => {
  teardown(restoreEditors);

  test('pypyBindings.lint.severity turns PB101 into an error and back', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    await waitForCode(doc.uri, 'PB101', ([d]) => d.severity === vscode.DiagnosticSeverity.Information);
    await withSetting('severity', { PB101: 'error' }, async () => {
      await waitForCode(doc.uri, 'PB101', (ds) => ds.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
    });
    await waitForCode(doc.uri, 'PB101', (ds) => ds.every((d) => d.severity === vscode.DiagnosticSeverity.Information));
  });

  test('pypyBindings.lint.severity "off" hides a rule', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    await waitForCode(doc.uri, 'PB204');
    await withSetting('severity', { PB204: 'off' }, async () => {
      await waitForNoCode(doc.uri, 'PB204');
      assert.ok(withCode(doc.uri, 'PB101').length > 0, 'other rules still report');
    });
    await waitForCode(doc.uri, 'PB204');
  });

  test('pypyBindings.lint.ignore drops a code, by code and by prefix', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    await waitForCode(doc.uri, 'PB204');
    await withSetting('ignore', ['PB204'], async () => {
      await waitForNoCode(doc.uri, 'PB204');
      assert.ok(withCode(doc.uri, 'PB101').length > 0, 'PB101 is not ignored');
    });
    await waitForCode(doc.uri, 'PB204');
    await withSetting('ignore', ['PB1'], async () => {
      await waitForNoCode(doc.uri, 'PB101');
      assert.ok(withCode(doc.uri, 'PB204').length > 0, 'the PB1 prefix leaves PB204');
    });
    await waitForCode(doc.uri, 'PB101');
  });

  test('pypyBindings.lint.enable false clears every diagnostic', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    await waitForCode(doc.uri, 'PB204');
    await withSetting('enable', false, async () => {
      await waitFor('all diagnostics gone', () => vscode.languages.getDiagnostics(doc.uri).every((d) => d.source !== 'pypy-bindings'));
    });
    await waitForCode(doc.uri, 'PB204');
  });
});
