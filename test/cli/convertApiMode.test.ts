// `convert --mode api-outofline --write` beside files that already exist: a taken build-file name is left as
// it was and the next free name is used; an existing setup.py gets the cffi_modules entry merged (as New
// Binding Module does) or, when it cannot be merged, stays byte for byte with a message; no side file appears.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BIN = path.resolve(__dirname, '../../bin/pypy-bindings.js');
const MODULE = [
  'import ctypes, ctypes.util',
  'z = ctypes.CDLL(ctypes.util.find_library("z"))',
  'z.crc32.argtypes = [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_uint]',
  'z.crc32.restype = ctypes.c_ulong',
  'print(z.crc32(0, b"abc", 3))',
  '',
].join('\n');

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-api-cli-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const convert = (dir: string, ...extra: string[]) =>
  spawnSync(process.execPath, [BIN, 'convert', '--mode', 'api-outofline', ...extra, path.join(dir, 'zwrap.py')], { encoding: 'utf8', timeout: 120_000 });

test('an existing _build.py is never overwritten or prepended to: the next free name is used and said', () => {
  const mine = '# my own build script\nprint("mine")\n';
  const dir = folder({ 'zwrap.py': MODULE, '_zwrap_build.py': mine });
  try {
    const r = convert(dir, '--write');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, '_zwrap_build.py'), 'utf8'), mine, 'the existing build script is untouched');
    const made = fs.readFileSync(path.join(dir, '_zwrap_build_2.py'), 'utf8');
    assert.match(made, /ffibuilder\.set_source\("_zwrap_cffi_2"/);
    assert.match(fs.readFileSync(path.join(dir, 'zwrap.py'), 'utf8'), /^from _zwrap_cffi_2 import ffi, lib as _cffi_lib$/m);
    assert.match(r.stderr, /_zwrap_build\.py already exists and is left as it is; the build script is _zwrap_build_2\.py/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['_zwrap_build.py', '_zwrap_build_2.py', 'zwrap.py']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing setup.py gets the cffi_modules entry merged into its setup() call, nothing else changes', () => {
  const setup = 'from setuptools import setup\n\nsetup(\n    name="zwrap",\n    py_modules=["zwrap"],\n)\n';
  const dir = folder({ 'zwrap.py': MODULE, 'setup.py': setup });
  try {
    const dry = convert(dir);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stderr, /would change .*setup\.py/);
    assert.equal(fs.readFileSync(path.join(dir, 'setup.py'), 'utf8'), setup, 'without --write nothing is written');
    const r = convert(dir, '--write');
    assert.equal(r.status, 0, r.stderr);
    const merged = fs.readFileSync(path.join(dir, 'setup.py'), 'utf8');
    assert.equal(merged, 'from setuptools import setup\n\nsetup(\n    name="zwrap",\n    py_modules=["zwrap"],\n    cffi_modules=["_zwrap_build.py:ffibuilder"],\n    setup_requires=["cffi>=1.0.0"],\n)\n');
    assert.match(r.stderr, /setup\.py lists "_zwrap_build\.py:ffibuilder" in cffi_modules/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['_zwrap_build.py', 'setup.py', 'zwrap.py'], 'no setup.py.cffi_modules.txt or other side file');
    // converting again (the module is cffi now) changes nothing more
    const again = convert(dir, '--write');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'setup.py'), 'utf8'), merged);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a setup.py that cannot be merged is left byte for byte, with the entry to add by hand', () => {
  const setup = 'import setuptools\nMODULES = ["a_build.py:ffibuilder"]\nsetuptools.setup(name="zwrap", cffi_modules=MODULES)\n';
  const dir = folder({ 'zwrap.py': MODULE, 'setup.py': setup });
  try {
    const r = convert(dir, '--write');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'setup.py'), 'utf8'), setup);
    assert.match(r.stderr, /setup\.py was not changed: cffi_modules in setup\.py is not a literal list.*add "_zwrap_build\.py:ffibuilder" to cffi_modules yourself/);
    assert.ok(fs.existsSync(path.join(dir, '_zwrap_build.py')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
