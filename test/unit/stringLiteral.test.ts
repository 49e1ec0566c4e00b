import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLiteral, decodeParts, decodeValue, type DecodedString } from '../../server/src/analysis/stringLiteral';
import { decodeLiteralCharByChar } from '../oracle/charByCharLiteral';

// The decoder copies each run without escapes in one slice; the value, the offset of every character and
// `exact` must be what the character-by-character decoder gives, on literals of every shape.

const decode = (f: typeof decodeLiteral, parts: string[]): DecodedString => {
  const out: DecodedString = { value: '', offsets: [], exact: true };
  let base = 7;
  for (const p of parts) {
    if (out.offsets.length > out.value.length) out.offsets.pop();
    f(p, base, out);
    base += p.length + 1;
  }
  return out;
};

const SAMPLES = [
  '"abc"', "'a'", '""', '"""x\ny"""', "r'\\d+\\'", 'b"\\x00\\xff\\x4"', '"\\u00e9\\U0001F600\\U00110000"', 'b"\\u1234"',
  '"\\101\\0\\777\\8"', '"\\N{BULLET}"', '"a\\\nb"', '"a\\\r\nb\\\rc"', '"\\q\\\\\\"\\\'"', 'f"{x}\\n"', 'rb"\\\\"', '"ends with \\\\"',
  '"\\', '"unterminated', '"é😀x"', 'U"x\\ty"', '"""\\"""', "'''a\\'''b'''",
];

test('runs copied in one slice decode exactly as one character at a time (hand-written literals)', () => {
  for (const s of SAMPLES) assert.deepEqual(decode(decodeLiteral, [s]), decode(decodeLiteralCharByChar, [s]), s);
  assert.deepEqual(decode(decodeLiteral, SAMPLES), decode(decodeLiteralCharByChar, SAMPLES), 'all of them concatenated');
});

test('runs copied in one slice decode exactly as one character at a time (random literals)', () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const pieces = ['a', 'xyz', ' ', '\\', '\\\\', '\\n', '\\x4', '\\x41', '\\u12', '\\u1234', '\\U0001F600', '\\777', '\\0', '\\\n', '\\\r\n', '\\\r', '\n', '"', "'", 'é', '😀', '\\N{X}', '\\q'];
  const prefixes = ['', 'r', 'b', 'rb', 'u', 'f', 'R', 'B', 'Br'];
  const quotes = ['"', "'", '"""', "'''"];
  for (let k = 0; k < 3000; k++) {
    const parts: string[] = [];
    for (let p = 1 + rnd(3); p > 0; p--) {
      const q = quotes[rnd(quotes.length)]!;
      let body = '';
      for (let n = rnd(12); n > 0; n--) body += pieces[rnd(pieces.length)];
      parts.push(prefixes[rnd(prefixes.length)] + q + body + (rnd(8) ? q : ''));
    }
    assert.deepEqual(decode(decodeLiteral, parts), decode(decodeLiteralCharByChar, parts), JSON.stringify(parts));
  }
});

test('decodeValue (the facts: the value alone) is the value decodeParts gives', () => {
  let seed = 99;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const pieces = ['a', 'xyz', '\\', '\\\\', '\\n', '\\x41', '\\u1234', '\\U0001F600', '\\777', '\\\n', '"', '😀', '\\q'];
  for (let k = 0; k < 2000; k++) {
    const parts: { text: string; start: number }[] = [];
    for (let p = 1 + rnd(3), start = 0; p > 0; p--) {
      let body = '';
      for (let n = rnd(10); n > 0; n--) body += pieces[rnd(pieces.length)];
      const text = ['', 'r', 'b'][rnd(3)] + '"' + body + '"';
      parts.push({ text, start });
      start += text.length + 1;
    }
    assert.equal(decodeValue(parts), decodeParts(parts).value, JSON.stringify(parts));
  }
});

test('decodeValue of one literal without a backslash (its shortcut) is the value decodeParts gives, every prefix and quote', () => {
  const prefixes = ['', 'r', 'b', 'rb', 'Rb', 'bR', 'u', 'U', 'f', 'F', 'rf', 'fR', 'B'];
  const quotes = ['"', "'", '"""', "'''"];
  const bodies = ['', 'x', 'a b', '"', "'", '""', "''", 'é😀', 'line\nnext', '{x}', 'ends "'];
  let n = 0;
  for (const p of prefixes) {
    for (const q of quotes) {
      for (const b of bodies) {
        for (const text of [p + q + b + q, p + q + b, p + q + b + q.slice(1), p + q]) {
          assert.equal(decodeValue([{ text, start: 3 }]), decodeParts([{ text, start: 3 }]).value, JSON.stringify(text));
          n++;
        }
      }
    }
  }
  assert.ok(n > 2000);
});
