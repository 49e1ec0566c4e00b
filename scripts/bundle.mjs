// Bundles the client and the server (which is also the CLI) into dist/, with the wasm grammars and the
// guide data beside the server bundle, where it looks for them first.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');
fs.mkdirSync(dist, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };
await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(dist, 'client.js'), external: ['vscode'] }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'server/src/cli/main.ts')],
    outfile: path.join(dist, 'server.js'),
    // web-tree-sitter reads import.meta.url, which a CommonJS bundle lacks: give it the bundle's own URL
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  }),
]);
for (const pkg of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm', 'tree-sitter-c/tree-sitter-c.wasm']) {
  fs.copyFileSync(require.resolve(pkg), path.join(dist, path.basename(pkg)));
}
const data = path.join(root, 'server/data');
if (fs.existsSync(data)) fs.cpSync(data, path.join(dist, 'data'), { recursive: true });
const sizes = fs.readdirSync(dist).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => `${f} ${(fs.statSync(path.join(dist, f)).size / 1024).toFixed(0)} KiB`);
console.log(`bundled: ${sizes.join(', ')}`);
