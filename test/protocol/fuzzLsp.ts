// Differential fuzzing of the language server over stdio: random incremental edits (tokens, quotes, triple
// quotes, brackets, backslashes, tabs, CRLF, non-BMP characters, NUL, ranges at and past the end, reversed
// ranges) interleaved with hover, diagnostic and code-action requests; after every batch the server's
// diagnostics for the edited document must equal those of a fresh open of the same text.
//
//   npm run fuzz:lsp -- --edits 20000 --seed 7        (a long run; test/protocol/fuzz.test.ts runs a short one)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from './lspClient';

export interface FuzzOptions {
  edits: number;
  seed: number;
  /** Edits between two comparisons. */
  batch?: number;
  /** The document to start from (default: a random mix of binding snippets, `seedText`). */
  text?: string;
  log?: (s: string) => void;
}

export interface Mismatch {
  seed: number;
  edit: number;
  file: string;
  incremental: unknown[];
  fresh: unknown[];
}

export interface FuzzResult {
  edits: number;
  rejectedEdits: number;
  comparisons: number;
  hovers: number;
  codeActions: number;
  cancelled: number;
  mismatches: Mismatch[];
  /** Requests that failed other than by cancellation, and server errors logged other than rejected ranges. */
  failures: string[];
}

/** mulberry32: small, seeded, good enough to pick edits. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  (n: number) => `libc${n} = ctypes.CDLL("libc.so.6")\nlibc${n}.strlen.argtypes = [ctypes.c_char_p]\nsize${n} = libc${n}.strlen(b"hello")\n`,
  (n: number) => `class Point${n}(ctypes.Structure):\n    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_double)]\n\n\ndef area${n}(p):\n    return p.x * p.y\n`,
  (n: number) => `ffi${n} = FFI()\nffi${n}.cdef("""\n    int abs(int);\n    size_t strlen(const char *);\n    typedef struct { int a; } s${n}_t;\n""")\nC${n} = ffi${n}.dlopen(None)\nv${n} = C${n}.abs(-${n})\n`,
  (n: number) => `@decorator\ndef wrapped${n}(a, b=(1, 2),\n             c={"k": [3]}):\n    """doc ${n} with 'quotes' and \\\\ backslash"""\n    return a + \\\n        b\n`,
  (n: number) => `if flag${n}:\n    cb${n} = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x)\nelse:\n    cb${n} = None\ntry:\n    libc.free(ctypes.c_void_p(${n}))\nexcept OSError:\n    pass\n`,
  (n: number) => `buf${n} = ctypes.create_string_buffer(${n * 8})\nlibc.memset(buf${n}, 0, ${n * 8})\nprint(sys.getrefcount(buf${n}), id(buf${n}))\n`,
];

const HEADER = 'import ctypes\nimport sys\nfrom cffi import FFI\n\n';

/** A binding file of several regions (over 4 KB each), mixing ctypes, cffi, decorators and continuations. */
export function seedText(random: () => number, size = 14_000): string {
  let text = HEADER;
  for (let n = 0; text.length < size; n++) text += SNIPPETS[Math.floor(random() * SNIPPETS.length)]!(n) + '\n';
  return text;
}

const TOKENS = [
  '(', ')', '[', ']', '{', '}', '"', "'", '"""', "'''", 'b"', 'r"', 'f"{', '\\', '\\\n', '\t', '\t\t', '\r\n', '\r', '\n', '\n\n',
  '\0', '😀', '𝔘', '\ud83d', ' ', '    ', 'x', '#', '# noqa: PB204', ':', '=', ',', '.', '@dec\n', 'else:\n', 'elif y:\n', 'except:\n',
  'def g(', 'class K(ctypes.Structure):\n', '    _fields_ = [("a", ctypes.c_int)]\n', 'lambda: ', 'import ctypes\n', 'from cffi import FFI\n',
  'libc.strlen(b"x")\n', 'libc.strlen.restype = ctypes.c_size_t\n', 'ffi = FFI()\n', 'ffi.cdef("int f(int);")\n', 'ffi.cdef("""\n',
  'b"\\UFFFFFFFF"', '"\\x4"', 'ctypes.c_int', 'ctypes.CDLL(None)', 'ffi.new("int *")', 'sys.getrefcount(x)', '...', '"""\n', 'pass\n',
];

type Change = { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };

/** One random content change against `doc`; `valid` false for ranges the server must reject (reversed). */
export function randomChange(random: () => number, doc: TextDocument): { change: Change; valid: boolean } {
  const text = doc.getText();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (r < 0.005) return { change: { text: text.slice(0, Math.floor(random() * text.length)) + pick(TOKENS) }, valid: true }; // a full-document change
  let start = Math.floor(random() * (text.length + 1));
  if (random() < 0.3) start = text.lastIndexOf('\n', start - 1) + 1; // line starts are where regions are cut
  const len = random() < 0.6 ? 0 : random() < 0.85 ? Math.floor(random() * 12) : Math.floor(random() * 600);
  const end = Math.min(text.length, start + len);
  const insert = random() < 0.25 && len > 0 ? '' : random() < 0.9 ? pick(TOKENS) : pick(TOKENS) + pick(TOKENS) + pick(TOKENS);
  let range = { start: doc.positionAt(start), end: doc.positionAt(end) };
  const k = random();
  if (k < 0.04) {
    // past the end of the document
    const last = doc.lineCount - 1;
    const line = last + Math.floor(random() * 3);
    range = { start: { line, character: Math.floor(random() * 50) }, end: { line: line + 1 + Math.floor(random() * 5), character: Math.floor(random() * 50) } };
  } else if (k < 0.08) {
    // past the end of a line
    range = { start: { line: range.start.line, character: range.start.character + 1 + Math.floor(random() * 200) }, end: { line: range.end.line, character: range.end.character + 1 + Math.floor(random() * 200) } };
    if (range.end.line === range.start.line && range.end.character < range.start.character) range.end.character = range.start.character;
  } else if (k < 0.1) {
    // at the very end
    const p = doc.positionAt(text.length);
    range = { start: p, end: p };
  } else if (k < 0.12 && (range.start.line !== range.end.line || range.start.character !== range.end.character)) {
    return { change: { range: { start: range.end, end: range.start }, text: insert }, valid: false }; // reversed
  }
  return { change: { range, text: insert }, valid: true };
}

const isCancel = (e: Error) => /^-32801:|^-32802:|^-32800:/.test(e.message);

/** Runs one fuzz session against a fresh server. */
export async function fuzzLsp(options: FuzzOptions): Promise<FuzzResult> {
  const random = rng(options.seed);
  const batch = options.batch ?? 8;
  const log = options.log ?? (() => undefined);
  const result: FuzzResult = { edits: 0, rejectedEdits: 0, comparisons: 0, hovers: 0, codeActions: 0, cancelled: 0, mismatches: [], failures: [] };
  const c = new LspClient();
  const pending: Promise<void>[] = [];
  try {
    // conversions are resolved lazily, as VS Code asks for them: a light bulb does not compute a whole-file conversion
    random();
    await c.initialize({ pull: true, resolve: true });
    const uri = 'file:///tmp/fuzz_edited.py';
    let doc = TextDocument.create(uri, 'python', 1, options.text ?? seedText(random));
    c.open(uri, doc.getText(), 1);
    let lastDiagnostics: any[] = [];
    let freshCount = 0;
    const pull = async (u: string): Promise<any[]> => {
      for (;;) {
        try {
          return (await c.request('textDocument/diagnostic', { textDocument: { uri: u } })).items;
        } catch (e) {
          if (!isCancel(e as Error)) throw e;
        }
      }
    };
    const request = (method: string, params: unknown, check: (r: any) => void) => {
      const version = doc.version;
      const lineCount = doc.lineCount;
      pending.push(c.request(method, params).then((r) => {
        try {
          check(r);
        } catch (e) {
          result.failures.push(`${method} at v${version}: ${(e as Error).message}`);
        }
      }, (e: Error) => {
        if (isCancel(e)) result.cancelled++;
        else result.failures.push(`${method} at v${version} (${lineCount} lines): ${e.message}`);
      }));
    };
    while (result.edits < options.edits) {
      for (let i = 0; i < batch && result.edits < options.edits; i++) {
        const changes: Change[] = [];
        const n = random() < 0.85 ? 1 : 2 + Math.floor(random() * 2);
        const version = doc.version + 1;
        for (let j = 0; j < n; j++) {
          const { change, valid } = randomChange(random, doc);
          changes.push(change);
          // (the library's incremental line table breaks when a CR LF pair is split: the reference rebuilds it)
          if (valid) {
            const whole = { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) };
            doc = TextDocument.create(uri, 'python', version, TextDocument.applyEdits(doc, [{ range: change.range ?? whole, newText: change.text }]));
          }
          else result.rejectedEdits++;
          result.edits++;
        }
        if (doc.version !== version) doc = TextDocument.update(doc, [], version);
        c.change(uri, version, changes);
        const r = random();
        if (r < 0.25) {
          result.hovers++;
          const position = doc.positionAt(Math.floor(random() * (doc.getText().length + 1)));
          const asked = doc;
          request('textDocument/hover', { textDocument: { uri }, position }, (h) => {
            if (h?.range && (h.range.end.line >= asked.lineCount || !Number.isInteger(h.range.start.character))) throw new Error(`hover range ${JSON.stringify(h.range)} in ${asked.lineCount} lines`);
          });
        } else if (r < 0.35) {
          result.codeActions++;
          const at = Math.floor(random() * (doc.getText().length + 1));
          const range = { start: doc.positionAt(at), end: doc.positionAt(Math.min(doc.getText().length, at + 40)) };
          const only = random() < 0.5 ? ['quickfix'] : random() < 0.5 ? ['source.convertToCffi'] : undefined;
          const askedVersion = doc.version;
          request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: lastDiagnostics.slice(0, 5), ...(only ? { only } : {}) } }, (actions) => {
            for (const a of actions ?? []) {
              for (const dc of a.edit?.documentChanges ?? []) {
                if (dc.textDocument?.uri === uri && dc.textDocument.version !== askedVersion) throw new Error(`edit for v${dc.textDocument.version}, asked at v${askedVersion}`);
              }
            }
          });
        }
      }
      await Promise.all(pending.splice(0));
      const incremental = await pull(uri);
      lastDiagnostics = incremental;
      const freshUri = `file:///tmp/fuzz_fresh_${++freshCount}.py`;
      c.open(freshUri, doc.getText(), 1);
      const fresh = await pull(freshUri);
      c.notify('textDocument/didClose', { textDocument: { uri: freshUri } });
      result.comparisons++;
      if (JSON.stringify(incremental) !== JSON.stringify(fresh)) {
        const file = path.join(os.tmpdir(), `pb-fuzz-seed${options.seed}-edit${result.edits}.py`);
        fs.writeFileSync(file, doc.getText());
        result.mismatches.push({ seed: options.seed, edit: result.edits, file, incremental, fresh });
        log(`mismatch after edit ${result.edits} (seed ${options.seed}): text in ${file}`);
        // go on from a fresh state so one divergence is counted once
        c.notify('textDocument/didClose', { textDocument: { uri } });
        c.open(uri, doc.getText(), doc.version);
      }
      if (result.comparisons % 100 === 0) log(`${result.edits} edits, ${result.comparisons} comparisons, ${result.mismatches.length} mismatches`);
    }
    for (const n of c.notifications) {
      if (n.method === 'window/logMessage' && n.params.type === 1 && !/ignored \((reversed|malformed) range/.test(n.params.message)) result.failures.push(`server error: ${n.params.message.slice(0, 500)}`);
    }
    const code = await c.shutdown();
    if (code !== 0) result.failures.push(`exit code ${code}`);
  } finally {
    c.kill();
  }
  return result;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (require.main === module) {
  const edits = arg('edits', 5000);
  const seed = arg('seed', 1);
  const t0 = Date.now();
  void fuzzLsp({ edits, seed, batch: arg('batch', 8), log: (s) => console.log(s) }).then((r) => {
    const { mismatches, failures, ...figures } = r;
    console.log(JSON.stringify({ seed, ...figures, mismatches: mismatches.length, failures: failures.length, seconds: (Date.now() - t0) / 1000 }));
    for (const m of mismatches) console.log(`mismatch: seed ${m.seed}, after edit ${m.edit}, text in ${m.file}`);
    for (const f of failures.slice(0, 20)) console.log(`failure: ${f}`);
    process.exitCode = mismatches.length || failures.length ? 1 : 0;
  });
}
