/**
 * Decodes Python string literals (including implicit concatenation, raw and triple-quoted forms) into
 * their value, keeping for every character of the value the document offset it came from, so that
 * positions found in embedded C (cdef sources) map back into the editor exactly.
 */

export interface DecodedString {
  value: string;
  /** offsets[i] is the document offset of value[i]; offsets[value.length] is the end of the last part's body. */
  offsets: number[];
  /** False when a part is an f-string or holds escapes we cannot map one-to-one (the value is then best-effort). */
  exact: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v',
};

/** Decodes one literal whose source text starts at document offset `base`; `offsets` false: the value alone (`out.offsets` stays empty). */
export function decodeLiteral(source: string, base: number, out: DecodedString, offsets = true): void {
  let i = 0;
  let prefix = '';
  while (i < source.length && /[rRbBuUfF]/.test(source[i]!)) prefix += source[i++]!.toLowerCase();
  const q = source[i]!;
  const quote = source[i + 1] === q && source[i + 2] === q ? (q === '"' ? '"""' : q === "'" ? "'''" : q.repeat(3)) : q;
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  if (prefix.includes('f')) out.exact = false;
  const bodyStart = i + quote.length;
  const bodyEnd = source.endsWith(quote) && source.length - quote.length >= bodyStart ? source.length - quote.length : source.length;
  for (let j = bodyStart; j < bodyEnd; ) {
    if (raw || j + 1 >= bodyEnd || source.charCodeAt(j) !== 92) {
      // a run without escapes, up to the next backslash (a raw string has none): one slice, not a string per character
      let k = raw ? bodyEnd : source.indexOf('\\', j + 1);
      if (k < 0 || k > bodyEnd) k = bodyEnd;
      out.value += source.slice(j, k);
      if (offsets) for (let p = j; p < k; p++) out.offsets.push(base + p);
      j = k;
      continue;
    }
    const next = source[j + 1]!;
    if (next === '\n') { j += 2; continue; } // line continuation inside a string
    if (next === '\r') { j += source[j + 2] === '\n' ? 3 : 2; continue; } // the same with CRLF or CR line ends
    if (next in SIMPLE_ESCAPES) {
      out.value += SIMPLE_ESCAPES[next];
      if (offsets) out.offsets.push(base + j);
      j += 2;
      continue;
    }
    // bytes know only \x; \u and \U are escapes in str literals alone (Python keeps them as two characters in bytes)
    const hex = next === 'x' ? 2 : bytes ? 0 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    const digits = source.slice(j + 2, j + 2 + hex);
    const code = hex && digits.length === hex && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : -1;
    if (code >= 0 && code <= 0x10ffff) {
      out.value += String.fromCodePoint(code);
      if (offsets) {
        out.offsets.push(base + j);
        if (out.value.length > out.offsets.length) out.offsets.push(base + j);
      }
      j += 2 + hex;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(source.slice(j + 1, Math.min(j + 4, bodyEnd)));
    if (octal) {
      out.value += String.fromCharCode(parseInt(octal[0], 8) & (bytes ? 0xff : 0xffff));
      if (offsets) out.offsets.push(base + j);
      j += 1 + octal[0].length;
      continue;
    }
    // an escape Python rejects (\U above U+10FFFF, a short \x) or one we do not map (\N{…}): the value is best-effort
    out.exact = false;
    out.value += '\\'; // the backslash as it is; what follows starts the next run
    if (offsets) out.offsets.push(base + j);
    j++;
  }
  if (offsets) out.offsets.push(base + bodyEnd);
}

/** The value of a literal with no backslash (its body as written, whatever its prefix), else undefined: decodeLiteral's result without its work. */
function plainBody(source: string): string | undefined {
  if (source.indexOf('\\') >= 0) return undefined;
  let i = 0;
  while (i < source.length && PREFIX_CHARS.has(source.charCodeAt(i))) i++;
  const q = source[i];
  if (q !== '"' && q !== "'") return undefined;
  const quote = source[i + 1] === q && source[i + 2] === q ? q.repeat(3) : q;
  const bodyStart = i + quote.length;
  const bodyEnd = source.endsWith(quote) && source.length - quote.length >= bodyStart ? source.length - quote.length : source.length;
  return source.slice(bodyStart, bodyEnd);
}

const PREFIX_CHARS = new Set([...'rRbBuUfF'].map((c) => c.charCodeAt(0)));

/** The value of a sequence of literal parts, without the offsets (the facts keep only the value). */
export function decodeValue(parts: { text: string; start: number }[]): string {
  if (parts.length === 1) {
    const plain = plainBody(parts[0]!.text);
    if (plain !== undefined) return plain;
  }
  const out: DecodedString = { value: '', offsets: [], exact: true };
  for (const p of parts) decodeLiteral(p.text, p.start, out, false);
  return out.value;
}

/** Decodes a sequence of literal parts (a `concatenated_string` or one `string`). */
export function decodeParts(parts: { text: string; start: number }[]): DecodedString {
  const out: DecodedString = { value: '', offsets: [], exact: true };
  for (const p of parts) {
    if (out.offsets.length > out.value.length) out.offsets.pop(); // the previous part's end marker
    decodeLiteral(p.text, p.start, out);
  }
  if (out.offsets.length === 0) out.offsets.push(parts[0]?.start ?? 0);
  return out;
}

/** Maps an offset in the decoded value to a document offset. */
export function mapOffset(d: DecodedString, valueOffset: number): number {
  if (valueOffset <= 0) return d.offsets[0]!;
  if (valueOffset >= d.offsets.length) return d.offsets[d.offsets.length - 1]!;
  return d.offsets[valueOffset]!;
}
