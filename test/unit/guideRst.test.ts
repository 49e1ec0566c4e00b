// The RST reader and Markdown renderer, construct by construct, against Markdown written by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRst, sectionId, type RstOptions } from '../../server/src/guide/rst';
import { blockQuote, codeSpan, escapeMarkdown, renderSection } from '../../server/src/guide/markdown';

const OPTIONS: RstOptions = {
  sectionUrl: (id) => `https://example.org/page.html#${id}`,
  docUrl: (target) => `https://example.org/${target}.html`,
};

/** Parses a document and renders the section with this title. */
function render(source: string, title: string): string {
  const doc = parseRst(source, OPTIONS);
  assert.deepEqual(doc.problems, []);
  const section = doc.sections.find((s) => s.title === title);
  assert.ok(section, `no section ${title}`);
  return renderSection(section);
}

test('titles become sections with Sphinx ids and levels by underline style', () => {
  const doc = parseRst('Main Title\n==========\n\nIntro.\n\nRPython Mixed Modules\n---------------------\n\nBody.\n\nCTypes\n------\n\nMore.\n', OPTIONS);
  assert.deepEqual(
    doc.sections.map((s) => [s.title, s.id, s.level]),
    [['Main Title', 'main-title', 1], ['RPython Mixed Modules', 'rpython-mixed-modules', 2], ['CTypes', 'ctypes', 2]],
  );
  assert.equal(sectionId('Writing extension modules for pypy'), 'writing-extension-modules-for-pypy');
});

test('paragraphs keep their words and source line breaks, separated by a blank line', () => {
  assert.equal(
    render('Title\n=====\n\nFirst line\nsecond  line.\n\nAnother paragraph.\n', 'Title'),
    'First line\nsecond  line.\n\nAnother paragraph.',
  );
});

test('inline literals become code spans, emphasis stays emphasis, strong stays strong', () => {
  assert.equal(
    render('Title\n=====\n\nRun ``python -mpip install cffi`` and ``<pypy>``; it is *built-in*, **really**.\n', 'Title'),
    'Run `python -mpip install cffi` and `<pypy>`; it is *built-in*, **really**.',
  );
});

test('an underscore-wrapped name like _cppyy_ is rendered as emphasis, with no underscores left', () => {
  assert.equal(render('Title\n=====\n\nFor C++, _cppyy_ is a generator.\n_cppyy_ relies on headers.\n', 'Title'), 'For C++, *cppyy* is a generator.\n*cppyy* relies on headers.');
});

test('anonymous references take the anonymous targets in order', () => {
  const src = 'Title\n=====\n\nCFFI__ is here__ and `the end`__.\n\n.. __: https://a.example/\n.. __: https://b.example/\n__ https://c.example/\n';
  assert.equal(render(src, 'Title'), '[CFFI](https://a.example/) is [here](https://b.example/) and [the end](https://c.example/).');
});

test('named references resolve to explicit targets, including back-quoted target names', () => {
  const src =
    'Title\n=====\n\nSee `CPython ctypes`_, libffi_ and the `full documentation`_.\n\n' +
    '.. _CPython ctypes: https://docs.python.org/library/ctypes.html\n' +
    '.. _libffi: https://sourceware.org/libffi/\n' +
    '.. _`full documentation`: https://cppyy.readthedocs.org/\n';
  assert.equal(
    render(src, 'Title'),
    'See [CPython ctypes](https://docs.python.org/library/ctypes.html), [libffi](https://sourceware.org/libffi/) and the [full documentation](https://cppyy.readthedocs.org/).',
  );
});

test('references to section titles link to the section, case-insensitively', () => {
  const src = 'Title\n=====\n\n* use ctypes_.\n* or `RPython mixed modules`_.\n\nCTypes\n------\n\nx\n\nRPython Mixed Modules\n---------------------\n\ny\n';
  assert.equal(
    render(src, 'Title'),
    '- use [ctypes](https://example.org/page.html#ctypes).\n- or [RPython mixed modules](https://example.org/page.html#rpython-mixed-modules).',
  );
});

test('an embedded URI in a reference is used directly', () => {
  assert.equal(render('Title\n=====\n\nRead `the docs <https://x.example/>`_ now.\n', 'Title'), 'Read [the docs](https://x.example/) now.');
});

test(':doc: roles link to the rendered document, with or without an explicit title', () => {
  assert.equal(
    render('Title\n=====\n\nMore :doc:`here <discussion/ctypes-implementation>` and :doc:`faq`.\n', 'Title'),
    'More [here](https://example.org/discussion/ctypes-implementation.html) and [faq](https://example.org/faq.html).',
  );
});

test('bullet lists become Markdown lists; blank lines between items and continuation lines are kept together', () => {
  const src = 'Title\n=====\n\nIntro:\n\n* one\n\n* two,\n  continued\n\n* three\n\nAfter.\n';
  assert.equal(render(src, 'Title'), 'Intro:\n\n- one\n- two,\n  continued\n- three\n\nAfter.');
});

test('triple hyphens print as an em dash, as Sphinx prints them', () => {
  assert.equal(render('Title\n=====\n\naccess to C --- so that\n', 'Title'), 'access to C \u2014 so that');
});

test('markup characters in plain text are escaped, and markup needs a word boundary to start', () => {
  assert.equal(render('Title\n=====\n\nsnake_case_name and 2*3*4 and a <tag> [x]\n', 'Title'), 'snake\\_case\\_name and 2\\*3\\*4 and a \\<tag\\> \\[x\\]');
});

test('target lines are not rendered, and unresolved references are reported as problems', () => {
  const doc = parseRst('Title\n=====\n\nSee nowhere_.\n\n.. _elsewhere: https://e.example/\n', OPTIONS);
  assert.equal(renderSection(doc.sections[0]!), 'See nowhere.');
  assert.deepEqual(doc.problems, [{ line: 4, message: 'unresolved reference nowhere_' }]);
});

test('links are collected per section in text order', () => {
  const doc = parseRst('Title\n=====\n\nA__ then b_.\n\n.. __: https://a.example/\n.. _b: https://b.example/\n', OPTIONS);
  assert.deepEqual(doc.sections[0]!.links, [
    { text: 'A', url: 'https://a.example/' },
    { text: 'b', url: 'https://b.example/' },
  ]);
});

test('helpers: escapeMarkdown guards line-start markers, codeSpan survives backticks, blockQuote marks blank lines', () => {
  assert.equal(escapeMarkdown('- not a list\n# not a heading\n1. not numbered'), '\\- not a list\n\\# not a heading\n1\\. not numbered');
  assert.equal(codeSpan('a`b'), '``a`b``');
  assert.equal(codeSpan('`x'), '`` `x ``');
  assert.equal(blockQuote('one\ntwo\n\nthree'), '> one\n> two\n>\n> three');
});
