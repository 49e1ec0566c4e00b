/**
 * `npm run fuzz -- --programs N --seed S [--keep DIR] [--jobs J] [--shrink] [--findings DIR] [--only SEED]`
 * Ends with exactly: `fuzz: N programs, F converted fully, P partly, R left as they were, S silent changes`.
 * Needs a built tree (the CLI runs from dist/), /usr/bin/python3 with cffi and pypy3; no network.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classes, fuzz, summaryLine, type Judged } from './fuzz';
import { generate } from './generator';
import { ROOT } from './harness';
import { shrinkProgram } from './shrink';
import { slug, writeFindings } from './findings';
import { FIXED_FILE, readFixed, recordFixed, runFixed, writeFixed } from './fixedSet';

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- --programs N --seed S [--keep DIR] [--jobs J] [--shrink] [--findings DIR] [--only SEED] [--print SEED] [--max-classes K] [--shrink-budget T] [--save-fixtures] [--fixed|--ratchet|--record-fixed]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let programs = 100;
  let seed = 1;
  let jobs = os.cpus().length;
  let keep: string | undefined;
  let findings: string | undefined;
  let shrink = false;
  let only: number[] | undefined;
  let maxClasses = 15;
  let shrinkBudget = 150;
  let saveFixtures = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = () => {
      const v = args[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    const num = () => {
      const v = Number(val());
      if (!Number.isInteger(v) || v < 0) usage(`${a} takes a whole number`);
      return v;
    };
    if (a === '--programs') programs = num();
    else if (a === '--seed') seed = num();
    else if (a === '--jobs') jobs = Math.max(1, num());
    else if (a === '--keep') keep = path.resolve(val());
    else if (a === '--findings') findings = path.resolve(val());
    else if (a === '--shrink') shrink = true;
    else if (a === '--max-classes') maxClasses = num();
    else if (a === '--save-fixtures') saveFixtures = true;
    else if (a === '--shrink-budget') shrinkBudget = num();
    else if (a === '--only') only = [...(only ?? []), num()];
    else if (a === '--fixed' || a === '--ratchet' || a === '--record-fixed') return fixedMode(a, jobs);
    else if (a === '--print') {
      const p = generate(num());
      for (const [rel, text] of Object.entries(p.files)) process.stdout.write(`### ${rel}\n${text}`);
      return;
    } else usage(`unknown argument ${a}`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js'))) usage('the CLI is not built: run `npm run build` first');
  const t0 = Date.now();
  let last = 0;
  const tally = { full: 0, partly: 0, left: 0, silent: 0, discarded: 0 };
  const report = await fuzz({
    programs,
    seed,
    jobs,
    keep,
    seeds: only,
    onProgress: (done, j) => {
      tally[j.outcome.kind]++;
      if (j.outcome.kind === 'silent') process.stderr.write(`silent change: seed ${j.program.seed}: ${j.outcome.signature}\n`);
      if (Date.now() - last > 10_000) {
        last = Date.now();
        process.stderr.write(`… ${done}/${only?.length ?? programs} programs (${((Date.now() - t0) / 1000).toFixed(0)} s): ${tally.full} fully, ${tally.partly} partly, ${tally.left} left, ${tally.silent} silent\n`);
      }
    },
  });
  const cls = classes(report.judged);
  if (cls.length) {
    console.log(`silent-change classes (${cls.length}):`);
    for (const [sig, js] of cls) console.log(`  ${String(js.length).padStart(4)}  ${sig}  (e.g. seed ${js[0]!.program.seed})`);
  }
  if (shrink || findings) {
    const shrunk: { signature: string; members: Judged[]; minimal: Awaited<ReturnType<typeof shrinkProgram>> }[] = [];
    const todo = cls.slice(0, maxClasses);
    for (const [i, [sig, js]] of todo.entries()) {
      // the smallest member shrinks fastest
      const j = [...js].sort((a, b) => size(a) - size(b))[0]!;
      process.stderr.write(`shrinking seed ${j.program.seed} (${sig})…\n`);
      try {
        shrunk.push({ signature: sig, members: js, minimal: await shrinkProgram(j.program.files, j.outcome.signature!, { jobs, budget: shrinkBudget }) });
      } catch (e) {
        process.stderr.write(`  not shrunk: ${(e as Error).message}\n`);
      }
      const last = shrunk[shrunk.length - 1];
      if (saveFixtures && last?.signature === sig) {
        const dir = path.join(__dirname, 'regressions', 'pending', slug(sig));
        for (const [rel, text] of Object.entries(last.minimal.files)) {
          fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
          fs.writeFileSync(path.join(dir, rel), text);
        }
        process.stderr.write(`  saved ${path.relative(ROOT, dir)}\n`);
      }
      // published after every class: the converter's authors read them while the rest shrink
      if (findings) writeFindings(findings, shrunk, report, [...todo.slice(i + 1), ...cls.slice(maxClasses)]);
    }
    if (!findings) for (const s of shrunk) console.log(`\n## ${s.signature}\n${Object.entries(s.minimal.files).map(([f, t]) => `### ${f}\n${t}`).join('')}`);
  }
  console.log(`(${report.discarded} generated programs discarded by the oracle; ${report.seconds.toFixed(1)} s, ${jobs} jobs)`);
  console.log(summaryLine(report));
}

/** The fixed set of npm test: compare (--fixed), lower the record (--ratchet), or record anew (--record-fixed). */
async function fixedMode(mode: string, jobs: number): Promise<void> {
  if (mode === '--record-fixed') {
    const rec = await recordFixed(jobs);
    writeFixed(rec);
    console.log(`recorded ${rec.seeds.length} seeds, ${Object.keys(rec.silent).length} silent changes, in ${path.relative(ROOT, FIXED_FILE)}`);
    return;
  }
  const record = readFixed();
  const cmp = await runFixed(record, jobs);
  for (const a of cmp.added) console.log(`NEW silent change: seed ${a.seed}: ${a.signature}`);
  for (const x of cmp.removed) console.log(`fixed: seed ${x.seed} (now ${x.now}; was ${x.was})`);
  for (const d of cmp.discarded) console.log(`rejected by the oracle: seed ${d.seed}: ${d.why}`);
  if (mode === '--ratchet') {
    if (cmp.added.length || cmp.discarded.length) {
      console.log('not lowering the record: new silent changes or rejected seeds (see above)');
      process.exitCode = 1;
    } else if (cmp.removed.length) {
      const silent = { ...record.silent };
      for (const x of cmp.removed) delete silent[String(x.seed)];
      writeFixed({ ...record, silent });
      console.log(`record lowered: ${Object.keys(record.silent).length} → ${Object.keys(silent).length} silent changes`);
    }
  } else if (cmp.added.length || cmp.removed.length || cmp.discarded.length) process.exitCode = 1;
  console.log(summaryLine(cmp.report));
}

const size = (j: Judged) => Object.values(j.program.files).reduce((n, t) => n + t.length, 0);

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
