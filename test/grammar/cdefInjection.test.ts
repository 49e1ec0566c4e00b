/**
 * The injection grammar, run by a real TextMate engine on top of VS Code's own Python, C and C++ grammars:
 * code strings passed to cffi and cppyy get C/C++/Python scopes, every other string stays a string.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { contributedGrammars, Token, tokenize } from './vscodeGrammars';

/** The tokens of `text` on `line` (0-based), failing when there is none. */
function tokensOf(tokens: Token[], text: string, line?: number): Token[] {
  const found = tokens.filter((t) => t.text === text && (line === undefined || t.line === line));
  assert.ok(found.length > 0, `no token ${JSON.stringify(text)}${line === undefined ? '' : ` on line ${line}`}`);
  return found;
}

function hasScope(t: Token, prefix: string): boolean {
  return t.scopes.some((s) => s === prefix || s.startsWith(`${prefix}.`) || s.startsWith(prefix));
}

function assertScoped(tokens: Token[], text: string, line: number, embedded: string, scope: RegExp) {
  for (const t of tokensOf(tokens, text, line)) {
    assert.ok(t.scopes.includes(embedded), `${JSON.stringify(text)} line ${line} is not in ${embedded}: ${t.scopes.join(' ')}`);
    assert.ok(t.scopes.some((s) => scope.test(s)), `${JSON.stringify(text)} line ${line} has no ${scope}: ${t.scopes.join(' ')}`);
  }
}

function assertPlain(tokens: Token[], line: number) {
  for (const t of tokens.filter((x) => x.line === line)) {
    assert.ok(!t.scopes.some((s) => s.includes('pypy-bindings')), `line ${line} ${JSON.stringify(t.text)} is embedded: ${t.scopes.join(' ')}`);
  }
}

const C_BLOCK = 'meta.embedded.block.c.pypy-bindings';
const C_LINE = 'meta.embedded.line.c.pypy-bindings';

describe('package.json grammar contribution', () => {
  it('injects into Python and maps every embedded scope to its language, as non-string tokens', () => {
    const ours = contributedGrammars();
    assert.equal(ours.length, 1);
    const [g] = ours;
    assert.deepEqual(g.injectTo, ['source.python']);
    const raw = JSON.parse(fs.readFileSync(g.path, 'utf8'));
    assert.equal(raw.scopeName, g.scopeName);
    assert.match(raw.injectionSelector, /^L:source\.python\b.*-comment/);
    const contentNames = [...JSON.stringify(raw).matchAll(/"contentName":"(meta\.embedded\.[^"]+)"/g)].map((m) => m[1]);
    assert.ok(contentNames.length >= 6);
    for (const scope of contentNames) {
      const language = /^meta\.embedded\.(?:block|line)\.(c|cpp|python)\.pypy-bindings$/.exec(scope)?.[1];
      assert.ok(language, `unexpected embedded scope ${scope}`);
      assert.equal(g.embeddedLanguages?.[scope], language, `embeddedLanguages lacks ${scope}`);
      assert.equal(g.tokenTypes?.[scope], 'other', `tokenTypes lacks ${scope}: brackets and comments would act as in a string`);
    }
  });
});

describe('C in cffi strings', () => {
  it('highlights a triple-quoted ffi.cdef as C and returns to Python after it', async () => {
    const tokens = await tokenize(
      [
        'ffi.cdef("""', //                                  0
        '    int foo(char *x); /* note */', //               1
        '    struct point { double x; };', //                2
        '""")', //                                          3
        'lib = ffi.dlopen(None)', //                         4
      ].join('\n'),
    );
    assertScoped(tokens, 'int', 1, C_BLOCK, /^storage\.type\.built-in\.primitive\.c$/);
    assertScoped(tokens, 'char', 1, C_BLOCK, /^storage\.type\.built-in\.primitive\.c$/);
    assertScoped(tokens, '/*', 1, C_BLOCK, /^punctuation\.definition\.comment\.begin\.c$/);
    assertScoped(tokens, 'struct', 2, C_BLOCK, /^storage\.type\.struct\.c$/);
    assertScoped(tokens, 'double', 2, C_BLOCK, /^storage\.type\.built-in\.primitive\.c$/);
    for (const q of tokensOf(tokens, '"""')) assert.ok(q.scopes.includes('string.quoted.multi.python'), q.scopes.join(' '));
    assertPlain(tokens, 4);
    assert.ok(tokensOf(tokens, '=', 4)[0].scopes.includes('keyword.operator.assignment.python'));
  });

  it("handles any <name>.cdef and embedding_api, with '…', \"…\", r'''…''' and a string on the next line", async () => {
    const tokens = await tokenize(
      [
        "ffibuilder.cdef('long a(void);')", //                 0
        'my_ffi.cdef("unsigned b(int);", override=True)', //    1
        "ffibuilder.embedding_api(r'''", //                    2
        '    float c(float);', //                               3
        "''')", //                                              4
        'ffi.cdef(', //                                         5
        '    """short d(void);"""', //                          6
        ')', //                                                 7
      ].join('\n'),
    );
    assertScoped(tokens, 'long', 0, C_LINE, /^storage\.type\.built-in\.primitive\.c$/);
    assertScoped(tokens, 'unsigned', 1, C_LINE, /\.c$/);
    assert.ok(tokensOf(tokens, 'True', 1)[0].scopes.some((s) => s.startsWith('constant.language')));
    assertPlain(tokens.filter((t) => t.text === 'True'), 1);
    assertScoped(tokens, 'float', 3, C_BLOCK, /^storage\.type\.built-in\.primitive\.c$/);
    assertScoped(tokens, 'short', 6, C_BLOCK, /^storage\.type\.built-in\.primitive\.c$/);
  });

  it('treats the second argument of set_source as C, and the module name and keywords as Python', async () => {
    const tokens = await tokenize(
      [
        'ffibuilder.set_source(', //                             0
        '    "_example",', //                                     1
        '    r"""', //                                            2
        '    #include <string.h>', //                             3
        '    static int twice(int x) { return 2 * x; }', //       4
        '    """,', //                                            5
        '    libraries=["z"],', //                                6
        ')', //                                                   7
        'ffibuilder.set_source("_one", "typedef int t;", libraries=["m"])', // 8
      ].join('\n'),
    );
    assertPlain(tokens, 1);
    assert.ok(tokensOf(tokens, '_example', 1)[0].scopes.some((s) => s.startsWith('string.quoted')));
    assertScoped(tokens, 'include', 3, C_BLOCK, /^keyword\.control\.directive\.include\.c$/);
    assertScoped(tokens, 'static', 4, C_BLOCK, /^storage\.modifier\.c$/);
    assertScoped(tokens, 'return', 4, C_BLOCK, /^keyword\.control\.return\.c$|^keyword\.control\.c$/);
    assertPlain(tokens, 6);
    assertScoped(tokens, 'typedef', 8, C_LINE, /^keyword\.other\.typedef\.c$|\.c$/);
    assertPlain(tokens.filter((t) => t.text === '_one' || t.text === 'm'), 8);
  });
});

describe('C++ and Python in other code strings', () => {
  it('highlights cppyy.cppdef as C++', async () => {
    const tokens = await tokenize('cppyy.cppdef(r"""\nclass A { public: int f() const; };\n""")');
    const cpp = 'meta.embedded.block.cpp.pypy-bindings';
    assertScoped(tokens, 'class', 1, cpp, /^storage\.type\.class\.cpp$/);
    assertScoped(tokens, 'public', 1, cpp, /\.cpp$/);
    assertScoped(tokens, 'const', 1, cpp, /\.const\.cpp$|^storage\.modifier.*\.cpp$/);
  });

  it('highlights embedding_init_code as Python', async () => {
    const tokens = await tokenize(
      ['ffibuilder.embedding_init_code("""', 'from my_plugin import ffi', '@ffi.def_extern()', 'def do_stuff(x, y):', '    return x + y', '""")'].join('\n'),
    );
    const py = 'meta.embedded.block.python.pypy-bindings';
    assertScoped(tokens, 'from', 1, py, /^keyword\.control\.import\.python$/);
    assertScoped(tokens, 'def', 3, py, /^storage\.type\.function\.python$/);
    assertScoped(tokens, 'return', 4, py, /^keyword\.control\.flow\.python$/);
    for (const t of tokens.filter((x) => x.line === 4)) assert.ok(!t.scopes.some((s) => s.startsWith('string.')), t.scopes.join(' '));
  });
});

describe('ordinary strings', () => {
  it('stay strings: other calls, assignments, docstrings, comments and cdef of a variable', async () => {
    const tokens = await tokenize(
      [
        'print("int x;")', //                       0
        'decls = """struct s { int a; };"""', //    1
        'other.define("int y;")', //                2
        '# ffi.cdef("int z;")', //                  3
        'ffi.cdef(decls)', //                       4
        'def f():', //                              5
        '    """int w;"""', //                      6
        'cdef("int v;")', //                        7
      ].join('\n'),
    );
    for (const line of [0, 1, 2, 3, 4, 6, 7]) assertPlain(tokens, line);
    assert.ok(tokensOf(tokens, 'int x;', 0)[0].scopes.includes('string.quoted.single.python'));
    assert.ok(tokensOf(tokens, 'int y;', 2)[0].scopes.includes('string.quoted.single.python'));
    assert.ok(tokens.filter((t) => t.line === 3).every((t) => t.scopes.some((s) => s.startsWith('comment.'))));
    for (const t of tokens.filter((x) => x.line === 1 && x.text.includes('int'))) {
      assert.ok(!t.scopes.some((s) => s.startsWith('storage.type')), t.scopes.join(' '));
    }
    assert.ok(!hasScope(tokensOf(tokens, 'decls', 4)[0], 'meta.embedded'));
  });
});
