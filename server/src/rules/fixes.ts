import type { BindingModel, ForeignFunction, Span } from '../analysis/model';
import { cTypeToCtypes, lookupPrototype } from '../data/cPrototypes';
import type { Finding } from './finding';

/** A replacement of [start, end) (UTF-16 offsets into the text the finding was computed on). */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * Ruff's applicability: a safe fix keeps what working code does (and only repairs what was broken or
 * undefined), so `check --fix` and `source.fixAll` apply it unasked; an unsafe fix may change what a working
 * program does and runs only with `--unsafe-fixes`, or when chosen by hand as a quick fix.
 */
export type Applicability = 'safe' | 'unsafe';

export interface QuickFix {
  title: string;
  edits: OffsetEdit[];
  applicability: Applicability;
}

/**
 * The fixes each rule offers and their applicability (docs/rules.md and `--statistics` read this):
 * PB204 restype and PB205 argtypes come from the prototype table (argtypes of a variadic function, fixed
 * parameters only, is unsafe: some ABIs pass variadic arguments differently; so is one with a `char *` or struct
 * pointer parameter, which then rejects the int addresses ctypes passed before); PB309 None → ffi.NULL and
 * PB304 ffi.new("T") → "T *" repair a call that raised TypeError; PB307 wraps a variadic argument, safe for
 * bytes/str (char[]) and floats (double, C's own promotion), unsafe for ints (the format may want a long).
 */
export const FIX_APPLICABILITY: Readonly<Record<string, Applicability | 'safe or unsafe'>> = {
  PB204: 'safe',
  PB205: 'safe or unsafe',
  PB304: 'safe',
  PB307: 'safe or unsafe',
  PB309: 'safe',
};

/** Applies non-overlapping edits to a text (tests and the CLI). */
export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function lineBounds(text: string, offset: number): { start: number; end: number; eol: string } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  const crlf = end > start && text[end - 1] === '\r';
  return { start, end: crlf ? end - 1 : end, eol: crlf ? '\r\n' : '\n' };
}

/**
 * Spells a `ctypes.X` expression (as cTypeToCtypes writes it) with the names this file has in scope:
 * `c_size_t` after `from ctypes import c_size_t`, `C.c_size_t` after `import ctypes as C`.
 */
export function spellCtypes(model: BindingModel, expr: string): { text: string; needsImport: boolean } {
  let moduleName: string | undefined;
  let star = false;
  const fromNames = new Map<string, string>();
  for (const imp of model.imports) {
    if (imp.module === 'ctypes' && imp.star) star = true;
    if (imp.module === 'ctypes') for (const n of imp.names) fromNames.set(n.name, n.asName);
    if (imp.boundName !== undefined && imp.names.length === 0 && !imp.star && (imp.module === 'ctypes' || (imp.module.startsWith('ctypes.') && imp.boundName === 'ctypes'))) {
      moduleName ??= imp.boundName;
    }
  }
  let needsImport = false;
  const text = expr.replace(/\bctypes\.(\w+)/g, (_, name: string) => {
    const direct = fromNames.get(name);
    if (direct) return direct;
    if (moduleName) return `${moduleName}.${name}`;
    if (star) return name;
    needsImport = true;
    return `ctypes.${name}`;
  });
  return { text, needsImport };
}

/** The statement after which a signature line goes: the function's last signature assignment, else the library's. */
function anchorOf(model: BindingModel, fn: ForeignFunction): { span: Span; target?: string } {
  const sigs = [fn.argtypes, fn.restype, fn.errcheck].filter((s) => !!s).sort((a, b) => b!.statementSpan.end - a!.statementSpan.end);
  const last = sigs[0];
  if (last) return { span: last.statementSpan, target: undefined };
  const lib = fn.library;
  // a library imported from another module: its statementSpan is this file's first use, so go after the import
  if (lib.origin && lib.origin.via !== 'local') {
    const head = lib.name.split('.')[0];
    const imp = model.imports.find((i) => i.names.some((n) => n.asName === lib.name) || i.boundName === head);
    if (imp) return { span: imp.span };
  }
  return { span: lib.statementSpan };
}

/** Whether a signature line inserted at `offset` would come after a module-level call of the function (too late to help it). */
function afterTopLevelCall(model: BindingModel, fn: ForeignFunction, offset: number): boolean {
  return fn.calls.some((c) => c.span.start < offset && /^\S/.test(model.text.slice(model.text.lastIndexOf('\n', c.span.start - 1) + 1)));
}

/** How the file names the function in a signature assignment: as it already does, else `lib.name`. */
function functionSpelling(model: BindingModel, fn: ForeignFunction): string | undefined {
  const sig = fn.argtypes ?? fn.restype ?? fn.errcheck;
  if (sig) return model.text.slice(sig.targetSpan.start, sig.targetSpan.end).replace(/\.(argtypes|restype|errcheck)$/, '');
  return /^[A-Za-z_]\w*$/.test(fn.name) ? `${fn.library.name}.${fn.name}` : undefined;
}

/** Inserts `statement` on a new line after the anchor statement, with its indentation (plus `import ctypes` if needed). */
function insertAfter(model: BindingModel, fn: ForeignFunction, statement: string, needsImport: boolean): OffsetEdit[] | undefined {
  const text = model.text;
  const anchor = anchorOf(model, fn).span;
  const first = lineBounds(text, anchor.start);
  const indent = /^[ \t]*/.exec(text.slice(first.start, first.end))![0];
  const last = lineBounds(text, anchor.end);
  if (afterTopLevelCall(model, fn, last.end)) return undefined;
  const edits: OffsetEdit[] = [{ start: last.end, end: last.end, newText: `${last.eol}${indent}${statement}` }];
  if (needsImport) {
    const imp = model.imports.find((i) => i.module === 'ctypes' || i.module.startsWith('ctypes.')) ?? model.imports[0];
    const at = imp ? lineBounds(text, imp.span.start) : { start: 0, eol: '\n' };
    const impIndent = imp ? /^[ \t]*/.exec(text.slice(at.start))![0] : '';
    edits.unshift({ start: at.start, end: at.start, newText: `${impIndent}import ctypes${at.eol}` });
  }
  return edits;
}

function functionOf(model: BindingModel, finding: Finding): ForeignFunction | undefined {
  const d = finding.data as { library?: string; function?: string } | undefined;
  return model.ctypes.functions.find((f) => f.library.name === d?.library && f.name === d?.function);
}

/** PB204: `f.restype = …` from the built-in prototype table. */
export function restypeFix(model: BindingModel, fn: ForeignFunction): QuickFix | undefined {
  const proto = fn.cPrototype ?? lookupPrototype(fn.name);
  const expr = proto && cTypeToCtypes(proto.returns);
  const target = functionSpelling(model, fn);
  if (!expr || !target || fn.restype) return undefined;
  const spelled = spellCtypes(model, expr);
  const statement = `${target}.restype = ${spelled.text}`;
  const edits = insertAfter(model, fn, statement, spelled.needsImport);
  if (!edits) return undefined;
  return { title: `Set ${target}.restype = ${spelled.text}${spelled.needsImport ? ' (adds import ctypes)' : ''}`, edits, applicability: 'safe' };
}

/**
 * Parameter types that accept whatever ctypes passed without argtypes (ints, and int addresses for `void *`;
 * floats raised before): setting them changes nothing a working call did. `c_char_p` and `POINTER(T)` reject
 * the int addresses ctypes passed through before (ArgumentError), so those argtypes are unsafe fixes.
 */
const ACCEPTS_DEFAULT_ARGUMENTS = /^ctypes\.c_(?:u?(?:byte|short|int|long|longlong)|u?int(?:8|16|32|64)|size_t|ssize_t|void_p|double|float|longdouble)$/;

/** PB205: `f.argtypes = […]` from the built-in prototype table (fixed parameters only for variadic functions). */
export function argtypesFix(model: BindingModel, fn: ForeignFunction): QuickFix | undefined {
  const proto = fn.cPrototype ?? lookupPrototype(fn.name);
  const target = functionSpelling(model, fn);
  if (!proto || !target || fn.argtypes) return undefined;
  const types = proto.params.map(cTypeToCtypes);
  if (types.some((t) => t === undefined || t === 'None')) return undefined;
  const spelled = spellCtypes(model, `[${types.join(', ')}]`);
  const statement = `${target}.argtypes = ${spelled.text}`;
  const note = proto.variadic ? ' (fixed parameters)' : '';
  const edits = insertAfter(model, fn, statement, spelled.needsImport);
  if (!edits) return undefined;
  return {
    title: `Set ${target}.argtypes = ${spelled.text}${note}${spelled.needsImport ? ' (adds import ctypes)' : ''}`,
    edits,
    applicability: !proto.variadic && types.every((t) => ACCEPTS_DEFAULT_ARGUMENTS.test(t!)) ? 'safe' : 'unsafe',
  };
}

/** The quick fixes for one finding (besides "disable for this line"). */
export function fixesFor(model: BindingModel, finding: Finding): QuickFix[] {
  const data = finding.data as { replacement?: string } | undefined;
  switch (finding.code) {
    case 'PB204': {
      const fn = functionOf(model, finding);
      const fix = fn && restypeFix(model, fn);
      return fix ? [fix] : [];
    }
    case 'PB205': {
      const fn = functionOf(model, finding);
      const fix = fn && argtypesFix(model, fn);
      return fix ? [fix] : [];
    }
    case 'PB307':
    case 'PB309': {
      if (!data?.replacement) return [];
      const applicability = finding.code === 'PB307' && /\.cast\("int",/.test(data.replacement) ? 'unsafe' : 'safe';
      return [{ title: `Replace with ${data.replacement}`, edits: [{ start: finding.span.start, end: finding.span.end, newText: data.replacement }], applicability }];
    }
    case 'PB304': {
      // keep the literal's prefix and quotes, replace its contents
      const lit = model.text.slice(finding.span.start, finding.span.end);
      const m = /^([rRuU]*)("""|'''|"|')([\s\S]*)\2$/.exec(lit);
      if (!m || !data?.replacement || /\\/.test(m[3]!)) return [];
      const start = finding.span.start + m[1]!.length + m[2]!.length;
      return [{ title: `Allocate "${data.replacement}"`, edits: [{ start, end: start + m[3]!.length, newText: data.replacement }], applicability: 'safe' }];
    }
  }
  return [];
}

/**
 * The "Disable PBxxx for this line" edit: appends `  # noqa: PBxxx`, or adds the code to the line's noqa list.
 * Undefined when the line already silences the code, or a comment cannot go there (inside a multi-line string,
 * after a backslash continuation).
 */
export function disableRuleEdit(text: string, offset: number, code: string): OffsetEdit | undefined {
  const line = lineBounds(text, offset);
  const content = text.slice(line.start, line.end);
  const noqa = /#\s*noqa\b(\s*:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?/i.exec(content);
  if (noqa) {
    if (!noqa[1]) return undefined; // a bare noqa already silences every code
    if (noqa[1].toUpperCase().split(/[\s,:]+/).includes(code.toUpperCase())) return undefined;
    const at = line.start + noqa.index + noqa[0].length;
    return { start: at, end: at, newText: `, ${code}` };
  }
  if (/\\$/.test(content)) return undefined;
  const before = text.slice(0, line.end);
  const triples = (before.match(/"""|'''/g) ?? []).length;
  if (triples % 2 === 1) return undefined; // the line ends inside a triple-quoted string
  return { start: line.end, end: line.end, newText: `${/\s$/.test(content) || content === '' ? '' : '  '}# noqa: ${code}` };
}
