/**
 * PyPy: Show Readiness Report — the server computes the report of the workspace folders
 * (`pypyBindings/readinessReport`); this renders it in a webview whose links open the file at the line.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { renderHtml } from '../../../server/src/cli/report/html';
import { READINESS_REQUEST, type ReadinessParams, type ReadinessReport } from '../../../server/src/cli/report/types';
import { COMMANDS } from '../commandIds';

let panel: vscode.WebviewPanel | undefined;

export function registerReadinessReport(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showReadinessReport, async () => {
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
      const c = client();
      if (folders.length === 0 || !c) {
        void vscode.window.showWarningMessage('PyPy: Show Readiness Report needs an open folder.');
        return undefined;
      }
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'PyPy: computing the readiness report…' }, () =>
        c.sendRequest<ReadinessReport>(READINESS_REQUEST, { folders: folders.map((f) => f.uri.toString()) } satisfies ReadinessParams),
      );
      if (!panel) {
        panel = vscode.window.createWebviewPanel('pypyBindings.readinessReport', 'PyPy Readiness Report', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
        panel.onDidDispose(() => (panel = undefined), null, context.subscriptions);
        panel.webview.onDidReceiveMessage(async (m: { type?: string; file?: string; line?: number }) => {
          if (m.type !== 'open' || typeof m.file !== 'string') return;
          const line = Math.max(0, (Number(m.line) || 1) - 1);
          const at = new vscode.Range(line, 0, line, 0);
          await vscode.window.showTextDocument(vscode.Uri.file(m.file), { selection: at, viewColumn: vscode.ViewColumn.One });
        }, null, context.subscriptions);
      }
      panel.webview.html = renderHtml(report, { links: 'webview', nonce: randomBytes(16).toString('base64') });
      panel.reveal();
      return { modules: report.totals.modules, functions: report.totals.functions, convertible: report.totals.convertible };
    }),
  );
}
