import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import type { WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import { collectFiles, PYTHON_EXT } from '../cli/files';
import type { Logger } from './logger';

/** Modules evaluated per slice: small enough that requests and keystrokes between slices are not held up. */
const SLICE = 16;

/**
 * Fills the workspace index from the folders' Python files in the background, reporting LSP work-done
 * progress when the client supports it. Nothing here blocks the keystroke path: each slice yields.
 */
export async function indexWorkspaceFolders(connection: Connection, index: WorkspaceIndex, folders: readonly string[], progress: boolean, log: Logger): Promise<void> {
  const t0 = performance.now();
  const errors: string[] = [];
  const paths = folders.flatMap((u) => (u.startsWith('file:') ? [fileURLToPath(u)] : []));
  const files = collectFiles(paths, errors).filter((f) => PYTHON_EXT.test(f));
  for (const e of errors) log.warn(`indexing: ${e}`);
  const reporter = progress ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
  reporter?.begin('PyPy Bindings: indexing Python modules', 0, `${files.length} files`, false);
  for (const f of files) index.addFile(f);
  index.resetEvaluations();
  let left = index.evaluateSome(SLICE);
  while (left > 0) {
    reporter?.report(Math.round((100 * (files.length - left)) / Math.max(1, files.length)), `${files.length - left}/${files.length} modules`);
    await new Promise((r) => setImmediate(r));
    left = index.evaluateSome(SLICE);
  }
  reporter?.done();
  log.info(`indexed ${files.length} Python files in ${(performance.now() - t0).toFixed(0)} ms`);
}
