import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { GUIDE_CTYPES_SENTENCE, hoverMarkdown, hoverText, openFixture, positionOf, restoreEditors, waitFor } from './helpers';

function hoversAt(uri: vscode.Uri, position: vscode.Position): Thenable<vscode.Hover[]> {
  return vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
}

suite('hover', () => {
  teardown(restoreEditors);

  test('hovering "ctypes" quotes the guide\'s CTypes section', async () => {
    const { document: doc } = await openFixture('slow_strlen.py');
    const at = positionOf(doc, 'import ctypes', 'import '.length + 2);
    const hovers = await waitFor('a hover on ctypes', async () => {
      const h = await hoversAt(doc.uri, at);
      return hoverText(h).includes(GUIDE_CTYPES_SENTENCE) ? h : undefined;
    });
    const text = hoverText(hovers);
    assert.match(text, /CTypes/, 'the hover names the section it quotes');
    assert.match(text, /as compatible as possible with the CPython ctypes version/, 'a second sentence of the section, verbatim');
    assert.match(hoverMarkdown(hovers), /\]\(https:\/\/(doc\.pypy\.org|pypy\.readthedocs\.io)\/[^)]*extending/, 'the hover links to the guide online');
  });

  test('hovering "FFI" in cffi code quotes the guide\'s CFFI section', async () => {
    const { document: doc } = await openFixture('cffi_strlen.py');
    const at = positionOf(doc, 'ffi = FFI()', 'ffi = '.length + 1);
    const text = await waitFor('a hover on FFI', async () => {
      const t = hoverText(await hoversAt(doc.uri, at));
      return /CFFI is the recommended way/.test(t) ? t : undefined;
    });
    assert.ok(!text.includes(GUIDE_CTYPES_SENTENCE), 'the CFFI hover does not quote the CTypes section');
  });

  test('a user\'s own "lib" in ordinary Python gets no guide hover', async () => {
    const { document: doc } = await openFixture('plain.py');
    // Wait until the server answers hovers at all in this window (the CTypes one), then ask about plain.py.
    const { document: ctypesDoc } = await openFixture('slow_strlen.py');
    await waitFor('the server to answer hovers', async () =>
      hoverText(await hoversAt(ctypesDoc.uri, positionOf(ctypesDoc, 'import ctypes', 9))).includes(GUIDE_CTYPES_SENTENCE),
    );
    const text = hoverText(await hoversAt(doc.uri, positionOf(doc, 'lib = Library()', 1)));
    assert.doesNotMatch(text, /PyPy|CFFI|ctypes/i, `unexpected hover on a plain "lib": ${text}`);
  });
});
