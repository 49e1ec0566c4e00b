import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AnnotatedTextEdit, CodeActionKind, type CodeAction, type CodeActionParams, type Connection, type Diagnostic, type TextDocumentEdit,
  type TextEdit, type WorkspaceEdit, type CreateFile,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { BindingModel, Span } from '../analysis/model';
import type { Settings } from '../config/settings';
import { readFileText } from '../cli/fileText';
import type { ApiWorkspace } from '../convert/apiMode';
import { convertToCffi, type ConversionResult } from '../convert/convertFile';
import { lineEdits } from '../convert/project/folderCommand';
import { planFixes } from '../rules/fixAll';
import { disableRuleEdit, fixesFor } from '../rules/fixes';
import type { Finding } from '../rules/lint';
import type { OpenDocument } from '../service/documentService';
import { lineEndOf, withLineEnd } from '../documents/lineEnds';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

export const CONVERT_SOURCE_KIND = 'source.convertToCffi';
/** VS Code's `editor.codeActionsOnSave` key: the safe fixes of the whole file, as `check --fix` applies them. */
export const FIX_ALL_KIND = 'source.fixAll.pypyBindings';
export const SERVER_CONVERT_COMMAND = 'pypyBindings.server.convertFile';
const CONVERTIBLE = new Set(['PB101', 'PB204', 'PB205']);

interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** A versioned edit of one document: it cannot land on a newer text than it was computed for. */
export function versionedEdit(doc: TextDocument, edits: readonly OffsetEdit[]): TextDocumentEdit {
  // new lines end as the document's do (a CRLF file gets no LF-only lines)
  const eol = lineEndOf(doc.getText());
  return {
    textDocument: { uri: doc.uri, version: doc.version },
    edits: edits.map((e): TextEdit => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: withLineEnd(e.newText, eol) })),
  };
}

function overlaps(doc: TextDocument, span: Span, d: Diagnostic): boolean {
  const s = doc.offsetAt(d.range.start);
  const e = doc.offsetAt(d.range.end);
  return span.start <= e && s <= span.end;
}

/** Other documents by URI, as the editor has them (their unsaved text wins over the disk). */
export type OpenTexts = (uri: string) => TextDocument | undefined;

const API_ANNOTATION = 'pypyBindings.convertApiMode';

/** What API mode reads beside the module: open documents first, else the disk; an unreadable file counts as taken. */
function besideModule(doc: TextDocument, open?: OpenTexts): ApiWorkspace | undefined {
  if (!doc.uri.startsWith('file:')) return undefined;
  return {
    readFile: (rel) => {
      const uri = new URL(rel, doc.uri).href;
      const opened = open?.(uri);
      if (opened) return opened.getText();
      const file = fileURLToPath(uri);
      if (!fs.existsSync(file)) return undefined;
      try {
        return readFileText(file).analysisText;
      } catch {
        return '';
      }
    },
  };
}

/** Converts the model's file with the settings' mode (API mode also reads the files beside it). */
function convertDocument(doc: TextDocument, model: BindingModel, settings: Settings, open?: OpenTexts, libraryName?: string): ConversionResult {
  const workspace = settings.convert.mode === 'api-outofline' ? besideModule(doc, open) : undefined;
  return convertToCffi(model, { mode: settings.convert.mode, only: libraryName ? { libraryName } : undefined, workspace });
}

/**
 * The conversion as one workspace edit. With files beside the module (API mode) it is a multi-file refactoring:
 * every change carries an annotation that needs confirmation (VS Code's refactor preview), the build script is
 * a CreateFile that fails rather than overwrite, and setup.py is a minimal edit carrying its version; one undo
 * reverts it all and removes the created file.
 */
function conversionEdit(doc: TextDocument, result: ConversionResult, open?: OpenTexts): WorkspaceEdit {
  const changed = result.changedFiles ?? [];
  if (!result.extraFiles.length && !changed.length) return { documentChanges: [versionedEdit(doc, result.edits)] };
  const annotate = (e: TextEdit): AnnotatedTextEdit => ({ ...e, annotationId: API_ANNOTATION });
  const main = versionedEdit(doc, result.edits);
  const changes: (TextDocumentEdit | CreateFile)[] = [{ ...main, edits: (main.edits as TextEdit[]).map(annotate) }];
  for (const extra of result.extraFiles) {
    const uri = new URL(extra.relativePath, doc.uri).href;
    changes.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false }, annotationId: API_ANNOTATION });
    const eol = lineEndOf(doc.getText());
    changes.push({ textDocument: { uri, version: null }, edits: [annotate({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: withLineEnd(extra.content, eol) })] });
  }
  for (const c of changed) {
    const uri = new URL(c.relativePath, doc.uri).href;
    const opened = open?.(uri);
    const before = opened?.getText() ?? c.before;
    if (before !== c.before) continue; // changed since it was read: left alone (the note says what to add)
    changes.push({ textDocument: { uri, version: opened?.version ?? null }, edits: lineEdits(before, withLineEnd(c.after, lineEndOf(before)), API_ANNOTATION) });
  }
  const files = [...result.extraFiles.map((f) => f.relativePath), ...changed.map((c) => c.relativePath)];
  return { documentChanges: changes, changeAnnotations: { [API_ANNOTATION]: { label: 'Convert ctypes to CFFI (API out-of-line)', needsConfirmation: true, description: `the module, ${files.join(', ')}` } } };
}

/** The library a diagnostic is about, for the per-library conversion. */
function libraryAt(model: BindingModel, doc: TextDocument, d: Diagnostic): string | undefined {
  for (const lib of model.ctypes.libraries) {
    if (overlaps(doc, lib.statementSpan, d) || overlaps(doc, lib.loadSpan, d)) return lib.name;
    for (const fn of lib.functions) if ([...fn.refs, ...fn.calls.map((c) => c.span)].some((s) => overlaps(doc, s, d))) return lib.name;
  }
  return undefined;
}

/** What a conversion action carries until the client resolves it (the edit is computed only then). */
export interface ConvertActionData {
  convert: { uri: string; version: number; libraryName?: string };
}

/** Fills in a conversion action's edit; null when the document changed since the action was offered. */
export function resolveConversion(doc: OpenDocument, model: BindingModel, action: CodeAction, settings: Settings, open?: OpenTexts): CodeAction {
  const data = (action.data as ConvertActionData | undefined)?.convert;
  if (!data || data.version !== doc.text.version) return action;
  const result = convertDocument(doc.text, model, settings, open, data.libraryName);
  return { ...action, edit: conversionEdit(doc.text, result, open) };
}

export function codeActionsFor(doc: OpenDocument, model: BindingModel, params: CodeActionParams, settings: Settings, findings: Finding[], lazyEdits = false, open?: OpenTexts): CodeAction[] {
  const text = doc.text;
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
  const actions: CodeAction[] = [];
  const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string');

  if (wants(CodeActionKind.QuickFix)) {
    const convertedLibraries = new Set<string>();
    for (const d of ours) {
      const code = d.code as string;
      const finding = findings.find((f) => f.code === code && text.offsetAt(d.range.start) === f.span.start && text.offsetAt(d.range.end) === f.span.end);
      if (finding && settings.codeAction.fixViolation.enable) {
        for (const fix of fixesFor(model, finding)) {
          actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { documentChanges: [versionedEdit(text, fix.edits)] } });
        }
      }
      if (CONVERTIBLE.has(code)) {
        const libraryName = libraryAt(model, text, d);
        if (libraryName && !convertedLibraries.has(libraryName)) {
          convertedLibraries.add(libraryName);
          const title = `Convert ${libraryName}'s bindings to CFFI`;
          if (lazyEdits) {
            // converting is a whole-file refactoring: computed when chosen (codeAction/resolve), not on every light bulb
            actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], data: { convert: { uri: text.uri, version: text.version, libraryName } } satisfies ConvertActionData });
          } else {
            const result = convertDocument(text, model, settings, open, libraryName);
            if (result.edits.length) actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: conversionEdit(text, result, open) });
          }
        }
      }
      if (settings.codeAction.disableRuleComment.enable) {
        const edit = disableRuleEdit(text.getText(), text.offsetAt(d.range.start), code);
        if (edit) actions.push({ title: `Disable ${code} for this line`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { documentChanges: [versionedEdit(text, [edit])] } });
      }
    }
  }
  if (wants(FIX_ALL_KIND) && settings.codeAction.fixViolation.enable) {
    // one pass of the CLI's loop: the non-conflicting safe fixes, as one edit carrying the document version
    const plan = planFixes(model, findings);
    if (plan.edits.length) {
      actions.push({ title: `Fix all safe PyPy binding problems (${plan.fixed.length})`, kind: FIX_ALL_KIND, edit: { documentChanges: [versionedEdit(text, plan.edits)] } });
    }
  }
  if (wants(CONVERT_SOURCE_KIND) && (only || model.ctypes.libraries.length > 0)) {
    const title = 'Convert ctypes bindings in this file to CFFI';
    if (lazyEdits && model.ctypes.libraries.length > 0) {
      actions.push({ title, kind: CONVERT_SOURCE_KIND, data: { convert: { uri: text.uri, version: text.version } } satisfies ConvertActionData });
    } else {
      const result = convertDocument(text, model, settings, open);
      if (result.edits.length) actions.push({ title, kind: CONVERT_SOURCE_KIND, edit: conversionEdit(text, result, open) });
    }
  }
  return actions;
}

/** The palette command: converts the whole file through a versioned workspace edit and reports what is left. */
export async function convertFileCommand(connection: Connection, doc: OpenDocument, model: BindingModel, settings: Settings, open?: OpenTexts) {
  const result = convertDocument(doc.text, model, settings, open);
  // lines of the text after the edit (each at its TODO), in order
  const leftForHuman = result.leftForHuman.map((l) => ({ line: l.line, reason: l.reason }));
  if (result.edits.length === 0) return { applied: false, message: 'Nothing to convert: this file has no ctypes bindings the converter handles.', leftForHuman, notes: result.notes };
  const applied = await connection.workspace.applyEdit({ label: 'Convert ctypes to CFFI', edit: conversionEdit(doc.text, result, open) });
  return {
    applied: applied.applied,
    message: !applied.applied
      ? `The editor refused the edit${applied.failureReason ? `: ${applied.failureReason}` : ''}.`
      : result.todosOnly
        ? 'Nothing could be converted to CFFI: the file stays ctypes.'
        : `Converted to CFFI${result.notes.length ? ` (${result.notes.join('; ')})` : ''}.`,
    leftForHuman,
    notes: result.notes,
  };
}
