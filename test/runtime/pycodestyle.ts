// pycodestyle (Debian python3-pycodestyle) as the judge of a conversion's layout: a converted file may not
// have a warning, by code, more often than its original had it. Used by runtime.test.ts and the real packages.
import { execFile } from "node:child_process";

export const PYCODESTYLE = ["/usr/bin/python3", "-m", "pycodestyle"];

/** pycodestyle's warnings of the files, per file, as code → count (PEP 8's 79 columns: no project config here). */
export function pycodestyleCounts(files: readonly string[], cwd: string): Promise<Map<string, Map<string, number>>> {
  return new Promise((done, fail) => {
    execFile(PYCODESTYLE[0]!, [...PYCODESTYLE.slice(1), "--max-line-length=79", ...files], { cwd, maxBuffer: 16 << 20, encoding: "utf8" }, (err, stdout, stderr) => {
      // exit 1 means "warnings found"; anything else (no module, bad arguments) is a broken tool
      if (err && err.code !== 1) return fail(new Error(`pycodestyle failed (Debian: apt-get install python3-pycodestyle): ${stderr || err.message}`));
      const out = new Map<string, Map<string, number>>(files.map((f) => [f, new Map()]));
      for (const line of stdout.split("\n")) {
        const m = /^(.*):\d+:\d+: ([EWC]\d+) /.exec(line);
        if (!m) continue;
        const per = out.get(m[1]!) ?? new Map<string, number>();
        per.set(m[2]!, (per.get(m[2]!) ?? 0) + 1);
        out.set(m[1]!, per);
      }
      done(out);
    });
  });
}

/** The warnings `after` has more often than `before`, as readable lines ("E501: 2 → 3"); empty when none. */
export function newWarnings(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): string[] {
  return [...after].filter(([code, n]) => n > (before.get(code) ?? 0)).map(([code, n]) => `${code}: ${before.get(code) ?? 0} → ${n}`);
}

export const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
