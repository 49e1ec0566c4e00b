import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unifiedPatch } from '../documents/lineDiff';
import { analyzeText } from '../analysis/analyze';
import { applyEdits, convertToCffi } from '../convert/convertFile';
import { isStackOverflow, TOO_DEEP_MESSAGE } from '../documents/nesting';
import { FileTextError, readFileText, withNewlines, writeFileTextAtomic } from './fileText';
import type { CliIO } from './io';
import { UsageError } from './usage';
import { convertPaths } from '../convert/project/convertProject';
import { prototypeLookup } from '../analysis/prototypes';
import { settingsFromPyproject } from './pyproject';
import { type FileText, withFileNewlines } from './fileText';

export async function convert(args: string[], io: CliIO): Promise<number> {
  let write = false;
  let diff = false;
  let mode: 'abi-inline' | 'api-outofline' = 'abi-inline';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--write') write = true;
    else if (a === '--diff') diff = true;
    else if (a === '--mode') {
      const m = args[++i];
      if (m !== 'abi-inline' && m !== 'api-outofline') throw new UsageError(`--mode takes abi-inline or api-outofline, not "${m}"`);
      mode = m;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (!files.length) throw new UsageError('convert takes a FILE, or files and folders');
  if (write && diff) throw new UsageError('--write and --diff cannot be combined');
  if (files.length > 1 || isDirectory(files[0]!)) {
    if (mode !== 'abi-inline') throw new UsageError('a project conversion (several files or a folder) is ABI in-line only');
    return convertProjectCli(files, write, io);
  }
  const file = files[0]!;
  let ft;
  try {
    ft = readFileText(file);
  } catch (e) {
    io.err(`pypy-bindings: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const text = ft.analysisText;
  let analysed;
  try {
    analysed = await analyzeText(text, pathToFileURL(path.resolve(file)).href);
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    io.err(`pypy-bindings: ${file}: ${TOO_DEEP_MESSAGE.replace('no diagnostics for', 'not converted:')}\n`);
    return 2;
  }
  const { model, doc } = analysed;
  // the files API mode looks at beside the module, read once (setup.py is written back only if unchanged since)
  const beside = new Map<string, FileText | undefined>();
  const readBeside = (rel: string): FileText | undefined => {
    if (!beside.has(rel)) {
      const p = path.join(path.dirname(file), rel);
      let ft: FileText | undefined;
      try {
        ft = fs.existsSync(p) ? readFileText(p) : undefined;
      } catch {
        ft = { path: p, text: '', analysisText: '', encoding: 'utf-8', newline: '\n', bytes: Buffer.alloc(0) };
      }
      beside.set(rel, ft);
    }
    return beside.get(rel);
  };
  let result;
  try {
    result = convertToCffi(model, { mode, workspace: { readFile: (rel) => readBeside(rel)?.analysisText } });
  } finally {
    doc.dispose();
  }
  // edits apply to the file's own text (lone CRs kept: the offsets are the same) with the file's line ending
  const converted = applyEdits(ft.text, result.edits.map((e) => ({ ...e, newText: withNewlines(ft, e.newText) })));
  if (result.edits.length === 0) io.err(`pypy-bindings: ${file}: nothing to convert\n`);
  else if (result.todosOnly) io.err(`pypy-bindings: ${file}: nothing could be converted: each cause is marked # TODO(pypy-bindings) (listed below)\n`);
  // lines of the converted text (its TODOs), in order
  for (const left of result.leftForHuman) io.err(`${file}${left.line ? `:${left.line}` : ''}: left for a human: ${left.reason}\n`);
  for (const note of result.notes) io.err(`${file}: note: ${note}\n`);
  let status = 0;
  for (const extra of result.extraFiles) {
    const target = path.join(path.dirname(file), extra.relativePath);
    if (write) {
      try {
        fs.writeFileSync(target, withNewlines(ft, extra.content), { flag: 'wx' }); // never over an existing file
      } catch (e) {
        io.err(`pypy-bindings: ${target}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'appeared meanwhile: not overwritten' : (e as Error).message}\n`);
        status = 2;
      }
    } else io.err(`${file}: would create ${target}\n`);
  }
  for (const change of result.changedFiles ?? []) {
    const target = beside.get(change.relativePath);
    if (!target) continue;
    if (write) {
      try {
        writeFileTextAtomic(target, withFileNewlines(target, change.after));
      } catch (e) {
        if (!(e instanceof FileTextError)) throw e;
        io.err(`pypy-bindings: ${target.path}: ${e.message}\n`);
        status = 2;
      }
    } else if (diff) io.out(unifiedPatch(target.path, target.text, withFileNewlines(target, change.after), 'before', 'after'));
    else io.err(`${file}: would change ${target.path}\n`);
  }
  if (write) {
    try {
      if (converted !== ft.text) writeFileTextAtomic(ft, converted);
    } catch (e) {
      if (!(e instanceof FileTextError)) throw e;
      io.err(`pypy-bindings: ${file}: ${e.message}\n`);
      return 2;
    }
  } else if (diff) {
    io.out(unifiedPatch(file, ft.text, converted, 'ctypes', 'cffi'));
  } else {
    io.out(converted);
  }
  return status;
}


function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `convert PATH...`: the modules of one binding converted together; a diff unless --write. */
async function convertProjectCli(paths: string[], write: boolean, io: CliIO): Promise<number> {
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      io.err(`pypy-bindings: ${p}: no such file or directory\n`);
      return 2;
    }
  }
  const read = new Map<string, FileText>();
  let result;
  try {
    // C headers as the project's pyproject.toml names them ([tool.pypy-bindings] include-paths, library-headers)
    const first = path.resolve(paths[0]!);
    const settings = settingsFromPyproject(fs.statSync(first).isDirectory() ? first : path.dirname(first), []);
    result = await convertPaths(paths, (f) => {
      const ft = readFileText(f);
      read.set(f, ft);
      return ft.analysisText;
    }, prototypeLookup(settings));
  } catch (e) {
    if (!(e instanceof FileTextError)) throw e;
    io.err(`pypy-bindings: ${e.message}\n`);
    return 2;
  }
  const s = result.stats;
  if (result.converted) io.err(`pypy-bindings: converted ${s.functions} foreign functions, ${s.callbacks} callback types, ${s.cells + s.buffers + s.casts} values in ${s.modules} modules\n`);
  else if (result.files.some((f) => f.left.length)) io.err('pypy-bindings: the binding stays ctypes: each cause is marked # TODO(pypy-bindings) (listed below)\n');
  else io.err('pypy-bindings: nothing to convert\n');
  for (const f of result.files) for (const l of f.left) io.err(`${f.file}:${l.line}: left for a human: ${l.reason}\n`);
  for (const n of result.notes) io.err(`pypy-bindings: note: ${n}\n`);
  let status = 0;
  for (const f of result.files) {
    if (f.converted === f.original) continue;
    const ft = read.get(f.file)!;
    const text = withFileNewlines(ft, f.converted);
    if (write) {
      try {
        writeFileTextAtomic(ft, text);
      } catch (e) {
        if (!(e instanceof FileTextError)) throw e;
        io.err(`pypy-bindings: ${f.file}: ${e.message}\n`);
        status = 2;
      }
    } else io.out(unifiedPatch(f.file, ft.text, text, 'ctypes', 'cffi'));
  }
  return status;
}
