import {
  CodeActionKind, DidChangeConfigurationNotification, ErrorCodes, LSPErrorCodes, ProposedFeatures, ResponseError, TextDocumentSyncKind,
  createConnection,
  type CodeAction, type Connection, type Diagnostic, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, normalizeSettings, type Settings } from '../config/settings';
import { loadGrammars } from '../parser/languages';
import { scheduleCodeCacheSave } from '../startup/codeCache';
import { prefetchIncludeDirs } from '../analysis/headers/cHeaders';
import { prototypeLookup } from '../analysis/prototypes';
import { WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import { indexWorkspaceFolders } from './workspaceIndexing';
import { DocumentService, type OpenDocument } from '../service/documentService';
import { codeActionsFor, CONVERT_SOURCE_KIND, convertFileCommand, FIX_ALL_KIND, resolveConversion, SERVER_CONVERT_COMMAND, type ConvertActionData } from './codeActions';
import { DiagnosticObjects, DiagnosticResults, findingsFor } from './diagnostics';
import { EDITOR_FEATURE_CAPABILITIES, externalDeclarations, registerEditorFeatures } from './editorFeatures';
import { hoverFor } from './hover';
import { convertFolder, SERVER_CONVERT_FOLDER_COMMAND } from '../convert/project/folderCommand';
import { readinessForFolders } from './readiness';
import { READINESS_REQUEST, type ReadinessParams } from '../cli/report/types';
import { stdioTransport } from './lifecycle';
import { Logger } from './logger';

export const SERVER_NAME = 'pypy-bindings';

/** A stdio connection behind the lifecycle gate (lifecycle.ts). */
function stdioConnection(): Connection {
  const { reader, writer } = stdioTransport();
  return createConnection(ProposedFeatures.all, reader, writer);
}

/** Starts the language server on a connection (stdio when none is given). */
export function startServer(connection: Connection = stdioConnection()): void {
  const log = new Logger(connection);
  let service: DocumentService | undefined;
  let pullDiagnostics = false;
  let configurationRequests = false;
  let resolveEdits = false;
  let pushedSettings: Settings | undefined;
  const settingsCache = new Map<string, Promise<Settings>>();
  const pushTimers = new Map<string, NodeJS.Timeout>();
  const pulled = new DiagnosticResults();
  const diagnosticObjects = new DiagnosticObjects();
  let workspaceFolders: string[] = [];
  let workDoneProgress = false;
  /** Open documents whose model changed because a module they import did: re-check them. */
  const recheckRelinked = () => {
    const uris = service?.takeRelinked() ?? [];
    if (uris.length === 0) return;
    if (pullDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
    else for (const u of uris) schedulePush(u);
  };

  process.on('uncaughtException', (e) => log.error(`uncaught exception: ${e.stack ?? e}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${(e as Error)?.stack ?? e}`));

  /** Runs a handler, logging instead of crashing; a failed request answers `fallback` (protocol errors pass). */
  const guard = <T>(what: string, fallback: T, fn: () => T | Promise<T>): Promise<T> =>
    Promise.resolve()
      .then(fn)
      .catch((e: unknown) => {
        if (e instanceof ResponseError) throw e;
        log.error(`${what} failed: ${(e as Error)?.stack ?? e}`);
        return fallback;
      });

  const settingsFor = (uri: string): Promise<Settings> => {
    if (!configurationRequests) return Promise.resolve(pushedSettings ?? DEFAULT_SETTINGS);
    let s = settingsCache.get(uri);
    if (!s) {
      s = connection.workspace.getConfiguration({ scopeUri: uri, section: 'pypyBindings' }).then((raw) => {
        const problems: string[] = [];
        const settings = normalizeSettings(raw, problems);
        for (const p of problems) log.warn(`settings for ${uri}: ${p}`);
        log.setLevel(settings.logLevel);
        return settings;
      });
      settingsCache.set(uri, s);
    }
    return s;
  };

  let prototypesKey = JSON.stringify(DEFAULT_SETTINGS.c);
  /** Header settings are one per session (the first document's): a change drops every model. */
  const usePrototypeSettings = (settings: Settings) => {
    const key = JSON.stringify(settings.c);
    if (key === prototypesKey || !service) return;
    prototypesKey = key;
    service.prototypes = prototypeLookup(settings);
    service.invalidateAll();
  };

  /**
   * One version of a document with its model and settings, read after the settings arrive: a request answers
   * for the text it was asked about, or is cancelled with ContentModified when the user typed meanwhile.
   */
  const snapshot = async (uri: string, what: string) => {
    const doc = service?.get(uri);
    if (!doc) return undefined;
    const version = doc.text.version;
    const settings = await settingsFor(uri);
    const now = service?.get(uri);
    if (now !== doc || doc.text.version !== version) {
      throw new ResponseError(LSPErrorCodes.ContentModified, `${what}: ${uri} changed (v${version} → v${now?.text.version ?? 'closed'}) while the request waited`);
    }
    usePrototypeSettings(settings);
    const model = service!.model(uri);
    return model ? { doc: { text: doc.text, parsed: doc.parsed } satisfies OpenDocument, model, settings } : undefined;
  };

  const diagnosticsFor = async (doc: OpenDocument, uri: string, known?: Settings): Promise<Diagnostic[]> => {
    const settings = known ?? (await settingsFor(uri));
    usePrototypeSettings(settings);
    const model = service!.model(uri);
    if (!model) return [];
    const t0 = performance.now();
    const diags = diagnosticObjects.convert(uri, doc.text, findingsFor(model, settings));
    log.debug(`diagnostics ${uri} v${doc.text.version}: ${diags.length} in ${(performance.now() - t0).toFixed(1)} ms`);
    scheduleCodeCacheSave(); // once: the functions of an analysis are compiled by now
    return diags;
  };

  /** Push mode: publish after the current burst of changes; a newer version cancels the stale one. */
  const schedulePush = (uri: string) => {
    if (pullDiagnostics) return;
    clearTimeout(pushTimers.get(uri));
    pushTimers.set(uri, setTimeout(() => {
      pushTimers.delete(uri);
      const doc = service?.get(uri);
      if (!doc) return;
      const version = doc.text.version;
      void guard('diagnostics', undefined, async () => {
        const diagnostics = await diagnosticsFor(doc, uri);
        if (service?.get(uri)?.text.version !== version) return; // stale: a newer change will publish
        await connection.sendDiagnostics({ uri, version, diagnostics });
      });
    }, 15));
  };

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const caps = params.capabilities;
    pullDiagnostics = !!caps.textDocument?.diagnostic;
    configurationRequests = !!caps.workspace?.configuration;
    resolveEdits = !!caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
    if (params.initializationOptions && typeof params.initializationOptions === 'object') {
      pushedSettings = normalizeSettings((params.initializationOptions as { settings?: unknown }).settings ?? params.initializationOptions);
    }
    prefetchIncludeDirs();
    const grammars = await loadGrammars();
    service = new DocumentService(grammars, new WorkspaceIndex(grammars.pythonParser));
    service.onProblem = (message) => log.warn(message);
    workspaceFolders = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : [])).map((f) => f.uri);
    workDoneProgress = !!caps.window?.workDoneProgress;
    log.info(`${SERVER_NAME} started (pid ${process.pid}, ${pullDiagnostics ? 'pull' : 'push'} diagnostics)`);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        ...EDITOR_FEATURE_CAPABILITIES,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CONVERT_SOURCE_KIND, FIX_ALL_KIND], resolveProvider: resolveEdits },
        executeCommandProvider: { commands: [SERVER_CONVERT_COMMAND, SERVER_CONVERT_FOLDER_COMMAND] },
        ...(pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: SERVER_NAME, version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (configurationRequests) void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    // the workspace index fills in the background; open documents are re-checked when it is complete
    void guard('workspace indexing', undefined, async () => {
      if (!service?.workspace || workspaceFolders.length === 0) return;
      await indexWorkspaceFolders(connection, service.workspace, workspaceFolders, workDoneProgress, log);
      service.invalidateAll();
      if (pullDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
      else for (const uri of service.uris()) schedulePush(uri);
    });
  });

  connection.onDidChangeConfiguration((change) => {
    settingsCache.clear();
    if (!configurationRequests) {
      const raw = (change.settings as { pypyBindings?: unknown } | undefined)?.pypyBindings;
      const problems: string[] = [];
      pushedSettings = normalizeSettings(raw, problems);
      for (const p of problems) log.warn(`settings: ${p}`);
      log.setLevel(pushedSettings.logLevel);
    }
    log.info('settings changed: re-checking open documents');
    if (pullDiagnostics) void connection.languages.diagnostics.refresh().catch(() => undefined);
    else for (const uri of service?.uris() ?? []) schedulePush(uri);
  });

  connection.onDidOpenTextDocument((p) => {
    void guard('didOpen', undefined, () => {
      service!.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
      schedulePush(p.textDocument.uri);
    });
  });
  connection.onDidChangeTextDocument((p) => {
    void guard('didChange', undefined, () => {
      const problems: string[] = [];
      service!.change(p.textDocument.uri, p.textDocument.version, p.contentChanges, problems);
      for (const problem of problems) log.error(`didChange: ${problem}`);
      schedulePush(p.textDocument.uri);
      recheckRelinked();
    });
  });
  connection.onDidCloseTextDocument((p) => {
    service?.close(p.textDocument.uri);
    settingsCache.delete(p.textDocument.uri);
    pulled.forget(p.textDocument.uri);
    diagnosticObjects.forget(p.textDocument.uri);
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(async (params, token) => {
    const uri = params.textDocument.uri;
    const doc = service?.get(uri);
    if (!doc) return { kind: 'full', items: [] };
    const version = doc.text.version;
    const settings = await settingsFor(uri);
    // a newer edit or a cancelled request: let the client ask again rather than compute stale results
    if (token.isCancellationRequested || service?.get(uri)?.text.version !== version) {
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'stale diagnostics request', { retriggerRequest: true });
    }
    const items = await guard('diagnostics', [] as Diagnostic[], () => diagnosticsFor(doc, uri, settings));
    return pulled.report(uri, items, params.previousResultId);
  });

  connection.onHover((params) =>
    guard('hover', null, async () => {
      const snap = await snapshot(params.textDocument.uri, 'hover');
      if (!snap || !snap.settings.hover.enable) return null;
      const { doc, model, settings } = snap;
      return hoverFor(doc, model, doc.text.offsetAt(params.position), findingsFor(model, settings), externalDeclarations(service));
    }),
  );

  registerEditorFeatures(connection, { snapshot, guard, service: () => service, debug: (m) => log.debug(m) });

  connection.onCodeAction((params) =>
    guard('codeAction', [] as CodeAction[], async () => {
      const snap = await snapshot(params.textDocument.uri, 'codeAction');
      if (!snap) return [];
      const { doc, model, settings } = snap;
      return codeActionsFor(doc, model, params, settings, findingsFor(model, settings), resolveEdits, (u) => service?.get(u)?.text);
    }),
  );

  connection.onCodeActionResolve((action) =>
    guard('codeAction/resolve', action, async () => {
      const uri = (action.data as ConvertActionData | undefined)?.convert?.uri;
      const snap = uri ? await snapshot(uri, 'codeAction/resolve') : undefined;
      if (!snap) return action;
      return resolveConversion(snap.doc, snap.model, action, snap.settings, (u) => service?.get(u)?.text);
    }),
  );

  connection.onExecuteCommand((params) =>
    guard('executeCommand', null as unknown, async () => {
      if (params.command === SERVER_CONVERT_FOLDER_COMMAND) {
        const folder = ((params.arguments?.[0] ?? {}) as { folder?: string }).folder ?? '';
        // the folder's header settings (include paths, library headers), as the file command's model has them
        const r = await convertFolder(folder, (uri) => service?.get(uri)?.text, prototypeLookup(await settingsFor(folder)));
        const applied = r.edit ? await connection.workspace.applyEdit({ label: 'Convert ctypes to CFFI in This Folder', edit: r.edit }) : undefined;
        return { applied: applied?.applied ?? false, message: applied && !applied.applied ? `Not applied${applied.failureReason ? `: ${applied.failureReason}` : ''}.` : r.message, leftForHuman: r.leftForHuman, notes: r.notes };
      }
      if (params.command !== SERVER_CONVERT_COMMAND) throw new Error(`unknown command ${params.command}`);
      const arg = (params.arguments?.[0] ?? {}) as { uri?: string };
      const snap = arg.uri ? await snapshot(arg.uri, 'executeCommand') : undefined;
      if (!snap) return { applied: false, message: 'Open a Python file to convert it.' };
      return convertFileCommand(connection, snap.doc, snap.model, snap.settings, (u) => service?.get(u)?.text);
    }),
  );

  connection.onRequest(READINESS_REQUEST, (params: ReadinessParams) =>
    guard('readinessReport', null, async () => {
      try {
        return await readinessForFolders(params);
      } catch (e) {
        throw new ResponseError(ErrorCodes.InvalidParams, (e as Error).message);
      }
    }),
  );

  connection.onShutdown(() => {
    service?.dispose();
    for (const t of pushTimers.values()) clearTimeout(t);
  });
  // the library exits after `exit`: 0 when shutdown came first, 1 otherwise (as the spec says)
  connection.onExit(() => service?.dispose());
  connection.listen();
}
