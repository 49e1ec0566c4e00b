import type { CheckReport, Reported } from './reported';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** `junit`: a test suite per file and a failing test case per finding (ruff's layout), for CI test reports. */
export function formatJunit(report: CheckReport): string {
  const byFile = new Map<string, Reported[]>();
  for (const r of report.reported) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const n = report.reported.length;
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pypy-bindings" tests="${Math.max(n, 1)}" failures="${n}" errors="0">\n`;
  if (n === 0) {
    out += '  <testsuite name="pypy-bindings" tests="1" disabled="0" errors="0" failures="0" package="org.pypy-bindings">\n    <testcase name="No findings" classname="pypy-bindings"/>\n  </testsuite>\n';
  }
  for (const [file, rs] of byFile) {
    out += `  <testsuite name="${xml(file)}" tests="${rs.length}" disabled="0" errors="0" failures="${rs.length}" package="org.pypy-bindings">\n`;
    for (const r of rs) {
      out += `    <testcase name="org.pypy-bindings.${r.code}" classname="${xml(file)}" line="${r.line}" column="${r.column}">\n`;
      out += `      <failure message="${xml(r.message)}" type="${r.severity}">line ${r.line}, col ${r.column}, ${xml(r.message)}</failure>\n`;
      out += '    </testcase>\n';
    }
    out += '  </testsuite>\n';
  }
  return out + '</testsuites>\n';
}
