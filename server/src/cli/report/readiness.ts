/**
 * The PyPy readiness report: per package and module, the binding style (ranked as PyPy's guide ranks them),
 * the findings by severity, the foreign functions by library and how many of them the converter converts
 * now, what blocks the rest, and the modules to start with. Computed from the same analysis, rules and
 * converter as `check` and `convert` (the CLI's `report` and the language server's readiness request).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeText } from '../../analysis/analyze';
import { prototypeLookup } from '../../analysis/prototypes';
import { WorkspaceIndex } from '../../analysis/workspace/workspaceIndex';
import { loadGrammars } from '../../parser/languages';
import { analyzeWorkspaceFile } from '../../service/analyzeFile';
import type { BindingModel } from '../../analysis/model';
import { lintOptions } from '../../config/lintOptions';
import type { Settings } from '../../config/settings';
import { applyEdits, convertToCffi } from '../../convert/convertFile';
import type { Severity } from '../../rules/catalogue';
import { distinctFunctions } from './counts';
import { type LibraryReport, type ModuleReport, type PackageReport, type ReadinessReport, type StartWith, STYLES, type StyleId } from './types';

export type * from './types';
import { lint, lintCSource, type Finding } from '../../rules/lint';
import { readFileText } from '../fileText';
import { C_EXT, collectFiles, mayBind, workspaceFiles } from '../files';
import { lineCol, lineStartsOf } from '../positions';
import { settingsFromPyproject } from '../pyproject';

const zeroSeverities = (): Record<Severity, number> => ({ error: 0, warning: 0, information: 0, hint: 0 });

/** The package a file belongs to: its top-most folder with an `__init__.py` chain, else its own folder. */
function packageOf(file: string, root: string): { name: string; dir: string; module: string } {
  let dir = path.dirname(file);
  const parts = [path.basename(file).replace(/\.(pyw?|[ch]\w*)$/, '')];
  let top: string | undefined;
  while (fs.existsSync(path.join(dir, '__init__.py')) && dir !== path.dirname(dir)) {
    top = dir;
    parts.unshift(path.basename(dir));
    if (path.resolve(dir) === path.resolve(root)) break;
    dir = path.dirname(dir);
  }
  if (parts[parts.length - 1] === '__init__') parts.pop();
  const pkgDir = top ?? path.dirname(file);
  const rel = path.relative(path.resolve(root, '..'), pkgDir) || path.basename(pkgDir);
  return { name: top ? path.basename(top) : `${rel.split(path.sep).join('/')}/`, dir: pkgDir, module: parts.join('.') };
}

function stylesOf(model: BindingModel | undefined, findings: Finding[]): StyleId[] {
  const s = new Set<StyleId>();
  if (model) {
    // `from . import ffi` alone is only a guess of an out-of-line ffi: count it when it declares or loads something
    if (model.uses.has('cffi') || model.uses.has('_cffi_backend') || model.cffi.ffis.some((f) => f.cdefs.length || f.libs.length || f.mode !== 'unknown')) s.add('cffi');
    if (model.uses.has('ctypes') || model.ctypes.libraries.length) s.add('ctypes');
    if (model.uses.has('cppyy')) s.add('cppyy');
    if (model.uses.has('mixedmodule') || model.mixedModules.length) s.add('mixedmodule');
    if (model.uses.has('_rawffi') || model.uses.has('_rawffi.alt') || model.uses.has('_ffi')) s.add('rawffi');
  }
  if (findings.some((f) => f.code === 'PB103')) s.add('capi');
  return STYLES.map((x) => x.id).filter((id) => s.has(id));
}

/** The converter's verdict per ctypes function: convert the file, analyse the output, see what is still ctypes. */
async function convertibleFunctions(model: BindingModel, uri: string): Promise<{ converted: (lib: string, fn: string) => boolean; left: { offset: number; reason: string }[]; failure?: string }> {
  try {
    const result = convertToCffi(model, { mode: 'abi-inline' });
    const after = applyEdits(model.text, result.edits);
    const { model: out, doc } = await analyzeText(after, uri);
    try {
      // converted: no longer a ctypes function, and declared in a cdef of the output (not merely reached through the cffi lib)
      const still = new Set(out.ctypes.functions.map((f) => `${f.library.name}\0${f.name}`));
      const declared = new Set(out.cffi.ffis.flatMap((f) => f.cdefs.flatMap((c) => c.declarations.filter((d) => d.kind === 'function').map((d) => d.name))));
      return { converted: (lib, fn) => !still.has(`${lib}\0${fn}`) && declared.has(fn), left: result.leftForHuman.map((l) => ({ offset: l.span.start, reason: l.reason })) };
    } finally {
      doc.dispose();
    }
  } catch (e) {
    return { converted: () => false, left: [], failure: (e as Error).message };
  }
}

async function moduleReport(file: string, root: string, settings: Settings, workspace: WorkspaceIndex): Promise<ModuleReport | undefined> {
  const options = lintOptions(settings);
  const isC = C_EXT.test(file);
  const text = isC ? fs.readFileSync(file, 'utf8') : readFileText(file).analysisText;
  const uri = pathToFileURL(path.resolve(file)).href;
  if (!isC) workspace.useText(uri, text);
  // as in check: a file that neither binds C nor imports a workspace module that does has nothing to report
  if (!isC && !mayBind(text) && !workspace.mayBind(uri)) return undefined;
  const starts = lineStartsOf(text);
  const lineOf = (offset: number) => lineCol(starts, offset).line;
  let model: BindingModel | undefined;
  let dispose = () => {};
  let findings: Finding[];
  if (isC) findings = lintCSource(text, options);
  else {
    const analysed = analyzeWorkspaceFile(text, uri, await loadGrammars(), workspace, prototypeLookup(settings));
    model = analysed.model;
    dispose = () => analysed.doc.dispose();
    findings = lint(model, options);
  }
  try {
    const styles = stylesOf(model, findings);
    if (styles.length === 0 && findings.length === 0) return undefined;
    const severities = zeroSeverities();
    for (const f of findings) severities[f.severity]++;
    const blockers: ModuleReport['blockers'] = findings.filter((f) => f.severity === 'error').map((f) => ({ kind: 'pypy', code: f.code, line: lineOf(f.span.start), text: f.message }));
    const libraries: LibraryReport[] = [];
    if (model && model.ctypes.libraries.length) {
      const verdict = await convertibleFunctions(model, uri);
      if (verdict.failure) blockers.push({ kind: 'convert', line: 1, text: `the converter failed: ${verdict.failure}` });
      for (const l of verdict.left) blockers.push({ kind: 'convert', line: lineOf(l.offset), text: l.reason });
      for (const lib of model.ctypes.libraries) {
        const functions = [...new Set(lib.functions.map((f) => f.name))];
        libraries.push({
          name: lib.name,
          line: lineOf(lib.statementSpan.start),
          loader: lib.loader,
          key: lib.origin && lib.origin.via !== 'local' ? `${lib.origin.uri}#${lib.origin.span.start}` : `${uri}#${lib.loadSpan.start}`,
          ...(lib.origin && lib.origin.via !== 'local' ? { loadedIn: lib.origin.module } : {}),
          functions,
          convertible: functions.filter((f) => verdict.converted(lib.name, f)),
        });
      }
    }
    const cffiFunctions = model ? model.cffi.ffis.reduce((n, ffi) => n + ffi.cdefs.reduce((m, c) => m + c.declarations.filter((d) => d.kind === 'function').length, 0), 0) : 0;
    blockers.sort((a, b) => a.line - b.line);
    return {
      file: path.resolve(file),
      path: path.relative(root, file).split(path.sep).join('/') || path.basename(file),
      module: '',
      styles,
      severities,
      findings: findings.map((f) => ({ code: f.code, severity: f.severity, line: lineOf(f.span.start), text: f.message })),
      libraries,
      cffiFunctions,
      blockers,
    };
  } finally {
    dispose();
  }
}

/** Why a module is worth starting with, or undefined. Modules that fail on PyPy first, then the biggest automatic gains. */
function startWith(modules: ModuleReport[]): StartWith[] {
  const scored = modules.map((m) => {
    // a library imported from another module converts with that module: count only the ones loaded here
    const own = m.libraries.filter((l) => l.loadedIn === undefined);
    const fns = own.reduce((n, l) => n + l.functions.length, 0);
    const conv = own.reduce((n, l) => n + l.convertible.length, 0);
    const errors = m.blockers.filter((b) => b.kind === 'pypy');
    let reason: string | undefined;
    let score = 0;
    if (errors.length) {
      score = 1e6 + errors.length;
      reason = `${errors.length} problem${errors.length === 1 ? '' : 's'} that fail on PyPy (${[...new Set(errors.map((e) => e.code))].join(', ')}): fix these first`;
    } else if (conv > 0) {
      score = 1e3 * (conv / fns) + conv;
      reason = `${conv} of ${fns} ctypes function${fns === 1 ? '' : 's'} convert to cffi now: \`pypy-bindings convert ${m.path}\``;
    } else if (own.length > 0) {
      score = 1 + fns / 1e3;
      const first = m.blockers.find((b) => b.kind === 'convert');
      const what = fns ? `${fns} ctypes function${fns === 1 ? '' : 's'}, none converted automatically` : `loads ${own.map((l) => `\`${l.name}\``).join(', ')} with ctypes, with no function declared in this module`;
      reason = `${what}${first ? ` (first obstacle, line ${first.line}: ${first.text})` : ''}`;
    } else if (m.styles.includes('capi')) {
      score = 0.5;
      reason = 'a CPython C-API extension: consider rewriting it with cffi';
    }
    const line = errors[0]?.line ?? own[0]?.line ?? m.findings[0]?.line ?? 1;
    return { m, score, reason, line };
  });
  return scored
    .filter((s) => s.reason)
    .sort((a, b) => b.score - a.score || a.m.path.localeCompare(b.m.path))
    .slice(0, 5)
    .map((s) => ({ file: s.m.file, path: s.m.path, line: s.line, reason: s.reason! }));
}

/** Builds the report for the files below `paths` (each path is a root: module paths are shown relative to it). */
export async function readinessReport(paths: string[]): Promise<ReadinessReport> {
  const problems: string[] = [];
  const cache = new Map<string, Settings>();
  const packages = new Map<string, PackageReport>();
  let filesScanned = 0;
  // the modules the files can import from (libraries loaded in one module and used in others), as check links them
  const workspace = new WorkspaceIndex((await loadGrammars()).pythonParser);
  const byRoot = paths.map((p) => ({ root: fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p), files: collectFiles([p], problems) }));
  for (const f of workspaceFiles(byRoot.flatMap((r) => r.files), problems)) workspace.addFile(f);
  for (const { root, files } of byRoot) {
    for (const file of files) {
      filesScanned++;
      try {
        const settings = settingsFromPyproject(path.dirname(file), problems, cache);
        const m = await moduleReport(file, root, settings, workspace);
        if (!m) continue;
        const pkg = packageOf(file, root);
        m.module = pkg.module;
        const key = path.resolve(pkg.dir);
        const entry = packages.get(key) ?? { name: pkg.name, dir: path.resolve(pkg.dir), modules: [] };
        entry.modules.push(m);
        packages.set(key, entry);
      } catch (e) {
        problems.push(`${file}: ${(e as Error).message}`);
      }
    }
  }
  const all = [...packages.values()].flatMap((p) => p.modules);
  const severities = zeroSeverities();
  const styles = Object.fromEntries(STYLES.map((s) => [s.id, 0])) as Record<StyleId, number>;
  for (const m of all) {
    for (const k of Object.keys(severities) as Severity[]) severities[k] += m.severities[k];
    for (const s of m.styles) styles[s]++;
  }
  return {
    roots: paths,
    filesScanned,
    packages: [...packages.values()].sort((a, b) => a.name.localeCompare(b.name)),
    startWith: startWith(all),
    totals: {
      modules: all.length,
      ...distinctFunctions(all),
      cffiFunctions: all.reduce((n, m) => n + m.cffiFunctions, 0),
      severities,
      styles,
    },
    problems: [...new Set(problems)],
  };
}
