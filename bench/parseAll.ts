/** Baseline for the CLI figure: a process that merely parses every .py file of a tree with tree-sitter. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGrammars } from '../server/src/parser/languages';

const SKIP = new Set(['site-packages', 'dist-packages', '__pycache__']);

export function pythonFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) pythonFiles(p, out);
    } else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

export async function parseAll(dir: string): Promise<number> {
  const g = await loadGrammars();
  let bytes = 0;
  for (const f of pythonFiles(dir)) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += text.length;
    g.pythonParser.parse(text)?.delete();
  }
  return bytes;
}

if (require.main === module) void parseAll(process.argv[2]!).then((b) => console.log(b));
