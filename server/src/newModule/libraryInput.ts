/** What the user typed for "C library or header": e.g. `z`, `libz.so.1`, `zlib.h`, or `z zlib.h`. */
export interface LibrarySpec {
  /** As typed: a bare name (`z`), a soname or a path. */
  library?: string;
  /** Without angle brackets: `zlib.h`. */
  header?: string;
}

const HEADER = /\.(h|hh|hpp|hxx|h\+\+)$/i;

export function parseLibraryInput(input: string): LibrarySpec {
  const spec: LibrarySpec = {};
  for (const token of input.split(/[\s,]+/).filter(Boolean)) {
    const bare = token.replace(/^[<"]|[>"]$/g, '');
    if (HEADER.test(bare)) spec.header ??= bare;
    else spec.library ??= bare;
  }
  return spec;
}

/** The name the linker takes after `-l`: `libz.so.1` → `z`, `/opt/lib/libfoo.dylib` → `foo`, `z` → `z`. */
export function linkName(library: string): string {
  const base = library.split(/[\\/]/).pop() ?? library;
  return base.replace(/\.(so(\.\d+)*|dylib|dll|a|lib)$/i, '').replace(/^lib(?=.)/, '');
}

/** A bare name must be searched for; anything with a dot or slash is a file the loader can open as is. */
export function isBareName(library: string): boolean {
  return !/[./\\]/.test(library);
}

/** A Python string literal for plain text. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}
