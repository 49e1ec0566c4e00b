import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOptions, fileNoqa, isSelected, lineNoqa, severityOf, type RuleFinding } from '../../server/src/rules/lint';
import { rng } from '../protocol/fuzzLsp';
import { check, codes } from './rulesHelpers';

const SRC = `import ctypes
libc = ctypes.CDLL(None)
p = libc.malloc(4294967296)
libc.puts("hi")
`;

test('default: every rule at its default severity', async () => {
  const hits = await check(SRC);
  assert.deepEqual(hits.map((h) => [h.code, h.severity, h.line]), [
    ['PB101', 'information', 2], ['PB204', 'warning', 3], ['PB205', 'information', 3], ['PB205', 'information', 4],
  ]);
});

test('select narrows, ignore removes, the more specific wins', async () => {
  assert.deepEqual(codes(await check(SRC, { select: ['PB2'] })), ['PB204', 'PB205', 'PB205']);
  assert.deepEqual(codes(await check(SRC, { select: ['PB204'] })), ['PB204']);
  assert.deepEqual(codes(await check(SRC, { ignore: ['PB2'] })), ['PB101']);
  assert.deepEqual(codes(await check(SRC, { select: ['PB204'], ignore: ['PB2'] })), ['PB204'], 'a specific select beats a broader ignore');
  assert.deepEqual(codes(await check(SRC, { select: ['PB2'], ignore: ['PB205'] })), ['PB204']);
  assert.deepEqual(codes(await check(SRC, { select: ['ALL'], ignore: ['PB101'] })), ['PB204', 'PB205', 'PB205']);
  assert.deepEqual(codes(await check(SRC, { select: [] })), []);
  assert.equal(isSelected('PB204', { select: ['pb2'] }), true, 'case-insensitive');
  assert.equal(isSelected('PB204', { select: ['PB2'], ignore: ['PB2'] }), false, 'ignore wins a tie');
});

test('severity overrides by code or prefix, and off disables', async () => {
  const hits = await check(SRC, { severity: { PB2: 'hint', PB204: 'error', PB101: 'off' } });
  assert.deepEqual(hits.map((h) => [h.code, h.severity]), [['PB204', 'error'], ['PB205', 'hint'], ['PB205', 'hint']]);
  assert.equal(severityOf('PB301'), 'error');
  assert.equal(severityOf('PB999'), undefined);
});

test('# noqa silences a line: bare for every code, with codes for those only', async () => {
  const src = `import ctypes
libc = ctypes.CDLL(None)  # noqa
p = libc.malloc(4294967296)  # noqa: PB205
q = libc.calloc(1, 4294967296)  # NOQA:PB204,PB205
`;
  const hits = await check(src);
  assert.deepEqual(hits.map((h) => [h.code, h.line]), [['PB204', 3]]);
  assert.deepEqual((await check(src, { noqa: false })).map((h) => h.code), ['PB101', 'PB204', 'PB205', 'PB204', 'PB205']);
});

test('# noqa holds for every finding on its own line, however many, and for no other line', async () => {
  // a float argument (PB205) and a result read as a string (PB204): both are known without a prototype
  const calls = Array.from({ length: 200 }, (_, i) => `libc.f${i}(${i}.5).decode()`).join(', ');
  const src = `import ctypes\nlibc = ctypes.CDLL(None)  # noqa\nx = [${calls}]  # noqa: PB204\ny = libc.g(1.5).decode()\nz = [${calls.replaceAll('libc.f', 'libc.h')}]\n`;
  const hits = await check(src);
  assert.deepEqual([...new Set(hits.filter((h) => h.line === 3).map((h) => h.code))], ['PB205'], 'line 3 keeps only the codes its noqa does not list');
  assert.equal(hits.filter((h) => h.line === 3).length, 200);
  assert.deepEqual(codes(hits.filter((h) => h.line === 4)), ['PB204', 'PB205']);
  assert.equal(hits.filter((h) => h.line === 5).length, 400);
  assert.equal(hits.filter((h) => h.line === 2).length, 0);
});

test('# pypy-bindings: noqa silences the file, for all codes or the listed ones', async () => {
  assert.deepEqual(await check('# pypy-bindings: noqa\n' + SRC), []);
  assert.deepEqual(codes(await check('# pypy-bindings: noqa: PB101, PB205\n' + SRC)), ['PB204']);
  assert.deepEqual(codes(await check(SRC + 'x = 1  # pypy-bindings: noqa is only honoured on a comment line\n')).length, 4);
});

test('noqa parsing', () => {
  assert.equal(lineNoqa('x = 1'), undefined);
  assert.equal(lineNoqa('x = 1  # noqa'), 'all');
  assert.deepEqual([...(lineNoqa('x  # noqa: PB204 PB101') as Set<string>)], ['PB204', 'PB101']);
  assert.deepEqual([...(lineNoqa('x  # type: ignore  # noqa:pb3') as Set<string>)], ['PB3']);
  assert.equal(fileNoqa('import os\n'), undefined);
  assert.equal(fileNoqa('#pypy-bindings: noqa\n'), 'all');
});

// applyOptions reads a line's `# noqa` only where the word occurs (one search forward): the same findings as
// reading every finding's line, with the word in any case, on lines with several findings, and CRLF
test('applyOptions: `# noqa` found by searching for the word equals reading each finding\'s line', () => {
  const random = rng(77);
  const LINES = ['x = 1', 'y = f(2)  # noqa', 'z = g(3)  # NOQA: PB205', 'w = h()  # noqa: PB204, PB205', 's = "noqa"', 'v = 4  # nOqA:PB204', '# noqa', ''];
  for (let round = 0; round < 40; round++) {
    const eol = random() < 0.3 ? '\r\n' : '\n';
    const text = Array.from({ length: 30 }, () => LINES[Math.floor(random() * LINES.length)]!).join(eol);
    const raw: RuleFinding[] = Array.from({ length: 25 }, () => {
      const start = Math.floor(random() * text.length);
      return { code: random() < 0.5 ? 'PB204' : 'PB205', span: { start, end: Math.min(text.length, start + 3) }, message: 'm' };
    });
    const expected = raw.filter((f) => {
      const lineStart = text.lastIndexOf('\n', f.span.start - 1) + 1;
      const nl = text.indexOf('\n', f.span.start);
      const noqa = lineNoqa(text.slice(lineStart, nl < 0 ? text.length : nl));
      return !(noqa === 'all' || noqa?.has(f.code));
    });
    const got = applyOptions(raw, text);
    assert.deepEqual(got.map((f) => [f.span.start, f.code]), expected.map((f) => [f.span.start, f.code]).sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1]))), `round ${round}`);
  }
});
