/**
 * Stage 2: render a module from its plan — the planned rewrites (outermost first, nested ones inside),
 * removed statements, the cffi header (FFI, one cdef, only the helpers used) and the ctypes imports
 * trimmed to what is still used.
 */
import { Edit, type Node, type Parser, type Point, type Tree } from 'web-tree-sitter';
import { type TextEdit, applyEdits, mergeOverlapping as merge } from '../edits';
import { keyOf, walk } from '../syntax';
import type { ModulePlan } from './plan/planner';
import { runtimeHelpers } from './pythonRuntime';
import { cdefLine } from './plan/functions';
import { formatText } from '../format/formatConversion';
import { lineLengthFor } from '../format/projectStyle';
import { flatOf } from './modules';

const lineStart = (text: string, off: number): number => text.lastIndexOf('\n', off - 1) + 1;
const lineEnd = (text: string, off: number): number => {
  const i = text.indexOf('\n', off);
  return i < 0 ? text.length : i;
};

/** Does the module need anything cffi at all? ("nothing that does nothing") */
export function hasWork(p: ModulePlan): boolean {
  return p.rewrites.size > 0 || p.deletions.length > 0 || p.functions.size > 0;
}

interface RewriteNode {
  node: Node;
  /** The node's range and key, read once (each read of a node's end crosses into wasm). */
  start: number;
  end: number;
  key: string;
  children: RewriteNode[];
}

/** The rewrites as a containment forest (linear after a sort): each renders with its nested ones inside. */
function rewriteEdits(p: ModulePlan): TextEdit[] {
  const byKey = new Map<string, RewriteNode>();
  for (const [key, r] of p.rewrites) byKey.set(key, { node: r.node, start: r.node.startIndex, end: r.node.endIndex, key, children: [] });
  const sorted = [...byKey.values()].sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: RewriteNode[] = [];
  const stack: RewriteNode[] = [];
  for (const item of sorted) {
    while (stack.length && stack[stack.length - 1]!.end <= item.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && item.end <= parent.end) parent.children.push(item);
    else roots.push(item);
    stack.push(item);
  }
  const text = p.mod.text;
  // the text of n with the rewrites inside it applied; n's own rewrite when `own`
  const render = (item: RewriteNode): string => p.rewrites.get(item.key)!.render((n) => innerOf(item, n));
  const innerOf = (item: RewriteNode, n: Node): string => {
    const hit = byKey.get(keyOf(n));
    if (hit && hit !== item) return render(hit);
    const ns = n.startIndex;
    const ne = n.endIndex;
    let out = '';
    let at = ns;
    for (const c of item.children) {
      if (c.start < ns || ne < c.end || c.start < at) continue;
      out += text.slice(at, c.start) + render(c);
      at = c.end;
    }
    return out + text.slice(at, ne);
  };
  return roots.map((r) => ({ start: r.start, end: r.end, newText: render(r) }));
}

/** Removes whole statements with their line; a block left empty keeps `pass`; a blank line run does not grow. */
function deletionEdits(text: string, stmts: readonly Node[]): TextEdit[] {
  const out: TextEdit[] = [];
  const seen = new Set<string>();
  const byParent = new Map<string, Node[]>();
  for (const s of stmts) {
    if (seen.has(keyOf(s))) continue;
    seen.add(keyOf(s));
    const k = keyOf(s.parent!);
    const list = byParent.get(k);
    if (list) list.push(s);
    else byParent.set(k, [s]);
  }
  for (const list of byParent.values()) {
    const parent = list[0]!.parent!;
    const gone = new Set(list.map((d) => d.startIndex));
    const emptied = parent.type === 'block' && parent.namedChildren.every((c) => c.type === 'comment' || gone.has(c.startIndex));
    list.sort((a, b) => a.startIndex - b.startIndex);
    list.forEach((st, i) => {
      if (emptied && i === 0) {
        out.push({ start: st.startIndex, end: st.endIndex, newText: 'pass' });
        return;
      }
      const ls = lineStart(text, st.startIndex);
      let le = lineEnd(text, st.endIndex);
      if (/^\s*$/.test(text.slice(ls, st.startIndex)) && /^\s*(#.*)?$/.test(text.slice(st.endIndex, le))) {
        le = Math.min(le + 1, text.length);
        // a blank line before and after: take the one after too
        const prevBlank = ls > 0 && /^[ \t]*$/.test(text.slice(lineStart(text, ls - 1), ls - 1));
        const nextEnd = lineEnd(text, le);
        if (prevBlank && le < text.length && /^[ \t]*$/.test(text.slice(le, nextEnd))) le = Math.min(nextEnd + 1, text.length);
        out.push({ start: ls, end: le, newText: '' });
      } else out.push({ start: st.startIndex, end: st.endIndex, newText: 'pass' });
    });
  }
  return merge(out);
}

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);
const isImport = (n: Node): boolean =>
  IMPORTS.has(n.type) ||
  (n.type === 'try_statement' && [...walk(n)].every((c) => c.parent?.type !== 'block' || IMPORTS.has(c.type) || c.type === 'comment' || c.type === 'pass_statement'));

/** The statement after which the cffi header goes: the end of the leading import block. */
function headerAnchor(root: Node): Node | undefined {
  let anchor: Node | undefined;
  for (const st of root.namedChildren) {
    if (st.type === 'comment') continue;
    if (!anchor && st.type === 'expression_statement' && st.namedChildren[0]?.type === 'string') {
      anchor = st;
      continue;
    }
    if (isImport(st)) anchor = st;
    else break;
  }
  return anchor;
}

/** Nothing that does nothing: an FFI only when something uses it (string buffers and their memory helpers, pure Python, need none). */
function needsFfi(p: ModulePlan): boolean {
  return p.structs.length > 0 || p.functions.size > 0 || p.usesFfi || [...p.helpers].some((h) => h !== 'stringBuffer' && h !== 'charArray' && h !== 'bufferMemory');
}

function header(p: ModulePlan, withImport: boolean): string {
  const f = p.ffi;
  const parts: string[] = [];
  const decls = [...p.structs, ...[...p.functions.values()].map((d) => cdefLine(d))];
  if (needsFfi(p)) {
    let top = `${withImport ? 'from cffi import FFI\n\n' : ''}${f} = FFI()`;
    if (decls.length) top += `\n${f}.cdef("""\n${decls.map((d) => `    ${d}`).join('\n')}\n""")`;
    for (const ps of p.packedStructs) top += `\n${f}.cdef("""\n    ${ps.decl}\n""", pack=${ps.pack})`;
    parts.push(top);
  }
  parts.push(...runtimeHelpers(p.helpers, f));
  return parts.join('\n\n\n');
}


export interface Rendered {
  text: string;
  edits: TextEdit[];
  /** The edits of the draft `check` was given (all but the import trimming). */
  draftEdits: TextEdit[];
  /** The ctypes names whose import the trimming dropped (`star`: a `from ctypes import *`). */
  dropped: DroppedImports;
  /** Whether `text` is known to parse (the formatter only moved blank lines); undefined: parse it to know. */
  parses: boolean | undefined;
}

export interface DroppedImports {
  names: Set<string>;
  star: boolean;
}

/**
 * The module's new text. `check` reads the rendered draft (its text and its tree, which stays the
 * renderer's) and says which ctypes imports must stay. The draft is parsed once: the text after the import
 * trimming is parsed incrementally from it, and that tree is the formatter's.
 */
export function renderModule(p: ModulePlan, parser: Parser, check: (draft: string, tree: Tree) => Set<string>): Rendered {
  const text = p.mod.text;
  const edits = [...rewriteEdits(p), ...deletionEdits(text, p.deletions)];
  const anchor = headerAnchor(p.mod.root);
  const hasFfiImport = /^\s*from cffi import FFI\b/m.test(text);
  // `from cffi import FFI` goes with the third-party imports, before the package's own (PEP 8 order)
  const localImport = anchor ? p.mod.root.namedChildren.find((st) => st.startIndex <= anchor.startIndex && st.type === 'import_from_statement' && st.childForFieldName('module_name')?.text.startsWith('.')) : undefined;
  const splitImport = !hasFfiImport && localImport !== undefined && needsFfi(p);
  const head = header(p, !hasFfiImport && !splitImport);
  if (splitImport && head.trim()) {
    const ls = lineStart(text, localImport.startIndex);
    edits.push({ start: ls, end: ls, newText: 'from cffi import FFI\n\n' });
  }
  if (!head.trim()) {
    // nothing to add
  } else if (anchor) edits.push({ start: anchor.endIndex, end: anchor.endIndex, newText: `${head.startsWith('def ') ? '\n\n\n' : '\n\n'}${head}\n` });
  else edits.push({ start: 0, end: 0, newText: `${head}\n\n\n` });
  const draftEdits = merge(edits);
  const draft = applyEdits(text, draftEdits);
  const draftTree = parser.parse(draft)!;
  try {
    const used = check(draft, draftTree);
    const dropped: DroppedImports = { names: new Set(), star: false };
    edits.push(...importEdits(p, used, dropped));
    const all = merge(edits);
    const convertedTree = reparse(parser, draft, draftTree, applyEdits(text, all));
    try {
      // one formatting pass over all of it: the project's line length, PEP 8's blank lines (format/)
      return { ...formatText(parser, text, all, { maxLineLength: lineLengthFor(p.mod.file).max, original: flatOf(p.mod), convertedTree }), draftEdits, dropped };
    } finally {
      convertedTree.delete();
    }
  } finally {
    draftTree.delete();
  }
}

/**
 * The tree of `converted` (the draft with the import trimming), parsed incrementally from the draft's tree:
 * the two texts differ in one stretch (the imports), found as their common prefix and suffix. The draft's
 * tree is not changed.
 */
function reparse(parser: Parser, draft: string, draftTree: Tree, converted: string): Tree {
  const tree = draftTree.copy();
  if (draft === converted) return tree;
  let start = 0;
  const common = Math.min(draft.length, converted.length);
  while (start < common && draft.charCodeAt(start) === converted.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < common - start && draft.charCodeAt(draft.length - 1 - tail) === converted.charCodeAt(converted.length - 1 - tail)) tail++;
  const pointAt = (text: string, off: number): Point => {
    let row = 0;
    let ls = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) {
      row++;
      ls = i + 1;
    }
    return { row, column: off - ls };
  };
  const startPosition = pointAt(draft, start);
  tree.edit(new Edit({
    startIndex: start, oldEndIndex: draft.length - tail, newEndIndex: converted.length - tail,
    startPosition, oldEndPosition: pointAt(draft, draft.length - tail), newEndPosition: pointAt(converted, converted.length - tail),
  }));
  const out = parser.parse(converted, tree)!;
  tree.delete();
  return out;
}

/** In the check's `used` set: some `ctypes.util.…` is spelled through the name `ctypes`. */
export const CTYPES_UTIL_THROUGH_CTYPES = 'ctypes -> util';

/** ctypes imports: each name kept only while the converted text still uses it. */
function importEdits(p: ModulePlan, used: Set<string>, dropped: DroppedImports): TextEdit[] {
  const out: TextEdit[] = [];
  const removed: Node[] = [];
  // `import ctypes.util` binds `ctypes` too: `import ctypes` can go when nothing but ctypes.util is used
  const importsUtil = p.imports.some((n) => n.type === 'import_statement' && n.namedChildren.some((c) => c.type === 'dotted_name' && c.text === 'ctypes.util'));
  for (const n of p.imports) {
    if (n.type === 'import_statement') {
      const items = n.namedChildren;
      const keep = items.filter((c) => {
        const name = c.type === 'aliased_import' ? c.childForFieldName('name')!.text : c.text;
        const local = c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : name.split('.')[0]!;
        if (!(name === 'ctypes' || name.startsWith('ctypes.'))) return true;
        // only ctypes.util is left: `import ctypes` stays when the code spells `ctypes.util.…` and nothing else binds `ctypes`
        if (name === 'ctypes' && used.has('ctypes.util') && !used.has('ctypes')) return used.has(CTYPES_UTIL_THROUGH_CTYPES) && !importsUtil;
        const kept = used.has(local) || (name === 'ctypes.util' && used.has('ctypes.util'));
        if (!kept && !(name === 'ctypes' && used.has('ctypes.util'))) dropped.names.add(local);
        return kept;
      });
      if (keep.length === items.length) continue;
      if (!keep.length) removed.push(n);
      else out.push({ start: n.startIndex, end: n.endIndex, newText: `import ${keep.map((c) => c.text).join(', ')}` });
    } else if (n.type === 'import_from_statement') {
      const mod = n.childForFieldName('module_name')?.text ?? '';
      if (mod !== 'ctypes' && mod !== 'ctypes.util') continue;
      if (n.namedChildren.some((c) => c.type === 'wildcard_import')) {
        if (!used.has('*')) {
          removed.push(n);
          dropped.star = true;
        }
        continue;
      }
      const items = n.namedChildren.slice(1);
      const keep = items.filter((c) => {
        const local = c.type === 'aliased_import' ? c.childForFieldName('alias')!.text : c.text;
        if (!used.has(local)) dropped.names.add(local);
        return used.has(local);
      });
      if (keep.length === items.length) continue;
      if (!keep.length) removed.push(n);
      else out.push({ start: n.startIndex, end: n.endIndex, newText: `from ${mod} import ${keep.map((c) => c.text).join(', ')}` });
    }
  }
  // `try: from ctypes import x / except ImportError: from ctypes import y as x` goes as a whole
  const tries = new Map<string, Node>();
  for (const r of removed) {
    const t = r.parent?.parent;
    if (t && (t.type === 'try_statement' || t.parent?.type === 'try_statement')) {
      const ts = t.type === 'try_statement' ? t : t.parent!;
      const imports = [...walk(ts)].filter((c) => c.type === 'import_statement' || c.type === 'import_from_statement');
      const others = [...walk(ts)].filter((c) => c.parent?.type === 'block' && c.type !== 'import_statement' && c.type !== 'import_from_statement' && c.type !== 'comment');
      if (!others.length && imports.every((i) => removed.some((x) => x.startIndex === i.startIndex))) tries.set(keyOf(ts), ts);
    }
  }
  const inTry = (r: Node): boolean => [...tries.values()].some((t) => t.startIndex <= r.startIndex && r.endIndex <= t.endIndex);
  out.push(...deletionEdits(p.mod.text, [...removed.filter((r) => !inTry(r)), ...tries.values()]));
  return out;
}
