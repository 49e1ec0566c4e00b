import type { Severity } from '../../rules/catalogue';
import { type ModuleReport, type ReadinessReport, STYLES } from './types';

const SEVERITIES: Severity[] = ['error', 'warning', 'information', 'hint'];
const styleLabel = (id: string) => STYLES.find((s) => s.id === id)?.label ?? id;
const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** A link to a file and line, relative to where the report was made (GitHub and VS Code read `#L12`). */
const at = (m: { path: string }, line: number) => `[${m.path}:${line}](${encodeURI(m.path)}#L${line})`;

export function severityText(s: Record<Severity, number>): string {
  const parts = SEVERITIES.filter((k) => s[k]).map((k) => `${s[k]} ${k}${s[k] === 1 || k === 'information' ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'none';
}

function moduleSection(m: ModuleReport): string {
  let out = `### ${code(m.module || m.path)}: ${at(m, 1)}\n\n`;
  out += `- Binding style: ${m.styles.map(styleLabel).join(', ') || '—'}\n`;
  out += `- Findings: ${severityText(m.severities)}`;
  const byCode = new Map<string, number>();
  for (const f of m.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  if (byCode.size) out += ` (${[...byCode].map(([c, n]) => `${c} ×${n}`).join(', ')})`;
  out += '\n';
  for (const l of m.libraries) {
    if (l.loadedIn) {
      out += `- Library ${code(l.name)} (${l.loader} in ${code(l.loadedIn)}, first used at ${at(m, l.line)}): ${l.functions.length} function${l.functions.length === 1 ? '' : 's'} used here; they convert with ${code(l.loadedIn)}\n`;
      continue;
    }
    out += `- Library ${code(l.name)} (${l.loader}, ${at(m, l.line)}): ${l.functions.length} function${l.functions.length === 1 ? '' : 's'}, ${l.convertible.length} convert to cffi now`;
    const rest = l.functions.filter((f) => !l.convertible.includes(f));
    if (rest.length && rest.length <= 12) out += `; still ctypes: ${rest.map(code).join(', ')}`;
    else if (rest.length) out += `; ${rest.length} stay ctypes`;
    out += '\n';
  }
  if (m.cffiFunctions) out += `- ${m.cffiFunctions} function${m.cffiFunctions === 1 ? '' : 's'} declared in cffi cdefs\n`;
  if (m.blockers.length) {
    out += '- What blocks the rest:\n';
    for (const b of m.blockers.slice(0, 20)) out += `  - ${at(m, b.line)} ${b.kind === 'pypy' ? `fails on PyPy (${b.code})` : 'not converted'}: ${cell(b.text)}\n`;
    if (m.blockers.length > 20) out += `  - … and ${m.blockers.length - 20} more\n`;
  }
  return out + '\n';
}

/** The report as Markdown: summary, where to start, a table and a section per package. */
export function renderMarkdown(r: ReadinessReport): string {
  const t = r.totals;
  let out = '# PyPy readiness report\n\n';
  out += `${r.roots.map(code).join(', ')}: ${t.modules} module${t.modules === 1 ? '' : 's'} with bindings in ${r.packages.length} package${r.packages.length === 1 ? '' : 's'} (${r.filesScanned} files scanned). `;
  out += `${t.functions} ctypes foreign function${t.functions === 1 ? '' : 's'}, ${t.convertible} of which convert to cffi now; ${t.cffiFunctions} already declared in cffi. Findings: ${severityText(t.severities)}.\n\n`;
  out += '## Where to start\n\n';
  if (r.startWith.length === 0) out += 'Nothing to do: no module has findings that fail on PyPy or ctypes bindings to convert.\n\n';
  r.startWith.forEach((s, i) => (out += `${i + 1}. ${at(s, s.line)}: ${s.reason}\n`));
  if (r.startWith.length) out += '\n';
  out += '## Binding styles (ranked as in PyPy\'s guide)\n\n| style | modules | |\n|---|---|---|\n';
  for (const s of STYLES) if (t.styles[s.id]) out += `| ${s.label} | ${t.styles[s.id]} | ${s.note} |\n`;
  out += '\n';
  for (const p of r.packages) {
    out += `## Package ${code(p.name)}\n\n| module | style | errors | warnings | information | hints | ctypes functions | convert now |\n|---|---|---|---|---|---|---|---|\n`;
    for (const m of p.modules) {
      const fns = m.libraries.reduce((n, l) => n + l.functions.length, 0);
      const conv = m.libraries.reduce((n, l) => n + l.convertible.length, 0);
      out += `| ${at(m, 1)} | ${m.styles.map(styleLabel).join(', ') || '—'} | ${m.severities.error} | ${m.severities.warning} | ${m.severities.information} | ${m.severities.hint} | ${fns} | ${conv} |\n`;
    }
    out += '\n';
    for (const m of p.modules) out += moduleSection(m);
  }
  if (r.problems.length) out += `## Not analysed\n\n${r.problems.map((p) => `- ${cell(p)}`).join('\n')}\n`;
  return out;
}
