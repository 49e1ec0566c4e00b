import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { DiagnosticObjects, findingsFor, toDiagnostic } from '../../server/src/lsp/diagnostics';
import { loadGrammars, type Grammars } from '../../server/src/parser/languages';
import { DocumentService } from '../../server/src/service/documentService';
import { rng } from '../protocol/fuzzLsp';

// Incremental equals fresh on the bench's own files: after every seeded random edit the diagnostics (and what
// the rules read of the model) of the edited document (regions, caches, the evaluation and the workspace state carried over from the previous
// version) equal those of a fresh service opening the same text. The files are the bench's generators at a
// tenth of their size (they are not under test/, so they are loaded at run time rather than compiled here).
interface Shapes {
  glCompatShaped(lines: number): string;
  xlibShaped(lines: number): string;
  vlcShaped(lines: number): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const shapes = require(path.resolve(__dirname, '../../bench/shapes.ts')) as Shapes;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bindingFile } = require(path.resolve(__dirname, '../../bench/generate.ts')) as { bindingFile(lines: number, undeclaredEvery?: number): string };

const FILES = [
  { name: 'gl_compat-shaped', text: () => shapes.glCompatShaped(700), sites: /glFunction\d+|GL_CONSTANT_NAME_\d+/g },
  { name: 'xlib-shaped', text: () => shapes.xlibShaped(700), sites: /XFunction\d+|struct_anon_\d+/g },
  { name: 'vlc-shaped', text: () => shapes.vlcShaped(1_400), sites: /libvlc_function_\d+|method_\d+|_Cfunction|dll\b/g },
  { name: 'synthetic, a finding every few lines', text: () => bindingFile(1_000, 2), sites: /func_\d+|cf_\d+|_lib\b/g },
];

// what typing does to a binding file: names, calls, declarations, helpers, broken and repaired syntax
const TOKENS = [
  '9', 'x', '_', ' ', '\n', '(', ')', '[', ']', '"', "'", '#', '.', ',', '=', ':', 'lib.', '.restype = ctypes.c_char_p\n', '.argtypes = []\n',
  'def helper(name):\n    return getattr(dll, name)\n', 'global _Cfunctions\n', '    ', 'None', 'ctypes.c_double', '_lib.func_3(1.5)\n',
  'f = _Cfunction("libvlc_function_2", ((1,),), None, ctypes.c_int)\n', 'for n in ["a", "b"]:\n    setattr(dll, n, None)\n',
  'for _n in ["func_1", "func_3", "XFunction2"]:\n    getattr(_lib, _n).restype = ctypes.c_char_p\n', 'def declare(f):\n    f.argtypes = [ctypes.c_int]\n', 'declare(_lib.func_1)\n',
  'class K(ctypes.Structure):\n    _fields_ = [("a", ctypes.c_int)]\n', 'import ctypes\n', 'from cffi import FFI\n', '"""', 'x.decode()\n',
];

/** The diagnostics as JSON; `kept`: through the server's DiagnosticObjects (the last answer's objects reused), else each made afresh. */
function diagnostics(service: DocumentService, uri: string, kept?: DiagnosticObjects): string {
  const doc = service.get(uri)!;
  const findings = findingsFor(service.model(uri)!, DEFAULT_SETTINGS);
  return JSON.stringify(kept ? kept.convert(uri, doc.text, findings) : findings.map((f) => toDiagnostic(doc.text, f)));
}

/** What the rules read of the model (spans as offsets): structs and their fields, functions and their declarations, prototypes, ffis. */
function modelSummary(service: DocumentService, uri: string): string {
  const m = service.model(uri)!;
  const at = (s: { start: number; end: number } | undefined) => (s ? [s.start, s.end] : null);
  const type = (t: { kind: string; name?: string } | undefined): unknown => (t ? `${t.kind}:${t.name ?? ''}` : null);
  return JSON.stringify({
    structs: m.ctypes.structs.map((s) => [s.name, at(s.nameSpan), s.base, s.isUnion, s.pack, s.anonymous, s.hasBitFields, at(s.fieldsSpan), s.fields?.map((f) => [f.name, type(f.type), f.bits])]),
    functions: m.ctypes.functions.map((f) => [f.library.name, m.ctypes.libraries.indexOf(f.library), f.name, f.refs.map(at), f.aliases, f.calls.map((c) => [at(c.span), c.args.map((a) => a.text)]), f.argtypes?.value.text, f.argtypes?.types?.map(type), type(f.restype?.type), at(f.errcheck?.statementSpan), f.cPrototype?.returns, 'cPrototype' in f, at(f.declaredBy), f.declaredElsewhere && [f.declaredElsewhere.module, f.declaredElsewhere.errcheck, f.declaredElsewhere.argtypes?.map(type), type(f.declaredElsewhere.restype)]]),
    prototypes: m.ctypes.prototypes.map((p) => [p.name, type(p.restype), p.argtypes.map(type)]),
    instances: m.ctypes.instances.map((i) => [i.name, i.struct.name]),
    ffis: m.cffi.ffis.map((f) => [f.name, f.mode, f.cdefs.map((c) => [at(c.stringSpan), c.declarations.length, c.problems.length])]),
    libAccesses: m.cffi.libAccesses.length,
  });
}

function freshDiagnostics(g: Grammars, uri: string, text: string): string {
  const fresh = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  fresh.open(uri, 'python', 1, text);
  try {
    return diagnostics(fresh, uri) + modelSummary(fresh, uri);
  } finally {
    fresh.dispose();
  }
}

for (const [n, file] of FILES.entries()) {
  test(`${file.name}: diagnostics and model after each of 30 seeded random edits equal a fresh analysis of the same text`, async () => {
    const g = await loadGrammars();
    const random = rng(1500 + n);
    const uri = `file:///incremental/${n}.py`;
    const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
    service.open(uri, 'python', 1, file.text());
    const kept = new DiagnosticObjects();
    assert.equal(diagnostics(service, uri, kept) + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()), 'after open');
    let findings = 0;
    for (let step = 0; step < 30; step++) {
      const doc = service.get(uri)!.text;
      const text = doc.getText();
      const sites = [...text.matchAll(file.sites)].map((m) => m.index! + Math.min(2, m[0].length));
      const r = random();
      let at: number;
      let remove = 0;
      let insert: string;
      if (r < 0.5 && sites.length) {
        // a keystroke inside a name the bindings use, or its undo (as the bench types)
        at = sites[Math.floor(random() * sites.length)]!;
        if (random() < 0.5) insert = '9';
        else {
          remove = 1;
          insert = '';
        }
      } else {
        at = Math.floor(random() * (text.length + 1));
        if (random() < 0.3) at = text.lastIndexOf('\n', at - 1) + 1;
        remove = random() < 0.3 ? Math.min(text.length - at, Math.floor(random() * 40)) : 0;
        insert = TOKENS[Math.floor(random() * TOKENS.length)]!;
        if (insert.endsWith('\n') && random() < 0.8) {
          // a statement pasted at a line start (the rest of the time into the middle of one)
          at = text.lastIndexOf('\n', at - 1) + 1;
          remove = 0;
        }
      }
      service.change(uri, step + 2, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + remove) }, text: insert }]);
      const incremental = diagnostics(service, uri, kept);
      assert.equal(incremental + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()), `step ${step}: ${JSON.stringify(insert)} at ${at} (removing ${remove})`);
      findings += JSON.parse(incremental).length;
    }
    service.dispose();
    // the comparisons were about something: these files have findings (the synthetic one many)
    if (n === 3) assert.ok(findings > 30 * 50, `${findings} findings`);
  });
}

// Edits inside the methods of large classes (a region of one class statement, tens of KB: its flat copy is made
// from the last one, parser/flatTree.ts), and to the class-level statements around them (`_fields_`, class
// attributes, the bases): after each seeded edit the diagnostics and model equal a fresh analysis.
test('edits inside the methods of large classes and to their class-level statements equal a fresh analysis', async () => {
  const g = await loadGrammars();
  const methods = Array.from({ length: 300 }, (_, i) => [
    '', `    def get_${i}(self, n):`, `        '''Reads field ${i}.'''`, `        r = dll.big_get_${i}(ctypes.byref(self), n)`, `        return r + self.a`,
  ].join('\n'));
  const big = [
    'class Big(ctypes.Structure):', "    '''A structure with many methods.'''", '    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_char_p)]', '    kind = 1',
    ...methods, '', 'dll.big_get_0.argtypes = [ctypes.POINTER(Big), ctypes.c_int]', 'b = Big(1, b"x")', '',
  ].join('\n');
  const text = `${shapes.vlcShaped(3_000)}\n${big}`;
  const classes = ['class MediaPlayer(', 'class Big('];
  const TOKENS = ['9', 'x', '_', '(', ')', ',', '.', ' ', '\n', "'", 'dll.', 'dll.other(1)', 'ctypes.c_double', 'libvlc_function_3(self, value)',
    '\n    def added(self):\n        return dll.added_fn(1)\n', '    _fields_ = [("c", ctypes.c_double)]\n', '    _pack_ = 1\n', '    kind = dll\n', 'ctypes.Union'];
  const random = rng(9901);
  const uri = 'file:///incremental/classes.py';
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  service.open(uri, 'python', 1, text);
  const kept = new DiagnosticObjects();
  assert.equal(diagnostics(service, uri, kept) + modelSummary(service, uri), freshDiagnostics(g, uri, text), 'after open');
  let findings = 0;
  let version = 1;
  for (let step = 0; step < 40; step++) {
    const doc = service.get(uri)!.text;
    const cur = doc.getText();
    // a place inside one of the two classes: a method line (a name, a call) or a class-level line start
    const which = classes[step % 2]!;
    const from = cur.indexOf(which);
    const to = cur.indexOf(step % 2 === 0 ? '\ndef ' : '\ndll.big_get_0', from);
    let at = from + which.length + Math.floor(random() * (to - from - which.length));
    let remove = 0;
    const insert = TOKENS[Math.floor(random() * TOKENS.length)]!;
    if (insert.startsWith('    ') || insert.startsWith('\n    def')) at = cur.lastIndexOf('\n', at - 1) + 1;
    else if (random() < 0.3) remove = Math.floor(random() * 4);
    service.change(uri, ++version, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + remove) }, text: insert }]);
    const incremental = diagnostics(service, uri, kept);
    assert.equal(incremental + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()), `step ${step}: ${JSON.stringify(insert)} at ${at} (removing ${remove})`);
    findings += JSON.parse(incremental).length;
    // most edits are undone at once, as typing corrects itself: the classes stay long and mostly well formed
    if (random() < 0.6) {
      const back = service.get(uri)!.text;
      service.change(uri, ++version, [{ range: { start: back.positionAt(at), end: back.positionAt(at + insert.length) }, text: cur.slice(at, at + remove) }]);
      assert.equal(service.get(uri)!.text.getText(), cur);
      assert.equal(diagnostics(service, uri, kept) + modelSummary(service, uri), freshDiagnostics(g, uri, cur), `step ${step} undone`);
    }
  }
  service.dispose();
  assert.ok(findings > 0, `${findings} findings`);
});

// The cdef declaration tables the cffi rules read are reused while every cdef of the ffi is the same parse: an
// edit to a later cdef (the first one unchanged, in another region) must give a new table.
test('an edit to a later cdef of an ffi changes the declarations its lib accesses are checked against', async () => {
  const g = await loadGrammars();
  const filler = Array.from({ length: 1_000 }, (_, i) => `x_${i} = ${i}\n`).join('');
  const text = `from cffi import FFI\nffi = FFI()\nffi.cdef("int f(int);")\n${filler}ffi.cdef("int g(int);")\n${filler}lib = ffi.dlopen(None)\nlib.f(1)\nlib.g(2)\n`;
  const uri = 'file:///incremental/cdefs.py';
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  service.open(uri, 'python', 1, text);
  const codes = () => JSON.parse(diagnostics(service, uri)).map((d: { code: string }) => d.code);
  assert.deepEqual(codes(), []);
  const doc = service.get(uri)!.text;
  const at = text.indexOf('int g(') + 'int '.length;
  service.change(uri, 2, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + 1) }, text: 'h' }]);
  assert.equal(diagnostics(service, uri) + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()));
  assert.deepEqual(codes(), ['PB305']);
  service.change(uri, 3, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + 1) }, text: 'g' }]);
  assert.deepEqual(codes(), []);
  service.dispose();
});

// An edit inside function bodies updates the open document's evaluation in place (workspace/evaluate.ts
// `reevaluateModule`: only the late-pass units that ran the edited bodies, and those that read what they wrote, run
// again); any other edit evaluates afresh. Both paths must equal a fresh analysis; `reused` says which one ran.
test('edits inside function bodies reuse the evaluation, edits reaching the module-level pass do not; both equal a fresh analysis', async () => {
  const g = await loadGrammars();
  const vlc = shapes.vlcShaped(1_400);
  const own = [
    'import ctypes', "lib = ctypes.CDLL('libfoo.so')", 'table = {}', '',
    'def put():', "    table['f'] = lib.foo_a", '',
    'def get():', "    return table['f'](1)", '',
    'def names():', '    for k in table:', '        getattr(lib, k + "_x")(0)', '',
    'def setup():', "    table['g'] = lib.foo_c", '', 'setup()', '',
    // keys put by one function each, read after: a re-run put takes its key out and puts it back at the end, then
    // back in its place (evaluate.ts `shiftDictIndex`, `reorder`); the reads find each key where it is now
    'def put_p():', "    reg['p'] = lib.foo_p", '',
    'def put_q():', "    reg['q'] = lib.foo_q", '',
    'def put_r():', "    reg['r'] = lib.foo_r", '',
    'def put_s():', "    reg['s'] = lib.foo_s", '',
    'def use_reg():', "    reg['p'](1)", "    reg['q'](1, 2)", "    reg['r'](1, 2, 3)", "    reg['s'](b'x')", '    for k in reg:', '        getattr(lib, k + "_y")(0)', '',
  ].join('\n').replace("table = {}", "table = {}\nreg = {}");
  const nested = [
    'import ctypes', "lib = ctypes.CDLL('libfoo.so')", '',
    'class K(object):', '    kind = None', '',
    '    def first(self):', '        return 1', '',
    '    def second(self):', '        return lib.foo_b(2)', '',
    '    def third(self):', '        def inner():', '            return lib.foo_x(1)', '        return inner()', '',
    // two methods of the same text (one lowering, shared, at two anchors: each call site is its own)
    'class A(object):', '    def run(self):', '        return make()(1.5)', '',
    'class B(object):', '    def run(self):', '        return make()(1.5)', '',
    'def make():', '    return lib.foo_m', '',
    'm = make()', 'm(lambda: 1, 2.5)', '',
    'done = 1', '',
  ].join('\n');
  const cases: { file: string; what: string; find: string; replace: string; reused: boolean }[] = [
    { file: vlc, what: 'a C name in a wrapper body', find: "_Cfunction('libvlc_function_5'", replace: "_Cfunction('libvlc_function_5x'", reused: true },
    // method_3 now runs libvlc_function_4 before method_4 does: it would read what a later unit wrote, so afresh
    { file: vlc, what: 'a method calling a function a later method calls', find: 'return libvlc_function_3(self, value)', replace: 'return libvlc_function_4(self, value)', reused: false },
    { file: vlc, what: 'a method calling a name that is not bound', find: 'return libvlc_function_6(self, value)', replace: 'return libvlc_function_6x(self, value)', reused: true },
    { file: vlc, what: 'a method no longer calling its function (which then runs on its own)', find: 'return libvlc_function_7(self, value)', replace: 'return None', reused: true },
    { file: vlc, what: 'the helper every wrapper calls', find: '            f.errcheck = errcheck', replace: '            f.errcheck = errcheck\n            f.restype = ctypes.c_char_p', reused: true },
    { file: vlc, what: 'a function the module calls while it is imported', find: "find_library('vlc')", replace: "find_library('vlcx')", reused: false },
    { file: vlc, what: 'a call added at module level', find: '\nclass Instance(', replace: '\nlibvlc_function_2(None)\nclass Instance(', reused: false },
    { file: vlc, what: 'a renamed method', find: 'def method_2(', replace: 'def method_2x(', reused: true },
    { file: vlc, what: 'a renamed function a method calls', find: 'def libvlc_function_8(', replace: 'def libvlc_function_8x(', reused: true },
    { file: vlc, what: 'a renamed function the module calls', find: 'def find_lib(', replace: 'def find_libx(', reused: false },
    { file: own, what: 'a dict value another function reads', find: "table['f'] = lib.foo_a", replace: "table['f'] = lib.foo_b", reused: true },
    { file: own, what: 'a dict key another function iterates', find: "table['f'] = lib.foo_a", replace: "table['h'] = lib.foo_a", reused: true },
    { file: own, what: 'a function the module calls', find: "table['g'] = lib.foo_c", replace: "table['g'] = lib.foo_d", reused: false },
    { file: own, what: 'the first of four keys put again', find: "reg['p'] = lib.foo_p", replace: "reg['p'] = lib.foo_p2", reused: true },
    { file: own, what: 'a middle key put again', find: "reg['q'] = lib.foo_q", replace: "reg['q'] = lib.foo_q2", reused: true },
    { file: own, what: 'a middle key renamed', find: "reg['r'] = lib.foo_r", replace: "reg['p'] = lib.foo_r", reused: false },
    { file: own, what: 'a middle key replaced by a new one', find: "reg['r'] = lib.foo_r", replace: "reg['t'] = lib.foo_r", reused: true },
    { file: own, what: 'the last key put again', find: "reg['s'] = lib.foo_s", replace: "reg['s'] = lib.foo_s2", reused: true },
    { file: own, what: 'a key put twice', find: "reg['q'] = lib.foo_q", replace: "reg['q'] = lib.foo_q\n    reg['p'] = lib.foo_t", reused: false },
    // a keystroke in one method lowers that method alone; the others keep their lowering (pyir.ts `DefReuse`), also
    // those after it, which moved: their offsets are relative to the def. A def with a def inside (a region offset
    // in its anchor) is lowered again; a lowering reused for it would leave the inner call's span where it was.
    { file: nested, what: 'a method before one with a closure', find: 'return 1\n', replace: 'return 12\n', reused: true },
    { file: nested, what: 'a method renamed before one with a closure', find: 'def first(', replace: 'def first_one(', reused: true },
    { file: nested, what: 'the closure itself', find: 'lib.foo_x(1)', replace: 'lib.foo_x(1, 2)', reused: true },
    { file: nested, what: 'a method moved after another', find: '    def second(self):\n        return lib.foo_b(2)\n', replace: '', reused: false },
    { file: nested, what: 'the class body outside methods', find: '    kind = None', replace: '    kind = lib', reused: false },
    // the evaluation stands (the lowering is the same), the call's text is not: its call site is made again
    { file: nested, what: 'an argument the lowering does not read', find: 'm(lambda: 1, 2.5)', replace: 'm(lambda: 7, 2.5)', reused: true },
    { file: nested, what: 'a def of the same text at another depth', find: '\ndone = 1', replace: '\ndef second(self):\n        return lib.foo_b(2)\ndone = 1', reused: false },
  ];
  let n = 0;
  for (const file of [vlc, own, nested]) {
    const uri = `file:///incremental/reuse-${n++}.py`;
    const workspace = new WorkspaceIndex(g.pythonParser);
    const service = new DocumentService(g, workspace);
    service.open(uri, 'python', 1, file);
    service.model(uri);
    let version = 1;
    for (const c of cases.filter((x) => x.file === file)) {
      for (const [find, replace, label] of [[c.find, c.replace, c.what], [c.replace, c.find, `${c.what} (undone)`]] as const) {
        const doc = service.get(uri)!.text;
        const at = doc.getText().indexOf(find);
        assert.ok(at >= 0, `${label}: ${find}`);
        const before = workspace.reused;
        service.change(uri, ++version, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + find.length) }, text: replace }]);
        const incremental = diagnostics(service, uri) + modelSummary(service, uri);
        assert.equal(workspace.reused - before, c.reused ? 1 : 0, `${label}: reused`);
        assert.equal(incremental, freshDiagnostics(g, uri, service.get(uri)!.text.getText()), label);
      }
    }
    service.dispose();
  }
});

// Another module's evaluation may run this module's code and write into its values: once one has read it, an edit
// to it is evaluated afresh (and the module reading it is re-linked).
test('an edit inside a function of a module another module reads evaluates it afresh; both equal a fresh analysis', async () => {
  const g = await loadGrammars();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-reuse-'));
  const files = {
    'helpers.py': ['import ctypes', "lib = ctypes.CDLL('libfoo.so')", 'table = {}', '', 'def put(name):', '    table[name] = getattr(lib, name)', '    return table[name]', '', 'def late():', '    return lib.foo_a(1)', ''].join('\n'),
    'app.py': ['from helpers import put', '', "f = put('foo_b')", 'f(2)', ''].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const uris = Object.keys(files).map((n) => pathToFileURL(path.join(dir, n)).href);
  const state = (service: DocumentService) => uris.map((u) => diagnostics(service, u) + modelSummary(service, u)).join('\n');
  const serviceOf = (texts: string[]) => {
    const workspace = new WorkspaceIndex(g.pythonParser);
    for (const n of Object.keys(files)) workspace.addFile(path.join(dir, n));
    const service = new DocumentService(g, workspace);
    uris.forEach((u, i) => service.open(u, 'python', 1, texts[i]!));
    return { service, workspace };
  };
  try {
    const { service, workspace } = serviceOf(Object.values(files));
    state(service);
    const doc = service.get(uris[0]!)!.text;
    const at = doc.getText().indexOf('foo_a');
    service.change(uris[0]!, 2, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + 5) }, text: 'foo_c' }]);
    const incremental = state(service);
    assert.equal(workspace.reused, 0, 'read by app.py: not updated in place');
    const fresh = serviceOf(uris.map((u) => service.get(u)!.text.getText()));
    assert.equal(incremental, state(fresh.service));
    fresh.service.dispose();
    service.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The link reuses the functions and libraries of the last link when an edit leaves the library statements, the
// aliases and the type names as they were (AnalyzeOptions.reuse): edits that move a fact another region reads
// must still give a fresh analysis's model. Each edit below is applied in turn; every section is its own region.
// (No getattr or helper here: those files are evaluated, and a model linked with an evaluation is never reused.)
test('edits to facts that other regions read: libraries, signatures, structs, aliases, a function moving', async () => {
  const g = await loadGrammars();
  const filler = (tag: string) => Array.from({ length: 400 }, (_, i) => `${tag}_${i} = ${i}\n`).join('');
  const sections = [
    'import ctypes\nfrom ctypes import Structure, POINTER, c_int, c_double, c_char_p\n_lib = ctypes.CDLL(None)\nother = ctypes.CDLL("libm.so.6")\n',
    'class Point(Structure):\n    _fields_ = [("x", c_int), ("y", c_double)]\n',
    '_lib.strlen.argtypes = [c_char_p]\n_lib.abs.argtypes = [c_int]\n',
    'n = _lib.strlen(b"abc")\nr = _lib.abs(3)\nv = _lib.getenv(b"HOME").decode()\n',
    'h = _lib.opaque_open(b"x")\ns = ctypes.string_at(_lib.opaque_name(1))\n', // PB204 from what other calls do with the result
    '_lib.move.argtypes = [POINTER(Point)]\n_lib.move(None, 2.5)\n',
    'q = _lib.sqrt(2.0)\nw = other.cos(1.5)\n',
    'p = _lib.puts\np(b"x")\n',
    'class Later(Structure):\n    pass\n_lib.take.argtypes = [POINTER(Later)]\n',
    'Later._fields_ = [("a", c_int)]\nbytes(Later())\n',
    'ctypes.string_at(h)\n',
    'pt = Point()\nbytes(pt)\nkeep = _lib.register(id(pt))\n', // an instance of a struct of another region; id() passed to C
  ];
  const text = sections.map((s, i) => s + filler(`f${i}`)).join('');
  const uri = 'file:///incremental/cross.py';
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  service.open(uri, 'python', 1, text);
  const kept = new DiagnosticObjects();
  diagnostics(service, uri, kept);
  const edits: [string, string][] = [
    ['_lib.strlen.argtypes = [c_char_p]', '_lib.strlen.argtypes = [c_int, c_double]'], // a signature another region's call reads
    ['_lib.abs.argtypes = [c_int]\n', ''], // argtypes removed: the call in another region has none
    ['r = _lib.abs(3)', 'r = _lib.abs(3.5)'],
    ['_lib.abs(3.5)', '_lib.labs(3.5)'], // the only reference renamed: one function goes, another comes
    ['_lib.labs(3.5)', '_lib.abs(3.5)'],
    ['n = _lib.strlen(b"abc")\n', ''], // strlen's first reference removed: it now starts at its argtypes
    ['_lib.move.argtypes', '_lib.sqrt.argtypes'], // sqrt's first reference moves earlier
    ['class Point(Structure)', 'class Pt(Structure)'], // a struct used by another region's argtypes
    ['class Pt(Structure)', 'class Point(Structure)'],
    ['("y", c_double)', '("y", c_int), ("z", c_int, 3)'],
    ['other = ctypes.CDLL("libm.so.6")', 'other2 = ctypes.CDLL("libm.so.6")'], // a library renamed
    ['_lib = ctypes.CDLL(None)', '_lib = ctypes.CDLL("libc.so.6")'], // a library's path
    ['p = _lib.puts', 'p = _lib.putchar'], // an alias
    ['p(b"x")', 'p(1.5)'],
    ['w = other.cos(1.5)', 'w = other2.cos(1.5)\n_lib.getenv.restype = c_char_p'],
    ['Later._fields_ = [("a", c_int)]', 'Later._fields_ = [("a", c_int, 2)]'], // fields set in another region than the class
    ['class Later(Structure):\n    pass', 'class Later(Structure):\n    _pack_ = 1'],
    ['Later._fields_', 'Lat._fields_'],
    ['Lat._fields_', 'Later._fields_'],
    ['r = _lib.abs(3.5)', 'r = _lib.abs(3.5)  # a longer line: the regions after it move'], // PB204's evidence kept per region
    ['class Point(Structure)', 'class Pt(Structure)'], // the instance's struct goes
    ['class Pt(Structure)', 'class Point(Structure)'],
    ['_lib.register(id(pt))', '_lib.register(pt)'],
    ['ctypes.string_at(h)', 'print(h)'], // the evidence for opaque_open was in another region
    ['print(h)', 'ctypes.string_at(h)'],
    ['from ctypes import Structure,', 'from ctypes import Union as Structure,'], // the imports: every region again
  ];
  for (const [i, [from, to]] of edits.entries()) {
    const doc = service.get(uri)!.text;
    const at = doc.getText().indexOf(from);
    assert.ok(at >= 0, `edit ${i}: ${from}`);
    service.change(uri, i + 2, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + from.length) }, text: to }]);
    assert.equal(diagnostics(service, uri, kept) + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()), `edit ${i}: ${JSON.stringify(from)} → ${JSON.stringify(to)}`);
  }
  service.dispose();
});

// One function the workspace link makes (declared through a helper) outlives edits to other bodies that add, move or
// drop its references and calls and change its declarations: each edit must give what a fresh analysis gives.
test('a function the workspace link makes reads as a fresh analysis after edits to its sites and declarations', async () => {
  const g = await loadGrammars();
  const text = [
    'import ctypes', 'dll = ctypes.CDLL("libfoo.so.1")', '',
    'def _Cfunction(name):', '    return getattr(dll, name)', '',
    'def foo_open(x):', "    f = _Cfunction('foo_open')", '    return f(x)', '',
    'def setup():', "    _Cfunction('foo_open').restype = ctypes.c_char_p", '',
    'def other(x):', "    return _Cfunction('foo_open')(x, x)", '',
    'def third(y):', "    g = _Cfunction('foo_close')", '    return g(y)', '',
    'def fourth():', "    h = _Cfunction('foo_open')", '    return h', '',
  ].join('\n');
  const uri = 'file:///incremental/linkReuse.py';
  const service = new DocumentService(g, new WorkspaceIndex(g.pythonParser));
  service.open(uri, 'python', 1, text);
  const kept = new DiagnosticObjects();
  diagnostics(service, uri, kept);
  const edits: [string, string][] = [
    ['    return g(y)', '    return g(y, 1)'], // another function's call: foo_open is kept
    ['    return h', '    return  h'], // a reference moves, no call changes
    ['    return  h', '    return h'],
    ["(x, x)", "(x, x, 2)"], // foo_open's call in another body changes
    ["    return _Cfunction('foo_open')", "    return  _Cfunction('foo_open')"], // its reference and call move
    ["ctypes.c_char_p", "ctypes.c_int"], // its restype, declared in another body
    ["    _Cfunction('foo_open').restype = ctypes.c_int", "    pass"], // the declaration goes
    ["    return  _Cfunction('foo_open')(x, x, 2)", "    return 0"], // a reference and a call go
    ["    return 0", "    return _Cfunction('foo_open')"], // a reference comes back, no call
    ['    return g(y, 1)', '    return g(y)'],
  ];
  for (const [i, [from, to]] of edits.entries()) {
    const doc = service.get(uri)!.text;
    const at = doc.getText().indexOf(from);
    assert.ok(at >= 0, `edit ${i}: ${from}`);
    service.change(uri, i + 2, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + from.length) }, text: to }]);
    assert.equal(diagnostics(service, uri, kept) + modelSummary(service, uri), freshDiagnostics(g, uri, service.get(uri)!.text.getText()), `edit ${i}: ${JSON.stringify(from)} → ${JSON.stringify(to)}`);
  }
  service.dispose();
});
