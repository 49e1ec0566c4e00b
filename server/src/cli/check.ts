import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unifiedPatch } from '../documents/lineDiff';
import { prototypeLookup } from '../analysis/prototypes';
import { WorkspaceIndex } from '../analysis/workspace/workspaceIndex';
import { loadGrammars } from '../parser/languages';
import { analyzeWorkspaceFile } from '../service/analyzeFile';
import type { Settings } from '../config/settings';
import { lintOptions } from '../config/lintOptions';
import { ruleDocUrl } from '../rules/catalogue';
import { fixableWith } from '../rules/fixAll';
import { lint, lintCSource, type Finding, type LintOptions } from '../rules/lint';
import { isStackOverflow, TOO_DEEP_MESSAGE } from '../documents/nesting';
import { C_EXT, cachedIsFile, collectFiles, mayBind, workspaceFiles } from './files';
import { type FileText, readFileText, withFileNewlines, writeFileTextAtomic } from './fileText';
import { fixText } from './fixFile';
import { formatGithub } from './formats/github';
import { formatJson } from './formats/json';
import { formatJunit } from './formats/junit';
import { type CheckReport, isFailing, plural, type Reported } from './formats/reported';
import { formatSarif } from './formats/sarif';
import { formatStatistics } from './formats/statistics';
import { formatConcise, formatText, summary } from './formats/text';
import type { CliIO } from './io';
import { type CheckOptions, parseCheckOptions, withCommandLine } from './options';
import { lineCol, lineStartsOf } from './positions';
import { settingsFromPyproject } from './pyproject';

const EMPTY_BYTES = Buffer.alloc(0);

/** The file's findings as the CLI reports them (positions, fix markers), from one analysis of `text`. */
async function reportFile(file: string, text: string, options: LintOptions, settings: Settings, workspace: WorkspaceIndex): Promise<Reported[]> {
  let findings: Finding[];
  let fixOf: (f: Finding) => Reported['fix'] = () => undefined;
  let dispose = () => {};
  const uri = pathToFileURL(path.resolve(file)).href;
  if (!C_EXT.test(file)) workspace.useText(uri, text);
  if (C_EXT.test(file)) findings = lintCSource(text, options);
  // the pre-filters only skip work: a file that neither binds C nor imports a workspace module that does has no finding
  else if (!mayBind(text) && !workspace.mayBind(uri)) findings = [];
  else {
    const { model, doc } = analyzeWorkspaceFile(text, uri, await loadGrammars(), workspace, prototypeLookup(settings), { relevantRegionsOnly: true });
    dispose = () => doc.dispose();
    findings = lint(model, options);
    fixOf = (f) => {
      const fix = fixableWith(model, f, { unsafe: true });
      return fix && { applicability: fix.applicability, message: fix.title };
    };
  }
  try {
    if (findings.length === 0) return [];
    const starts = lineStartsOf(text);
    return findings.map((f) => {
      const s = lineCol(starts, f.span.start);
      const e = lineCol(starts, f.span.end);
      const fix = fixOf(f);
      return { file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, code: f.code, severity: f.severity, message: f.message, url: ruleDocUrl(f.code), ...(fix ? { fix } : {}) };
    });
  } finally {
    dispose();
  }
}

function render(o: CheckOptions, report: CheckReport): string {
  if (o.statistics) return formatStatistics(report, o.format === 'json');
  switch (o.format) {
    case 'json':
      return formatJson(report);
    case 'github':
      return formatGithub(report);
    case 'sarif':
      return formatSarif(report);
    case 'junit':
      return formatJunit(report);
    case 'concise':
      return formatConcise(report) + (o.quiet ? '' : summary(report));
    case 'text':
      return formatText(report) + (o.quiet ? '' : summary(report));
  }
}

/** `check`: lint (and with --fix/--diff, fix) the files below the paths; resolves to the exit status. */
export async function check(args: string[], io: CliIO): Promise<number> {
  const o = parseCheckOptions(args);
  const errors: string[] = [];
  const files = collectFiles(o.paths, errors);
  // the modules these files can import from: the files themselves and the packages they belong to
  // C-valued exports only for the modules read (the whole computation is the server's, which re-checks it per edit)
  const workspace = new WorkspaceIndex((await loadGrammars()).pythonParser, { exportsOnDemand: true });
  const isFile = cachedIsFile();
  for (const f of workspaceFiles(files, errors, isFile)) workspace.addFile(f, isFile);
  // every file is read once, before any analysis: the index links against the decoded texts from the start
  // (pinning a text later would recompute what other modules export), and never reads a checked file again
  const read = new Map<string, FileText | Error>();
  for (const file of files) {
    if (C_EXT.test(file)) continue;
    try {
      const ft = readFileText(file);
      read.set(file, o.fix ? ft : { ...ft, bytes: EMPTY_BYTES }); // the bytes only check a file before it is written
      workspace.useText(pathToFileURL(path.resolve(file)).href, ft.analysisText);
    } catch (e) {
      read.set(file, e as Error);
    }
  }
  const reported: Reported[] = [];
  const lines = new Map<string, string[]>();
  const cache = new Map<string, Settings>();
  const problems: string[] = [];
  let fixed = 0;
  let diffs = 0;
  // the files of one folder share their pyproject.toml, hence their settings
  const byDir = new Map<string, { settings: Settings; options: LintOptions }>();
  for (const file of files) {
    const dir = path.dirname(file);
    let forDir = byDir.get(dir);
    if (!forDir) {
      const settings = withCommandLine(settingsFromPyproject(dir, problems, cache), o);
      byDir.set(dir, (forDir = { settings, options: lintOptions(settings) }));
    }
    const { settings, options } = forDir;
    try {
      // Python files decoded as Python does (PEP 263, BOMs, CR line ends); C sources as UTF-8
      const pre = C_EXT.test(file) ? undefined : read.get(file) ?? readFileText(file);
      read.delete(file);
      if (pre instanceof Error) throw pre;
      const ft = pre;
      let text = ft ? ft.analysisText : fs.readFileSync(file, 'utf8');
      const uri = pathToFileURL(path.resolve(file)).href;
      if (!C_EXT.test(file)) workspace.useText(uri, text);
      if ((o.fix || o.diff) && !C_EXT.test(file) && (mayBind(text) || workspace.mayBind(uri))) {
        const grammars = await loadGrammars();
        const outcome = await fixText(text, file, options, o.unsafeFixes, async (t) => {
          workspace.useText(uri, t);
          return analyzeWorkspaceFile(t, uri, grammars, workspace, prototypeLookup(settings));
        });
        workspace.useText(uri, text); // other files link against what is on disk until it is written
        if (outcome.syntaxError) errors.push(outcome.syntaxError);
        if (outcome.text !== text) {
          const n = [...outcome.fixedByCode.values()].reduce((a, b) => a + b, 0);
          if (o.diff) {
            io.out(unifiedPatch(file, text, outcome.text));
            diffs += n;
          } else {
            writeFileTextAtomic(ft!, withFileNewlines(ft!, outcome.text));
            fixed += n;
            text = outcome.text;
          }
        }
      }
      if (o.diff) continue;
      const found = await reportFile(file, text, options, settings, workspace);
      if (found.length && o.format === 'text') lines.set(file, text.split('\n'));
      reported.push(...found);
    } catch (e) {
      if (isStackOverflow(e)) io.err(`pypy-bindings: ${file}: ${TOO_DEEP_MESSAGE}\n`);
      else errors.push(`${file}: ${(e as Error).message}`);
    }
  }
  for (const p of new Set(problems)) io.err(`pypy-bindings: ${p}\n`);
  for (const e of errors) io.err(`pypy-bindings: ${e}\n`);
  // as ruff: a path that is missing or a file that cannot be read, decoded or analysed is exit 2, even with --exit-zero
  if (o.diff) {
    if (!o.quiet) io.err(diffs ? `Would fix ${plural(diffs, 'finding')}.\n` : 'No fixes available.\n');
    return errors.length ? 2 : diffs && !o.exitZero ? 1 : 0;
  }
  io.out(render(o, { reported, lines, fixed, unsafeFixes: o.unsafeFixes }));
  return errors.length ? 2 : reported.some(isFailing) && !o.exitZero ? 1 : 0;
}
