/** A fuzz run: N kept programs from a seed, judged in parallel; the summary line the issue asks for. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate, type Program } from './generator';
import { judge, type Outcome } from './harness';
import { classKey } from './shrink';

export interface Judged {
  readonly program: Program;
  readonly outcome: Outcome;
}

export interface FuzzReport {
  readonly programs: number;
  readonly full: number;
  readonly partly: number;
  readonly left: number;
  readonly silent: number;
  readonly discarded: number;
  readonly judged: readonly Judged[];
  readonly seconds: number;
}

/** The seed of the i-th program of a run. */
export const programSeed = (runSeed: number, i: number): number => (Math.imul(runSeed, 100003) + i) >>> 0;

export function summaryLine(r: FuzzReport): string {
  return `fuzz: ${r.programs} programs, ${r.full} converted fully, ${r.partly} partly, ${r.left} left as they were, ${r.silent} silent changes`;
}

export interface FuzzOptions {
  readonly programs: number;
  readonly seed: number;
  readonly jobs?: number;
  /** Keep every program, its conversion and its outcome here. */
  readonly keep?: string;
  /** Explicit program seeds instead of a run seed (the fixed set of npm test). */
  readonly seeds?: readonly number[];
  readonly onProgress?: (done: number, j: Judged) => void;
  /** Run the original once (the fixed set's programs were checked for determinism when recorded). */
  readonly once?: boolean;
}

export function keepProgram(dir: string, j: Judged): void {
  const base = path.join(dir, String(j.program.seed));
  fs.mkdirSync(base, { recursive: true });
  for (const [rel, text] of Object.entries(j.program.files)) {
    fs.mkdirSync(path.dirname(path.join(base, 'orig', rel)), { recursive: true });
    fs.writeFileSync(path.join(base, 'orig', rel), text);
  }
  for (const [rel, text] of Object.entries(j.outcome.converted ?? {})) {
    fs.mkdirSync(path.dirname(path.join(base, 'conv', rel)), { recursive: true });
    fs.writeFileSync(path.join(base, 'conv', rel), text);
  }
  const { converted: _c, ...outcome } = j.outcome;
  fs.writeFileSync(path.join(base, 'outcome.json'), JSON.stringify({ seed: j.program.seed, cases: j.program.cases, axes: j.program.axes, ...outcome }, null, 2) + '\n');
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const jobs = opts.jobs ?? os.cpus().length;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-fuzz-'));
  const judged: Judged[] = [];
  let discarded = 0;
  let nextIndex = 0;
  let inflight = 0;
  const explicit = opts.seeds;
  const target = explicit ? explicit.length : opts.programs;
  const worker = async (w: number) => {
    for (;;) {
      if (explicit ? nextIndex >= explicit.length : judged.length + inflight >= target) return;
      const i = nextIndex++;
      const seed = explicit ? explicit[i]! : programSeed(opts.seed, i);
      inflight++;
      const program = generate(seed);
      let outcome: Outcome;
      try {
        outcome = await judge(program, path.join(scratch, `w${w}`), { once: opts.once });
      } catch (e) {
        outcome = { kind: 'silent', signature: `harness error: ${(e as Error).message}`, detail: String((e as Error).stack) };
      }
      inflight--;
      if (outcome.kind === 'discarded' && !explicit) {
        discarded++;
        continue;
      }
      if (outcome.kind === 'discarded') discarded++;
      const j = { program, outcome };
      judged.push(j);
      if (opts.keep) keepProgram(opts.keep, j);
      opts.onProgress?.(judged.length, j);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, (_, w) => worker(w)));
  fs.rmSync(scratch, { recursive: true, force: true });
  judged.sort((a, b) => a.program.seed - b.program.seed);
  const count = (k: Outcome['kind']) => judged.filter((j) => j.outcome.kind === k).length;
  return {
    programs: judged.length - (explicit ? count('discarded') : 0),
    full: count('full'),
    partly: count('partly'),
    left: count('left'),
    silent: count('silent'),
    discarded,
    judged,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Silent changes grouped by class (shrink.ts `classKey`), most frequent first. */
export function classes(judged: readonly Judged[]): [string, Judged[]][] {
  const by = new Map<string, Judged[]>();
  for (const j of judged) {
    if (j.outcome.kind !== 'silent') continue;
    const k = classKey(j.outcome.signature!);
    by.set(k, [...(by.get(k) ?? []), j]);
  }
  return [...by].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}
