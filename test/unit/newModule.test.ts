/**
 * "New Binding Module" file generation: every style's files are valid Python, written to a temporary
 * folder the cffi and ctypes ones import and run under PyPy and CPython, and setup.py edits are minimal
 * and idempotent.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { linkName, parseLibraryInput } from '../../server/src/newModule/libraryInput';
import { maskStringsAndComments } from '../../server/src/newModule/setupPy';
import {
  BINDING_STYLES,
  checkModuleName,
  cffiModulesEntry,
  generateModule,
  GeneratedModule,
  mergeCffiModule,
  setupPyWithCffiModule,
} from '../../server/src/newModule/templates';
import { INTERPRETERS, pythonSyntaxErrors, runPython, runPythonOk, tempFolder } from '../snippets/pythons';

function writeModule(dir: string, generated: GeneratedModule): void {
  for (const f of generated.files) {
    const target = path.join(dir, ...f.relativePath.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content);
  }
  if (generated.cffiModulesEntry) {
    const merged = setupPyWithCffiModule(undefined, generated.cffiModulesEntry.replace(/_build\.py:ffibuilder$/, ''));
    assert.ok(merged.ok);
    fs.writeFileSync(path.join(dir, 'setup.py'), merged.text);
  }
}

/** The keyword arguments of setup(...) whose values are literals, read by CPython's ast. */
function setupKeywords(sources: string[]): Record<string, unknown>[] {
  const script = [
    'import ast, json, sys',
    'out = []',
    'for src in json.load(sys.stdin):',
    '    calls = [n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "setup"]',
    '    kw = {}',
    '    for k in calls[0].keywords:',
    '        try: kw[k.arg] = ast.literal_eval(k.value)',
    '        except ValueError: kw[k.arg] = "<expr>"',
    '    out.append(kw)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = runPython('/usr/bin/python3', ['-c', script], process.cwd(), JSON.stringify(sources));
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('module names and library input', () => {
  it('accepts identifiers only', () => {
    assert.equal(checkModuleName('my_zlib2'), undefined);
    for (const bad of ['2lib', 'my-lib', 'class', '', 'a b']) assert.ok(checkModuleName(bad), bad);
    assert.throws(() => generateModule('ctypes', 'my-lib', 'z'), /invalid module name/);
  });

  it('tells libraries from headers and finds the linker name', () => {
    assert.deepEqual(parseLibraryInput('z zlib.h'), { library: 'z', header: 'zlib.h' });
    assert.deepEqual(parseLibraryInput('<png.h>'), { header: 'png.h' });
    assert.deepEqual(parseLibraryInput('  libz.so.1 '), { library: 'libz.so.1' });
    assert.deepEqual(parseLibraryInput(''), {});
    assert.equal(linkName('libz.so.1'), 'z');
    assert.equal(linkName('/opt/x/libfoo.dylib'), 'foo');
    assert.equal(linkName('m'), 'm');
  });
});

describe('generated modules', () => {
  it('are listed in the guide order with cffi first and RPython last', () => {
    assert.deepEqual(
      BINDING_STYLES.map((s) => s.id),
      ['cffi-api', 'cffi-abi-inline', 'cffi-abi-outofline', 'ctypes', 'cppyy', 'rpython'],
    );
  });

  it('are valid Python for every style and input, without the snippets\' example code', () => {
    const sources: { label: string; text: string }[] = [];
    for (const style of BINDING_STYLES) {
      for (const input of ['z zlib.h', 'libfoo.so.2', 'bar.h', '']) {
        const g = generateModule(style.id, 'mymod', input);
        assert.ok(g.files.length > 0);
        assert.equal(new Set(g.files.map((f) => f.relativePath)).size, g.files.length, 'duplicate paths');
        for (const f of g.files) {
          assert.doesNotMatch(f.content, /strerror|zlibVersion|DivT|_example|"example"|example_build/, `${style.id} ${input}: ${f.relativePath}`);
          assert.doesNotMatch(f.content, /\$\{|\$0/, `${f.relativePath} has snippet syntax left`);
          sources.push({ label: `${style.id} [${input}] ${f.relativePath}`, text: f.content });
        }
        assert.equal(g.cffiModulesEntry !== undefined, style.needsCffiModules);
      }
    }
    const errors = pythonSyntaxErrors(sources.map((s) => s.text));
    assert.deepEqual(sources.flatMap((s, i) => (errors[i] ? [`${s.label}: ${errors[i]}`] : [])), []);
  });

  it('use the library and header the user gave', () => {
    const api = generateModule('cffi-api', 'zz', 'z zlib.h');
    const build = api.files.find((f) => f.relativePath === 'zz_build.py')!.content;
    assert.match(build, /#include <zlib\.h>/);
    assert.match(build, /libraries=\["z"\]/);
    assert.match(build, /set_source\(\s*"_zz"/);
    assert.equal(api.cffiModulesEntry, 'zz_build.py:ffibuilder');
    assert.match(api.files.find((f) => f.relativePath === 'zz.py')!.content, /from _zz import ffi, lib/);
    assert.match(generateModule('cffi-abi-inline', 'zz', 'z').files[0].content, /ffi\.dlopen\("z"\)/);
    assert.match(generateModule('cffi-abi-outofline', 'zz', 'z').files[1].content, /ffi\.dlopen\(ctypes\.util\.find_library\("z"\) or "libz\.so"\)/);
    assert.match(generateModule('cffi-abi-outofline', 'zz', './libq.so').files[1].content, /ffi\.dlopen\("\.\/libq\.so"\)/);
    const cppyy = generateModule('cppyy', 'zz', 'zlib.h').files[0].content;
    assert.match(cppyy, /^cppyy\.include\("zlib\.h"\)/m);
    assert.match(cppyy, /^# cppyy\.load_library\("libyourlib"\)/m, 'no library given: the line is a commented hint');
    assert.match(cppyy, /"_cppyy" not in sys\.builtin_module_names/);
  });

  it('lay out an RPython mixed module as PyPy does today: empty __init__.py, moduledef.py', () => {
    const g = generateModule('rpython', 'fast', 'z');
    assert.deepEqual(g.files.map((f) => f.relativePath).sort(), [
      'pypy/module/fast/__init__.py',
      'pypy/module/fast/app_fast.py',
      'pypy/module/fast/interp_fast.py',
      'pypy/module/fast/moduledef.py',
      'pypy/module/fast/test/test_fast.py',
    ]);
    const get = (p: string) => g.files.find((f) => f.relativePath === `pypy/module/fast/${p}`)!.content;
    assert.equal(get('__init__.py'), '');
    assert.match(get('moduledef.py'), /class Module\(MixedModule\)/);
    assert.match(get('moduledef.py'), /"interp_fast\.add"/);
    assert.match(get('moduledef.py'), /"app_fast\.error"/);
    assert.match(get('interp_fast.py'), /libraries=\["z"\]/);
    assert.match(get('test/test_fast.py'), /"usemodules": \["fast"\]/);
  });

  for (const interpreter of INTERPRETERS) {
    it(`cffi ABI in-line: the module imports and calls the C library under ${interpreter}`, () => {
      const tmp = tempFolder('abi');
      try {
        writeModule(tmp.dir, generateModule('cffi-abi-inline', 'cmod', 'c'));
        fs.writeFileSync(
          path.join(tmp.dir, 'main.py'),
          'import cmod\ncmod.ffi.cdef("size_t strlen(const char *);")\nprint(cmod.lib.strlen(b"hello!"))\n',
        );
        assert.equal(runPythonOk(interpreter, ['main.py'], tmp.dir), '6\n');
      } finally {
        tmp.remove();
      }
    });

    it(`cffi ABI out-of-line and ctypes: build, import and open the library under ${interpreter}`, () => {
      const tmp = tempFolder('abi-ool');
      try {
        writeModule(tmp.dir, generateModule('cffi-abi-outofline', 'outmod', 'c'));
        runPythonOk(interpreter, ['outmod_build.py'], tmp.dir);
        assert.ok(fs.existsSync(path.join(tmp.dir, '_outmod.py')), 'the build script wrote _outmod.py');
        writeModule(tmp.dir, generateModule('ctypes', 'ctmod', 'c'));
        fs.writeFileSync(
          path.join(tmp.dir, 'main.py'),
          'import outmod, ctmod\nprint(type(outmod.lib).__name__, ctmod.lib.strlen(b"abc"))\n',
        );
        assert.match(runPythonOk(interpreter, ['main.py'], tmp.dir), /^\w+ 3\n$/);
      } finally {
        tmp.remove();
      }
    });

    it(`cffi API: setup.py builds the extension in place and it imports under ${interpreter}`, () => {
      const tmp = tempFolder('api');
      try {
        writeModule(tmp.dir, generateModule('cffi-api', 'apimod', 'm math.h'));
        runPythonOk(interpreter, ['setup.py', '-q', 'build_ext', '--inplace'], tmp.dir);
        fs.writeFileSync(path.join(tmp.dir, 'main.py'), 'import apimod\nprint(apimod.ffi.sizeof("int"), apimod.lib)\n');
        assert.match(runPythonOk(interpreter, ['main.py'], tmp.dir), /^4 /);
      } finally {
        tmp.remove();
      }
    });
  }
});

describe('setup.py', () => {
  const entry = cffiModulesEntry('mymod');

  it('is created listing the build script the generator writes', () => {
    const created = setupPyWithCffiModule(undefined, 'mymod');
    assert.ok(created.ok);
    const [kw] = setupKeywords([created.text]);
    assert.deepEqual(kw.cffi_modules, [entry]);
    assert.deepEqual(kw.setup_requires, ['cffi>=1.0.0']);
  });

  const cases: { label: string; before: string; cffiModules: string[]; setupRequires: string[] }[] = [
    {
      label: 'an existing multi-line cffi_modules list',
      before: 'from setuptools import setup\n\nsetup(\n    name="p",\n    setup_requires=["cffi>=1.0.0"],\n    cffi_modules=[\n        "a/_a_build.py:ffibuilder",\n    ],\n)\n',
      cffiModules: ['a/_a_build.py:ffibuilder', entry],
      setupRequires: ['cffi>=1.0.0'],
    },
    {
      label: 'a one-line cffi_modules list without trailing comma',
      before: 'from setuptools import setup\nsetup(name="p", cffi_modules=["x_build.py:ffibuilder"], setup_requires=["wheel"])\n',
      cffiModules: ['x_build.py:ffibuilder', entry],
      setupRequires: ['wheel', 'cffi>=1.0.0'],
    },
    {
      label: 'no cffi keywords, arguments one per line, decoys in a docstring and a comment',
      before: '"""Calls setup(cffi_modules=[]) below."""\nfrom setuptools import setup\n\n# setup(\nsetup(\n    name="p",  # the name, with a ) in the comment\n    version="1",\n)\n',
      cffiModules: [entry],
      setupRequires: ['cffi>=1.0.0'],
    },
    {
      label: 'an empty call',
      before: 'import setuptools\nsetuptools.setup()\n',
      cffiModules: [entry],
      setupRequires: ['cffi>=1.0.0'],
    },
  ];

  it('gets the entry added with a minimal edit, keeping every other argument', () => {
    const results = cases.map((c) => {
      const r = mergeCffiModule(c.before, entry);
      assert.ok(r.ok && r.changed, c.label);
      return r.text;
    });
    const before = setupKeywords(cases.filter((c) => !c.before.includes('setuptools.setup')).map((c) => c.before));
    const after = setupKeywords(results.filter((t) => !t.includes('setuptools.setup')));
    cases
      .filter((c) => !c.before.includes('setuptools.setup'))
      .forEach((c, i) => {
        assert.deepEqual(after[i].cffi_modules, c.cffiModules, c.label);
        assert.deepEqual(after[i].setup_requires, c.setupRequires, c.label);
        for (const [k, v] of Object.entries(before[i])) {
          if (k !== 'cffi_modules' && k !== 'setup_requires') assert.deepEqual(after[i][k], v, `${c.label}: ${k}`);
        }
      });
    assert.equal(results[3], `import setuptools\nsetuptools.setup(cffi_modules=["${entry}"], setup_requires=["cffi>=1.0.0"])\n`);
    assert.ok(results[2].startsWith('"""Calls setup(cffi_modules=[]) below."""\nfrom setuptools import setup\n\n# setup(\nsetup(\n'));
    assert.deepEqual(pythonSyntaxErrors(results), results.map(() => undefined));
  });

  it('is left alone when the entry is already there, and refused when it has no setup() call', () => {
    const once = mergeCffiModule(cases[0].before, entry);
    assert.ok(once.ok);
    const twice = mergeCffiModule(once.text, entry);
    assert.deepEqual(twice, { ok: true, text: once.text, changed: false });
    for (const text of ['print("no setup here")\n', 'def setup(app):\n    pass\n', 'sphinx.setup(x)\n']) {
      assert.equal(mergeCffiModule(text, entry).ok, false, text);
    }
    const computed = mergeCffiModule('from setuptools import setup\nsetup(cffi_modules=MODULES)\n', entry);
    assert.equal(computed.ok, false);
  });

  it('sees code only, never strings or comments', () => {
    const text = 'x = "setup(" # setup(\ny = r"a\\"b" + \'\'\'\nsetup(\n\'\'\'\nsetup()';
    const mask = maskStringsAndComments(text);
    assert.equal(mask.length, text.length);
    assert.equal(mask.indexOf('setup('), text.lastIndexOf('setup('));
  });
});
