import { pathToFileURL } from 'node:url';
import { severityText } from './markdown';
import { distinctFunctions } from './counts';
import { type ModuleReport, type PackageReport, type ReadinessReport, STYLES } from './types';

export interface HtmlOptions {
  /**
   * 'file': links are file:// URLs (the CLI's page). 'webview': links carry data-file/data-line and a script
   * (allowed by `nonce`) posts `{ file, line }` to the editor, which opens the file there.
   */
  links: 'file' | 'webview';
  nonce?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Inline code spans from the messages' backticks. */
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const styleLabel = (id: string) => STYLES.find((s) => s.id === id)?.label ?? id;

function link(o: HtmlOptions, file: string, line: number, label: string): string {
  if (o.links === 'webview') return `<a href="#" class="loc" data-file="${esc(file)}" data-line="${line}">${esc(label)}</a>`;
  return `<a class="loc" href="${esc(pathToFileURL(file).href)}">${esc(label)}</a>`;
}

const COLORS = { now: '#2e9d4f', rest: '#e08a1e', cffi: '#3b73c4', error: '#c8372d', warning: '#e0a800', information: '#3b73c4', hint: '#8a8f98' };

/** A horizontal stacked bar per package (SVG, no script): ctypes functions that convert now, the rest, cffi. */
function chart(packages: PackageReport[]): string {
  const rows = packages.map((p) => {
    const ms = p.modules;
    const { functions: all, convertible: now } = distinctFunctions(ms);
    const cffi = ms.reduce((n, m) => n + m.cffiFunctions, 0);
    return { name: p.name, now, rest: all - now, cffi };
  });
  const max = Math.max(1, ...rows.map((r) => r.now + r.rest + r.cffi));
  const width = 520;
  const label = 170;
  const h = 26;
  let y = 0;
  let bars = '';
  for (const r of rows) {
    let x = label;
    bars += `<text x="${label - 8}" y="${y + 17}" text-anchor="end">${esc(r.name)}</text>`;
    for (const [k, v] of [['now', r.now], ['rest', r.rest], ['cffi', r.cffi]] as const) {
      if (!v) continue;
      const w = (v / max) * width;
      bars += `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${h - 8}" fill="${COLORS[k]}"><title>${esc(r.name)}: ${v}</title></rect>`;
      if (w > 22) bars += `<text x="${(x + w / 2).toFixed(1)}" y="${y + 17}" text-anchor="middle" class="in">${v}</text>`;
      x += w;
    }
    if (!r.now && !r.rest && !r.cffi) bars += `<text x="${label + 4}" y="${y + 17}" class="none">no foreign functions</text>`;
    y += h;
  }
  const legend = [['now', 'ctypes, converts to cffi now'], ['rest', 'ctypes, left for a human'], ['cffi', 'already cffi']]
    .map(([k, t], i) => `<rect x="${label + i * 215}" y="${y + 8}" width="12" height="12" fill="${COLORS[k as 'now']}"/><text x="${label + i * 215 + 17}" y="${y + 18}">${t}</text>`)
    .join('');
  return `<svg class="chart" role="img" aria-label="Foreign functions per package" width="${label + width + 20}" height="${y + 30}" xmlns="http://www.w3.org/2000/svg">${bars}${legend}</svg>`;
}

function severityBadges(s: Record<string, number>): string {
  return (['error', 'warning', 'information', 'hint'] as const).map((k) => `<span class="badge ${k}" title="${k}">${s[k] ?? 0}</span>`).join('');
}

function moduleBlock(m: ModuleReport, o: HtmlOptions): string {
  let out = `<section class="module"><h3>${link(o, m.file, 1, m.path)} <span class="mod">${esc(m.module)}</span></h3><p>${m.styles.map((s) => `<span class="style">${esc(styleLabel(s))}</span>`).join(' ')} ${severityBadges(m.severities)}</p><ul>`;
  for (const l of m.libraries) {
    const n = `${l.functions.length} function${l.functions.length === 1 ? '' : 's'}`;
    if (l.loadedIn) out += `<li>Library <code>${esc(l.name)}</code> (${esc(l.loader)} in <code>${esc(l.loadedIn)}</code>, first used at ${link(o, m.file, l.line, `line ${l.line}`)}): ${n} used here; they convert with <code>${esc(l.loadedIn)}</code></li>`;
    else out += `<li>Library <code>${esc(l.name)}</code> (${esc(l.loader)}, ${link(o, m.file, l.line, `line ${l.line}`)}): ${n}, <b>${l.convertible.length}</b> convert to cffi now</li>`;
  }
  if (m.cffiFunctions) out += `<li>${m.cffiFunctions} function${m.cffiFunctions === 1 ? '' : 's'} declared in cffi cdefs</li>`;
  out += '</ul>';
  if (m.blockers.length) {
    out += '<details open><summary>What blocks the rest</summary><ul>';
    for (const b of m.blockers.slice(0, 30)) out += `<li>${link(o, m.file, b.line, `line ${b.line}`)} <span class="kind ${b.kind}">${b.kind === 'pypy' ? `fails on PyPy · ${esc(b.code ?? '')}` : 'not converted'}</span> ${prose(b.text)}</li>`;
    out += '</ul></details>';
  }
  const other = m.findings.filter((f) => f.severity !== 'error');
  if (other.length) {
    out += `<details><summary>Other findings (${other.length})</summary><ul>`;
    for (const f of other.slice(0, 50)) out += `<li>${link(o, m.file, f.line, `line ${f.line}`)} <span class="badge ${f.severity}">${esc(f.code)}</span> ${prose(f.text)}</li>`;
    out += '</ul></details>';
  }
  return out + '</section>';
}

const SCRIPT = `const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const a = e.target.closest('a.loc');
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ type: 'open', file: a.dataset.file, line: Number(a.dataset.line) });
});`;

/** The report as one self-contained HTML page (inline CSS and SVG; nothing is fetched). */
export function renderHtml(r: ReadinessReport, o: HtmlOptions = { links: 'file' }): string {
  const t = r.totals;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:;${o.nonce ? ` script-src 'nonce-${o.nonce}';` : ''}`;
  let body = `<h1>PyPy readiness report</h1><p class="lead">${t.modules} module${t.modules === 1 ? '' : 's'} with bindings in ${r.packages.length} package${r.packages.length === 1 ? '' : 's'} · <b>${t.functions}</b> ctypes foreign functions, <b>${t.convertible}</b> convert to cffi now · ${t.cffiFunctions} already cffi · findings: ${esc(severityText(t.severities))}</p>`;
  body += chart(r.packages);
  body += '<h2>Where to start</h2>';
  body += r.startWith.length ? `<ol>${r.startWith.map((s) => `<li>${link(o, s.file, s.line, `${s.path}:${s.line}`)}: ${prose(s.reason)}</li>`).join('')}</ol>` : '<p>Nothing to do: no module has findings that fail on PyPy or ctypes bindings to convert.</p>';
  body += '<h2>Binding styles <small>(ranked as in PyPy\'s guide)</small></h2><table><tr><th>style</th><th>modules</th><th></th></tr>';
  for (const s of STYLES) if (t.styles[s.id]) body += `<tr><td>${esc(s.label)}</td><td>${t.styles[s.id]}</td><td>${esc(s.note)}</td></tr>`;
  body += '</table>';
  for (const p of r.packages) {
    body += `<h2>Package <code>${esc(p.name)}</code></h2><table><tr><th>module</th><th>style</th><th>findings</th><th>ctypes functions</th><th>convert now</th></tr>`;
    for (const m of p.modules) {
      const fns = m.libraries.reduce((n, l) => n + l.functions.length, 0);
      const conv = m.libraries.reduce((n, l) => n + l.convertible.length, 0);
      body += `<tr><td>${link(o, m.file, 1, m.path)}</td><td>${m.styles.map((s) => esc(styleLabel(s))).join(', ')}</td><td>${severityBadges(m.severities)}</td><td>${fns}</td><td>${conv}</td></tr>`;
    }
    body += '</table>';
    for (const m of p.modules) body += moduleBlock(m, o);
  }
  if (r.problems.length) body += `<h2>Not analysed</h2><ul>${r.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
  const script = o.links === 'webview' && o.nonce ? `<script nonce="${o.nonce}">${SCRIPT}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>PyPy readiness report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 980px; padding: 0 16px; color: var(--vscode-foreground, #1f2328); background: var(--vscode-editor-background, #fff); }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #8884; padding-bottom: 4px; } h3 { font-size: 15px; margin: 0 0 4px; }
.lead { margin-top: 0; opacity: .85; } code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 92%; background: #8882; padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #8883; }
a { color: var(--vscode-textLink-foreground, #0969da); text-decoration: none; } a:hover { text-decoration: underline; }
.chart text { font-size: 12px; fill: currentColor; } .chart text.in { fill: #fff; font-weight: 600; } .chart text.none { opacity: .6; }
.badge { display: inline-block; min-width: 18px; padding: 0 5px; margin-right: 3px; border-radius: 9px; color: #fff; font-size: 12px; text-align: center; }
.badge.error { background: ${COLORS.error}; } .badge.warning { background: ${COLORS.warning}; color: #222; } .badge.information { background: ${COLORS.information}; } .badge.hint { background: ${COLORS.hint}; }
.style { border: 1px solid #8886; border-radius: 4px; padding: 0 5px; font-size: 12px; } .mod { opacity: .6; font-weight: normal; font-size: 12px; }
.module { margin: 14px 0; padding: 10px 14px; border: 1px solid #8883; border-radius: 6px; } .module ul { margin: 4px 0; padding-left: 20px; }
.kind { font-size: 12px; padding: 0 4px; border-radius: 3px; } .kind.pypy { background: ${COLORS.error}22; } .kind.convert { background: ${COLORS.rest}22; }
summary { cursor: pointer; margin-top: 4px; }
</style></head><body>${body}${script}</body></html>
`;
}
