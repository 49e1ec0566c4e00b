/** The two interpreters every binding snippet and generated module must run on, and helpers to run them. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** PyPy (cffi built in) and CPython with Debian's cffi; the `python3` first on PATH may lack cffi. */
export const INTERPRETERS = ['pypy3', '/usr/bin/python3'] as const;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runPython(interpreter: string, args: string[], cwd: string, input?: string): RunResult {
  const r = spawnSync(interpreter, args, {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', LC_ALL: 'C' },
  });
  if (r.error) throw new Error(`cannot run ${interpreter}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Fails with the interpreter's output when the run did not exit 0. */
export function runPythonOk(interpreter: string, args: string[], cwd: string): string {
  const r = runPython(interpreter, args, cwd);
  if (r.status !== 0) {
    throw new Error(`${interpreter} ${args.join(' ')} in ${cwd} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r.stdout;
}

/** Syntax errors per source (undefined when it parses), checked by CPython's ast module in one process. */
export function pythonSyntaxErrors(sources: readonly string[]): (string | undefined)[] {
  const script = [
    'import ast, json, sys',
    'out = []',
    'for src in json.load(sys.stdin):',
    '    try:',
    '        ast.parse(src)',
    '        out.append(None)',
    '    except SyntaxError as e:',
    '        out.append("%s (line %s): %r" % (e.msg, e.lineno, e.text))',
    'print(json.dumps(out))',
  ].join('\n');
  const r = runPython('/usr/bin/python3', ['-c', script], os.tmpdir(), JSON.stringify(sources));
  if (r.status !== 0) throw new Error(`ast check failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as (string | null)[]).map((e) => e ?? undefined);
}

/** A fresh temporary folder, removed by the returned function. */
export function tempFolder(label: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pypy-bindings-${label}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
