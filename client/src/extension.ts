import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, State, TransportKind,
  type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import { COMMANDS, SERVER_CONVERT_COMMAND, SERVER_CONVERT_FOLDER_COMMAND } from './commandIds';
import { registerNewBindingModule } from './commands/newBindingModule';
import { registerReadinessReport } from './commands/readinessReport';
import { showLeftForHuman } from './commands/leftForHuman';

const SELECTOR: { scheme: string; language: string }[] = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { scheme: 'vscode-notebook-cell', language: 'python' },
  { scheme: 'vscode-remote', language: 'python' },
];

let client: LanguageClient | undefined;

/** Restarts after a crash, but not forever: 5 crashes in 3 minutes stop it with a visible error. */
class RestartingErrorHandler implements ErrorHandler {
  private crashes: number[] = [];
  constructor(private readonly output: vscode.OutputChannel) {}
  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue };
  }
  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < 180_000);
    this.crashes.push(now);
    if (this.crashes.length > 5) {
      const message = 'The PyPy Bindings server crashed 5 times in 3 minutes and will not be restarted. See the log for details.';
      void vscode.window.showErrorMessage(message, 'Show Logs').then((choice) => choice && this.output.show());
      return { action: CloseAction.DoNotRestart, message };
    }
    this.output.appendLine(`[client] server stopped unexpectedly; restarting (${this.crashes.length} in the last 3 minutes)`);
    void vscode.window.setStatusBarMessage('PyPy Bindings: server restarted after a crash', 5000);
    return { action: CloseAction.Restart, handled: true };
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('PyPy Bindings', { log: true });
  const traceOutput = vscode.window.createOutputChannel('PyPy Bindings Trace', { log: true });
  const status = vscode.languages.createLanguageStatusItem('pypyBindings.status', SELECTOR);
  status.name = 'PyPy Bindings';
  status.text = '$(sync~spin) PyPy Bindings';
  status.detail = 'starting';
  status.command = { title: 'Show Logs', command: COMMANDS.showLogs };
  context.subscriptions.push(output, traceOutput, status);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args: ['lsp'] },
    debug: { module: serverModule, transport: TransportKind.stdio, args: ['lsp'], options: { execArgv: ['--nolazy', '--inspect=6029'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: output,
    traceOutputChannel: traceOutput,
    errorHandler: new RestartingErrorHandler(output),
    // settings are pulled per document (workspace/configuration); this only announces changes
    synchronize: { configurationSection: 'pypyBindings' },
  };
  client = new LanguageClient('pypyBindings', 'PyPy Bindings', serverOptions, clientOptions);
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        status.text = '$(check) PyPy Bindings';
        status.detail = 'server running';
        status.severity = vscode.LanguageStatusSeverity.Information;
      } else if (e.newState === State.Starting) {
        status.text = '$(sync~spin) PyPy Bindings';
        status.detail = 'starting';
      } else {
        status.text = '$(error) PyPy Bindings';
        status.detail = 'server stopped';
        status.severity = vscode.LanguageStatusSeverity.Error;
      }
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showLogs, () => output.show(true)),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      output.appendLine('[client] restarting the server on request');
      if (!client) return;
      if (client.isRunning()) await client.restart();
      else await client.start();
    }),
    vscode.commands.registerCommand(COMMANDS.convertFileToCffi, async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || !client) {
        void vscode.window.showWarningMessage('PyPy Bindings: open a Python file to convert it.');
        return undefined;
      }
      const result = (await client.sendRequest('workspace/executeCommand', { command: SERVER_CONVERT_COMMAND, arguments: [{ uri: target.toString() }] })) as ConvertReport | null;
      if (!result) return undefined;
      if (!result.applied) void vscode.window.showInformationMessage(`PyPy Bindings: ${result.message}`);
      else if (result.leftForHuman.length) {
        output.appendLine(`[convert] ${target.fsPath}: left for a human:\n${result.leftForHuman.map((l) => `  line ${l.line}: ${l.reason}`).join('\n')}`);
        const items = result.leftForHuman.map((l) => ({ uri: target, line: l.line, reason: l.reason }));
        void vscode.window.showWarningMessage(`PyPy Bindings: ${result.message} ${result.leftForHuman.length} place(s) left for you, marked TODO(pypy-bindings).`, 'Show Details').then((c) => c && showLeftForHuman(items, 'Left for you by the conversion'));
      } else void vscode.window.showInformationMessage(`PyPy Bindings: ${result.message}`);
      return result;
    }),
  );
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.convertFolderToCffi, async (uri?: vscode.Uri) => {
      let target = uri;
      if (!target) {
        const folders = vscode.workspace.workspaceFolders ?? [];
        const picked = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to convert from ctypes to CFFI' });
        target = picked?.uri;
      }
      if (!target || !client) {
        void vscode.window.showWarningMessage('PyPy Bindings: open a folder to convert it.');
        return undefined;
      }
      const result = (await client.sendRequest('workspace/executeCommand', { command: SERVER_CONVERT_FOLDER_COMMAND, arguments: [{ folder: target.toString() }] })) as FolderReport | null;
      if (!result) return undefined;
      if (result.leftForHuman.length) {
        output.appendLine(`[convert] ${target.fsPath}:\n${result.leftForHuman.map((l) => `  ${vscode.Uri.parse(l.uri).fsPath}:${l.line}: ${l.reason}`).join('\n')}`);
        const items = result.leftForHuman.map((l) => ({ uri: vscode.Uri.parse(l.uri), line: l.line, reason: l.reason }));
        void vscode.window.showWarningMessage(`PyPy Bindings: ${result.message}`, 'Show Details').then((c) => c && showLeftForHuman(items, 'Left for you by the folder conversion'));
      } else void vscode.window.showInformationMessage(`PyPy Bindings: ${result.message}`);
      return result;
    }),
  );
  registerNewBindingModule(context);
  registerReadinessReport(context, () => client);
  await client.start();
}

interface FolderReport {
  applied: boolean;
  message: string;
  leftForHuman: { uri: string; line: number; reason: string }[];
}

interface ConvertReport {
  applied: boolean;
  message: string;
  leftForHuman: { line: number; reason: string }[];
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
