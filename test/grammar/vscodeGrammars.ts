/**
 * VS Code's own Python and C/C++ TextMate grammars, taken from the code-server that
 * scripts/vscode-cache.sh installs, loaded into a real TextMate engine (vscode-textmate + vscode-oniguruma)
 * together with this extension's grammars as package.json contributes them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { repoRoot } from '../snippets/repo';

export const CODE_SERVER_VERSION = '4.100.3';

/** Where scripts/vscode-cache.sh puts VS Code's built-in extensions. */
export function vscodeExtensionsDir(): string {
  const cache = process.env.PYPY_BINDINGS_CACHE || path.join(os.homedir(), '.cache', 'pypy-bindings');
  return path.join(cache, `cs-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
}

/** Scope name → grammar file, for the built-in grammars the tests need. Throws when they are not installed. */
export function vscodeGrammarFiles(): Record<string, string> {
  const ext = vscodeExtensionsDir();
  const files: Record<string, string> = {
    'source.python': path.join(ext, 'python', 'syntaxes', 'MagicPython.tmLanguage.json'),
    'source.regexp.python': path.join(ext, 'python', 'syntaxes', 'MagicRegExp.tmLanguage.json'),
    'source.c': path.join(ext, 'cpp', 'syntaxes', 'c.tmLanguage.json'),
    'source.cpp': path.join(ext, 'cpp', 'syntaxes', 'cpp.tmLanguage.json'),
    'source.cpp.embedded.macro': path.join(ext, 'cpp', 'syntaxes', 'cpp.embedded.macro.tmLanguage.json'),
    'source.c.platform': path.join(ext, 'cpp', 'syntaxes', 'platform.tmLanguage.json'),
  };
  const missing = Object.values(files).filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(
      `VS Code's grammars are missing (${missing.join(', ')}).\n` +
        `Install code-server ${CODE_SERVER_VERSION} with scripts/vscode-cache.sh ` +
        '(set PYPY_BINDINGS_CACHE to use another cache than ~/.cache/pypy-bindings).',
    );
  }
  return files;
}

export interface ContributedGrammar {
  scopeName: string;
  path: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
  tokenTypes?: Record<string, string>;
}

export function contributedGrammars(): ContributedGrammar[] {
  const root = repoRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return (manifest.contributes?.grammars ?? []).map((g: ContributedGrammar) => ({ ...g, path: path.join(root, g.path) }));
}

let registry: Promise<vsctm.Registry> | undefined;

/** One registry per process: VS Code's grammars plus ours, injections wired as package.json declares them. */
export function grammarRegistry(): Promise<vsctm.Registry> {
  registry ??= (async () => {
    const files = vscodeGrammarFiles();
    const ours = contributedGrammars();
    for (const g of ours) files[g.scopeName] = g.path;
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    return new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        const file = files[scopeName];
        if (!file) return null;
        return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      },
      getInjections: (scopeName: string) => ours.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
    });
  })();
  return registry;
}

export interface Token {
  text: string;
  scopes: string[];
  line: number;
}

/** Tokenizes `text` line by line as VS Code does, starting from `scopeName`. */
export async function tokenize(text: string, scopeName = 'source.python'): Promise<Token[]> {
  const grammar = await (await grammarRegistry()).loadGrammar(scopeName);
  if (!grammar) throw new Error(`no grammar for ${scopeName}`);
  const tokens: Token[] = [];
  let state = vsctm.INITIAL;
  text.split('\n').forEach((line, n) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) tokens.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes, line: n });
    state = r.ruleStack;
  });
  return tokens;
}
