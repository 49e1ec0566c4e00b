import { Edit, type Parser, type Tree, type Point } from 'web-tree-sitter';
import { flatTreeEdited, type PriorFlat } from '../parser/flatTree';
import { candidateCuts, candidateCutsAfterEdit, canFollow, canStartRegion, findSplitPoints, type CandidateCuts } from './splitPoints';

/**
 * A run of top-level statements parsed on its own. Regions keep their trees across edits; only the region
 * an edit falls in is re-parsed (incrementally), which keeps keystrokes cheap on long flat binding files.
 */
export class Region {
  /** Per-region cache owned by the analysis; cleared whenever the region's text changes. */
  cache: unknown = undefined;
  /** The last flat copy of a long region's tree and how much of it an edit left valid (parser/flatTree.ts). */
  prior?: PriorFlat = undefined;
  private cutsMemo?: { text: string; cuts: CandidateCuts };
  constructor(public offset: number, public text: string, public tree: Tree) {}
  /** The candidate cuts of the region's text, scanned once per text (the well-cut test and the workspace's units both read them). */
  candidateCuts(): CandidateCuts {
    if (this.cutsMemo?.text !== this.text) this.cutsMemo = { text: this.text, cuts: candidateCuts(this.text) };
    return this.cutsMemo.cuts;
  }
  /** The cuts of the text an edit of `[start, oldEnd)` (now ending at `newEnd`) makes of this region's: re-scanned around the edit when the old ones are known. */
  cutsAfterEdit(text: string, start: number, oldEnd: number, newEnd: number): CandidateCuts {
    return this.cutsMemo?.text === this.text ? candidateCutsAfterEdit(this.cutsMemo.cuts, text, start, oldEnd, newEnd) : candidateCuts(text);
  }
  /** The cuts of a text just scanned for it (a re-parse reads them first): the workspace's units need no second scan. */
  setText(text: string, cuts: CandidateCuts): void {
    this.text = text;
    this.cutsMemo = { text, cuts };
  }
  get end(): number {
    return this.offset + this.text.length;
  }
}

export interface TextEdit {
  /** Offsets into the text before this edit. */
  start: number;
  end: number;
  newText: string;
}

export interface ParseStats {
  fullParses: number;
  regionParses: number;
}

const REGION_TARGET = 4096;

function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** Whether a tree has no error and a top-level statement starting at every cut candidate (offsets into its text). */
function wellCut(tree: Tree, cuts: readonly number[]): boolean {
  const root = tree.rootNode;
  if (root.hasError) return false;
  if (cuts.length < 2) return true;
  let k = 1;
  // a cursor over the top-level children: `root.children` would make a Node object for each
  const cursor = root.walk();
  try {
    if (!cursor.gotoFirstChild()) return false;
    do {
      const start = cursor.startIndex;
      if (cuts[k]! < start) return false; // a chunk starts inside the previous statement
      if (cuts[k] === start && ++k === cuts.length) return true;
    } while (cursor.gotoNextSibling());
    return false;
  } finally {
    cursor.delete();
  }
}

/**
 * The text of one document, cut into regions, each with its tree-sitter tree.
 *
 * Incremental equals fresh: region starts are always cut candidates of the whole text (clean line starts of
 * top-level statements, see splitPoints.ts), so every region is a run of whole "chunks" (the text between two
 * consecutive candidates). On text without syntax errors how chunks are grouped does not change the trees'
 * statements. Tree-sitter's error recovery is not local, though: an erroneous chunk parsed with its neighbours
 * can swallow or split them differently depending on where its region happens to begin and end (and a broken
 * chunk such as `x = # …` can even parse cleanly when the next line joins it). So a region is kept only when
 * it is "well cut": no error, and every chunk start is the start of one of its top-level statements, which
 * makes its statements those of its chunks parsed one by one. Any other region is re-cut: each chunk with an
 * error becomes a region of its own, parsed from scratch. The parse is then a function of the text alone,
 * whatever the edit history.
 */
export class ParsedDocument {
  regions: Region[] = [];
  readonly stats: ParseStats = { fullParses: 0, regionParses: 0 };
  /** A tree the caller parsed and still owns (ofWholeTree): never deleted here. */
  private borrowed: Tree | undefined;

  constructor(private readonly parser: Parser, public text: string, public version = 0, whole?: { tree: Tree; cuts: CandidateCuts; cache?: unknown }) {
    if (!whole) {
      this.reparseAll();
      return;
    }
    const region = new Region(0, text, whole.tree);
    region.setText(text, whole.cuts);
    region.cache = whole.cache;
    this.regions = [region];
    this.borrowed = whole.tree;
  }

  /**
   * A one-shot document of one region over a whole-text tree the caller already has (and keeps: it is not
   * deleted here), when that tree is well cut, so its statements are those reparseAll's regions would hold
   * (its chunks parsed one by one, see above); undefined otherwise. `flat`: the tree's flat copy, when made.
   * Read-only: an edit to it re-parses by regions from scratch.
   */
  static ofWholeTree(parser: Parser, text: string, tree: Tree, flat?: unknown): ParsedDocument | undefined {
    const cuts = candidateCuts(text);
    if (!wellCut(tree, cuts.cuts)) return undefined;
    return new ParsedDocument(parser, text, 0, { tree, cuts, cache: flat ? { flat } : undefined });
  }

  /** Applies edits in order (each against the text left by the previous one). */
  applyEdits(edits: readonly TextEdit[], version: number): void {
    this.version = version;
    for (const e of edits) this.applyEdit(e);
  }

  /**
   * Applies one edit whose resulting text the caller already holds (the LSP text document's), so the two
   * stores share one string instead of each building its own copy of a long file.
   */
  applyEditWithResult(e: TextEdit, version: number, textAfter: string): void {
    this.version = version;
    this.applyEdit(e, textAfter);
  }

  /** Replaces the whole text (a full-document change). */
  setText(text: string, version: number): void {
    this.version = version;
    this.text = text;
    this.reparseAll();
  }

  dispose(): void {
    for (const r of this.regions) if (r.tree !== this.borrowed) r.tree.delete();
    this.regions = [];
    this.borrowed = undefined;
  }

  /** The region holding an offset (the last one for the end of the text). */
  regionAt(offset: number): Region | undefined {
    let lo = 0;
    let hi = this.regions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.regions[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.regions[lo];
  }

  private applyEdit(e: TextEdit, textAfter?: string): void {
    this.text = textAfter ?? this.text.slice(0, e.start) + e.newText + this.text.slice(e.end);
    // a borrowed tree is never edited in place
    const index = this.borrowed ? -1 : this.regionIndexFor(e);
    if (index < 0 || !this.reparseRegion(index, e)) this.reparseAll();
  }

  /** The region an edit lies wholly inside, or -1 when it touches a boundary or spans regions. */
  private regionIndexFor(e: TextEdit): number {
    const region = this.regionAt(e.start);
    if (!region) return -1;
    const index = this.regions.indexOf(region);
    const isLast = index === this.regions.length - 1;
    const inside = e.start >= region.offset && (isLast ? e.end <= region.end : e.end < region.end);
    return inside ? index : -1;
  }

  /** Re-parses one region in place; false when the edit leaks out of it (an open string or bracket …). */
  private reparseRegion(index: number, e: TextEdit): boolean {
    const region = this.regions[index]!;
    const relStart = e.start - region.offset;
    const relOldEnd = e.end - region.offset;
    const oldText = region.text;
    const newText = oldText.slice(0, relStart) + e.newText + oldText.slice(relOldEnd);
    const isLast = index === this.regions.length - 1;
    if (index > 0 && !canStartRegion(newText, 0)) return false;
    // a region that starts by closing the previous one's open bracket (`def` at column 0) must still do so
    if (index > 0 && relStart <= oldText.indexOf('\n') + 1 && !canFollow(this.regions[index - 1]!.candidateCuts().end, newText)) return false;
    if (!isLast && !newText.endsWith('\n')) return false;
    // a region grown large by a paste is cut again (one long statement, such as a big cdef, cannot be)
    if (newText.length > REGION_TARGET * 4 && e.newText.includes('\n') && findSplitPoints(newText, REGION_TARGET).length > 1) return false;
    // the next region must still start at a candidate: after a clean end, and not after a decorator line
    const scanned = region.cutsAfterEdit(newText, relStart, relOldEnd, relStart + e.newText.length);
    const { cuts, end, decoratorAtEnd } = scanned;
    if (!isLast && (!canFollow(end, this.regions[index + 1]!.text) || decoratorAtEnd)) return false;
    const startPosition = pointAt(oldText, relStart);
    region.tree.edit(new Edit({
      startIndex: relStart,
      oldEndIndex: relOldEnd,
      newEndIndex: relStart + e.newText.length,
      startPosition,
      oldEndPosition: pointAt(oldText, relOldEnd),
      newEndPosition: pointAt(newText, relStart + e.newText.length),
    }));
    const hadError = region.tree.rootNode.hasError;
    let tree = this.parser.parse(newText, region.tree);
    if (!tree) return false;
    // error recovery reusing an old tree may differ from a parse from scratch: broken text is parsed afresh
    if (hadError || tree.rootNode.hasError) {
      tree.delete();
      tree = this.parseFresh(newText);
    }
    flatTreeEdited(region, relStart, relOldEnd); // before the old tree and text go
    region.tree.delete();
    region.tree = tree;
    region.setText(newText, scanned);
    region.cache = undefined;
    this.stats.regionParses++;
    const delta = e.newText.length - (e.end - e.start);
    for (let i = index + 1; i < this.regions.length; i++) this.regions[i]!.offset += delta;
    if (!wellCut(tree, cuts)) this.recut(index, cuts);
    return true;
  }

  private parseFresh(text: string): Tree {
    const tree = this.parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }

  /**
   * Re-cuts a region that is not well cut: each chunk with an error becomes a region of its own; runs of
   * chunks without errors stay together (as one region when that region is well cut, else chunk by chunk).
   */
  private recut(index: number, cuts: readonly number[]): void {
    const region = this.regions[index]!;
    if (cuts.length < 2) return;
    const pieces: Region[] = [];
    let run: Region[] = [];
    const flush = () => {
      if (run.length > 1) {
        const start = run[0]!.offset;
        const text = run.map((r) => r.text).join('');
        const tree = this.parseFresh(text);
        if (!wellCut(tree, candidateCuts(text).cuts)) tree.delete();
        else {
          for (const r of run) r.tree.delete();
          run = [new Region(start, text, tree)];
        }
      }
      pieces.push(...run);
      run = [];
    };
    for (let i = 0; i < cuts.length; i++) {
      const start = cuts[i]!;
      const text = region.text.slice(start, i + 1 < cuts.length ? cuts[i + 1]! : region.text.length);
      const chunk = new Region(region.offset + start, text, this.parseFresh(text));
      if (chunk.tree.rootNode.hasError) {
        flush();
        pieces.push(chunk);
      } else {
        run.push(chunk);
      }
    }
    flush();
    region.tree.delete();
    this.regions.splice(index, 1, ...pieces);
  }

  private reparseAll(): void {
    this.dispose();
    const cuts = findSplitPoints(this.text, REGION_TARGET);
    for (let i = 0; i < cuts.length; i++) {
      const start = cuts[i]!;
      const end = i + 1 < cuts.length ? cuts[i + 1]! : this.text.length;
      const text = this.text.slice(start, end);
      this.regions.push(new Region(start, text, this.parseFresh(text)));
    }
    for (let i = this.regions.length - 1; i >= 0; i--) {
      const { cuts } = this.regions[i]!.candidateCuts();
      if (!wellCut(this.regions[i]!.tree, cuts)) this.recut(i, cuts);
    }
    this.stats.fullParses++;
  }
}
