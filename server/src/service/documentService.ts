import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { analyzeDocument } from '../analysis/analyze';
import type { BindingModel } from '../analysis/model';
import { ParsedDocument } from '../documents/parsedDocument';
import type { PrototypeLookup } from '../analysis/prototypes';
import { linkWorkspaceModel } from '../analysis/workspace/linkModel';
import { evaluateDocument, type WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import type { Grammars } from '../parser/languages';

export interface OpenDocument {
  text: TextDocument;
  parsed: ParsedDocument;
  /** The model of the current version, computed on first demand. */
  model?: BindingModel;
}

/**
 * The open documents of a session: text, regions with trees, and the binding model of the current version.
 * Every feature asks this store for the model; nothing else parses.
 */
export class DocumentService {
  private readonly docs = new Map<string, OpenDocument>();

  /** Open documents whose model is stale because a module they read changed (re-published by the server). */
  private readonly relinked = new Set<string>();

  /**
   * `workspace`: the index of the workspace's modules (the server's folders); without one each document is
   * evaluated on its own. `prototypes`: where C prototypes come from (headers on by default).
   */
  constructor(
    private readonly grammars: Grammars,
    readonly workspace?: WorkspaceIndex,
    public prototypes: PrototypeLookup = { headers: {} },
  ) {}

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const doc: OpenDocument = {
      text: TextDocument.create(uri, languageId, version, text),
      parsed: new ParsedDocument(this.grammars.pythonParser, text, version),
    };
    this.docs.set(uri, doc);
    if (this.workspace) this.noteChanged(this.workspace.openDocument(uri, doc.parsed));
    return doc;
  }

  /** Models of open dependants are dropped: they read the module that changed. */
  private noteChanged(uris: readonly string[]): void {
    for (const u of uris) {
      const d = this.docs.get(u);
      if (d) {
        d.model = undefined;
        this.relinked.add(u);
      }
    }
  }

  /** Open documents re-linked since the last call (their diagnostics may have changed). */
  takeRelinked(): string[] {
    const out = [...this.relinked];
    this.relinked.clear();
    return out;
  }

  /** Drops every model (the workspace index or the prototype settings changed). */
  invalidateAll(): void {
    for (const d of this.docs.values()) d.model = undefined;
  }

  /** Applies LSP content changes in order; ranges are resolved against the text left by the previous change. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    for (const change of changes) {
      if ('range' in change && change.range) {
        const start = doc.text.offsetAt(change.range.start);
        const end = doc.text.offsetAt(change.range.end);
        doc.text = TextDocument.update(doc.text, [change], version);
        doc.parsed.applyEditWithResult({ start, end, newText: change.text }, version, doc.text.getText());
      } else {
        doc.text = TextDocument.update(doc.text, [change], version);
        doc.parsed.setText(change.text, version);
      }
    }
    doc.model = undefined;
    if (this.workspace) this.noteChanged(this.workspace.changed(uri));
    return doc;
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (doc) {
      if (this.workspace) this.noteChanged(this.workspace.closeDocument(uri));
      doc.parsed.dispose();
      this.docs.delete(uri);
    }
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  uris(): string[] {
    return [...this.docs.keys()];
  }

  model(uri: string): BindingModel | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    if (!doc.model) {
      const model = analyzeDocument(doc.parsed, uri, this.grammars.cParser);
      const ev = this.workspace?.evaluationOf(uri) ?? evaluateDocument(doc.parsed, uri);
      doc.model = linkWorkspaceModel(model, ev, this.prototypes);
    }
    return doc.model;
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }
}
