/**
 * The editor's "Convert ctypes to CFFI in This Folder": the project engine over a folder, as one workspace
 * edit whose changes need confirmation (VS Code shows them in its refactor preview; one undo reverts all).
 * Open documents convert from their editor text and carry their version; the others from disk.
 */
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diffLines } from '../../documents/lineDiff';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnnotatedTextEdit, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver';
import { readFileText } from '../../cli/fileText';
import type { PrototypeLookup } from '../../analysis/prototypes';
import { convertPaths } from './convertProject';

export const SERVER_CONVERT_FOLDER_COMMAND = 'pypyBindings.server.convertFolder';
const ANNOTATION = 'pypyBindings.convertFolder';

export interface FolderConversion {
  edit?: WorkspaceEdit;
  message: string;
  converted: boolean;
  /** What was left, at lines of the text after the edit (1-based). */
  leftForHuman: { uri: string; line: number; reason: string }[];
  notes: string[];
}

/** Line-level edits from one text to another (only the changed runs of lines), each with the annotation. */
export function lineEdits(before: string, after: string, annotationId = ANNOTATION): AnnotatedTextEdit[] {
  const edits: AnnotatedTextEdit[] = [];
  let line = 0;
  let pending: { start: number; end: number; text: string } | undefined;
  const flush = (): void => {
    if (!pending) return;
    edits.push({ range: { start: { line: pending.start, character: 0 }, end: { line: pending.end, character: 0 } }, newText: pending.text, annotationId });
    pending = undefined;
  };
  for (const part of diffLines(before, after)) {
    const n = part.count ?? part.value.split('\n').length - 1;
    if (!part.added && !part.removed) {
      flush();
      line += n;
    } else if (part.removed) {
      pending = pending ?? { start: line, end: line, text: '' };
      pending.end = line + n;
      line += n;
    } else {
      pending = pending ?? { start: line, end: line, text: '' };
      pending.text += part.value;
    }
  }
  flush();
  return edits;
}

/** `lookup`: the C headers the settings name (`pypyBindings.c.*`), for functions called without argtypes, as the file command reads them. */
export async function convertFolder(folderUri: string, openDocument: (uri: string) => TextDocument | undefined, lookup?: PrototypeLookup): Promise<FolderConversion> {
  if (!folderUri.startsWith('file:')) return { message: 'Convert a folder on disk (a file: URI).', converted: false, leftForHuman: [], notes: [] };
  const folder = fileURLToPath(folderUri);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return { message: `${folder} is not a folder.`, converted: false, leftForHuman: [], notes: [] };
  const versions = new Map<string, number>();
  const result = await convertPaths([folder], (file) => {
    const doc = openDocument(pathToFileURL(file).href);
    if (doc) {
      versions.set(file, doc.version);
      return doc.getText();
    }
    return readFileText(file).analysisText;
  }, lookup);
  const changes: TextDocumentEdit[] = [];
  for (const f of result.files) {
    if (f.converted === f.original) continue;
    const uri = pathToFileURL(f.file).href;
    changes.push({ textDocument: { uri, version: versions.get(f.file) ?? null }, edits: lineEdits(f.original, f.converted) });
  }
  const leftForHuman = result.files.flatMap((f) => f.left.map((l) => ({ uri: pathToFileURL(f.file).href, line: l.line, reason: l.reason })));
  const s = result.stats;
  const message = result.converted
    ? `Converted ${s.functions} foreign functions and ${s.callbacks} callback types in ${s.modules} modules to CFFI.`
    : leftForHuman.length
      ? `The binding stays ctypes: ${leftForHuman.length} cause(s) marked TODO(pypy-bindings).`
      : 'Nothing to convert in this folder.';
  if (!changes.length) return { message, converted: result.converted, leftForHuman, notes: result.notes };
  return {
    edit: { documentChanges: changes, changeAnnotations: { [ANNOTATION]: { label: 'Convert ctypes to CFFI', needsConfirmation: true, description: 'pypy-bindings project conversion' } } },
    message,
    converted: result.converted,
    leftForHuman,
    notes: result.notes,
  };
}
