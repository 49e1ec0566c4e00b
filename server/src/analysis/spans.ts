import type { Span } from './model';

/** Something whose offset in the document can move (a parse region); spans inside it follow it. */
export interface Anchor {
  offset: number;
}

/** A span relative to a region: stays right when text before the region changes, with no re-analysis. */
export class AnchoredSpan implements Span {
  constructor(private readonly anchor: Anchor, private readonly relStart: number, private readonly relEnd: number) {}
  get start(): number {
    return this.anchor.offset + this.relStart;
  }
  get end(): number {
    return this.anchor.offset + this.relEnd;
  }
  toJSON(): Span {
    return { start: this.start, end: this.end };
  }
}

export function spanText(text: string, s: Span): string {
  return text.slice(s.start, s.end);
}

export function contains(s: Span, offset: number): boolean {
  return offset >= s.start && offset <= s.end;
}
