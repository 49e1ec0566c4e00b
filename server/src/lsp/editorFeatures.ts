/**
 * LSP glue for completion, signature help, go to definition and document symbols: each request reads the
 * open document's model and calls the pure feature; a feature turned off in the settings answers null.
 */
import type { Connection, ServerCapabilities } from 'vscode-languageserver';
import type { Settings } from '../config/settings';
import type { BindingModel } from '../analysis/model';
import type { DocumentService, OpenDocument } from '../service/documentService';
import { NO_EXTERNAL, type ExternalDeclarations } from '../features/bindings';
import { completionAt } from '../features/completion';
import { definitionAt } from '../features/definition';
import { documentSymbols } from '../features/documentSymbols';
import { signatureHelpAt } from '../features/signatureHelp';
import { workspaceDeclarations } from '../features/workspaceDeclarations';

export const EDITOR_FEATURE_CAPABILITIES: ServerCapabilities = {
  completionProvider: { triggerCharacters: ['.', '"', "'", ' ', '='] },
  signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [',', ')'] },
  definitionProvider: true,
  documentSymbolProvider: { label: 'PyPy Bindings' },
};

export interface EditorFeatureDeps {
  /** The document's current version with its model and settings (ContentModified if it changes meanwhile). */
  snapshot: (uri: string, what: string) => Promise<{ doc: OpenDocument; model: BindingModel; settings: Settings } | undefined>;
  /** Logs and answers the fallback when a handler throws. */
  guard: <T>(what: string, fallback: T, fn: () => T | Promise<T>) => Promise<T>;
  /** The document store: other files' models (build scripts) and the header settings. */
  service?: () => DocumentService | undefined;
  /** Debug log of each answer (logLevel debug). */
  debug?: (message: string) => void;
}

/** What other files of the workspace declare, read through the document store (open build scripts, headers). */
export function externalDeclarations(service: DocumentService | undefined): ExternalDeclarations {
  if (!service) return NO_EXTERNAL;
  return workspaceDeclarations({ openModel: (uri) => (service.get(uri) ? service.model(uri) : undefined), prototypes: () => service.prototypes });
}

export function registerEditorFeatures(connection: Connection, deps: EditorFeatureDeps): void {
  const external = () => externalDeclarations(deps.service?.());
  const open = async (uri: string, feature: 'completion' | 'signatureHelp' | 'definition' | 'documentSymbols') => {
    const snap = await deps.snapshot(uri, feature);
    if (!snap || !snap.settings[feature].enable) return undefined;
    return { doc: snap.doc, model: snap.model, ext: external() };
  };

  connection.onCompletion((p) =>
    deps.guard('completion', null, async () => {
      const o = await open(p.textDocument.uri, 'completion');
      return o ? completionAt(o.model, o.doc.parsed, o.doc.text.offsetAt(p.position), o.doc.text, o.ext) : null;
    }),
  );
  connection.onSignatureHelp((p) =>
    deps.guard('signatureHelp', null, async () => {
      const o = await open(p.textDocument.uri, 'signatureHelp');
      const help = o ? signatureHelpAt(o.model, o.doc.parsed, o.doc.text.offsetAt(p.position), o.ext) : null;
      deps.debug?.(`signatureHelp ${p.textDocument.uri} v${o?.doc.text.version ?? '-'} ${p.position.line}:${p.position.character}: ${help ? help.signatures[0]!.label : o ? 'none' : 'off or not open'}`);
      return help;
    }),
  );
  connection.onDefinition((p) =>
    deps.guard('definition', null, async () => {
      const o = await open(p.textDocument.uri, 'definition');
      return o ? definitionAt(o.model, o.doc.parsed, o.doc.text.offsetAt(p.position), o.doc.text, o.ext) : null;
    }),
  );
  connection.onDocumentSymbol((p) =>
    deps.guard('documentSymbol', null, async () => {
      const o = await open(p.textDocument.uri, 'documentSymbols');
      return o ? documentSymbols(o.model, o.doc.text) : null;
    }),
  );
}
