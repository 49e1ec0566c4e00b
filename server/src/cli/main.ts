import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTwoFilesPatch } from 'diff';
import { analyzeText } from '../analysis/analyze';
import type { Settings } from '../config/settings';
import { applyEdits, convertToCffi } from '../convert/convertFile';
import { convertPaths } from '../convert/project/convertProject';
import { lint, lintCSource, type Finding } from '../rules/lint';
import { lintOptions } from '../config/lintOptions';
import { C_EXT, collectFiles, mayBind } from './files';
import { settingsFromPyproject } from './pyproject';

const USAGE = `usage: pypy-bindings <command> [options]

commands:
  check PATH...            lint Python files (and C sources for PB103), recursively
      --format text|json   output format (default text: path:line:col: CODE message)
  convert FILE             print FILE with its ctypes bindings rewritten as cffi
  convert PATH...          files and folders: the modules of one binding converted together
                           (prints a unified diff unless --write)
      --write              rewrite the files in place (temp file + rename; refused if changed meanwhile)
      --diff               print a unified diff instead
      --mode abi-inline|api-outofline
  lsp --stdio              run the language server on stdin/stdout

exit status: check 1 when an error or warning is reported, else 0; 2 for usage errors.`;

class UsageError extends Error {}

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Line and column (1-based, UTF-16 columns as in editors) of an offset. */
function lineCol(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

interface Reported {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: string;
  message: string;
}

/** The file's findings, with the text they were found in (for line and column numbers). */
async function checkFile(file: string, settings: Settings): Promise<{ text: string; findings: Finding[] }> {
  const text = fs.readFileSync(file, 'utf8');
  const options = lintOptions(settings);
  if (C_EXT.test(file)) return { text, findings: lintCSource(text, options) };
  if (!mayBind(text)) return { text, findings: [] };
  const { model, doc } = await analyzeText(text, pathToFileURL(path.resolve(file)).href, { relevantRegionsOnly: true });
  try {
    return { text, findings: lint(model, options) };
  } finally {
    doc.dispose();
  }
}

async function check(args: string[], io: CliIO): Promise<number> {
  let format = 'text';
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--format') {
      format = args[++i] ?? '';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format takes text or json, not "${format}"`);
    } else if (a.startsWith('--format=')) {
      format = a.slice(9);
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format takes text or json, not "${format}"`);
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError('check needs at least one PATH');
  const errors: string[] = [];
  const files = collectFiles(paths, errors);
  const reported: Reported[] = [];
  const cache = new Map<string, Settings>();
  const problems: string[] = [];
  let failed = false;
  for (const file of files) {
    const settings = settingsFromPyproject(path.dirname(file), problems, cache);
    let checked: { text: string; findings: Finding[] };
    try {
      checked = await checkFile(file, settings);
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message}`);
      continue;
    }
    const { text, findings } = checked;
    if (findings.length === 0) continue;
    const starts = lineStartsOf(text);
    for (const f of findings) {
      const s = lineCol(starts, f.span.start);
      const e = lineCol(starts, f.span.end);
      reported.push({ file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, code: f.code, severity: f.severity, message: f.message });
      if (f.severity === 'error' || f.severity === 'warning') failed = true;
    }
  }
  for (const p of new Set(problems)) io.err(`pypy-bindings: ${p}\n`);
  for (const e of errors) io.err(`pypy-bindings: ${e}\n`);
  if (format === 'json') io.out(JSON.stringify(reported, null, 2) + '\n');
  else for (const r of reported) io.out(`${r.file}:${r.line}:${r.column}: ${r.code} ${r.message}\n`);
  return failed ? 1 : 0;
}

async function convert(args: string[], io: CliIO): Promise<number> {
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
    if (mode !== 'abi-inline') throw new UsageError('a project conversion is ABI in-line only');
    return convertProjectCli(files, write, io);
  }
  const file = files[0]!;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`pypy-bindings: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const { model, doc } = await analyzeText(text, pathToFileURL(path.resolve(file)).href);
  let result;
  try {
    result = convertToCffi(model, { mode });
  } finally {
    doc.dispose();
  }
  const converted = applyEdits(text, result.edits);
  if (result.edits.length === 0) io.err(`pypy-bindings: ${file}: nothing to convert\n`);
  const starts = lineStartsOf(text);
  for (const left of result.leftForHuman) {
    const { line, column } = lineCol(starts, left.span.start);
    io.err(`${file}:${line}:${column}: left for a human: ${left.reason}\n`);
  }
  for (const note of result.notes) io.err(`${file}: note: ${note}\n`);
  for (const extra of result.extraFiles) {
    const target = path.join(path.dirname(file), extra.relativePath);
    if (write) {
      if (fs.existsSync(target)) io.err(`pypy-bindings: ${target} exists: not overwritten\n`);
      else fs.writeFileSync(target, extra.content);
    } else {
      io.err(`${file}: would create ${target}\n`);
    }
  }
  if (write) {
    if (converted !== text) fs.writeFileSync(file, converted);
  } else if (diff) {
    io.out(createTwoFilesPatch(file, file, text, converted, 'ctypes', 'cffi'));
  } else {
    io.out(converted);
  }
  return 0;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function convertProjectCli(paths: string[], write: boolean, io: CliIO): Promise<number> {
  for (const p of paths) if (!fs.existsSync(p)) {
    io.err(`pypy-bindings: ${p}: no such file or directory\n`);
    return 2;
  }
  const result = await convertPaths(paths);
  const s = result.stats;
  if (result.converted) io.err(`pypy-bindings: converted ${s.functions} foreign functions, ${s.callbacks} callback types, ${s.cells + s.buffers + s.casts} values in ${s.modules} modules\n`);
  else io.err('pypy-bindings: the binding stays ctypes: the causes are marked with TODO(pypy-bindings) below\n');
  for (const f of result.files) for (const l of f.left) io.err(`${f.file}:${l.line}: left for a human: ${l.reason}\n`);
  for (const n of result.notes) io.err(`pypy-bindings: note: ${n}\n`);
  let status = 0;
  for (const f of result.files) {
    if (f.converted === f.original) continue;
    if (write) {
      const err = safeWrite(f.file, f.original, f.converted);
      if (err) {
        io.err(`pypy-bindings: ${f.file}: ${err}\n`);
        status = 1;
      }
    } else io.out(createTwoFilesPatch(f.file, f.file, f.original, f.converted, 'ctypes', 'cffi'));
  }
  return status;
}

/** Writes through a temp file and a rename; refuses when the file changed since it was read. */
function safeWrite(file: string, original: string, converted: string): string | undefined {
  const raw = fs.readFileSync(file);
  if (raw.toString('utf8') !== original) return 'changed since it was read: not written';
  if (Buffer.from(original, 'utf8').compare(raw) !== 0) return 'not UTF-8: not written';
  const text = original.includes('\r\n') ? converted.replace(/\r?\n/g, '\r\n') : converted;
  const tmp = `${file}.pypy-bindings-${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: fs.statSync(file).mode });
  fs.renameSync(tmp, file);
  return undefined;
}

/** Runs the CLI; resolves to the exit code (the language server keeps running instead). */
export async function run(argv: string[], io: CliIO = defaultIO): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'convert':
        return await convert(rest, io);
      case 'lsp': {
        if (!rest.includes('--stdio')) throw new UsageError('lsp needs --stdio');
        // loaded only here, so `check` and `convert` start without the LSP libraries
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('../lsp/server') as typeof import('../lsp/server')).startServer();
        return undefined;
      }
      case '--version':
      case '-V':
        io.out('pypy-bindings 0.1.0\n');
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pypy-bindings: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`pypy-bindings: internal error: ${(e as Error).stack ?? e}\n`);
    return 3;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
}
