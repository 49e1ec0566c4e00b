/**
 * The invariant both engines check on a converted module before it is offered (issue 12, principle 2), by
 * re-reading the output and comparing it with the input:
 * - every name the output reads is defined: a name that resolved at every use in the input (or that the
 *   converter introduced) and resolves nowhere in the output is a NameError at run time (nameResolution.ts);
 * - every `lib.x` on a cffi library is declared in its cdef: PB305 on the output's own model, less what the
 *   input already had.
 * - no ctypes value reaches cffi: a function made a ctypes callback (`P(f)`, `@P`, P a kept `CFUNCTYPE`) receives
 *   ctypes objects, which `ffi.cast`/a cffi function misread (`ctypesCallbackArgumentsInCffi`);
 * - across the modules of a project: a name another module imports or reads from a converted module
 *   (`from .m import x`, `from .m import *`, `m.x`) is still defined there (`lostExports`), and every `lib.x` on a
 *   converted library, reached from any module by any name (`m = nat; m.lib.x`), is declared (`undeclaredLibraryUses`).
 * Pure: texts in, problems with offsets in the output out. A caller shrinks the conversion on a problem.
 */
import type { Parser, Tree } from 'web-tree-sitter';
import { loadedGrammars } from '../../parser/languages';
import { type FlatNode, walkFlat } from '../../parser/flatNode';
import { type ParsedText, withParsed } from './parsedText';
import { pb305 } from '../../rules/cffiRules';
import { type NameFacts, resolveNames, unresolvedNames } from './nameResolution';
import { walk } from '../syntax';
export { undeclaredLibraryUses } from './libraryReach';

export interface InvariantProblem {
  /** Offset in the output text. */
  offset: number;
  /** The name read, for a name no longer defined. */
  name?: string;
  reason: string;
}

/** Unresolved loads of a text (none when it does not parse); `tree`, when the caller has the text's parse already. */
function unresolvedIn(parser: Parser, text: string | ParsedText, tree?: Tree): { name: string; start: number }[] {
  if (tree) return unresolvedNames(tree, typeof text === 'string' ? text : text.text);
  return withParsed(parser, text, (p) => (p.tree ? unresolvedNames(p.tree, p.text, p.flat) : []));
}

/** Names the output reads that it no longer defines, though the input defined them wherever it read them. */
export function lostNames(parser: Parser, input: string | ParsedText, outputText: string | ParsedText, inputTree?: Tree): InvariantProblem[] {
  const lost = unresolvedIn(parser, outputText);
  if (!lost.length) return [];
  // a name the input itself reads undefined somewhere (or defines where this cannot see) makes no claim
  const before = new Set(unresolvedIn(parser, input, inputTree).map((u) => u.name));
  const output = typeof outputText === 'string' ? outputText : outputText.text;
  const lineOf = (offset: number) => output.slice(0, offset).split('\n').length;
  return lost.filter((u) => !before.has(u.name)).map((u) => ({
    offset: u.start,
    name: u.name,
    reason: `${u.name} is read at line ${lineOf(u.start)} of the converted file, which no longer defines it (a NameError at run time)`,
  }));
}

/** `lib.x` on a cffi library of the output that no cdef of its ffi declares (PB305), unless the input had the same finding. */
export function undeclaredLibNames(input: string | ParsedText, output: string | ParsedText): InvariantProblem[] {
  const grammars = loadedGrammars();
  if (!grammars || !/\bdlopen\b/.test(typeof output === 'string' ? output : output.text)) return [];
  // the model of each text, once: a ParsedText keeps it for the other checks (and the input's for the next round)
  const findings = (text: string | ParsedText) => withParsed(grammars.pythonParser, text, (p) => {
    const model = p.model();
    return model ? pb305(model) : [];
  });
  const after = findings(output);
  if (!after.length) return [];
  const before = new Set(findings(input).map((f) => f.message));
  return after.filter((f) => !before.has(f.message)).map((f) => ({ offset: f.span.start, reason: f.message.replace(/`/g, '') }));
}

/**
 * Parameters of a function that a ctypes prototype of the output wraps (`P(f)`, `@P`) handed to `ffi.…` or to a
 * cffi library's function in its body: ctypes passes the callback ctypes objects (a `POINTER(c_int)` argument is
 * an `LP_c_int`), which cffi reads as something else. Offsets are the parameter uses in the output.
 */
export function ctypesCallbackArgumentsInCffi(parser: Parser, output: string | ParsedText): InvariantProblem[] {
  const text = typeof output === 'string' ? output : output.text;
  if (!/FUNCTYPE\b/.test(text) || !/\bFFI\(\)/.test(text)) return [];
  return withParsed(parser, output, (parsed) => {
    const root = parsed.root;
    if (!root) return [];
    const all = [...walkFlat(root)];
    const prototypes = new Set<string>();
    const cffi = new Set<string>();
    const defs = new Map<string, FlatNode>();
    for (const n of all) {
      if (n.type === 'function_definition') defs.set(n.childForFieldName('name')?.text ?? '', n);
      if (n.type !== 'assignment') continue;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const callee = right?.type === 'call' ? right.childForFieldName('function')?.text ?? '' : '';
      if (left?.type !== 'identifier') continue;
      if (/(^|\.)(C|WIN|PY)FUNCTYPE$/.test(callee)) prototypes.add(left.text);
      else if (/(^|\.)FFI$/.test(callee) || /\.dlopen$/.test(callee)) cffi.add(left.text);
    }
    if (!prototypes.size || !cffi.size) return [];
    const callbacks = new Set<FlatNode>();
    for (const n of all) {
      if (n.type === 'call' && prototypes.has(n.childForFieldName('function')?.text ?? '')) {
        const args = n.childForFieldName('arguments')?.namedChildren ?? [];
        const fn = args.length === 1 && args[0]!.type === 'identifier' ? defs.get(args[0]!.text) : undefined;
        if (fn) callbacks.add(fn);
      }
      if (n.type === 'decorated_definition' && n.namedChildren.some((d) => d.type === 'decorator' && prototypes.has(d.namedChildren[0]?.text ?? ''))) {
        const fn = n.childForFieldName('definition');
        if (fn?.type === 'function_definition') callbacks.add(fn);
      }
    }
    const out: InvariantProblem[] = [];
    for (const fn of callbacks) {
      const params = new Set((fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'identifier').map((p) => p.text));
      for (const n of walkFlat(fn.childForFieldName('body')!)) {
        if (n.type !== 'call') continue;
        const callee = n.childForFieldName('function');
        let root = callee;
        while (root?.type === 'attribute') root = root.childForFieldName('object');
        if (!root || root === callee || root.type !== 'identifier' || !cffi.has(root.text)) continue;
        for (const a of walkFlat(n.childForFieldName('arguments')!)) {
          const p = a.parent!;
          const nameField = (p.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === a.startIndex) || (p.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === a.startIndex);
          if (a.type === 'identifier' && params.has(a.text) && !nameField) {
            out.push({ offset: a.startIndex, name: a.text, reason: `the arguments ctypes passes to the callback ${fn.childForFieldName('name')?.text} would reach cffi (${callee!.text})` });
          }
        }
      }
    }
    return out;
  });
}

export interface ModuleTexts {
  /** Dotted module name (`pkg.mod`), and the package its relative imports start from (project/modules.ts). */
  name: string;
  pkg: string;
  input: string;
  output: string;
}

/** `.m` from inside a module of package `pkg` → `pkg.m` (as project/modules.ts's absoluteModule). */
export function absolute(pkg: string, spec: string): string {
  const dots = /^\.*/.exec(spec)![0].length;
  if (!dots) return spec;
  const base = pkg.split('.').filter(Boolean);
  const rest = spec.slice(dots);
  return [...base.slice(0, Math.max(base.length - (dots - 1), 0)), ...(rest ? rest.split('.') : [])].join('.');
}

function namesOf(parser: Parser, text: string): NameFacts | undefined {
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    return tree.rootNode.hasError ? undefined : resolveNames(tree, text);
  } finally {
    tree.delete();
  }
}

function factsOf(parser: Parser, text: string): { facts: NameFacts; imports: ImportFact[]; attributes: { object: string; name: string; offset: number }[] } | undefined {
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const imports: ImportFact[] = [];
    const attributes: { object: string; name: string; offset: number }[] = [];
    for (const n of walk(tree.rootNode)) {
      if (n.type === 'import_from_statement') {
        const spec = n.childForFieldName('module_name')?.text ?? '';
        for (const c of n.namedChildren.slice(1)) {
          if (c.type === 'wildcard_import') imports.push({ spec, star: true, offset: c.startIndex });
          else if (c.type === 'dotted_name' || c.type === 'aliased_import') {
            const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
            imports.push({ spec, name, local: c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : name, offset: c.startIndex });
          }
        }
      } else if (n.type === 'import_statement') {
        for (const c of n.namedChildren) {
          const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
          imports.push({ spec: name, module: true, local: c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : name, offset: c.startIndex });
        }
      } else if (n.type === 'attribute') {
        const obj = n.childForFieldName('object');
        const attr = n.childForFieldName('attribute');
        if (obj && attr && /^[\w.]+$/.test(obj.text)) attributes.push({ object: obj.text, name: attr.text, offset: attr.startIndex });
      }
    }
    return { facts: resolveNames(tree, text), imports, attributes };
  } finally {
    tree.delete();
  }
}

interface ImportFact {
  spec: string;
  name?: string;
  local?: string;
  star?: boolean;
  /** `import a.b [as c]`. */
  module?: boolean;
  offset: number;
}

const RELATIVE = /\bfrom[ \t]+\./;

/**
 * Whether some module's text could read `m` (two parses and name resolutions of a long module saved when none can):
 * an import or `m.x` names its last component; a package (`__init__`) is also read by any relative import.
 */
function mayBeRead(m: ModuleTexts, modules: readonly ModuleTexts[]): boolean {
  const last = m.name.slice(m.name.lastIndexOf('.') + 1);
  const word = new RegExp(`(?<![\\w])${last.replace(/[^\w]/g, '')}(?![\\w])`);
  const isPackage = m.name === m.pkg;
  return modules.some((o) => word.test(o.output) || word.test(o.input) || (isPackage && (RELATIVE.test(o.input) || RELATIVE.test(o.output))));
}

/**
 * Names a module of the project no longer defines after conversion while another module (or itself, through a
 * package) still imports or reads them: an ImportError, NameError or AttributeError at run time. Offsets are in
 * the output of the module that reads the name.
 */
export function lostExports(parser: Parser, modules: readonly ModuleTexts[]): (InvariantProblem & { module: string })[] {
  if (modules.length < 2) return [];
  const byName = new Map(modules.map((m) => [m.name, m]));
  const lost = new Map<string, Set<string>>();
  for (const m of modules) {
    if (m.input === m.output || !mayBeRead(m, modules)) continue;
    const before = namesOf(parser, m.input);
    const after = namesOf(parser, m.output);
    if (!before || !after || after.open) continue;
    const gone = new Set([...before.moduleNames].filter((n) => !after.moduleNames.has(n)));
    if (gone.size) lost.set(m.name, gone);
  }
  if (!lost.size) return [];
  const words = new Set([...lost.values()].flatMap((g) => [...g]));
  const out: (InvariantProblem & { module: string })[] = [];
  for (const m of modules) {
    // only a module whose text names something lost can read it
    if (!(m.output.match(/[A-Za-z_]\w*/g) ?? []).some((w) => words.has(w))) continue;
    const f = factsOf(parser, m.output);
    if (!f) continue;
    const problem = (offset: number, name: string, from: string) => out.push({
      module: m.name, offset, name,
      reason: `${name} is read from ${from}, which no longer defines it after conversion (an error at run time)`,
    });
    const moduleAliases = new Map<string, string>();
    for (const imp of f.imports) {
      const target = absolute(m.pkg, imp.spec);
      if (imp.module) {
        if (byName.has(imp.spec)) moduleAliases.set(imp.local === imp.spec ? imp.spec : imp.local!, imp.spec);
        continue;
      }
      if (imp.star) {
        const gone = lost.get(target);
        if (!gone) continue;
        // a name this module reads that only the star import could have given it
        for (const u of f.facts.uses) if (!u.local && gone.has(u.name) && !u.name.startsWith('_')) problem(u.start, u.name, target);
        continue;
      }
      const sub = `${target}.${imp.name}`;
      if (byName.has(sub)) {
        moduleAliases.set(imp.local!, sub);
        continue;
      }
      if (lost.get(target)?.has(imp.name!)) problem(imp.offset, imp.name!, target);
    }
    for (const a of f.attributes) {
      const target = moduleAliases.get(a.object);
      if (target && lost.get(target)?.has(a.name)) problem(a.offset, a.name, target);
    }
  }
  return out;
}
