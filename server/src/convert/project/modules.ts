/**
 * The modules of one binding seen together: files and folders given to `convert`, parsed once, with the
 * imports between them resolved (`from . import ffi`, `from .ffi import f`, `import pkg.mod`). Kept thin
 * on purpose: the workspace index can replace it without touching the planner.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { moduleNameOf } from '../../analysis/workspace/moduleNames';
import { type FlatTree, flatten } from '../../parser/flatTree';

export interface SourceModule {
  file: string;
  /** Dotted module name from the top package (`libarchive.ffi`), or the file's stem outside a package. */
  name: string;
  /** The package a relative import starts from (`libarchive` for `libarchive/ffi.py` and `libarchive/__init__.py`). */
  pkg: string;
  text: string;
  tree: Tree;
  root: Node;
}

/** Every `.py` file under the paths (sorted, without __pycache__ and hidden folders). */
export function pythonFiles(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) {
        if (e.startsWith('.') || e === '__pycache__' || e === 'node_modules') continue;
        visit(path.join(p, e));
      }
    } else if (p.endsWith('.py')) out.add(path.resolve(p));
  };
  for (const p of paths) visit(p);
  return [...out].sort();
}

/** The module's dotted name as the workspace names it, and the package its relative imports start from. */
function moduleName(file: string): { name: string; pkg: string } {
  const { name } = moduleNameOf(file);
  const isPackage = path.basename(file, '.py') === '__init__';
  const pkg = isPackage ? (name === '__init__' ? '' : name) : name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
  return { name, pkg };
}

export function loadModules(parser: Parser, files: readonly string[], read: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')): SourceModule[] {
  return files.map((file) => {
    const text = read(file);
    const tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
    return { file, ...moduleName(file), text, tree, root: tree.rootNode };
  });
}

const flats = new WeakMap<SourceModule, FlatTree>();

/** The module's tree as a flat copy (parser/flatTree.ts), made once and shared by the stages that read it whole. */
export function flatOf(mod: SourceModule): FlatTree {
  let f = flats.get(mod);
  if (!f) {
    f = flatten(mod.tree, mod.text);
    flats.set(mod, f);
  }
  return f;
}

/** The absolute module an import names from inside `mod` (`.ffi` → `libarchive.ffi`). */
export function absoluteModule(mod: SourceModule, spec: string): string {
  const dots = /^\.*/.exec(spec)![0].length;
  if (!dots) return spec;
  let base = mod.pkg.split('.').filter(Boolean);
  base = base.slice(0, Math.max(base.length - (dots - 1), 0));
  const rest = spec.slice(dots);
  return [...base, ...(rest ? rest.split('.') : [])].join('.');
}
