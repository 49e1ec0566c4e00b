import { Edit, type Parser, type Tree, type Point } from 'web-tree-sitter';
import { canStartRegion, findSplitPoints, isClean, scan } from './splitPoints';

/**
 * A run of top-level statements parsed on its own. Regions keep their trees across edits; only the region
 * an edit falls in is re-parsed (incrementally), which keeps keystrokes cheap on long flat binding files.
 */
export class Region {
  /** Per-region cache owned by the analysis; cleared whenever the region's text changes. */
  cache: unknown = undefined;
  constructor(public offset: number, public text: string, public tree: Tree) {}
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

/** The text of one document, cut into regions, each with its tree-sitter tree. */
export class ParsedDocument {
  regions: Region[] = [];
  readonly stats: ParseStats = { fullParses: 0, regionParses: 0 };

  constructor(private readonly parser: Parser, public text: string, public version = 0) {
    this.reparseAll();
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
    for (const r of this.regions) r.tree.delete();
    this.regions = [];
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
    const index = this.regionIndexFor(e);
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
    if (!isLast && !newText.endsWith('\n')) return false;
    // a region grown large by a paste is cut again (one long statement, such as a big cdef, cannot be)
    if (newText.length > REGION_TARGET * 4 && e.newText.includes('\n') && findSplitPoints(newText, REGION_TARGET).length > 1) return false;
    if (!isLast && !isClean(scan(newText))) return false;
    const startPosition = pointAt(oldText, relStart);
    region.tree.edit(new Edit({
      startIndex: relStart,
      oldEndIndex: relOldEnd,
      newEndIndex: relStart + e.newText.length,
      startPosition,
      oldEndPosition: pointAt(oldText, relOldEnd),
      newEndPosition: pointAt(newText, relStart + e.newText.length),
    }));
    const tree = this.parser.parse(newText, region.tree);
    if (!tree) return false;
    region.tree.delete();
    region.tree = tree;
    region.text = newText;
    region.cache = undefined;
    this.stats.regionParses++;
    const delta = e.newText.length - (e.end - e.start);
    for (let i = index + 1; i < this.regions.length; i++) this.regions[i]!.offset += delta;
    return true;
  }

  private reparseAll(): void {
    this.dispose();
    const cuts = findSplitPoints(this.text, REGION_TARGET);
    for (let i = 0; i < cuts.length; i++) {
      const start = cuts[i]!;
      const end = i + 1 < cuts.length ? cuts[i + 1]! : this.text.length;
      const text = this.text.slice(start, end);
      const tree = this.parser.parse(text);
      if (!tree) throw new Error('tree-sitter returned no tree');
      this.regions.push(new Region(start, text, tree));
    }
    this.stats.fullParses++;
  }
}
