import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  applyCodeAction,
  codeActionsAt,
  lineOf,
  openFixture,
  restoreEditors,
  waitFor,
  waitForCode,
  withCode,
} from './helpers';

// The issue words it "Convert this library's bindings to CFFI"; the extension names the library instead.
const CONVERT_TITLE = /^Convert (this library|libc)'s bindings to CFFI$/;

suite('code actions', () => {
  teardown(restoreEditors);

  test('PB101 offers the CFFI conversion and "Disable PB101 for this line" as quick fixes', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    const [pb101] = await waitForCode(doc.uri, 'PB101');
    const actions = await codeActionsAt(doc.uri, pb101.range);
    const titles = actions.map((a) => a.title);
    const convert = actions.find((a) => CONVERT_TITLE.test(a.title));
    assert.ok(convert, `${CONVERT_TITLE} missing from ${JSON.stringify(titles)}`);
    assert.ok(convert.kind && vscode.CodeActionKind.QuickFix.contains(convert.kind), 'the conversion is a quick fix');
    assert.ok(titles.includes('Disable PB101 for this line'), `disable-rule fix missing from ${JSON.stringify(titles)}`);
  });

  test('"Disable PB101 for this line" appends # noqa: PB101 and silences that line', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    const [pb101] = await waitForCode(doc.uri, 'PB101');
    const line = pb101.range.start.line;
    const lineBefore = doc.lineAt(line).text;
    const action = (await codeActionsAt(doc.uri, pb101.range)).find((a) => a.title === 'Disable PB101 for this line');
    assert.ok(action, 'disable-rule quick fix offered');
    await applyCodeAction(action);
    await waitFor('the noqa comment', () => doc.lineAt(line).text !== lineBefore);
    assert.match(doc.lineAt(line).text, /^.*\S\s+# noqa: PB101$/, 'the comment is appended to the same line');
    assert.equal(doc.lineAt(line).text.replace(/\s+# noqa: PB101$/, ''), lineBefore, 'nothing else on the line changed');
    await waitFor('PB101 to leave that line', () => withCode(doc.uri, 'PB101').every((d) => d.range.start.line !== line));
  });

  test('the conversion quick fix rewrites the library\'s bindings to cffi', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    const [pb204] = await waitForCode(doc.uri, 'PB204');
    const convert = (await codeActionsAt(doc.uri, pb204.range)).find((a) => CONVERT_TITLE.test(a.title));
    assert.ok(convert, `${CONVERT_TITLE} offered on PB204`);
    await applyCodeAction(convert);
    const text = await waitFor('the converted text', () => (doc.getText().includes('ffi.cdef') ? doc.getText() : undefined));
    assert.doesNotMatch(text, /ctypes\.CDLL|\.argtypes/, 'no ctypes library or argtypes left');
    assert.match(text, /\bFFI\(\)/);
    assert.match(text, /\.dlopen\(\s*["']libc\.so\.6["']\s*\)/, 'the library is opened with ffi.dlopen');
    assert.match(text, /strlen\s*\(/, 'strlen is declared and still called');
    assert.ok(text.includes('def c_length(text):'), 'code unrelated to the bindings is kept');
    assert.ok(lineOf(doc, 'print(c_length("héllo"))') > 0, 'non-ASCII text is kept');
  });

  test('the source action source.convertToCffi converts the whole file', async () => {
    const { document: doc } = await openFixture('convertible.py');
    await waitForCode(doc.uri, 'PB101');
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions = await codeActionsAt(doc.uri, whole, 'source.convertToCffi');
    const action = actions.find((a) => a.kind?.value === 'source.convertToCffi');
    assert.ok(action, `no source.convertToCffi action among ${JSON.stringify(actions.map((a) => a.title))}`);
    await applyCodeAction(action);
    const text = await waitFor('the converted file', () => (doc.getText().includes('ffi.cdef') ? doc.getText() : undefined));
    assert.doesNotMatch(text, /\bctypes\b/, 'the file no longer uses ctypes');
    assert.match(text, /size_t\s+strlen\s*\(/, 'strlen declared with its restype');
    assert.match(text, /long\s+labs\s*\(\s*long/, 'labs declared from argtypes and restype');
    await waitFor('PB101 gone after conversion', () => withCode(doc.uri, 'PB101').length === 0);
  });
});
