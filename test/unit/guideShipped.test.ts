// The shipped guide (server/data/guide/extending.rst): every section rendered exactly, links resolved, ranking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGuide, guideFileCandidates, loadGuide, locateGuide, rankingLine } from '../../server/src/guide/guide';
import { parseRst } from '../../server/src/guide/rst';

const PAGE = 'https://doc.pypy.org/en/latest/extending.html';

test('the shipped file is the seed guide, unmodified, and is found relative to the module (not the cwd)', () => {
  const shipped = locateGuide();
  assert.equal(path.resolve(shipped), path.resolve(__dirname, '../../server/data/guide/extending.rst'));
  assert.equal(fs.readFileSync(shipped, 'utf8'), fs.readFileSync('/work/shared/seed/extending.rst', 'utf8'));
  // The bundle layout: data/ beside dist/server.js.
  assert.equal(guideFileCandidates('/x/dist')[0], path.join('/x/dist', 'data', 'guide', 'extending.rst'));
});

test('the guide parses with no problems and no raw RST left in any section', () => {
  const doc = parseRst(fs.readFileSync(locateGuide(), 'utf8'), { sectionUrl: (id) => `${PAGE}#${id}`, docUrl: (t) => t });
  assert.deepEqual(doc.problems, []);
  const guide = loadGuide();
  for (const s of [guide.intro, ...guide.sections]) {
    // Outside code spans and link URLs, no backtick, reference underscore, role or directive may remain.
    const prose = s.markdown.replace(/\]\([^)]*\)/g, ']').replace(/`[^`]+`/g, 'CODE');
    assert.doesNotMatch(prose, /`|\w_(?=[\s.,;:)]|$)|(?<!\w)_\w|:doc:|^\.\. |\\_/m, `raw RST in ${s.title}`);
  }
});

test('sections, ids and URLs', () => {
  const guide = loadGuide();
  assert.equal(guide.title, 'Writing extension modules for pypy');
  assert.deepEqual(
    guide.sections.map((s) => [s.title, s.url]),
    [
      ['CFFI', `${PAGE}#cffi`],
      ['CTypes', `${PAGE}#ctypes`],
      ['cppyy', `${PAGE}#cppyy`],
      ['RPython Mixed Modules', `${PAGE}#rpython-mixed-modules`],
    ],
  );
});

test('introduction: section references and the ranked list', () => {
  assert.equal(
    loadGuide().intro.markdown,
    `This document tries to explain how to interface the PyPy python interpreter
with any external library.

Right now, there are the following possibilities of providing
third-party modules for the PyPy python interpreter (in order, from most
directly useful to most messy to use with PyPy):

- Write them in pure Python and use [CFFI](${PAGE}#cffi).
- Write them in pure Python and use [ctypes](${PAGE}#ctypes).
- Write them in C++ and bind them through  [cppyy](${PAGE}#cppyy) using Cling.
- Write them as [RPython mixed modules](${PAGE}#rpython-mixed-modules).`,
  );
});

test('CFFI: anonymous references in order, literal, em dash', () => {
  assert.equal(
    loadGuide().section('cffi')!.markdown,
    `[CFFI](https://cffi.readthedocs.org/) is the recommended way.  It is a way to write pure Python code
that accesses C libraries.  The idea is to support either ABI- or
API-level access to C \u2014 so that you can sanely access C libraries
without depending on details like the exact field order in the C
structures or the numerical value of all the constants.  It works on
both CPython (as a separate \`python -mpip install cffi\`) and on PyPy, where it
is included by default.

PyPy's JIT does a quite reasonable job on the Python code that call C
functions or manipulate C pointers with CFFI.  (As of PyPy 2.2.1, it
could still be improved, but is already good.)

See the documentation [here](https://cffi.readthedocs.org/).`,
  );
});

test('CTypes: named references, the :doc: link and the _rawffi paragraph', () => {
  const ctypes = loadGuide().section('ctypes')!;
  assert.equal(
    ctypes.markdown,
    `The goal of the ctypes module of PyPy is to be as compatible as possible
with the [CPython ctypes](https://docs.python.org/library/ctypes.html) version.  It works for large examples, such
as pyglet.  PyPy's implementation is not strictly 100% compatible with
CPython, but close enough for most cases.
More (but older) information is available [here](https://doc.pypy.org/en/latest/discussion/ctypes-implementation.html).
Also, ctypes' performance is not as good as CFFI's.

PyPy implements ctypes as pure Python code around two built-in modules
called \`_rawffi\` and \`_rawffi.alt\`, which give a very low-level binding to
the C library [libffi](https://sourceware.org/libffi/).  Nowadays it is not recommended to use directly
these two modules.`,
  );
  assert.equal(ctypes.blocks.length, 2);
  assert.match(ctypes.blockTexts[1]!, /_rawffi\.alt/);
});

test('cppyy: underscore-wrapped names, literals with angle brackets, a back-quoted target', () => {
  assert.equal(
    loadGuide().section('cppyy')!.markdown,
    `For C++, *cppyy* is an automated bindings generator available for both
PyPy and CPython.
*cppyy* relies on declarations from C++ header files to dynamically
construct Python equivalent classes, functions, variables, etc.
It is designed for use by large scale programs and supports modern C++.
With PyPy, it leverages the built-in \`_cppyy\` module, allowing the JIT to
remove most of the cross-language overhead.

To install, run \`<pypy> -mpip install cppyy\`.
Further details are available in the [full documentation](https://cppyy.readthedocs.org/).`,
  );
});

test('RPython Mixed Modules: emphasis', () => {
  assert.equal(
    loadGuide().section('rpython-mixed-modules')!.markdown,
    `This is the internal way to write built-in extension modules in PyPy.
It cannot be used by any 3rd-party module: the extension modules are
*built-in*, not independently loadable DLLs.

This is reserved for special cases: it gives direct access to e.g. the
details of the JIT, allowing us to tweak its interaction with user code.
This is how the numpy module is being developed.`,
  );
});

test('the ranking comes from the introduction list: reordering the list reorders the ranking', () => {
  const guide = loadGuide();
  assert.deepEqual(guide.ranking.map((r) => [r.sectionId, r.place]), [['cffi', 1], ['ctypes', 2], ['cppyy', 3], ['rpython-mixed-modules', 4]]);
  assert.equal(guide.rankingOrder, 'from most directly useful to most messy to use with PyPy');
  assert.equal(rankingLine(guide, 'ctypes'), '2nd of 4 ways: works, slower than CFFI on PyPy');
  assert.equal(rankingLine(guide, 'cffi'), '1st of 4 ways: the recommended way, fast under PyPy’s JIT');
  assert.equal(rankingLine(guide, 'nothing'), undefined);
  const source = fs.readFileSync(locateGuide(), 'utf8');
  const swapped = source.replace(
    '* Write them in pure Python and use CFFI_.\n\n* Write them in pure Python and use ctypes_.',
    '* Write them in pure Python and use ctypes_.\n\n* Write them in pure Python and use CFFI_.',
  );
  assert.notEqual(swapped, source);
  assert.equal(rankingLine(buildGuide(swapped), 'ctypes'), '1st of 4 ways: works, slower than CFFI on PyPy');
});

test('every section lists its links', () => {
  const doc = parseRst(fs.readFileSync(locateGuide(), 'utf8'), { sectionUrl: (id) => `${PAGE}#${id}`, docUrl: (t) => `D/${t}` });
  assert.deepEqual(doc.sections.find((s) => s.id === 'ctypes')!.links, [
    { text: 'CPython ctypes', url: 'https://docs.python.org/library/ctypes.html' },
    { text: 'here', url: 'D/discussion/ctypes-implementation' },
    { text: 'libffi', url: 'https://sourceware.org/libffi/' },
  ]);
});
