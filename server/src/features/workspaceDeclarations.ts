/**
 * The declarations other files give the editor features, read from what the workspace model linked in:
 * an out-of-line module's cdef from its build script (`FfiObject.external`), a ctypes function's prototype
 * from the library's installed header (`ForeignFunction.cPrototype`), and a header's declarations for
 * completion. A build script that is open is read from its open model; a closed one is analysed once per
 * version on disk (its text, not a guess), so declarations keep their real positions for go to definition.
 */
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeDocument } from '../analysis/analyze';
import type { BindingModel, CtypesLibrary, FfiObject } from '../analysis/model';
import { libraryStem, type PrototypeLookup } from '../analysis/prototypes';
import { candidateHeaders, findDeclarations, headerDeclarations, type HeaderDeclaration } from '../analysis/headers/cHeaders';
import type { CPrototype } from '../data/cPrototypes';
import { ParsedDocument } from '../documents/parsedDocument';
import { loadedGrammars } from '../parser/languages';
import type { ExternalDeclarations, HeaderPrototype, LocatedDeclaration } from './bindings';

export interface WorkspaceSource {
  /** The model of an open document, if it is open. */
  openModel(uri: string): BindingModel | undefined;
  /** Where headers are searched (the settings' include paths and library headers); false: no headers. */
  prototypes(): PrototypeLookup;
}

const closed = new Map<string, { mtimeMs: number; size: number; model: BindingModel }>();

/** A closed file's model, analysed from its text on disk (cached while the file does not change). */
function closedModel(uri: string): BindingModel | undefined {
  const grammars = loadedGrammars();
  if (!grammars || !uri.startsWith('file:')) return undefined;
  let file: string;
  let stat: fs.Stats;
  try {
    file = fileURLToPath(uri);
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = closed.get(uri);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.model;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const doc = new ParsedDocument(grammars.pythonParser, text);
  try {
    const model = analyzeDocument(doc, uri, grammars.cParser);
    closed.set(uri, { mtimeMs: stat.mtimeMs, size: stat.size, model });
    return model;
  } finally {
    doc.dispose(); // spans are offsets kept by the regions, not the trees
  }
}

function toPrototype(name: string, h: { returns?: string; params?: string[]; variadic?: boolean }, header: string): CPrototype {
  return { name, library: 'c', header, returns: h.returns ?? 'int', params: h.params ?? [], variadic: !!h.variadic };
}

export function workspaceDeclarations(ws: WorkspaceSource): ExternalDeclarations {
  const headerOptions = () => {
    const h = ws.prototypes().headers;
    return h === false ? undefined : h;
  };
  return {
    cdefsOf(_model: BindingModel, ffi: FfiObject): LocatedDeclaration[] {
      const ext = ffi.external;
      if (!ext) return [];
      const build = ws.openModel(ext.uri) ?? closedModel(ext.uri);
      if (!build) return [];
      // the builder whose set_source makes the imported module, else every ffi of the script with a cdef
      const builders = build.cffi.ffis.filter((f) => f.cdefs.length && !f.outOfLine);
      const named = builders.filter((f) => f.setSource);
      return (named.length ? named : builders).flatMap((f) => f.cdefs.flatMap((c) => c.declarations.map((decl) => ({ decl, uri: build.uri, text: build.text }))));
    },

    headerPrototype(model: BindingModel, name: string): HeaderPrototype | undefined {
      const fn = model.ctypes.functions.find((f) => f.name === name && f.cPrototype);
      const c = fn?.cPrototype;
      if (c) {
        if (c.source.kind === 'header') return { prototype: toPrototype(name, c, `<${c.source.path.split('/').pop()}>`), uri: pathToFileURL(c.source.path).href, line: c.source.line };
        return { prototype: toPrototype(name, c, c.source.header) };
      }
      // a cffi lib's function its cdef lacks: the header of the library dlopen() names
      const options = headerOptions();
      if (!options) return undefined;
      for (const ffi of model.cffi.ffis) {
        for (const lib of ffi.libs) {
          const stem = lib.path?.k === 'str' ? libraryStem({ path: lib.path } as CtypesLibrary) : undefined;
          const h = stem ? findDeclarations(stem, [name], options).get(name) : undefined;
          if (h?.kind === 'function') return { prototype: toPrototype(name, h, `<${h.path.split('/').pop()}>`), uri: pathToFileURL(h.path).href, line: h.line };
        }
      }
      return undefined;
    },

    headerFunctionsOf(_model: BindingModel, lib: CtypesLibrary): CPrototype[] {
      const options = headerOptions();
      const stem = libraryStem(lib);
      if (!options || !stem) return [];
      const out: CPrototype[] = [];
      const seen = new Set<string>();
      for (const file of candidateHeaders(stem, options)) {
        let decls: Map<string, HeaderDeclaration>;
        try {
          decls = headerDeclarations(file, options);
        } catch {
          continue;
        }
        for (const d of decls.values()) {
          if (d.kind !== 'function' || seen.has(d.name)) continue;
          seen.add(d.name);
          out.push(toPrototype(d.name, d, `<${file.split('/').pop()}>`));
        }
      }
      return out;
    },
  };
}
