// Real binding code we did not write: Debian's python3-magic and python3-libarchive-c (their installed .py
// files copied to a temp dir at test time), with libmagic-dev and libarchive-dev's headers. The workspace
// model must find every foreign function they bind and call, resolved to its library and to its prototype in
// the header. Oracles: CPython importing the copied packages says which functions each module binds and with
// how many argtypes; gcc says whether each prototype we read agrees with the header. Needs the Debian
// packages of scripts/system-deps.sh: their absence is a failure, not a skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BindingModel } from '../../server/src/analysis/model';
import { signatureOf } from '../../server/src/analysis/prototypes';
import { WorkspaceIndex } from '../../server/src/analysis/workspace/workspaceIndex';
import { loadGrammars } from '../../server/src/parser/languages';
import { analyzeWorkspaceFile } from '../../server/src/service/analyzeFile';

const DIST = '/usr/lib/python3/dist-packages';
const PACKAGES = { magic: { header: /\/magic\.h$/, debian: 'python3-magic, libmagic-dev' }, libarchive: { header: /\/archive(_entry)?\.h$/, debian: 'python3-libarchive-c, libarchive-dev' } };

interface Listed {
  module: string;
  name: string;
  library: string;
  loadedIn?: string;
  calls: number;
  argtypes?: number;
  prototype?: string;
  header?: string;
}

function copyPackages(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pb-real-'));
  for (const [pkg, info] of Object.entries(PACKAGES)) {
    const src = path.join(DIST, pkg);
    assert.ok(fs.existsSync(src), `${src} missing: install ${info.debian} (scripts/system-deps.sh)`);
    fs.mkdirSync(path.join(dir, pkg));
    for (const f of fs.readdirSync(src)) if (f.endsWith('.py')) fs.copyFileSync(path.join(src, f), path.join(dir, pkg, f));
  }
  return dir;
}

/** What CPython binds: per module, each foreign function object's C name and its argtypes count. */
function cpythonOracle(dir: string): Record<string, Record<string, number | null>> {
  const script = [
    'import ctypes, importlib, json, sys',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'out = {}',
    "for name in ['magic', 'magic.compat', 'libarchive.ffi']:",
    '    m = importlib.import_module(name)',
    "    assert m.__file__.startswith(sys.path[0]), m.__file__",
    '    for v in vars(m).values():',
    "        if isinstance(v, ctypes._CFuncPtr) and getattr(v, '__name__', None):",
    '            out.setdefault(name, {})[v.__name__] = None if v.argtypes is None else len(v.argtypes)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function listFunctions(dir: string): Promise<{ listed: Listed[]; models: Map<string, BindingModel> }> {
  const g = await loadGrammars();
  const index = new WorkspaceIndex(g.pythonParser);
  const files = Object.keys(PACKAGES).flatMap((p) => fs.readdirSync(path.join(dir, p)).map((f) => path.join(dir, p, f)));
  for (const f of files) index.addFile(f);
  const listed: Listed[] = [];
  const models = new Map<string, BindingModel>();
  for (const file of files) {
    const uri = pathToFileURL(file).href;
    const { model, doc } = analyzeWorkspaceFile(fs.readFileSync(file, 'utf8'), uri, g, index, { headers: {} });
    models.set(model.module!, model);
    for (const fn of model.ctypes.functions) {
      const sig = signatureOf(fn, uri);
      const c = fn.cPrototype;
      listed.push({
        module: model.module!, name: fn.name, library: fn.library.origin?.stem ?? '?', loadedIn: fn.library.origin?.module,
        calls: fn.calls.length, argtypes: sig.argtypes?.length,
        prototype: c && `${c.returns} ${c.name}(${c.params.join(', ')}${c.variadic ? ', ...' : ''})`,
        header: c?.source.kind === 'header' ? `${c.source.path}:${c.source.line}` : undefined,
      });
    }
    doc.dispose();
  }
  return { listed, models };
}

test('python-magic and libarchive-c: every foreign function found, resolved to its library and header prototype', async () => {
  const dir = copyPackages();
  try {
    const oracle = cpythonOracle(dir);
    const { listed } = await listFunctions(dir);
    const byModule = (m: string) => new Map(listed.filter((l) => l.module === m).map((l) => [l.name, l]));

    // 1. each module binds what CPython says it binds, with as many argtypes
    for (const [module, fns] of Object.entries(oracle)) {
      const ours = byModule(module);
      const missing = Object.keys(fns).filter((n) => !ours.has(n));
      assert.deepEqual(missing, [], `${module}: functions CPython binds that the model lacks`);
      const wrongArity = Object.entries(fns).filter(([n, count]) => (ours.get(n)!.argtypes ?? null) !== count).map(([n, count]) => `${n}: CPython ${count}, model ${ours.get(n)!.argtypes}`);
      assert.deepEqual(wrongArity, [], `${module}: argtypes counts`);
      const extra = [...ours.values()].filter((l) => !(l.name in fns) && l.argtypes !== undefined).map((l) => l.name);
      assert.deepEqual(extra, [], `${module}: declared in the model but not bound by CPython`);
    }
    assert.equal(Object.keys(oracle['libarchive.ffi'] ?? {}).length, 137, 'libarchive-c declares 137 functions through its helper');

    // 2. the modules that only call them: every call resolved to a function declared in the loading module
    for (const module of ['libarchive.entry', 'libarchive.read', 'libarchive.write', 'libarchive.extract']) {
      const calls = [...byModule(module).values()];
      assert.ok(calls.length > 0, `${module} calls foreign functions`);
      for (const l of calls) {
        assert.equal(l.loadedIn, 'libarchive.ffi', `${module}: ${l.name} resolved to libarchive loaded in ffi.py`);
        assert.ok(l.name in oracle['libarchive.ffi']!, `${module}: ${l.name} is one ffi.py binds`);
      }
    }
    for (const module of ['magic', 'magic.compat']) for (const l of byModule(module).values()) assert.equal(l.loadedIn, 'magic.loader', `${module}: ${l.name} loaded through loader.load_lib()`);

    // 3. every one has its prototype from the library's own header, whose parameters match the argtypes
    const unresolved = listed.filter((l) => !l.header).map((l) => `${l.module}: ${l.name}`);
    assert.deepEqual(unresolved, [], 'functions without a header prototype');
    for (const l of listed) {
      const pkg = l.module.split('.')[0] as keyof typeof PACKAGES;
      assert.match(l.header!.replace(/:\d+$/, ''), PACKAGES[pkg].header, `${l.name} from the library's header`);
    }
    const arity = listed.filter((l) => l.argtypes !== undefined && l.argtypes !== paramsOf(l.prototype!)).map((l) => `${l.module}: ${l.name} argtypes ${l.argtypes} vs ${l.prototype}`);
    assert.deepEqual(arity, [], 'argtypes agree with the header in number');

    // 4. gcc: each prototype as we read it, redeclared after its header, compiles without a conflict
    const unique = new Map(listed.map((l) => [l.name, l]));
    const headers = [...new Set([...unique.values()].map((l) => l.header!.replace(/:\d+$/, '')))];
    const lines = ['#include <stddef.h>', '#include <time.h>', '#include <sys/types.h>', ...headers.map((h) => `#include "${h}"`)];
    const entryAt = new Map<number, string>();
    for (const l of unique.values()) {
      lines.push(`extern ${l.prototype!.replace(`${l.name}(`, `(${l.name})(`)};`);
      entryAt.set(lines.length, l.name);
    }
    const src = path.join(dir, 'check.c');
    fs.writeFileSync(src, lines.join('\n') + '\n');
    const r = spawnSync('gcc', ['-fsyntax-only', '-Werror', src], { encoding: 'utf8' });
    const rejected = [...r.stderr.matchAll(/check\.c:(\d+):\d+: error/g)].map((m) => entryAt.get(Number(m[1])) ?? `line ${m[1]}`);
    assert.equal(r.status, 0, `prototypes the header contradicts: ${[...new Set(rejected)].join(', ')}\n${r.stderr.slice(0, 2000)}`);

    const perPackage = (p: string) => new Set(listed.filter((l) => l.module.startsWith(p)).map((l) => l.name)).size;
    console.log(`functions resolved to a header prototype: magic ${perPackage('magic')}, libarchive ${perPackage('libarchive')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function paramsOf(prototype: string): number {
  const inner = /\((.*)\)$/.exec(prototype)![1]!.trim();
  if (!inner) return 0;
  let depth = 0;
  let n = 1;
  for (const ch of inner) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) n++;
  }
  return n;
}
