import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { useRawModule } from './flatTree';

/** The grammars we load, by the file name each ships in its npm package. */
const WASM = {
  runtime: { file: 'web-tree-sitter.wasm', pkg: 'web-tree-sitter/web-tree-sitter.wasm' },
  python: { file: 'tree-sitter-python.wasm', pkg: 'tree-sitter-python/tree-sitter-python.wasm' },
  c: { file: 'tree-sitter-c.wasm', pkg: 'tree-sitter-c/tree-sitter-c.wasm' },
} as const;

/**
 * Finds a wasm file: beside the running bundle first (dist/), then in node_modules (tsc output and tests).
 * Never relative to the cwd, so the CLI works from any folder.
 */
export function locateWasm(which: keyof typeof WASM, dir = __dirname): string {
  const beside = path.join(dir, WASM[which].file);
  if (fs.existsSync(beside)) return beside;
  try {
    return require.resolve(WASM[which].pkg);
  } catch {
    throw new Error(`pypy-bindings: cannot find ${WASM[which].file} beside ${dir} or in node_modules`);
  }
}

export interface Grammars {
  python: Language;
  c: Language;
  /** A parser per language; parsing is synchronous, so one each is enough. */
  pythonParser: Parser;
  cParser: Parser;
}

let loading: Promise<Grammars> | undefined;
let loaded: Grammars | undefined;

/** The grammars if loadGrammars() has finished, for code that runs synchronously after an analysis. */
export function loadedGrammars(): Grammars | undefined {
  return loaded;
}

/** Loads web-tree-sitter and both grammars once per process. */
export function loadGrammars(): Promise<Grammars> {
  loading ??= (async () => {
    const runtime = locateWasm('runtime');
    // emscripten makes this options object the module: flatTree.ts walks trees through its raw exports
    const moduleOptions = { locateFile: () => runtime };
    await Parser.init(moduleOptions);
    useRawModule(moduleOptions);
    const [python, c] = await Promise.all([Language.load(locateWasm('python')), Language.load(locateWasm('c'))]);
    const pythonParser = new Parser();
    pythonParser.setLanguage(python);
    const cParser = new Parser();
    cParser.setLanguage(c);
    loaded = { python, c, pythonParser, cParser };
    return loaded;
  })();
  return loading;
}
