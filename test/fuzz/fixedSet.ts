/**
 * The fixed set `npm test` runs: a recorded list of program seeds (all accepted by the oracle when recorded)
 * and the seeds among them that are silent changes today. The test requires reality to equal the record:
 * a new silent change fails it (a converter regression), and so does a recorded one that no longer is
 * (the record must go down: `npm run fuzz -- --ratchet`). The record only changes with the generator
 * (`npm run fuzz -- --record-fixed`, in the same commit as the generator change).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fuzz, programSeed, type FuzzReport } from './fuzz';

export const FIXED_FILE = path.join(__dirname, 'known-silent.json');
export const FIXED_RUN_SEED = 20261201;
export const FIXED_PROGRAMS = 60;

export interface FixedRecord {
  readonly about: string;
  readonly seeds: number[];
  /** seed → signature of its silent change when recorded */
  readonly silent: Record<string, string>;
}

export const readFixed = (): FixedRecord => JSON.parse(fs.readFileSync(FIXED_FILE, 'utf8')) as FixedRecord;

export function writeFixed(r: FixedRecord): void {
  fs.writeFileSync(FIXED_FILE, JSON.stringify(r, null, 2) + '\n');
}

export interface FixedComparison {
  readonly report: FuzzReport;
  /** Silent now, not recorded: regressions. */
  readonly added: { seed: number; signature: string }[];
  /** Recorded, not silent now: fixed, the record must drop them. */
  readonly removed: { seed: number; was: string; now: string }[];
  /** Seeds the oracle rejects now (the generator or the machine changed). */
  readonly discarded: { seed: number; why: string }[];
}

export async function runFixed(record: FixedRecord, jobs?: number): Promise<FixedComparison> {
  const report = await fuzz({ programs: record.seeds.length, seed: 0, seeds: record.seeds, jobs, once: true });
  const added: FixedComparison['added'] = [];
  const removed: FixedComparison['removed'] = [];
  const discarded: FixedComparison['discarded'] = [];
  for (const j of report.judged) {
    const seed = j.program.seed;
    const was = record.silent[String(seed)];
    if (j.outcome.kind === 'discarded') discarded.push({ seed, why: j.outcome.detail ?? '' });
    else if (j.outcome.kind === 'silent' && was === undefined) added.push({ seed, signature: j.outcome.signature! });
    else if (j.outcome.kind !== 'silent' && was !== undefined) removed.push({ seed, was, now: j.outcome.kind });
  }
  return { report, added, removed, discarded };
}

/** Records a new fixed set from scratch: the first FIXED_PROGRAMS programs of FIXED_RUN_SEED the oracle accepts. */
export async function recordFixed(jobs?: number): Promise<FixedRecord> {
  const report = await fuzz({ programs: FIXED_PROGRAMS, seed: FIXED_RUN_SEED, jobs });
  const seeds = report.judged.map((j) => j.program.seed).sort((a, b) => a - b);
  const silent: Record<string, string> = {};
  for (const j of report.judged) if (j.outcome.kind === 'silent') silent[String(j.program.seed)] = j.outcome.signature!;
  void programSeed;
  return {
    about: 'Fixed fuzz set of npm test (test/fuzz/fixedSet.ts). "silent" lists the seeds that are silent changes today; it may only shrink (npm run fuzz -- --ratchet). Re-record only with a generator change (npm run fuzz -- --record-fixed).',
    seeds,
    silent,
  };
}
