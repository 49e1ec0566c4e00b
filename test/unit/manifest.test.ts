import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, SERVER_CONVERT_COMMAND } from '../../client/src/commandIds';
import { flattenDefaults } from '../../server/src/config/settings';
import { SERVER_CONVERT_COMMAND as SERVER_SIDE } from '../../server/src/lsp/codeActions';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** Settings the client consumes itself rather than the server. */
const CLIENT_SETTINGS = new Set(['pypyBindings.trace.server']);

test('every setting in package.json is in the server schema with the same default, and vice versa', () => {
  const contributed = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
  const schema = flattenDefaults();
  for (const [key, value] of Object.entries(schema)) {
    assert.ok(key in contributed, `${key} is in the server schema but not in package.json`);
    assert.deepEqual(contributed[key]!.default, value, `default of ${key}`);
  }
  for (const key of Object.keys(contributed)) {
    if (CLIENT_SETTINGS.has(key)) continue;
    assert.ok(key in schema, `${key} is in package.json but the server does not read it`);
  }
});

test('every contributed command is registered by the client, and every client command is contributed', () => {
  const contributed = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));
  const clientIds = new Set<string>(Object.values(COMMANDS));
  assert.deepEqual([...contributed].sort(), [...clientIds].sort());
  const clientSource = fs.readdirSync(path.join(root, 'client/src'), { recursive: true })
    .filter((f) => String(f).endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(root, 'client/src', String(f)), 'utf8'))
    .join('\n');
  for (const [name, id] of Object.entries(COMMANDS)) {
    const registered = clientSource.includes(`registerCommand(COMMANDS.${name}`) || clientSource.includes(`registerCommand('${id}'`);
    assert.ok(registered, `${id} is never registered with vscode.commands.registerCommand`);
  }
  assert.equal(SERVER_CONVERT_COMMAND, SERVER_SIDE, 'client and server agree on the conversion command');
  assert.ok(!contributed.has(SERVER_SIDE), 'the server-side command stays out of the palette');
});

test('the manifest points at files that exist and allows VS Code 1.100', () => {
  assert.equal(pkg.main, './dist/client.js');
  assert.match(pkg.engines.vscode, /^\^1\.(\d+)\./);
  assert.ok(Number(/^\^1\.(\d+)/.exec(pkg.engines.vscode)![1]) <= 100);
  for (const s of pkg.contributes.snippets ?? []) assert.ok(fs.existsSync(path.join(root, s.path)), s.path);
  for (const g of pkg.contributes.grammars ?? []) assert.ok(fs.existsSync(path.join(root, g.path)), g.path);
  assert.ok(fs.existsSync(path.join(root, pkg.bin['pypy-bindings'])));
});

test('the README settings table lists every contributed setting with its default', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const contributed = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
  for (const [key, spec] of Object.entries(contributed)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    assert.ok(row, `README has no settings row for ${key}`);
    const shown = row.split('|')[2]!.trim();
    const value = spec.default;
    if (typeof value === 'boolean' || typeof value === 'string') assert.equal(shown, `\`${value}\``, `README default of ${key}`);
  }
});
