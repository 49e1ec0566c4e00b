import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { analyzeDocument } from '../analysis/analyze';
import type { BindingModel } from '../analysis/model';
import { ParsedDocument } from '../documents/parsedDocument';
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

  constructor(private readonly grammars: Grammars) {}

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const doc: OpenDocument = {
      text: TextDocument.create(uri, languageId, version, text),
      parsed: new ParsedDocument(this.grammars.pythonParser, text, version),
    };
    this.docs.set(uri, doc);
    return doc;
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
    return doc;
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    if (doc) {
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
    doc.model ??= analyzeDocument(doc.parsed, uri, this.grammars.cParser);
    return doc.model;
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }
}
