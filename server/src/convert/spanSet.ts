/**
 * A growing set of half-open ranges [start, end), asked whether an offset falls in any of them: the union
 * kept as sorted disjoint runs, so a question costs a binary search, not a scan of every range added.
 */
export class SpanSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Index of the last run starting at or before `offset`, or -1. */
  private before(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= offset) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at;
  }

  add(start: number, end: number): void {
    if (end <= start) return; // an empty range holds no offset
    // the runs that touch [start, end) merge into one
    let first = this.before(start);
    if (first < 0 || this.ends[first]! < start) first++;
    let last = first;
    while (last < this.starts.length && this.starts[last]! <= end) last++;
    if (last > first) {
      start = Math.min(start, this.starts[first]!);
      end = Math.max(end, this.ends[last - 1]!);
    }
    this.starts.splice(first, last - first, start);
    this.ends.splice(first, last - first, end);
  }

  has(offset: number): boolean {
    const i = this.before(offset);
    return i >= 0 && offset < this.ends[i]!;
  }
}
