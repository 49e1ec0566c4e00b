import { analyzeDocument, type AnalyzeOptions } from '../analysis/analyze';
import type { BindingModel } from '../analysis/model';
import type { PrototypeLookup } from '../analysis/prototypes';
import { relevantBodiesDocument } from '../analysis/relevantBodies';
import { linkWorkspaceModel } from '../analysis/workspace/linkModel';
import { evaluateDocument, needsEvaluation, type WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import { ParsedDocument } from '../documents/parsedDocument';
import type { Grammars } from '../parser/languages';

/**
 * One file's model linked with its workspace: what the CLI computes for a file on disk, and what the
 * server's DocumentService computes for an open document (same analysis, same link step).
 */
export function analyzeWorkspaceFile(
  text: string, uri: string, grammars: Grammars, workspace: WorkspaceIndex | undefined, prototypes: PrototypeLookup, options: AnalyzeOptions = {},
): { model: BindingModel; doc: ParsedDocument } {
  const evaluates = needsEvaluation(text, workspace, uri);
  // the evaluation reads every body (what a called function returns), so only a file it skips leaves bodies out
  const doc = (options.relevantRegionsOnly && !evaluates && relevantBodiesDocument(grammars.pythonParser, text)) || new ParsedDocument(grammars.pythonParser, text);
  const model = analyzeDocument(doc, uri, grammars.cParser, options);
  const ev = !evaluates ? undefined : workspace?.evaluationOf(uri, doc) ?? evaluateDocument(doc, uri);
  return { model: linkWorkspaceModel(model, ev, prototypes), doc };
}
