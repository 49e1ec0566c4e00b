import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const cache = process.env.PYPY_BINDINGS_CACHE ?? path.join(os.homedir(), '.cache', 'pypy-bindings');
const codeServer = path.join(cache, 'cs-4.100.3', 'node_modules', '.bin', 'code-server');

test('the .vsix holds only what the extension needs and installs into VS Code 1.100', () => {
  assert.ok(fs.existsSync(codeServer), `code-server 4.100.3 missing at ${codeServer}: run scripts/vscode-cache.sh`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsix-'));
  try {
    const vsix = path.join(tmp, 'pypy-bindings.vsix');
    const pack = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '-o', vsix], { cwd: root, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr + pack.stdout);
    const list = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const needed of ['extension/package.json', 'extension/dist/client.js', 'extension/dist/server.js', 'extension/dist/tree-sitter-python.wasm', 'extension/dist/tree-sitter-c.wasm', 'extension/dist/web-tree-sitter.wasm', 'extension/dist/data/guide/extending.rst', 'extension/docs/rules.md', 'extension/snippets/python.json']) {
      assert.ok(list.includes(needed), `${needed} in the .vsix`);
    }
    for (const f of list) assert.doesNotMatch(f, /node_modules|\/src\/|\/test\/|\.ts$|\.map$/, `${f} should not ship`);
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'cfg'), XDG_DATA_HOME: path.join(tmp, 'data') };
    const args = ['--extensions-dir', path.join(tmp, 'ext'), '--user-data-dir', path.join(tmp, 'ud')];
    const install = spawnSync(codeServer, [...args, '--install-extension', vsix], { encoding: 'utf8', env, timeout: 120_000 });
    assert.match(install.stdout + install.stderr, /successfully installed/);
    const listed = spawnSync(codeServer, [...args, '--list-extensions', '--show-versions'], { encoding: 'utf8', env, timeout: 60_000 });
    assert.match(listed.stdout, /^pypy-bindings\.pypy-bindings@0\.1\.0$/m);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
