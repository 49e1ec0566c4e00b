/** The line end a document uses (its first one; '\n' when it has none), as editors pick it for new lines. */
export function lineEndOf(text: string): '\n' | '\r\n' | '\r' {
  const i = text.search(/[\r\n]/);
  if (i < 0 || text[i] === '\n') return '\n';
  return text[i + 1] === '\n' ? '\r\n' : '\r';
}

/** Inserted text given the document's line end (fixes and conversions write '\n'). */
export function withLineEnd(s: string, eol: '\n' | '\r\n' | '\r'): string {
  return /[\r\n]/.test(s) ? s.replace(/\r\n|\r|\n/g, eol) : s;
}
