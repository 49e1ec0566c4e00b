import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadGrammars } from '../../server/src/parser/languages';
import { DocumentService } from '../../server/src/service/documentService';

test('LSP changes, several per notification and some out of range, keep text, regions and model in step', async () => {
  const service = new DocumentService(await loadGrammars());
  const uri = 'file:///t/doc.py';
  const initial = 'import ctypes\nlibc = ctypes.CDLL(None)\nlibc.strlen.restype = ctypes.c_size_t\n';
  service.open(uri, 'python', 1, initial);
  // an independent reference: vscode-languageserver-textdocument applying the same changes
  let reference = TextDocument.create(uri, 'python', 1, initial);
  const batches = [
    [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# é😀\n' }, { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } }, text: 'libz' }],
    [{ range: { start: { line: 40, character: 3 }, end: { line: 50, character: 0 } }, text: 'x = libz.crc32(0)\n' }],
    [{ text: 'import cffi\nffi = cffi.FFI()\n' }, { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'lib = ffi.dlopen(None)\n' }],
  ];
  let version = 1;
  for (const changes of batches) {
    version++;
    service.change(uri, version, changes);
    reference = TextDocument.update(reference, changes, version);
    const doc = service.get(uri)!;
    assert.equal(doc.text.getText(), reference.getText());
    assert.equal(doc.parsed.text, reference.getText());
    assert.equal(doc.parsed.regions.map((r) => r.text).join(''), reference.getText());
    assert.equal(service.model(uri)!.text, reference.getText());
  }
  const ffi = service.model(uri)!.cffi.ffis[0];
  assert.equal(ffi?.name, 'ffi', 'the model follows the full replacement');
  assert.equal(ffi?.libs[0]?.name, 'lib', 'and the edit after it in the same notification');
  service.dispose();
});
