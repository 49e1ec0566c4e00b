import { TextDocument, type Position, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { analyzeDocument } from '../analysis/analyze';
import type { BindingModel } from '../analysis/model';
import { isStackOverflow, TOO_DEEP_MESSAGE } from '../documents/nesting';
import { ParsedDocument } from '../documents/parsedDocument';
import type { PrototypeLookup } from '../analysis/prototypes';
import { linkWorkspaceModel } from '../analysis/workspace/linkModel';
import { evaluateDocument, needsEvaluation, type WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import type { Grammars } from '../parser/languages';
import { releaseFlatTree } from '../parser/flatTree';

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

  /** Told of documents that could not be analysed (the server logs it). */
  onProblem?: (message: string) => void;

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

  /**
   * Applies LSP content changes in order; ranges are resolved against the text left by the previous change.
   * A position past the end of a line or of the document is clamped (as editors do); a reversed or malformed
   * change is skipped and described in `problems`, so the text and the trees never disagree.
   */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[], problems: string[] = []): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    changes.forEach((change, i) => {
      const what = `${uri} v${version} change ${i + 1}/${changes.length}`;
      if (!change || typeof change !== 'object' || typeof (change as { text?: unknown }).text !== 'string') {
        problems.push(`${what}: ignored (no text)`);
        return;
      }
      if ('range' in change && change.range !== undefined && change.range !== null) {
        const r = change.range as { start?: unknown; end?: unknown };
        if (!isPosition(r.start) || !isPosition(r.end)) {
          problems.push(`${what}: ignored (malformed range ${JSON.stringify(change.range)})`);
          return;
        }
        if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) {
          problems.push(`${what}: ignored (reversed range ${JSON.stringify(change.range)})`);
          return;
        }
        const start = doc.text.offsetAt(r.start);
        const end = doc.text.offsetAt(r.end);
        const range = { start: doc.text.positionAt(start), end: doc.text.positionAt(end) };
        const old = doc.text.getText();
        // TextDocument's incremental line table goes wrong when an edit splits or joins a CR LF pair: rebuild it then
        const cr = old.charCodeAt(start - 1) === 13 || (end > start && old.charCodeAt(end - 1) === 13) || (change.text.endsWith('\r') && old.charCodeAt(end) === 10);
        doc.text = cr
          ? TextDocument.create(uri, doc.text.languageId, version, old.slice(0, start) + change.text + old.slice(end))
          : TextDocument.update(doc.text, [{ range, text: change.text }], version);
        doc.parsed.applyEditWithResult({ start, end, newText: change.text }, version, doc.text.getText());
      } else {
        doc.text = TextDocument.update(doc.text, [{ text: change.text }], version);
        doc.parsed.setText(change.text, version);
      }
    });
    if (doc.text.version !== version) doc.text = TextDocument.update(doc.text, [], version);
    doc.parsed.version = version;
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
      try {
        const model = analyzeDocument(doc.parsed, uri, this.grammars.cParser, { reuse: true });
        const ev = !needsEvaluation(doc.parsed, this.workspace, uri) ? undefined : this.workspace?.evaluationOf(uri) ?? evaluateDocument(doc.parsed, uri);
        doc.model = linkWorkspaceModel(model, ev, this.prototypes);
        for (const r of doc.parsed.regions) releaseFlatTree(r);
      } catch (e) {
        if (!isStackOverflow(e)) throw e;
        this.onProblem?.(`${uri} v${doc.text.version}: ${TOO_DEEP_MESSAGE}`);
        doc.model = emptyModel(uri, doc.parsed);
      }
    }
    return doc.model;
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }
}

function isPosition(p: unknown): p is Position {
  const q = p as Position | undefined;
  return typeof q === 'object' && q !== null && Number.isInteger(q.line) && Number.isInteger(q.character) && q.line >= 0 && q.character >= 0;
}

/** The model of a file with no bindings found (what a file too deep to walk is reported as). */
export function emptyModel(uri: string, doc: ParsedDocument): BindingModel {
  return {
    uri, version: doc.version, text: doc.text, imports: [], uses: new Set(),
    ctypes: { libraries: [], functions: [], structs: [], prototypes: [], uses: [], instances: [] },
    cffi: { ffis: [], calls: [], libAccesses: [], assigns: [] },
    cppyy: { uses: [] }, mixedModules: [], specialCalls: [], calls: [], regionCalls: [],
    qualify: (dotted) => dotted,
    isPassedAsArgument: () => false,
  };
}
