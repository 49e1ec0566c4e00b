import { fileURLToPath } from 'node:url';
import { readinessReport, type ReadinessParams, type ReadinessReport } from '../cli/report/readiness';

/** `pypyBindings/readinessReport`: the report of the given workspace folders, read from disk. */
export async function readinessForFolders(params: ReadinessParams): Promise<ReadinessReport> {
  const folders = (params?.folders ?? []).filter((u) => typeof u === 'string' && u.startsWith('file:'));
  if (folders.length === 0) throw new Error('the readiness report needs at least one file: folder');
  return readinessReport(folders.map((u) => fileURLToPath(u)));
}
