/**
 * The ctypes → cffi converter's entry point: from a file's binding model to a set of minimal,
 * non-overlapping edits (ABI in-line mode), or to a build script plus edits (API out-of-line mode).
 * Everything it cannot convert safely stays as it was, marked `# TODO(pypy-bindings): …` and reported.
 */
import type { Node, Parser } from 'web-tree-sitter';
import type { BindingModel, Span } from '../analysis/model';
import { loadGrammars, loadedGrammars } from '../parser/languages';
import { type ApiWorkspace, type CPrototypeHint, apiModeFiles, apiPrototypes, modelPrototypes, spellStructs } from './apiMode';
import { buildCdef, cdefCalls } from './cdefFromCtypes';
import { type TextEdit, applyEdits as applyTextEdits, assertNonOverlapping, mergeOverlapping, originalOffsets, sortEdits, toOriginalOffset } from './edits';
import { CTYPES_EXPORTS, type CtypesProgram, readCtypes, readCtypesNames } from './readCtypes';
import { type Helper, Rewriter } from './rewrite/rewriter';
import { bytesInCharFields } from './rewrite/instances';
import { SpanSet } from './spanSet';
import { dotted, indentAt, keyOf, walk } from './syntax';
import { unsafeCffiUses, unsafeCtypesShapes } from './check/outputGate';
import { ctypesCallbackArgumentsInCffi, lostNames, undeclaredLibNames } from './check/outputInvariant';
import { ParsedText } from './check/parsedText';
import { desugarDeclarations } from './desugar';
import { InputTree } from './inputTree';
import { diffLines } from 'diff';
import { pb312 } from '../rules/argumentRules';
import { formatEdits } from './format/formatConversion';
import { lineLengthForUri } from './format/projectStyle';
import { sameReason, todoReasonsAbove, todosIn } from './format/todoComments';
import { leftoverReason, oneTodoPerCause } from './format/todoText';

export type { TextEdit } from './edits';
export { applyEdits } from './edits';

export type ConvertMode = 'abi-inline' | 'api-outofline';

export interface ConvertOptions {
  mode: ConvertMode;
  /** Convert only this library's bindings (the quick fix on one library's diagnostics). */
  only?: { libraryName: string };
  /** API mode: C prototypes known from the workspace model, by function name. */
  prototypes?: ReadonlyMap<string, CPrototypeHint>;
  /** API mode: the files beside the module (a taken build-file name is not reused; setup.py is merged). */
  workspace?: ApiWorkspace;
  /** The line length to format to; by default the project's (format/projectStyle.ts), 79 when it sets none. */
  lineLength?: number;
  /** Tests only: false lets the rounds learn what the first round settles before its plan (rewrite/instances.ts's bytesInCharFields). */
  settleFirst?: boolean;
  /** Tests only: true reads the input's ctypes declarations again for every round (RoundPrograms keeps the first round's). */
  readEveryRound?: boolean;
  /** Tests only: true parses every round's draft for its ctypes leftovers, also when its text shows none can be left (mayUseCtypes) or is the last round's draft again (DraftLeftovers). */
  parseEveryDraft?: boolean;
}

export interface ConversionResult {
  edits: TextEdit[];
  /** Files to create; none exists yet. */
  extraFiles: { relativePath: string; content: string }[];
  /** Existing files beside the module to change (API mode's setup.py), their whole texts before and after. */
  changedFiles?: { relativePath: string; before: string; after: string }[];
  /** What stays for a person, in line order: `line` is 1-based in the converted text (its TODO), 0 when the file is left as it was; `span` is the statement in the original text, when known. */
  leftForHuman: { span: Span; reason: string; line: number }[];
  notes: string[];
  /** Nothing became cffi: the edits only add the TODOs that say why. */
  todosOnly?: boolean;
}

export const TODO_PREFIX = '# TODO(pypy-bindings): ';
/** Not a TODO: the handle is no cause of its own, the functions it serves each have theirs. */
const HANDLE_NOTE = '# pypy-bindings: ';


/** Converts the ctypes bindings of the model's file. Pure: reads model.text, returns edits. */
export function convertToCffi(model: BindingModel, options: ConvertOptions): ConversionResult {
  // a model exists only after an analysis, which loaded the grammars
  const grammars = loadedGrammars();
  if (!grammars) throw new Error('pypy-bindings: the Python grammar is not loaded yet (await loadGrammars() first)');
  const prototypes = options.mode === 'api-outofline' && !options.prototypes ? modelPrototypes(model) : options.prototypes;
  return convertSource(grammars.pythonParser, model.text, { ...options, prototypes }, model.uri);
}

/** Loads the grammar if needed and converts a text (tests, scripts). */
export async function convertText(text: string, options: ConvertOptions = { mode: 'abi-inline' }, uri = 'untitled:module.py'): Promise<ConversionResult> {
  const g = await loadGrammars();
  return convertSource(g.pythonParser, text, options, uri);
}

const HELPERS: Record<Helper, (ffi: string) => string> = {
  string: (ffi) => `def _cstring_or_none(p):  # ctypes gave bytes (str for wchar_t), or None for NULL\n    return None if p == ${ffi}.NULL else ${ffi}.string(p)`,
  address: (ffi) => `def _address_or_none(p):  # ctypes gave a c_void_p result as an int, or None for NULL\n    return None if p == ${ffi}.NULL else int(${ffi}.cast("uintptr_t", p))`,
  result: () => `def _cstring_result(fn, *args):  # converts a char*/wchar_t* result while the arguments it may point into are alive\n    return _cstring_or_none(fn(*args))`,
  pointerArray: (ffi) => [
    'import weakref as _weakref',
    '_pointer_array_owned = _weakref.WeakKeyDictionary()',
    '',
    '',
    'def _pointer_array_item(x):',
    `    if isinstance(x, bytes):`,
    `        return ${ffi}.new("char[]", x)`,
    `    if isinstance(x, str):`,
    `        return ${ffi}.new("wchar_t[]", x)`,
    `    return ${ffi}.NULL if x is None else x`,
    '',
    '',
    'def _new_pointer_array(ctype, length, items):  # ctypes kept the strings of a char* array alive; so does this',
    '    owned = [_pointer_array_item(x) for x in items]',
    `    array = ${ffi}.new(ctype, length)`,
    '    array[0:len(owned)] = owned',
    '    _pointer_array_owned[array] = owned',
    '    return array',
  ].join('\n'),
  integer: (ffi) => `def _c_integer(ctype, x):  # what ctypes stores in an integer: an int, truncated to the C type\n    if not isinstance(x, int):\n        msg = "'%s' object cannot be interpreted as an integer"\n        raise TypeError(msg % type(x).__name__)\n    return int(${ffi}.cast(ctype, x))`,
  voidp: (ffi) => `def _as_voidp(x):  # what ctypes accepted for a void *: None, an int address, bytes or cdata\n    return ${ffi}.NULL if x is None else ${ffi}.cast("void *", x) if isinstance(x, int) else x`,
};

export function convertSource(parser: Parser, text: string, options: ConvertOptions, uri = 'untitled:module.py'): ConversionResult {
  // one parse of the text (and one of its desugared form), read through their flat copies by desugar, readCtypes and every round
  const input = InputTree.parse(parser, text);
  try {
    if (options.mode === 'abi-inline') {
      // table loops and declaring helpers, spelled out (desugar.ts): kept only when it converts some of their declarations
      const sugar = desugarDeclarations(input);
      if (sugar) {
        const spelled = applyTextEdits(text, sugar.edits);
        const spelledInput = InputTree.parse(parser, spelled);
        let r: ConversionResult;
        try {
          r = convertPlain(parser, spelledInput, options, uri);
        } finally {
          spelledInput.tree.delete();
        }
        const out = applyTextEdits(spelled, r.edits);
        const left = (d: string) => new RegExp(`\\b${d.slice(d.lastIndexOf('.') + 1)}\\.(restype|argtypes)\\s*=`).test(out);
        // kept when it converts some of them: the ones left stay spelled out, which does what the original did
        // (and when every name the output reads is still defined, judged against the text as written)
        if (r.edits.length && !(sugar.declared.length && sugar.declared.every(left)) && !lostNames(parser, text, out).length) {
          return { ...r, edits: lineEdits(text, out), leftForHuman: r.leftForHuman.map((h) => ({ ...h, span: { start: toOriginalOffset(sugar.edits, h.span.start), end: toOriginalOffset(sugar.edits, h.span.end) } })) };
        }
      }
    }
    return convertPlain(parser, input, options, uri);
  } finally {
    input.tree.delete();
  }
}

/** Minimal line edits turning `from` into `to`. */
function lineEdits(from: string, to: string): TextEdit[] {
  const out: TextEdit[] = [];
  let at = 0;
  for (const part of diffLines(from, to)) {
    const last = out[out.length - 1];
    if (part.added) {
      if (last && last.end === at) last.newText += part.value;
      else out.push({ start: at, end: at, newText: part.value });
    } else if (part.removed) {
      if (last && last.end === at) last.end = at + part.value.length;
      else out.push({ start: at, end: at + part.value.length, newText: '' });
      at += part.value.length;
    } else at += part.value.length;
  }
  return out;
}

function convertPlain(parser: Parser, input: InputTree, options: ConvertOptions, uri: string): ConversionResult {
  // one whole-file tree for every round (the text does not change between rounds)
  const text = input.text;
  const root = input.root;
  // Rounds: whatever cannot be converted stays in ctypes, with everything that touches it, until nothing new.
  const demoted = new Map<string, string>();
  // the input as the output checks read it: its tree and flat copy, and its model once for every round (check/parsedText.ts)
  const checked = new ParsedText(parser, text, input.tree, input.flat);
  // the rounds' drafts: a round whose draft is the last one's reads its ctypes leftovers again without a parse
  const drafts = new DraftLeftovers(parser);
  const programs = new RoundPrograms(input, options.readEveryRound);
  try {
    for (let round = 0; ; round++) {
      const { result, requests, settled } = convertRound(parser, input, options, uri, demoted, round === 0, round < 8, drafts, programs);
      for (const [k, v] of settled) demoted.set(k, v);
      if (requests.size && round < 8) {
        for (const [k, v] of requests) demoted.set(k, v);
        continue;
      }
      // one parse of the round's output (and one model of it), shared by the checks and the formatter
      const output = new ParsedText(parser, applyTextEdits(text, result.edits));
      try {
        // the output re-analysed: a statement where cffi cdata would reach a ctypes function stays ctypes, and the plan shrinks
        // and a statement that would read a name the output no longer defines (a deleted class, a dropped import) stays as it was
        const crossing = [...cdataReachingCtypes(text, root, result, output), ...namesNoLongerDefined(parser, checked, root, result, output)];
        const fresh = crossing.filter((c) => !demoted.has(c.token));
        if (fresh.length && round < 8) {
          for (const c of fresh) demoted.set(c.token, c.reason);
          continue;
        }
        return formatted(parser, checked, gated(parser, checked, result, output, crossing.map((c) => ({ offset: c.offset, reason: c.final }))), options.lineLength ?? lineLengthForUri(uri).max, output);
      } finally {
        output.dispose();
      }
    }
  } finally {
    checked.dispose();
  }
}

/** The conversion laid out as the project formats (format/), and what it left at lines of the converted text. */
function formatted(parser: Parser, input: ParsedText, result: ConversionResult, lineLength: number, draft: ParsedText): ConversionResult {
  const text = input.text;
  // the output's parse when these edits are the ones it was parsed for (the gate may have refused them)
  const shared = result.edits.length > 0 && draft.text === applyTextEdits(text, result.edits);
  const edits = formatEdits(parser, text, result.edits, { maxLineLength: lineLength, original: input.flat, ...(shared ? { convertedTree: draft.tree, convertedFlat: draft.flat } : {}) });
  const output = applyTextEdits(text, edits);
  if (!edits.length) return { ...result, edits };
  // the report: every TODO of the converted text at its line, with the span of the statement it is about
  // by reason, whatever its wrapping (sameReason), the first one: one lookup per TODO
  const byReason = new Map<string, ConversionResult['leftForHuman'][number]>();
  for (const l of result.leftForHuman) if (!byReason.has(reasonKey(l.reason))) byReason.set(reasonKey(l.reason), l);
  const leftForHuman = todosIn(output).map((t) => {
    const h = byReason.get(reasonKey(t.reason));
    return { span: h?.span ?? { start: 0, end: 0 }, reason: t.reason, line: t.line + 1 };
  });
  return { ...result, edits, leftForHuman };
}

/** A reason as sameReason compares it. */
const reasonKey = (reason: string): string => reason.replace(/\s+/g, ' ').trim();

/**
 * Statements of the original text where the output hands cffi cdata to a function that stays ctypes (PB312 on the
 * output's own model): ArgumentError at run time. Each becomes a `stmt:` demotion, so the next round keeps it ctypes.
 */
function cdataReachingCtypes(text: string, root: Node, result: ConversionResult, output: ParsedText): Demotion[] {
  if (!result.edits.length || !/_ctypes\b/.test(output.text)) return [];
  const model = output.model();
  if (!model) return [];
  const findings = pb312(model).filter((f) => f.message.startsWith('cffi cdata passed to ctypes'));
  return findings.map((f) => {
    const offset = toOriginalOffset(result.edits, f.span.start);
    const st = statementNode(root.descendantForIndex(Math.min(offset, Math.max(text.length - 1, 0))) ?? root);
    const callee = /`([^`]+)`/.exec(f.message)?.[1] ?? 'a ctypes function';
    const reason = `this statement stays ctypes: converted, it would hand cffi cdata to ${callee}, which stays ctypes`;
    return { token: `stmt:${keyOf(st)}`, reason, final: reason, offset };
  });
}

/** A statement of the original text the next round keeps as it was; `final` is the reason given when the file is refused with it still there. */
interface Demotion {
  token: string;
  reason: string;
  final: string;
  offset: number;
}

/**
 * Statements of the original text whose converted form reads a name the output no longer defines (outputInvariant.ts):
 * a NameError at run time. Each becomes a `stmt:` demotion: kept ctypes, what it names (a struct class, a prototype) stays too.
 */
function namesNoLongerDefined(parser: Parser, input: ParsedText, root: Node, result: ConversionResult, output: ParsedText): Demotion[] {
  if (!result.edits.length) return [];
  const text = input.text;
  const at = (p: { offset: number }) => {
    const offset = toOriginalOffset(result.edits, p.offset);
    return { offset, st: statementNode(root.descendantForIndex(Math.min(offset, Math.max(text.length - 1, 0))) ?? root) };
  };
  return [
    ...(onlyCommentLines(text, result.edits) ? [] : lostNames(parser, input, output)).map((p) => {
      const { offset, st } = at(p);
      return { token: `stmt:${keyOf(st)}`, reason: `this statement stays ctypes: converted, it would read ${p.name}, which the converted file no longer defines`, final: p.reason, offset };
    }),
    // the other direction of a crossing: a ctypes callback's arguments are ctypes objects, which cffi misreads
    ...ctypesCallbackArgumentsInCffi(parser, output).map((p) => {
      const { offset, st } = at(p);
      return { token: `stmt:${keyOf(st)}`, reason: `this statement stays ctypes: ${p.reason}`, final: p.reason, offset };
    }),
  ];
}

/**
 * Every edit inserts whole comment lines at a line start not continued from the line above (a result left with TODOs
 * only, `todosOnly`): no name is bound or read differently, so the output defines every name the input did.
 */
export function onlyCommentLines(text: string, edits: readonly TextEdit[]): boolean {
  return edits.every((e) => {
    if (e.start !== e.end || !/^(?:[ \t]*#[^\n\r]*\n)+$/.test(e.newText)) return false;
    if (e.start === 0) return true;
    if (text[e.start - 1] !== '\n') return false;
    const eol = text[e.start - 2] === '\r' ? e.start - 2 : e.start - 1;
    return text[eol - 1] !== '\\';
  });
}

/** An output that would use a cffi library as a ctypes one is not offered (outputGate.ts), nor one that still hands cdata to ctypes. */
function gated(parser: Parser, input: ParsedText, result: ConversionResult, output: ParsedText, crossing: readonly { reason: string; offset: number }[] = []): ConversionResult {
  if (!result.edits.length) return result;
  const problems = [...unsafeCtypesShapes(parser, input, output), ...unsafeCffiUses(parser, output), ...cffiWithoutLibrary(input.text, output.text), ...crossing];
  // the cffi libraries' attributes, checked on the output's own model (PB305), only when nothing else refused it
  if (!problems.length) problems.push(...undeclaredLibNames(input, output));
  if (!problems.length) return result;
  const reasons = [...new Set(problems.map((p) => p.reason))];
  return {
    edits: [],
    extraFiles: [],
    leftForHuman: reasons.map((reason) => ({ span: { start: 0, end: 0 }, reason: `not converted: ${reason}`, line: 0 })),
    notes: [],
  };
}

const CFFI_VALUES = /\b\w*ffi\.(?:cdef|new|cast|from_buffer|buffer|string|NULL)\b/g;

/** cffi values or declarations made in a file that declares foreign functions but whose libraries all stay ctypes (loaded in another module) can only
 * reach ctypes functions, or drop types other code still uses: that is the package engine's job. */
function cffiWithoutLibrary(input: string, output: string): { offset: number; reason: string }[] {
  if (/\.dlopen\(|^\s*from\s+\S+\s+import\s+.*\blib\b/m.test(output) || !/\.(?:argtypes|restype)\b/.test(input)) return [];
  const count = (t: string) => t.replace(/^[ \t]*#.*$/gm, '').match(CFFI_VALUES)?.length ?? 0; // TODOs may name ffi.new
  if (count(output) <= count(input)) return [];
  return [{ offset: 0, reason: 'its ctypes library is loaded in another module: convert the package with `pypy-bindings convert FOLDER`' }];
}

/**
 * One round of the rewrite. `settled`: what this round kept ctypes from the start that an earlier round would have had to
 * learn (the first round only: structs built with bytes in a char* field, rewrite/instances.ts), for the rounds after it.
 * `another`: a round follows when this one asks for more (its requests), so its result is then not read.
 */
function convertRound(parser: Parser, input: InputTree, options: ConvertOptions, uri: string, demotedBefore: ReadonlyMap<string, string>, first: boolean, another: boolean, drafts: DraftLeftovers, programs: RoundPrograms): { result: ConversionResult; requests: Map<string, string>; settled: ReadonlyMap<string, string> } {
  {
    const { text, root } = input;
    const program = programs.next();
    const result: ConversionResult = { edits: [], extraFiles: [], leftForHuman: [], notes: [] };
    const usesCtypes = program.imports.some((i) => (i.kind === 'import' ? i.items.some((it) => it.name === 'ctypes' || it.name.startsWith('ctypes.')) : i.module === 'ctypes' || i.module?.startsWith('ctypes.')));
    const settled = first && usesCtypes && options.settleFirst !== false ? bytesInCharFields(program, demotedBefore) : new Map<string, string>();
    const demoted = settled.size ? new Map([...demotedBefore, ...settled]) : demotedBefore;
    if (!usesCtypes) return { result, requests: new Map(), settled };
    const existingFfi = findExistingFfi(program);
    const api = options.mode === 'api-outofline';
    const ffiTaken = input.identifierNamed('ffi');
    const ffi = api ? 'ffi' : existingFfi?.name ?? (ffiTaken ? '_ffi' : 'ffi');
    const prototypes = api ? apiPrototypes(program, options.prototypes) : new Map();
    // API mode: structs a header declares take the header's C names before anything is written
    const spelled = api ? spellStructs(program, prototypes) : new Set<string>();
    const rw = new Rewriter(program, ffi, api, demoted);
    if (options.only) {
      for (const lib of new Set(program.libraries.values())) {
        if (lib.name !== options.only.libraryName && !lib.human) {
          // the user's choice, not a problem: it stays ctypes quietly, like a handle
          lib.human = `left as ctypes: this conversion was asked for ${options.only.libraryName} only`;
          lib.handle = true;
        }
      }
    }
    rw.plan();
    rw.collectKinds();

    const edits: TextEdit[] = [];
    rw.collectEdits(root, edits);
    for (const { node, text: newText } of rw.replaced.values()) edits.push({ start: node.startIndex, end: node.endIndex, newText });
    edits.push(...deletionEdits(text, rw));
    for (const pro of rw.prologues) {
      const first = firstBodyStatement(pro.node);
      if (!first || first.startPosition.row === pro.node.parent!.startPosition.row) continue;
      const ls = lineStart(text, first.startIndex);
      const indent = indentAt(text, first.startIndex);
      edits.push({ start: ls, end: ls, newText: pro.text.split('\n').map((l) => `${indent}${l}\n`).join('') });
    }

    // What ctypes is still used once these edits apply: it decides the imports and flags leftovers.
    const draft = applyTextEdits(text, edits);
    const leftovers = options.parseEveryDraft ? remainingCtypes(parser, draft, edits) : mayUseCtypes(program, draft, edits) ? drafts.of(draft, edits) : [];
    // what is left for a person so far, and the handles' statements: one lookup per leftover, not a scan of them all
    const human = new SpanSet();
    for (const h of rw.human) human.add(h.node.startIndex, h.node.endIndex);
    const handleStatements = new SpanSet();
    for (const lib of program.libraries.values()) if (lib.handle) handleStatements.add(lib.statement.startIndex, lib.statement.endIndex);
    const quietStatement = new Map<string, boolean>(); // by statement: its TODO above, or its handle
    for (const l of leftovers) {
      if (l.name === 'util.find_library' || l.name === 'util' || l.name.startsWith('util.')) continue;
      if (l.originalOffset < 0) continue; // kept for the import only
      // already left for a person, or a handle's: no node needed
      if (human.has(l.originalOffset)) continue;
      if (handleStatements.has(l.originalOffset)) continue;
      const node = root.descendantForIndex(l.originalOffset);
      if (!node) continue;
      // quiet when an earlier conversion already said why this stays, or when it belongs to a library left out on purpose
      const st = statementNode(node);
      let quietHere = quietStatement.get(keyOf(st));
      if (quietHere === undefined) quietStatement.set(keyOf(st), (quietHere = hasTodoAbove(text, st) || mentionsHandle(program, st)));
      const quiet = quietHere || rw.quietlyKept(st) || rw.inCtypesArguments(l.originalOffset);
      const kept = rw.keptBecause(st);
      const before = rw.human.length;
      rw.leave(node, kept && !kept.startsWith('~') ? kept : leftoverReason(l.name), quiet);
      for (const h of rw.human.slice(before)) human.add(h.node.startIndex, h.node.endIndex);
    }

    rw.propagate();
    const errnoRefusal = rw.errnoRefusal();
    if (errnoRefusal) {
      // no part converts: errno read through ffi would miss (or see) calls ctypes' errno sees (or misses)
      result.leftForHuman.push({ span: { start: 0, end: 0 }, reason: `not converted: ${errnoRefusal}`, line: 0 });
      return { result, requests: new Map(), settled };
    }
    // nothing below asks for more: a round that asked is followed by another (`another`), so its cdef, imports and TODOs would go unread
    if (rw.requests.size && another) return { result, requests: rw.requests, settled };
    // A ctypes handle beside each library that keeps functions in ctypes.
    for (const name of rw.handles) {
      const lib = program.libraries.get(name)!;
      const indent = indentAt(text, lib.statement.startIndex);
      const loadText = text.slice(lib.load.startIndex, lib.load.endIndex);
      edits.push({ start: lib.statement.endIndex, end: lib.statement.endIndex, newText: `\n${indent}${HANDLE_NOTE}${name}'s functions that stay ctypes (see their TODOs)\n${indent}${name}_ctypes = ${loadText}` });
    }
    if (rw.handles.size) {
      // the handle's own loading expression is ctypes: keep the import
      leftovers.push({ name: 'CDLL', originalOffset: -1, via: program.imports.find((i) => i.kind === 'import' && i.items.some((it) => it.name === 'ctypes' && !it.alias)) ? 'ctypes' : [...program.libraries.values()][0] ? (dotted(callee(program.libraries.get([...rw.handles][0]!)!.load)) ?? 'ctypes').split('.')[0]! : 'ctypes' });
      // and so is a find_library in it, whose import must stay too (API mode replaced the statement that used it)
      for (const name of rw.handles) {
        const load = text.slice(program.libraries.get(name)!.load.startIndex, program.libraries.get(name)!.load.endIndex);
        for (const m of load.matchAll(/(?:\b(\w+)\.util\.|(?<![\w.]))find_library\b/g)) leftovers.push({ name: 'util.find_library', originalOffset: -1, via: m[1] ?? 'find_library' });
        // and every other ctypes name in it (`mode=RTLD_GLOBAL` imported from ctypes)
        for (const m of load.matchAll(/(?<![\w.])[A-Za-z_]\w*(?:\.\w+)*/g)) {
          const q = program.qualify(m[0]);
          if (q.startsWith('ctypes.') && !q.startsWith('ctypes.util')) leftovers.push({ name: q.slice('ctypes.'.length).split('.')[0]!, originalOffset: -1, via: m[0].split('.')[0]! });
        }
      }
    }
    const usedFunctions = new Set(rw.signatures.keys());
    const blocks = buildCdef(rw, usedFunctions);
    const helpers = (['string', 'result', 'address', 'voidp', 'pointerArray', 'integer'] as Helper[]).filter((h) => rw.helpers.has(h)).map((h) => HELPERS[h](ffi));
    // one TODO per cause (format/todoText.ts)
    const causes = oneTodoPerCause(rw.human.map((h) => ({ ...h, start: h.node.startIndex })), todosIn(text).map((t) => t.reason));
    if (!blocks.length && !helpers.length && rw.handles.size && !api) {
      // nothing would reach C through cffi, only an unused dlopen beside the ctypes handle: the file stays, with its TODOs
      result.edits = todoEdits(text, causes);
      result.todosOnly = true;
      result.leftForHuman = causes.map((h) => ({ span: { start: h.node.startIndex, end: h.node.endIndex }, reason: h.reason, line: 0 }));
      return { result, requests: rw.requests, settled };
    }
    const converting = blocks.length > 0 || edits.length > 0;
    if (converting) {
      if (api) {
        const out = apiModeFiles(program, rw, blocks, uri, spelled, prototypes, options.workspace);
        result.extraFiles.push(...out.files);
        result.changedFiles = out.changes;
        result.notes.push(...out.notes);
        edits.push(...importEdits(program, leftovers, out.header(helpers), undefined));
      } else {
        // a helper's imports go with the others, before any code (PEP 8)
        const imports = helpers.flatMap((h) => h.split('\n').filter((l) => l.startsWith('import ')));
        const bodies = helpers.map((h) => h.split('\n').filter((l) => !l.startsWith('import ')).join('\n'));
        const header = [...imports, existingFfi ? '' : `from cffi import FFI\n${ffi} = FFI()`, cdefCalls(ffi, blocks), ...bodies].filter((s) => s).join('\n');
        edits.push(...importEdits(program, leftovers, header, existingFfi));
      }
    }
    edits.push(...todoEdits(text, causes));
    assertNonOverlapping(edits);
    result.edits = edits.sort((a, b) => a.start - b.start || a.end - b.end);
    result.leftForHuman = causes.map((h) => ({ span: { start: h.node.startIndex, end: h.node.endIndex }, reason: h.reason, line: 0 }));
    result.notes.push(...rw.notes);
    // only when a call hands a C integer parameter a value not known to fit, or a constant that does not
    if (rw.integerArguments.computed) result.notes.push('cffi range-checks integer arguments: a value outside the C type raises OverflowError where ctypes truncated it silently');
    if (rw.integerArguments.wrapped) result.notes.push('out-of-range integer constants are wrapped in ffi.cast, which truncates them as ctypes did');
    return { result, requests: rw.requests, settled };
  }
}

function callee(n: Node): Node | undefined {
  return n.type === 'call' ? n.childForFieldName('function') ?? undefined : n;
}

function findExistingFfi(program: CtypesProgram): { name: string; statement: Node } | undefined {
  // read off the flat copy: a node only for the statement found
  const t = program.input;
  for (const st of t.named(0)) {
    if (t.type(st) !== 'expression_statement') continue;
    const a = t.named(st)[0];
    if (a === undefined || t.type(a) !== 'assignment') continue;
    const right = t.field(a, t.f.right);
    const callee = right >= 0 && t.type(right) === 'call' ? t.dotted(t.field(right, t.f.function)) : undefined;
    const left = t.field(a, t.f.left);
    if (callee && program.qualify(callee) === 'cffi.FFI' && left >= 0 && t.type(left) === 'identifier') return { name: t.textOf(left), statement: t.node(st) };
  }
  return undefined;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}

function firstBodyStatement(body: Node): Node | undefined {
  const stmts = body.namedChildren.filter((c) => c.type !== 'comment');
  const first = stmts[0];
  if (first && first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') return stmts[1];
  return first;
}

/** Removes statements whole lines at a time; a block left empty keeps a `pass`. */
function deletionEdits(text: string, rw: Rewriter): TextEdit[] {
  const out: TextEdit[] = [];
  const byBlock = new Map<string, Node[]>();
  for (const st of rw.deletedNodes) {
    const parent = st.parent!;
    const list = byBlock.get(keyOf(parent)) ?? [];
    list.push(st);
    byBlock.set(keyOf(parent), list);
  }
  for (const list of byBlock.values()) {
    const parent = list[0]!.parent!;
    const stmts = parent.namedChildren.filter((c) => c.type !== 'comment');
    const emptied = parent.type === 'block' && stmts.every((s) => list.some((d) => d.startIndex === s.startIndex));
    list.sort((a, b) => a.startIndex - b.startIndex);
    list.forEach((st, i) => {
      if (emptied && i === 0) {
        out.push({ start: st.startIndex, end: st.endIndex, newText: 'pass' });
        return;
      }
      out.push(statementRemoval(text, st));
    });
  }
  return mergeOverlapping(out);
}

function statementRemoval(text: string, st: Node): TextEdit {
  const ls = lineStart(text, st.startIndex);
  const le = lineEnd(text, st.endIndex);
  const before = text.slice(ls, st.startIndex);
  const after = text.slice(st.endIndex, le);
  if (/^\s*$/.test(before) && /^\s*(#.*)?$/.test(after)) {
    let end = Math.min(le + 1, text.length);
    // after a blank line, the blank lines that followed the statement go too: no widening gaps where code was
    const previousBlank = ls > 0 && /^[ \t]*$/.test(text.slice(lineStart(text, ls - 1), ls - 1));
    if (previousBlank && !after.includes('#')) {
      for (let next = lineEnd(text, end); end < text.length && /^[ \t]*$/.test(text.slice(end, next)); next = lineEnd(text, end)) end = Math.min(next + 1, text.length);
    }
    return { start: ls, end, newText: '' };
  }
  const semiAfter = /^\s*;\s*/.exec(after);
  if (semiAfter) return { start: st.startIndex, end: st.endIndex + semiAfter[0].length, newText: '' };
  const semiBefore = /\s*;\s*$/.exec(before);
  if (semiBefore) return { start: st.startIndex - semiBefore[0].length, end: st.endIndex, newText: '' };
  return { start: st.startIndex, end: st.endIndex, newText: 'pass' };
}

interface Leftover {
  /** What is used, relative to ctypes: `c_int`, `util.find_library`, `ctypes` (the bare module). */
  name: string;
  originalOffset: number;
  /** The local name through which it is reached (`ctypes`, `C`, `c_int`). */
  via: string;
}

/**
 * Whether the draft (the input with `edits` applied) may still use ctypes outside its imports, read on the text: false only
 * when no name through which the input's imports (or a bare `ctypes`) reach ctypes appears in the draft but inside an
 * import statement, and the edits neither touch an import nor write one. Then remainingCtypes would find nothing
 * (every use it reports is an identifier whose dotted name qualifies to ctypes through those imports), so the draft of
 * a file converted whole is not parsed.
 */
function mayUseCtypes(program: CtypesProgram, draft: string, edits: readonly TextEdit[]): boolean {
  const isCtypes = (q: string) => q === 'ctypes' || q.startsWith('ctypes.');
  // the heads readCtypesNames can qualify to ctypes, a superset: every import's, whatever binds the name later
  const heads = new Set(['ctypes']);
  for (const imp of program.imports) {
    if (imp.kind === 'import') {
      for (const it of imp.items) if (isCtypes(it.alias ? it.name : it.name.split('.')[0]!)) heads.add(it.alias ?? it.name.split('.')[0]!);
    } else if (imp.module) {
      if (imp.star && imp.module === 'ctypes') for (const e of CTYPES_EXPORTS) heads.add(e);
      for (const it of imp.items) if (isCtypes(`${imp.module}.${it.name}`)) heads.add(it.alias ?? it.name);
    }
  }
  if ([...heads].some((h) => !/^[A-Za-z_]\w*$/.test(h))) return true;
  // the import statements' spans in the draft: each shifted by the edits before it, none touched by one
  const sorted = sortEdits(edits);
  const spans = program.imports.map((i) => [i.node.startIndex, i.node.endIndex] as const).sort((a, b) => a[0] - b[0]);
  const inDraft = new SpanSet();
  let k = 0;
  let delta = 0;
  for (const [start, end] of spans) {
    for (; k < sorted.length && sorted[k]!.end < start; k++) delta += sorted[k]!.newText.length - (sorted[k]!.end - sorted[k]!.start);
    if (k < sorted.length && sorted[k]!.start <= end) return true;
    inDraft.add(start + delta, end + delta);
  }
  const words = new RegExp(`\\b(?:${[...heads, 'import'].join('|')})\\b`, 'g');
  for (const m of draft.matchAll(words)) if (!inDraft.has(m.index!) || !inDraft.has(m.index! + m[0].length - 1)) return true;
  return false;
}

/**
 * readCtypes of the input, once for every round: what a round sets on the program (a prototype's `human` in
 * rewrite/plan.ts, the functions `adHoc` adds, the libraries `only` leaves out, API mode's struct spellings) is put
 * back as it was read before the next round reads it.
 */
class RoundPrograms {
  private program: CtypesProgram | undefined;
  /** The fields as read, to put back before every round after the first. */
  private readonly fields: Field[] = [];
  private readonly functions = new Set<string>();

  constructor(private readonly input: InputTree, private readonly fresh = false) {}

  next(): CtypesProgram {
    if (this.fresh) return readCtypes(this.input.text, this.input);
    const p = this.program;
    if (!p) {
      const program = (this.program = readCtypes(this.input.text, this.input));
      const keep = (o: object, key: string) => this.fields.push({ o: o as Record<string, unknown>, key, has: Object.prototype.hasOwnProperty.call(o, key), value: (o as Record<string, unknown>)[key] });
      for (const proto of program.prototypes.values()) keep(proto, 'human');
      for (const lib of program.libraries.values()) (keep(lib, 'human'), keep(lib, 'handle'));
      for (const s of program.structs.values()) {
        keep(s, 'type');
        if (s.type) keep(s.type, 'c');
      }
      for (const key of program.functions.keys()) this.functions.add(key);
      return program;
    }
    for (const f of this.fields) {
      if (f.has) {
        if (f.o[f.key] !== f.value) f.o[f.key] = f.value;
      } else if (Object.prototype.hasOwnProperty.call(f.o, f.key)) delete f.o[f.key]; // only what a round added: a delete makes an object slow
    }
    for (const key of [...p.functions.keys()]) if (!this.functions.has(key)) p.functions.delete(key);
    return p;
  }
}

interface Field {
  o: Record<string, unknown>;
  key: string;
  has: boolean;
  value: unknown;
}

/**
 * remainingCtypes of the rounds' drafts, the last one kept: it is a function of the draft and its edits alone, and
 * a round that only confirms what the previous one asked for (1,000 structs kept ctypes) writes the same draft again.
 */
class DraftLeftovers {
  private last: { draft: string; edits: TextEdit[]; leftovers: readonly Leftover[] } | undefined;

  constructor(private readonly parser: Parser) {}

  of(draft: string, edits: readonly TextEdit[]): Leftover[] {
    const sorted = sortEdits(edits);
    const last = this.last;
    const same = last !== undefined && last.draft === draft && last.edits.length === sorted.length && sorted.every((e, i) => {
      const o = last.edits[i]!;
      return e.start === o.start && e.end === o.end && e.newText === o.newText;
    });
    if (!same) this.last = { draft, edits: sorted.map((e) => ({ ...e })), leftovers: remainingCtypes(this.parser, draft, sorted) };
    return this.last!.leftovers.map((l) => ({ ...l }));
  }
}

/** The ctypes uses left in the converted draft, mapped back to offsets in the original text (read off the draft's flat copy). */
function remainingCtypes(parser: Parser, draft: string, edits: TextEdit[]): Leftover[] {
  const tree = parser.parse(draft);
  if (!tree) return [];
  try {
    const t = new InputTree(draft, tree);
    const f = t.f;
    // only how names reach ctypes: the draft's declarations are not read again
    const names = readCtypesNames(t);
    const out: Leftover[] = [];
    const toOriginal = originalOffsets(edits);
    for (let n = 0; n < t.count; n++) {
      if (!t.flat.isNamed(n) || t.type(n) !== 'identifier') continue;
      const p = t.parent(n);
      const pt = p >= 0 ? t.type(p) : undefined;
      if (pt === 'import_statement' || pt === 'import_from_statement' || pt === 'dotted_name' || pt === 'aliased_import') continue;
      if (pt === 'attribute' && t.start(t.field(p, f.attribute)) === t.start(n)) continue;
      // the longest dotted chain starting at this identifier
      let top = n;
      for (let up = t.parent(top); up >= 0 && t.type(up) === 'attribute'; up = t.parent(top)) {
        const obj = t.field(up, f.object);
        if (obj < 0 || t.start(obj) !== t.start(top) || t.end(obj) !== t.end(top)) break;
        top = up;
      }
      const d = t.dotted(top);
      if (!d) continue;
      const q = names.qualify(d);
      if (q !== 'ctypes' && !q.startsWith('ctypes.')) continue;
      if (pt === 'keyword_argument' && t.start(t.field(p, f.name)) === t.start(n)) continue;
      const rel = q === 'ctypes' ? 'ctypes' : q.slice('ctypes.'.length).split('.').slice(0, q.startsWith('ctypes.util') ? 2 : 1).join('.');
      // a name the module binds again: the import stays while a use may still mean it, with no TODO for the module's own
      const use = names.useOf(d, n);
      if (use === 'rebound') continue;
      out.push({ name: rel, originalOffset: use === 'either' ? -1 : toOriginal(t.start(n)), via: t.textOf(n) });
    }
    return out;
  } finally {
    tree.delete();
  }
}

/** Rewrites the ctypes imports for what is left, and places the cffi header after the import block. */
function importEdits(program: CtypesProgram, leftovers: Leftover[], header: string, existingFfi: { statement: Node } | undefined): TextEdit[] {
  const text = program.text;
  const out: TextEdit[] = [];
  const usedVia = new Set(leftovers.map((l) => l.via));
  const needsUtil = leftovers.some((l) => l.name.startsWith('util'));
  const needsCtypesProper = leftovers.some((l) => !l.name.startsWith('util'));
  const replacement = new Map<string, string>();
  for (const imp of program.imports) {
    let newText: string | undefined;
    if (imp.kind === 'import') {
      const kept: string[] = [];
      let changed = false;
      for (const it of imp.items) {
        const isCtypes = it.name === 'ctypes' || it.name.startsWith('ctypes.');
        if (!isCtypes) {
          kept.push(it.alias ? `${it.name} as ${it.alias}` : it.name);
          continue;
        }
        const local = it.alias ?? 'ctypes';
        if (it.alias) {
          if (usedVia.has(local)) kept.push(`${it.name} as ${it.alias}`);
          else changed = true;
        } else if (it.name === 'ctypes.util') {
          if (needsUtil && usedVia.has('ctypes')) kept.push(it.name);
          else changed = true;
        } else if (it.name === 'ctypes') {
          if (needsCtypesProper && usedVia.has('ctypes')) kept.push(it.name);
          else if (needsUtil && usedVia.has('ctypes') && !imp.items.some((o) => o.name === 'ctypes.util') && !program.imports.some((o) => o !== imp && o.kind === 'import' && o.items.some((x) => x.name === 'ctypes.util'))) {
            kept.push('ctypes.util');
            changed = true;
          } else changed = true;
        } else kept.push(it.name);
      }
      const uniq = [...new Set(kept)];
      if (changed || uniq.length !== kept.length) newText = uniq.length ? `import ${uniq.join(', ')}` : '';
    } else if (imp.module === 'ctypes') {
      if (imp.star) {
        if (!needsCtypesProper) newText = '';
      } else {
        const kept = imp.items.filter((it) => usedVia.has(it.alias ?? it.name));
        if (kept.length !== imp.items.length) newText = kept.length ? `from ctypes import ${kept.map((it) => (it.alias ? `${it.name} as ${it.alias}` : it.name)).join(', ')}` : '';
      }
    }
    if (newText !== undefined) replacement.set(keyOf(imp.node), newText);
  }

  // The anchor: after the top-level import block that holds the first ctypes import.
  let anchor: Node | undefined = existingFfi?.statement;
  if (!anchor) {
    const top = program.root.namedChildren;
    const firstCtypes = program.imports.find((i) => i.topLevel && (i.kind === 'import' ? i.items.some((it) => it.name.startsWith('ctypes')) : i.module?.startsWith('ctypes')));
    let idx = firstCtypes ? top.findIndex((c) => c.startIndex === firstCtypes.node.startIndex) : -1;
    if (idx < 0) {
      idx = top.findIndex((c) => !(c.type === 'comment' || c.type === 'import_statement' || c.type === 'import_from_statement' || (c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string'))) - 1;
      if (idx < 0) idx = top.findIndex((c) => c.type !== 'comment');
    } else {
      while (idx + 1 < top.length && (top[idx + 1]!.type === 'import_statement' || top[idx + 1]!.type === 'import_from_statement')) idx++;
    }
    anchor = top[Math.max(idx, 0)];
  }
  for (const imp of program.imports) {
    const newText = replacement.get(keyOf(imp.node));
    const isAnchor = anchor && anchor.startIndex === imp.node.startIndex;
    if (isAnchor) continue;
    if (newText === undefined) continue;
    out.push(newText === '' ? statementRemoval(text, imp.node) : { start: imp.node.startIndex, end: imp.node.endIndex, newText });
  }
  if (header && anchor) {
    const own = replacement.get(keyOf(anchor));
    if (own === '') {
      // the anchor import goes away: the header takes its place
      out.push({ start: anchor.startIndex, end: anchor.endIndex, newText: header });
    } else if (own !== undefined) {
      out.push({ start: anchor.startIndex, end: anchor.endIndex, newText: `${own}\n${header}` });
    } else {
      out.push({ start: anchor.endIndex, end: anchor.endIndex, newText: `\n${header}` });
    }
  }
  return out;
}

function statementNode(node: Node): Node {
  let st: Node = node;
  while (st.parent && st.parent.type !== 'block' && st.parent.type !== 'module') st = st.parent;
  return st;
}

function mentionsHandle(program: CtypesProgram, node: Node): boolean {
  let st: Node = node;
  while (st.parent && st.parent.type !== 'block' && st.parent.type !== 'module') st = st.parent;
  const handles = [...program.libraries.entries()].filter(([, lib]) => lib.handle).map(([name]) => name);
  if (!handles.length) return false;
  return [...walk(st)].some((n) => (n.type === 'identifier' || n.type === 'attribute') && handles.includes(dotted(n) ?? ''));
}

function hasTodoAbove(text: string, node: Node): boolean {
  let st: Node = node;
  while (st.parent && st.parent.type !== 'block' && st.parent.type !== 'module') st = st.parent;
  const ls = lineStart(text, st.startIndex);
  const previousEnd = Math.max(ls - 1, 0);
  return todoReasonsAbove(text, ls).length > 0 || text.slice(lineStart(text, previousEnd), previousEnd).trim().startsWith(HANDLE_NOTE.trim());
}

/** `# TODO(pypy-bindings): why` above each statement left as it was, unless already there. */
function todoEdits(text: string, causes: readonly { node: Node; reason: string }[]): TextEdit[] {
  const byStatement = new Map<string, { node: Node; reasons: string[] }>();
  for (const h of causes) {
    const k = keyOf(h.node);
    const e = byStatement.get(k) ?? { node: h.node, reasons: [] };
    if (!e.reasons.includes(h.reason)) e.reasons.push(h.reason);
    byStatement.set(k, e);
  }
  const out: TextEdit[] = [];
  for (const { node, reasons } of byStatement.values()) {
    const ls = lineStart(text, node.startIndex);
    const indent = indentAt(text, node.startIndex);
    const existing = todoReasonsAbove(text, ls);
    const missing = reasons.filter((r) => !existing.some((e) => sameReason(e, r)));
    if (!missing.length) continue;
    out.push({ start: ls, end: ls, newText: missing.map((r) => `${indent}${TODO_PREFIX}${r}\n`).join('') });
  }
  return out;
}
