import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../server/src/analysis/analyze';
import { lint } from '../../server/src/rules/lint';

/** PB204 messages of a program calling foreign functions unknown to the prototype table (so only usage decides). */
async function pb204(body: string): Promise<string[]> {
  const { model, doc } = await analyzeText(`import ctypes\nlib = ctypes.CDLL("libzz_unknown.so")\n${body}`);
  try {
    return lint(model, {}).filter((f) => f.code === 'PB204').map((f) => `${model.text.slice(f.span.start, f.span.end)}: ${f.message.replace(/.*used as /, '')}`);
  } finally {
    doc.dispose();
  }
}

test('PB204 evidence from how the result is used, read from an index of the calls and `.decode` uses', async () => {
  assert.deepEqual(await pb204('s = lib.zz_name()\nprint(s.decode())\n'), ['lib.zz_name: a string']);
  assert.deepEqual(await pb204('self_x = None\nclass A:\n    def f(self):\n        self.x = lib.zz_name()\n        return self.x .decode("utf-8")\n'), ['lib.zz_name: a string'], 'a dotted name, spaces before the dot');
  assert.deepEqual(await pb204('x = lib.zz_name()\nv = get().x.decode()\n'), ['lib.zz_name: a string'], '`\\bx\\s*.decode` also reads `get().x.decode`');
  assert.deepEqual(await pb204('print(x.decode())\nx = lib.zz_name()\n'), [], 'a `.decode` before the call is no evidence');
  assert.deepEqual(await pb204('x = lib.zz_name()\nprint(max.decode())\n'), [], 'another name ending in x');
  assert.deepEqual(await pb204('p = lib.zz_make()\nctypes.string_at(p)\n'), ['lib.zz_make: a string']);
  assert.deepEqual(await pb204('v = ctypes.cast(lib.zz_make(), ctypes.c_void_p)\n'), ['lib.zz_make: a pointer']);
  assert.deepEqual(await pb204('h = lib.zz_open()\nlib.zz_close(h)\n'), ['lib.zz_open: a handle']);
  assert.deepEqual(await pb204('n = lib.zz_count()\nprint(n + 1)\n'), []);
});

test('PB204 evidence on a long file: one finding per function whatever the number of calls (the index is shared)', async () => {
  const body: string[] = [];
  for (let i = 0; i < 2000; i++) body.push(`h${i} = lib.zz_open_${i % 50}()`, `lib.zz_close_${i % 50}(h${i})`, i % 3 === 0 ? `print(h${i}.decode())` : '');
  const found = await pb204(body.join('\n') + '\n');
  assert.equal(found.length, 50, found.slice(0, 3).join('; '));
  assert.ok(found.every((f) => /a (handle|string)$/.test(f)));
});
