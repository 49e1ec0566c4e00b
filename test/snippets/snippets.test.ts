/**
 * The contributed snippets: in sync with their templates, uniquely named, valid Python when every default
 * is accepted, and the cffi/ctypes ones run on PyPy and CPython against the C library.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { renderSnippetFile } from '../../server/src/newModule/snippets';
import { expandSnippet } from './expandSnippet';
import { INTERPRETERS, pythonSyntaxErrors, runPythonOk, tempFolder } from './pythons';
import { repoRoot } from './repo';

interface SnippetEntry {
  prefix: string | string[];
  description: string;
  body: string | string[];
}

const root = repoRoot();
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributed: { language: string; path: string }[] = manifest.contributes?.snippets ?? [];
const snippetFiles = contributed.map((c) => path.join(root, c.path));
const snippets = new Map<string, SnippetEntry>();
for (const file of snippetFiles) {
  for (const [name, entry] of Object.entries<SnippetEntry>(JSON.parse(fs.readFileSync(file, 'utf8')))) {
    assert.ok(!snippets.has(name), `snippet label "${name}" appears twice`);
    snippets.set(name, entry);
  }
}
const byPrefix = new Map([...snippets].map(([name, s]) => [String(s.prefix), { name, ...s }]));

function expansion(prefix: string): string {
  const s = byPrefix.get(prefix);
  assert.ok(s, `no snippet with prefix ${prefix}`);
  return expandSnippet(s.body).text;
}

describe('the default-expansion helper', () => {
  it('follows the snippet grammar: placeholders, mirrors, choices, variables, escapes', () => {
    const e = expandSnippet(['a ${1:x${2:y}} $1 ${3|p,q|} \\$ \\} $TM_FILENAME_BASE ${UNKNOWN_VAR:d} $0']);
    assert.equal(e.text, 'a xy xy p $ } example d ');
    assert.deepEqual([...e.tabstops].sort(), [0, 1, 2, 3]);
    assert.throws(() => expandSnippet('${1:open'), /unterminated/);
    assert.throws(() => expandSnippet('$NOT_A_VARIABLE'), /unknown variable/);
  });
});

describe('snippet manifest', () => {
  it('contributes the python snippet file generated from the templates', () => {
    assert.deepEqual(contributed, [{ language: 'python', path: './snippets/python.json' }]);
    const onDisk = fs.readFileSync(snippetFiles[0], 'utf8');
    assert.equal(
      onDisk,
      renderSnippetFile(),
      'snippets/python.json is stale: node --import tsx server/src/newModule/snippets.ts snippets/python.json',
    );
  });

  it('has unique labels and unique pypy- prefixes, each with a description naming its style', () => {
    assert.ok(snippets.size >= 14, `only ${snippets.size} snippets`);
    const prefixes = [...snippets.values()].map((s) => s.prefix);
    for (const p of prefixes) {
      assert.equal(typeof p, 'string');
      assert.match(p as string, /^pypy-[a-z-]+$/);
    }
    assert.equal(new Set(prefixes).size, prefixes.length, 'duplicate prefixes');
    const labels = [...snippets.keys()].map((l) => l.toLowerCase());
    assert.equal(new Set(labels).size, labels.length, 'labels differ only in case');
    for (const [name, s] of snippets) {
      assert.match(s.description, /cffi|ctypes|cppyy|RPython|setup\.py/, `${name}: description names no style`);
    }
  });

  it('covers every binding style of the guide', () => {
    const needed = [
      'pypy-cffi-abi', 'pypy-cffi-abi-build', 'pypy-cffi-abi-import', 'pypy-cffi-api-build', 'pypy-cffi-api-import',
      'pypy-cffi-setup', 'pypy-cffi-callback', 'pypy-cffi-extern-python', 'pypy-cffi-def-extern', 'pypy-cffi-handle',
      'pypy-ctypes', 'pypy-cppyy', 'pypy-rpython-moduledef', 'pypy-rpython-interp', 'pypy-rpython-app', 'pypy-rpython-test',
    ];
    assert.deepEqual(needed.filter((p) => !byPrefix.has(p)), []);
  });
});

describe('docs/snippets.md', () => {
  it('lists exactly the contributed prefixes and the New Binding Module command', () => {
    const doc = fs.readFileSync(path.join(root, 'docs', 'snippets.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`(pypy-[a-z-]+)`/g)].map((m) => m[1]));
    assert.deepEqual([...documented].sort(), [...byPrefix.keys()].sort());
    const command = (manifest.contributes?.commands ?? []).find((c: { command: string }) => c.command === 'pypyBindings.newBindingModule');
    assert.ok(command, 'package.json does not contribute pypyBindings.newBindingModule');
    assert.ok(doc.includes(`${command.category}: ${command.title}`), `docs do not name "${command.category}: ${command.title}"`);
    assert.ok(doc.includes('`pypyBindings.newBindingModule`'));
  });

  it('README.md shows every prefix and the command too', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const shown = new Set([...readme.matchAll(/`(pypy-[a-z-]+)`/g)].map((m) => m[1]).filter((p) => p !== 'pypy-bindings'));
    assert.deepEqual([...shown].sort(), [...byPrefix.keys()].sort());
    assert.ok(readme.includes('`pypyBindings.newBindingModule`'));
  });
});

describe('snippet expansions', () => {
  it('are valid Python with every default accepted', () => {
    const entries = [...byPrefix.values()];
    const errors = pythonSyntaxErrors(entries.map((s) => expandSnippet(s.body).text));
    const bad = entries.flatMap((s, i) => (errors[i] ? [`${s.prefix}: ${errors[i]}`] : []));
    assert.deepEqual(bad, []);
  });

  it('have tab stops the user can move through, and end at $0', () => {
    for (const s of byPrefix.values()) {
      const { tabstops } = expandSnippet(s.body);
      assert.ok(tabstops.has(0), `${s.prefix} has no $0`);
      assert.ok(tabstops.size >= 2, `${s.prefix} has no placeholder`);
    }
  });

  it('show what each style needs on PyPy', () => {
    assert.match(expansion('pypy-cppyy'), /'_cppyy'|"_cppyy" not in sys\.builtin_module_names/);
    assert.match(expansion('pypy-cppyy'), /-m pip install cppyy/);
    assert.match(expansion('pypy-cppyy'), /cppyy\.include\([\s\S]*cppyy\.load_library\([\s\S]*cppyy\.cppdef\([\s\S]*cppyy\.gbl\./);
    const ctypes = expansion('pypy-ctypes');
    const argtypes = [...ctypes.matchAll(/lib\.(\w+)\.argtypes/g)].map((m) => m[1]).sort();
    const restypes = [...ctypes.matchAll(/lib\.(\w+)\.restype/g)].map((m) => m[1]).sort();
    assert.ok(argtypes.length > 0);
    assert.deepEqual(restypes, argtypes, 'every ctypes function needs both argtypes and restype');
    assert.match(ctypes, /ctypes\.Structure/);
    assert.match(expansion('pypy-rpython-moduledef'), /class Module\(MixedModule\)[\s\S]*interpleveldefs[\s\S]*appleveldefs/);
    assert.match(expansion('pypy-rpython-interp'), /@unwrap_spec[\s\S]*interp2app/);
    assert.match(expansion('pypy-rpython-test'), /class AppTest\w*:/);
    for (const build of ['pypy-cffi-abi-build', 'pypy-cffi-api-build', 'pypy-cffi-extern-python']) {
      assert.match(expansion(build), /if __name__ == "__main__":\n\s+ffibuilder\.compile\(/, build);
    }
    assert.match(expansion('pypy-cffi-setup'), /cffi_modules=\[[\s\S]*setup_requires|setup_requires[\s\S]*cffi_modules=\[/);
    assert.match(expansion('pypy-cffi-def-extern'), /@ffi\.def_extern\(/);
    assert.match(expansion('pypy-cffi-extern-python'), /extern "Python"/);
    assert.match(expansion('pypy-cffi-handle'), /ffi\.new_handle\(/);
    assert.match(expansion('pypy-cffi-handle'), /ffi\.from_handle\(/);
  });
});

/**
 * How each runnable snippet runs: files written from expansions, then commands. Every cffi and ctypes
 * snippet must appear here (checked below), so a new one cannot skip the run.
 */
interface RunPlan {
  files: Record<string, string>;
  commands: string[][];
  expect: RegExp;
}

const RUN_PLANS: Record<string, RunPlan> = {
  'pypy-cffi-abi': { files: { 'main.py': 'pypy-cffi-abi' }, commands: [['main.py']], expect: /^No such file or directory\n$/ },
  'pypy-cffi-callback': { files: { 'main.py': 'pypy-cffi-callback' }, commands: [['main.py']], expect: /^\[1, 2, 3, 4, 5\]\n$/ },
  'pypy-cffi-handle': { files: { 'main.py': 'pypy-cffi-handle' }, commands: [['main.py']], expect: /^\[1, 2, 3, 4, 5\] True\n$/ },
  'pypy-ctypes': { files: { 'main.py': 'pypy-ctypes' }, commands: [['main.py']], expect: /^3 2 5\n$/ },
  'pypy-cffi-abi-build + import': {
    files: { 'example_build.py': 'pypy-cffi-abi-build', 'main.py': 'pypy-cffi-abi-import' },
    commands: [['example_build.py'], ['main.py']],
    expect: /No such file or directory\n$/,
  },
  'pypy-cffi-api-build + import': {
    files: { 'example_build.py': 'pypy-cffi-api-build', 'main.py': 'pypy-cffi-api-import' },
    commands: [['example_build.py'], ['main.py']],
    expect: /5\nNo such file or directory\n$/,
  },
  'pypy-cffi-extern-python + def-extern': {
    files: { 'example_build.py': 'pypy-cffi-extern-python', 'main.py': 'pypy-cffi-def-extern' },
    commands: [['example_build.py'], ['main.py']],
    expect: /\[1, 2, 3, 4, 5\]\n$/,
  },
  'pypy-cffi-setup + api-build + import': {
    files: { 'setup.py': 'pypy-cffi-setup', 'example_build.py': 'pypy-cffi-api-build', 'main.py': 'pypy-cffi-api-import' },
    commands: [['setup.py', '-q', 'build_ext', '--inplace'], ['main.py']],
    expect: /5\nNo such file or directory\n$/,
  },
};

describe('runnable snippets', () => {
  it('include every cffi and ctypes snippet', () => {
    const planned = new Set(Object.values(RUN_PLANS).flatMap((p) => Object.values(p.files)));
    const missing = [...byPrefix.keys()].filter((p) => /^pypy-(cffi|ctypes)/.test(p) && !planned.has(p));
    assert.deepEqual(missing, []);
  });

  for (const interpreter of INTERPRETERS) {
    for (const [label, plan] of Object.entries(RUN_PLANS)) {
      it(`${label} runs under ${interpreter}`, () => {
        const tmp = tempFolder('snippet');
        try {
          for (const [file, prefix] of Object.entries(plan.files)) fs.writeFileSync(path.join(tmp.dir, file), expansion(prefix));
          let stdout = '';
          for (const args of plan.commands) stdout = runPythonOk(interpreter, args, tmp.dir);
          assert.match(stdout, plan.expect);
        } finally {
          tmp.remove();
        }
      });
    }
  }
});
