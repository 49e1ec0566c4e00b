/**
 * The string-literal decoder as it was before runs without escapes were copied in one slice
 * (server/src/analysis/stringLiteral.ts): one character at a time. The oracle of test/unit/stringLiteral.test.ts.
 */
import type { DecodedString } from '../../server/src/analysis/stringLiteral';

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v',
};

/** Decodes one literal whose source text starts at document offset `base`. */
export function decodeLiteralCharByChar(source: string, base: number, out: DecodedString): void {
  let i = 0;
  let prefix = '';
  while (i < source.length && /[rRbBuUfF]/.test(source[i]!)) prefix += source[i++]!.toLowerCase();
  const q = source[i]!;
  const quote = source.startsWith(q.repeat(3), i) ? q.repeat(3) : q;
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  if (prefix.includes('f')) out.exact = false;
  const bodyStart = i + quote.length;
  const bodyEnd = source.endsWith(quote) && source.length - quote.length >= bodyStart ? source.length - quote.length : source.length;
  for (let j = bodyStart; j < bodyEnd; ) {
    const ch = source[j]!;
    if (ch === '\\' && !raw && j + 1 < bodyEnd) {
      const next = source[j + 1]!;
      if (next === '\n') { j += 2; continue; } // line continuation inside a string
      if (next === '\r') { j += source[j + 2] === '\n' ? 3 : 2; continue; } // the same with CRLF or CR line ends
      if (next in SIMPLE_ESCAPES) {
        out.value += SIMPLE_ESCAPES[next];
        out.offsets.push(base + j);
        j += 2;
        continue;
      }
      // bytes know only \x; \u and \U are escapes in str literals alone (Python keeps them as two characters in bytes)
      const hex = next === 'x' ? 2 : bytes ? 0 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      const digits = source.slice(j + 2, j + 2 + hex);
      const code = hex && digits.length === hex && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : -1;
      if (code >= 0 && code <= 0x10ffff) {
        out.value += String.fromCodePoint(code);
        out.offsets.push(base + j);
        if (out.value.length > out.offsets.length) out.offsets.push(base + j);
        j += 2 + hex;
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(source.slice(j + 1, Math.min(j + 4, bodyEnd)));
      if (octal) {
        out.value += String.fromCharCode(parseInt(octal[0], 8) & (bytes ? 0xff : 0xffff));
        out.offsets.push(base + j);
        j += 1 + octal[0].length;
        continue;
      }
      // an escape Python rejects (\U above U+10FFFF, a short \x) or one we do not map (\N{…}): the value is best-effort
      out.exact = false;
    }
    out.value += ch;
    out.offsets.push(base + j);
    j++;
  }
  out.offsets.push(base + bodyEnd);
}

