import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { restoreEditors, waitForCode, waitForNoCode, withCode } from './helpers';

suite('notebook cells', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await restoreEditors();
  });

  test('a Python cell of a Jupyter notebook gets diagnostics, and an edit to the cell updates them', async () => {
    const source = 'import ctypes\napi = ctypes.pythonapi\n';
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Binding notes', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, 'python'),
    ]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.cellAt(1).document;
    assert.equal(cell.uri.scheme, 'vscode-notebook-cell');
    const [pb201] = await waitForCode(cell.uri, 'PB201');
    assert.equal(cell.getText(pb201.range).includes('pythonapi'), true, `PB201 covers pythonapi: ${cell.getText(pb201.range)}`);
    assert.equal(withCode(notebook.cellAt(0).document.uri, 'PB201').length, 0, 'the markdown cell is not analysed');

    const edit = new vscode.WorkspaceEdit();
    edit.replace(cell.uri, new vscode.Range(1, 0, 1, cell.lineAt(1).text.length), 'api = None');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForNoCode(cell.uri, 'PB201');
    assert.equal(withCode(cell.uri, 'PB201').length, 0, 'PB201 gone after the edit');
  });
});
