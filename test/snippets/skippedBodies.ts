/**
 * A test module that imports ctypes but loads no library (so `check` evaluates nothing and leaves out the
 * bodies no binding name reaches, analysis/relevantBodies.ts), with a finding in each kind of body that must
 * still be read: PB203 through a rule word whatever `Point` is, PB206 through a name (`made`) only the parse
 * binds (its value is on a continued line, which the text guess misses: a second round), PB202 through a seed.
 */
export function skippedBodiesModule(): string {
  const plain = Array.from({ length: 40 }, (_, i) => `    def test_plain_${i}(self):\n        value = [${i}, ${i + 1}]\n        return sum(value) * ${i}\n`).join('\n');
  return [
    'import ctypes',
    'import sys',
    '',
    '',
    'class Bits(ctypes.Structure):',
    '    _fields_ = [("a", ctypes.c_uint, 2)]',
    '',
    '',
    'made = \\',
    '    Bits()',
    'Point = make_type()',
    '',
    '',
    'class Tests:',
    plain,
    '    def test_address(self, obj):',
    '        return Point.from_address(id(obj))',
    '',
    '    def test_bytes(self):',
    '        return bytes(made)',
    '',
    '    def test_refcount(self):',
    '        return sys.getrefcount(self)',
    '',
  ].join('\n');
}
