/**
 * The differential harness: a program runs under CPython's ctypes (the oracle: kept only if it succeeds and
 * prints the same twice), it is converted by the CLI (`convert FILE`; a package with `convert --write PATH...`,
 * which converts its modules together), and the converted program runs under
 * /usr/bin/python3 (cffi) and pypy3. The outcome is one of: converted fully (no ctypes left), partly (TODOs
 * or ctypes left), left as it was, or a silent change (it prints something else or raises on either
 * interpreter; a converter crash or invalid Python counts too). Discarded programs are not counted.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUNCTIONS } from './catalogue';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The CLI under test; PYPY_BINDINGS_FUZZ_CLI points at another built tree's (e.g. an older converter, for before/after figures). */
export const CLI = process.env.PYPY_BINDINGS_FUZZ_CLI ?? path.join(ROOT, 'bin', 'pypy-bindings.js');
let projectModeKnown: Promise<boolean> | undefined;
/** Whether the CLI converts several modules together (`convert PATH...`); older ones convert one file at a time. */
const projectMode = (): Promise<boolean> => (projectModeKnown ??= run(process.execPath, [CLI, '--help'], ROOT).then((r) => /convert PATH/.test(r.stdout + r.stderr)));
export const CPYTHON = '/usr/bin/python3';
export const PYPY = 'pypy3';
const TIMEOUT_MS = 120_000;
/** Everything a program may read from its environment, fixed. */
export const PROGRAM_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  LC_ALL: 'C',
  TZ: 'UTC',
  PYTHONHASHSEED: '0',
  PYTHONDONTWRITEBYTECODE: '1',
  FUZZ_ENV_VALUE: 'fuzz42',
};

export type Kind = 'full' | 'partly' | 'left' | 'silent' | 'discarded';

export interface Outcome {
  readonly kind: Kind;
  /** For a silent change: what went wrong, grouped into a class by `signature`. */
  readonly signature?: string;
  readonly detail?: string;
  readonly expected?: string;
  readonly got?: { cpython?: string; pypy?: string };
  readonly converted?: Record<string, string>;
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export function run(cmd: string, args: readonly string[], cwd: string, input?: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env: PROGRAM_ENV }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr, timedOut: !!err?.killed });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function writeTree(dir: string, files: Record<string, string>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

// Per file: does it parse, does it still import or reach into ctypes (ctypes.util may stay), TODO marks.
const INSPECT = String.raw`
import ast, json, sys
out = {}
for path in sys.argv[1:]:
    src = open(path, encoding="utf-8").read()
    try:
        tree = ast.parse(src)
        compile(tree, path, "exec")
    except SyntaxError as e:
        out[path] = {"syntax": "%s (line %s)" % (e.msg, e.lineno)}
        continue
    uses = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            uses += sum(1 for a in node.names if a.name == "ctypes" or (a.name.startswith("ctypes.") and a.name != "ctypes.util"))
        elif isinstance(node, ast.ImportFrom) and node.module and (node.module == "ctypes" or node.module.startswith("ctypes.")) and node.module != "ctypes.util":
            uses += 1
    out[path] = {"ctypes": uses, "todo": src.count("TODO(pypy-bindings)")}
print(json.dumps(out))
`;

const normalise = (s: string) => s.replace(/^(AttributeError|KeyError): '?\w+'?(\. Did you mean: .*)?$/, '$1: <name>').replace(/0x[0-9a-f]+/gi, 'ADDR').replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"').slice(0, 140);

/** The exception a failed run ended with, e.g. `TypeError: initializer for ctype 'N' …`. */
export function lastException(stderr: string): string {
  const lines = stderr.trim().split('\n').reverse();
  const line = lines.find((l) => /^[A-Za-z_][\w.]*(Error|Exception|Warning|Exit|Interrupt)\b/.test(l)) ?? lines.find((l) => /^\w[\w.]*: /.test(l)) ?? lines[0] ?? '';
  return normalise(line.trim());
}

/** The source line of the program's last traceback frame, with C function names, strings and numbers abstracted. */
export function failingLine(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  let at: string | undefined;
  for (let i = 0; i < lines.length - 1; i++) {
    if (/^\s*File ".*\/(conv|orig)\//.test(lines[i]!) || /^\s*File "(main|fuzzpkg)/.test(lines[i]!)) at = lines[i + 1]?.trim();
  }
  if (!at) return undefined;
  return at.replace(/"[^"]*"|'[^']*'/g, '"…"').replace(/\b\d+\b/g, 'N').replace(/\b[A-Za-z_]\w*\b/g, (w) => (w in FUNCTIONS ? 'FN' : w)).replace(/\b(\w+?)\d+\b/g, '$1N').slice(0, 120);
}

/** The `-- case` marker above the first line where `got` leaves `expected`. */
function sectionOfDifference(expected: string, got: string): { section: string; line: number } {
  const e = expected.split('\n');
  const g = got.split('\n');
  let section = '(before any case)';
  for (let i = 0; i < Math.max(e.length, g.length); i++) {
    if (e[i] !== g[i]) return { section, line: i };
    if (e[i]?.startsWith('-- ')) section = e[i]!.slice(3);
  }
  return { section, line: -1 };
}

export interface ProgramFiles {
  readonly files: Record<string, string>;
}

/** Runs one program through the oracle, the converter and both interpreters. `dir` is scratch space. */
export async function judge(p: ProgramFiles, dir: string, opts: { once?: boolean } = {}): Promise<Outcome> {
  const orig = path.join(dir, 'orig');
  const conv = path.join(dir, 'conv');
  writeTree(orig, p.files);
  const first = await run(CPYTHON, ['main.py'], orig);
  if (first.code !== 0) return { kind: 'discarded', detail: `the original fails under CPython: ${lastException(first.stderr) || first.code}` };
  const second = opts.once ? first : await run(CPYTHON, ['main.py'], orig);
  if (second.code !== 0 || second.stdout !== first.stdout) return { kind: 'discarded', detail: 'the original prints differently on a second run' };
  const expected = first.stdout;

  const converted: Record<string, string> = {};
  const modules = Object.keys(p.files).filter((f) => f.endsWith('.py') && p.files[f]!.trim());
  if (modules.length > 1 && (await projectMode())) {
    // a package: the CLI's project mode converts its modules together, in place in a copy
    writeTree(conv, p.files);
    const tops = [...new Set(modules.map((m) => m.split('/')[0]!))].sort();
    const r = await run(process.execPath, [CLI, 'convert', '--write', ...tops], conv);
    if (r.code !== 0) {
      return { kind: 'silent', signature: `converter-crash: ${lastException(r.stderr)}`, detail: `convert --write ${tops.join(' ')} exited ${r.code}${r.timedOut ? ' (timeout)' : ''}\n${r.stderr.slice(-3000)}`, expected };
    }
    for (const rel of Object.keys(p.files)) converted[rel] = fs.readFileSync(path.join(conv, rel), 'utf8');
  } else {
    for (const rel of Object.keys(p.files)) {
      if (!modules.includes(rel)) {
        converted[rel] = p.files[rel]!;
        continue;
      }
      const r = await run(process.execPath, [CLI, 'convert', rel], orig);
      if (r.code !== 0) {
        return { kind: 'silent', signature: `converter-crash: ${lastException(r.stderr)}`, detail: `convert ${rel} exited ${r.code}${r.timedOut ? ' (timeout)' : ''}\n${r.stderr.slice(-3000)}`, expected };
      }
      converted[rel] = r.stdout;
    }
  }
  writeTree(conv, converted);
  const changed = Object.keys(converted).filter((f) => converted[f] !== p.files[f]);
  if (!changed.length) return { kind: 'left', expected, converted };

  const inspect = await run(CPYTHON, ['-c', INSPECT, ...Object.keys(converted)], conv);
  const facts = JSON.parse(inspect.stdout || '{}') as Record<string, { syntax?: string; ctypes?: number; todo?: number }>;
  for (const [f, x] of Object.entries(facts)) {
    if (x.syntax) return { kind: 'silent', signature: `invalid-python: ${normalise(x.syntax)}`, detail: `${f}: ${x.syntax}`, expected, converted };
  }
  const got: { cpython?: string; pypy?: string } = {};
  for (const [label, interp] of [['cpython', CPYTHON], ['pypy', PYPY]] as const) {
    const r = await run(interp, ['main.py'], conv);
    got[label] = r.stdout + (r.code !== 0 ? `\n[exit ${r.code}${r.timedOut ? ', timeout' : ''}]\n${r.stderr.slice(-2000)}` : '');
    if (r.code === 0 && r.stdout === expected) continue;
    if (label === 'pypy') {
      // the oracle is CPython's ctypes; a program PyPy's ctypes runs differently says nothing about the converter
      const o = await run(PYPY, ['main.py'], orig);
      if (o.code !== 0 || o.stdout !== expected) return { kind: 'discarded', detail: 'the original prints differently under pypy3' };
    }
    const where = sectionOfDifference(expected, r.stdout);
    const at = r.code !== 0 ? failingLine(r.stderr) : undefined;
    const signature = r.code !== 0 ? `raises: ${lastException(r.stderr)}${at ? ` at \`${at}\`` : ''} [in ${where.section}]` : `prints differently [in ${where.section}]`;
    return { kind: 'silent', signature, detail: `${label}: ${r.code !== 0 ? `exit ${r.code}` : `first difference at output line ${where.line + 1}`}`, expected, got, converted };
  }
  const ctypesLeft = Object.values(facts).some((x) => (x.ctypes ?? 0) > 0 || (x.todo ?? 0) > 0);
  return { kind: ctypesLeft ? 'partly' : 'full', expected, got, converted };
}

/** Runs `jobs` tasks at a time, in order of the array; results keep the order. */
export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}
