import type { Hover } from 'vscode-languageserver';
import type { BindingModel } from '../analysis/model';
import { hoverAt } from '../hover/hover';
import type { ExternalDeclarations } from '../features/bindings';
import type { Finding } from '../rules/lint';
import type { OpenDocument } from '../service/documentService';

/** The LSP hover: the pure hover feature over the open document's model, trees and findings. */
export function hoverFor(doc: OpenDocument, model: BindingModel, offset: number, findings: readonly Finding[], external?: ExternalDeclarations): Hover | null {
  return hoverAt(model, doc.parsed, offset, findings, doc.text, { external });
}
