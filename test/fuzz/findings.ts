/**
 * Publishes silent-change classes for the converter's authors: one Markdown file per class with the shrunk
 * program, what the original printed and what the converted program printed, and an index with counts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summaryLine, type FuzzReport, type Judged } from './fuzz';
import type { Shrunk } from './shrink';

export const slug = (sig: string): string =>
  sig.toLowerCase().replace(/\[in [^\]]*\]/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 70) || 'unnamed';

const fence = (s: string | undefined) => '```\n' + (s ?? '(none)').replace(/```/g, "'''").trimEnd() + '\n```';

export function findingMarkdown(signature: string, members: readonly Judged[], m: Shrunk): string {
  const parts = [`# ${signature}`, '', `${members.length} program(s) in the run; seeds: ${members.slice(0, 12).map((j) => j.program.seed).join(', ')}${members.length > 12 ? ', …' : ''}.`, `Cases seen in them: ${[...new Set(members.flatMap((j) => j.program.cases))].sort().join(', ')}.`, `Reproduce one: \`npm run fuzz -- --only ${members[0]!.program.seed} --keep /tmp/fz\` (\`--print SEED\` shows the program).`, '', `## Minimal program (${m.tests} shrinking tests)`, ''];
  for (const [f, t] of Object.entries(m.files)) if (t.trim()) parts.push(`\`${f}\`:`, '', '```python', t.trimEnd(), '```', '');
  parts.push('## What the original prints (CPython + ctypes)', '', fence(m.outcome.expected), '');
  if (m.outcome.got?.cpython !== undefined) parts.push('## What the converted program prints (CPython + cffi)', '', fence(m.outcome.got.cpython), '');
  if (m.outcome.got?.pypy !== undefined) parts.push('## What the converted program prints (PyPy)', '', fence(m.outcome.got.pypy), '');
  if (m.outcome.detail) parts.push('## Detail', '', fence(m.outcome.detail), '');
  for (const [f, t] of Object.entries(m.outcome.converted ?? {})) if (t.trim() && t !== m.files[f]) parts.push(`## Converted \`${f}\``, '', '```python', t.trimEnd(), '```', '');
  return parts.join('\n');
}

export function writeFindings(dir: string, shrunk: { signature: string; members: Judged[]; minimal: Shrunk }[], report: FuzzReport, unshrunk: [string, Judged[]][] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (const s of shrunk) {
    const name = slug(s.signature);
    fs.writeFileSync(path.join(dir, `${name}.md`), findingMarkdown(s.signature, s.members, s.minimal));
    rows.push(`| ${s.members.length} | [${s.signature.replace(/\|/g, '\\|')}](${name}.md) |`);
  }
  for (const [sig, members] of unshrunk) rows.push(`| ${members.length} | ${sig.replace(/\|/g, '\\|')} (not shrunk yet; seeds ${members.slice(0, 5).map((j) => j.program.seed).join(', ')}) |`);
  const index = [
    '# Converter fuzzing: silent-change classes',
    '',
    `Run: ${new Date().toISOString()}, ${report.seconds.toFixed(0)} s. \`${summaryLine(report)}\` (${report.discarded} discarded by the oracle).`,
    '',
    'Each class links to a shrunk program with what the original printed and what the converted program printed.',
    'A class groups failures of one kind: the exception (or "prints differently") and the shape of the failing line',
    '(`classKey` in test/fuzz/shrink.ts). Counts are programs of this run whose *first* failure is of that class:',
    'a program stops at its first exception, so fixing one class reveals the next.',
    '',
    'For the converter\'s authors: `npm test` runs a fixed set of 60 programs against `test/fuzz/known-silent.json`,',
    'a ratchet. A fix that removes silent changes makes that test fail until the record is lowered with',
    '`npm run fuzz -- --ratchet` (commit the file with the fix); a new silent change fails it for good reason.',
    'Shrunk programs that still fail live in `test/fuzz/regressions/pending/`; once fixed, `git mv` them to',
    '`test/fuzz/regressions/` (the test says so).',
    '',
    '| programs | class |',
    '|---:|---|',
    ...rows,
    '',
  ];
  fs.writeFileSync(path.join(dir, 'README.md'), index.join('\n'));
}
