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

/** web-tree-sitter imports node built-ins with import(): the same module through require (vm.Script has no import()). */
const builtinImportsAsRequire = {
  name: 'builtin-imports-as-require',
  setup(build) {
    build.onLoad({ filter: /web-tree-sitter[\\/].*\.(c|m)?js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8').replace(/\bimport\((["'])(module|fs\/promises|node:[\w/]+)\1\)/g, '__nodeImport($1$2$1)');
      return { contents: text, loader: 'js' };
    });
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };
await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(dist, 'client.js'), external: ['vscode'] }),
  esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'server/src/cli/main.ts')],
    outfile: path.join(dist, 'serverMain.js'),
    // web-tree-sitter reads import.meta.url, which a CommonJS bundle lacks: give it the bundle's own URL
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;\nconst __nodeImport = (m) => Promise.resolve(require(m));" },
    plugins: [builtinImportsAsRequire],
  }),
  // dist/server.js, the entry (CLI, VS Code's server module): runs serverMain.js with a V8 code cache
  esbuild.build({ ...common, sourcemap: false, entryPoints: [path.join(root, 'server/src/startup/entry.ts')], outfile: path.join(dist, 'server.js') }),
]);
fs.rmSync(path.join(dist, 'server.js.map'), { force: true }); // from before the loader
// the loader compiles the bundle with vm.Script, which has no loader for import(): none may be left
const main = fs.readFileSync(path.join(dist, 'serverMain.js'), 'utf8');
const dynamic = /[^\w$.]import\(/.exec(main);
if (dynamic) throw new Error(`dist/serverMain.js still calls import() at offset ${dynamic.index}: add its module to builtinImportsAsRequire`);
for (const pkg of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm', 'tree-sitter-c/tree-sitter-c.wasm']) {
  fs.copyFileSync(require.resolve(pkg), path.join(dist, path.basename(pkg)));
}
const data = path.join(root, 'server/data');
if (fs.existsSync(data)) fs.cpSync(data, path.join(dist, 'data'), { recursive: true });
const sizes = fs.readdirSync(dist).filter((f) => /\.(js|wasm)$/.test(f)).map((f) => `${f} ${(fs.statSync(path.join(dist, f)).size / 1024).toFixed(0)} KiB`);
console.log(`bundled: ${sizes.join(', ')}`);
