// `check` on a tree of real code against the plain way of computing the same findings: every file read as
// Python reads it, given to one workspace index, and analysed in full (every region, no pre-filter, the
// file's own text parsed again for the index) then linted. check's shortcuts (texts pinned before any
// analysis, files skipped by the pre-filters, only relevant regions walked, the file's parse reused for its
// own evaluation) must change nothing. The tree: Debian's stdlib modules that bind (ctypes, test.support and
// what they import), python3-magic and python3-libarchive-c, copied at test time, and copies of them made
// awkward (CRLF line ends, a latin-1 coding cookie, a syntax error in a file that binds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { prototypeLookup } from '../../server/src/analysis/prototypes';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { check } from '../../server/src/cli/check';
import { readFileText } from '../../server/src/cli/fileText';
import { parseCheckOptions, withCommandLine } from '../../server/src/cli/options';
import { lineCol, lineStartsOf } from '../../server/src/cli/positions';
import { settingsFromPyproject } from '../../server/src/cli/pyproject';
import { lintOptions } from '../../server/src/config/lintOptions';
import { loadGrammars } from '../../server/src/parser/languages';
import { lint } from '../../server/src/rules/lint';
import { analyzeWorkspaceFile } from '../../server/src/service/analyzeFile';
import { skippedBodiesModule } from '../snippets/skippedBodies';

const STDLIB = '/usr/lib/python3.11';

function copy(src: string, dst: string): void {
  if (fs.statSync(src).isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    for (const e of fs.readdirSync(src)) if (e !== '__pycache__') copy(path.join(src, e), path.join(dst, e));
  } else if (src.endsWith('.py')) fs.copyFileSync(src, dst);
}

function tree(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pb-check-tree-'));
  for (const p of ['ctypes', 'test/support', 'test/libregrtest', 'test/__init__.py', 'uuid.py', 'platform.py', 'subprocess.py', 'tempfile.py', 'unittest', 'doctest.py', 'heapq.py']) {
    assert.ok(fs.existsSync(path.join(STDLIB, p)), `${STDLIB}/${p} missing`);
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    copy(path.join(STDLIB, p), path.join(dir, p));
  }
  for (const pkg of ['magic', 'libarchive']) {
    const src = path.join('/usr/lib/python3/dist-packages', pkg);
    assert.ok(fs.existsSync(src), `${src} missing: install python3-magic and python3-libarchive-c (scripts/system-deps.sh)`);
    copy(src, path.join(dir, pkg));
  }
  const ffi = fs.readFileSync(path.join(dir, 'libarchive/ffi.py'), 'utf8');
  fs.writeFileSync(path.join(dir, 'libarchive/ffi_crlf.py'), ffi.replace(/\n/g, '\r\n'));
  fs.writeFileSync(path.join(dir, 'latin1_binding.py'), Buffer.from('# -*- coding: latin-1 -*-\n"""caf\xe9"""\nimport ctypes\nlibc = ctypes.CDLL(None)\nlibc.printf(b"%f", 2.5)\n', 'latin1'));
  fs.writeFileSync(path.join(dir, 'libarchive/broken.py'), ffi.replace('def get_read_format_function', 'def get_read_format_function(((') + '\nread_next_header2(None, None)\n');
  // a library reached only through the workspace (this file names no binding module)
  fs.writeFileSync(path.join(dir, 'loader_module.py'), 'import ctypes\nlibc = ctypes.CDLL(None)\n');
  fs.writeFileSync(path.join(dir, 'uses_loader.py'), 'from loader_module import libc\nlibc.printf(b"%f", 2.5)\n');
  // what rules read of every import and call, each in a region of its own that names no binding module: a PB202 guard, `_ctypes` (PB201)
  const filler = Array.from({ length: 300 }, (_, i) => `def helper_${i}(x):\n    return x + ${i}\n`).join('\n');
  fs.writeFileSync(path.join(dir, 'guarded_refcount.py'), `import ctypes\nimport sys\n${filler}\nfrom test.support import HAS_REFCOUNT\n${filler}\nn = sys.getrefcount(ctypes)\n`);
  fs.writeFileSync(path.join(dir, 'private_ctypes.py'), `import ctypes\n${filler}\nfrom _ctypes import PyObj_FromPtr\n${filler}\nimport _ctypes\n${filler}\nx = _ctypes.PyObj_FromPtr(1)\n`);
  // imports that change what a name means, alone in their region: a module alias (PB202 found), shadowed builtins (no PB206/PB203)
  fs.writeFileSync(path.join(dir, 'aliased_sys.py'), `import ctypes\n${filler}\nimport sys as s\n${filler}\nn = s.getrefcount(ctypes)\n`);
  fs.writeFileSync(path.join(dir, 'shadowed_builtins.py'), `import ctypes\n${filler}\nfrom mylib import bytes, id\n${filler}\nclass S(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_uint, 2)]\n\nraw = bytes(S())\np = ctypes.c_void_p(id(raw))\n`);
  // imports the pre-filter must see that are not one line naming ctypes/cffi: `_ctypes` alone (PB201), a parenthesized out-of-line ffi, a continued line
  fs.writeFileSync(path.join(dir, 'private_only.py'), 'from _ctypes import PyObj_FromPtr\nx = PyObj_FromPtr(1)\n');
  fs.writeFileSync(path.join(dir, 'paren_ffi.py'), 'from _foo_cffi import (\n    ffi,\n    lib,\n)\np = ffi.new("int")\n');
  fs.writeFileSync(path.join(dir, 'continued_import.py'), 'import os, \\\n    ctypes\nlibc = ctypes.CDLL(None)\nlibc.printf(b"%f", 2.5)\n');
  // a test class whose plain methods check leaves unparsed, with findings in the bodies it must read
  fs.writeFileSync(path.join(dir, 'skipped_bodies.py'), skippedBodiesModule());
  return dir;
}

function pythonFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.py')).map((f) => path.join(dir, f)).sort();
}

test('check on a real tree reports exactly what analysing every file in full reports', { timeout: 300_000 }, async () => {
  const dir = tree();
  try {
    let out = '';
    const status = await check([dir, '--format', 'json'], { out: (s) => (out += s), err: () => {} });
    assert.ok(status === 0 || status === 1, `check exit ${status}`);
    const fromCheck = (JSON.parse(out) as { file: string; line: number; column: number; endLine: number; endColumn: number; code: string; message: string }[])
      .map((f) => `${path.relative(dir, f.file)}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.code} ${f.message}`).sort();

    const g = await loadGrammars();
    const files = pythonFiles(dir);
    const workspace = new WorkspaceIndex(g.pythonParser);
    for (const f of files) workspace.addFile(f);
    const texts = new Map(files.map((f) => [f, readFileText(f).analysisText]));
    for (const [f, t] of texts) workspace.useText(pathToFileURL(f).href, t);
    const settings = withCommandLine(settingsFromPyproject(dir, []), parseCheckOptions([dir]));
    const plain: string[] = [];
    for (const [f, text] of texts) {
      const { model, doc } = analyzeWorkspaceFile(text, pathToFileURL(f).href, g, workspace, prototypeLookup(settings));
      const starts = lineStartsOf(text);
      for (const x of lint(model, lintOptions(settings))) {
        const s = lineCol(starts, x.span.start);
        const e = lineCol(starts, x.span.end);
        plain.push(`${path.relative(dir, f)}:${s.line}:${s.column}-${e.line}:${e.column} ${x.code} ${x.message}`);
      }
      doc.dispose();
    }
    plain.sort();
    assert.deepEqual(fromCheck, plain);
    // the tree gives findings from the stdlib, the real packages and the awkward copies alike
    for (const f of ['ctypes/util.py', 'test/support/__init__.py', 'libarchive/ffi_crlf.py', 'latin1_binding.py', 'libarchive/broken.py', 'uses_loader.py', 'private_ctypes.py', 'aliased_sys.py', 'private_only.py', 'paren_ffi.py', 'continued_import.py', 'skipped_bodies.py']) {
      assert.ok(plain.some((p) => p.startsWith(f + ':')), `a finding in ${f}: ${plain.join('\n')}`);
    }
    assert.ok(!plain.some((p) => p.startsWith('guarded_refcount.py:')), 'the guard import silences PB202');
    assert.ok(!plain.some((p) => p.startsWith('shadowed_builtins.py:')), 'bytes and id imported from elsewhere are not the builtins');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
