import type { Diagnostic, Message } from 'vscode-languageserver/node';

/**
 * The wire form of diagnostic answers, made from each Diagnostic object's JSON bytes kept with the object: an edit
 * that changes a few of a file's thousand diagnostics changes the answer, and the answer must carry every item (LSP
 * has no delta for a document's diagnostics), but `DiagnosticObjects` keeps the others as the same objects, so
 * their bytes are reused instead of serialising the whole list again (1,333 items: ~15 ms of JSON.stringify on a
 * loaded machine, ~1 ms of copying).
 *
 * Only lists registered with `sendsAsKept` are encoded this way: their Diagnostic objects are never changed once made
 * (DiagnosticObjects makes a new object for any difference), which is what makes bytes made once stay true.
 */
const bytesOf = new WeakMap<Diagnostic, Buffer>();
const keptLists = new WeakSet<readonly Diagnostic[]>();

/** Marks a list of immutable Diagnostic objects (DiagnosticObjects' answers) as encodable from their kept bytes. */
export function sendsAsKept(items: readonly Diagnostic[]): void {
  keptLists.add(items);
}

function diagnosticBytes(d: Diagnostic): Buffer {
  let b = bytesOf.get(d);
  if (b === undefined) {
    b = Buffer.from(JSON.stringify(d), 'utf8');
    bytesOf.set(d, b);
  }
  return b;
}

const COMMA = Buffer.from(',');

/** `JSON.stringify(outer)` with `outer[key]` set to `inner`, whose JSON is `innerParts` (outer has other keys). */
function spliced(outer: Record<string, unknown>, key: string, innerParts: Buffer[], parts: Buffer[]): void {
  const { [key]: _omitted, ...rest } = outer;
  const head = JSON.stringify(rest);
  parts.push(Buffer.from(`${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(key)}:`, 'utf8'), ...innerParts, Buffer.from('}'));
}

function listParts(items: readonly Diagnostic[]): Buffer[] {
  const parts: Buffer[] = [Buffer.from('[')];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(diagnosticBytes(items[i]!));
  }
  parts.push(Buffer.from(']'));
  return parts;
}

/**
 * The UTF-8 JSON of a message, as `JSON.stringify` would make it up to key order: a pull answer
 * (`{ kind: 'full', items }`) or a `publishDiagnostics` notification whose list is a kept one is assembled from the
 * items' bytes; every other message is stringified.
 */
export function encodeMessage(msg: Message): Buffer {
  const m = msg as unknown as Record<string, unknown>;
  const result = m.result as Record<string, unknown> | undefined;
  if (result && typeof result === 'object' && result.kind === 'full' && Array.isArray(result.items) && keptLists.has(result.items as Diagnostic[])) {
    const inner: Buffer[] = [];
    spliced(result, 'items', listParts(result.items as Diagnostic[]), inner);
    const parts: Buffer[] = [];
    spliced(m, 'result', inner, parts);
    return Buffer.concat(parts);
  }
  const params = m.params as Record<string, unknown> | undefined;
  if (m.method === 'textDocument/publishDiagnostics' && params && Array.isArray(params.diagnostics) && keptLists.has(params.diagnostics as Diagnostic[])) {
    const inner: Buffer[] = [];
    spliced(params, 'diagnostics', listParts(params.diagnostics as Diagnostic[]), inner);
    const parts: Buffer[] = [];
    spliced(m, 'params', inner, parts);
    return Buffer.concat(parts);
  }
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

/** vscode-jsonrpc's content-type encoder (application/json, UTF-8) with the kept diagnostics' bytes. */
export const keptDiagnosticsEncoder = {
  name: 'application/json',
  encode: (msg: Message, options: { charset: string }): Promise<Uint8Array> => {
    if (options.charset !== 'utf-8' && options.charset !== 'utf8') return Promise.resolve(Buffer.from(JSON.stringify(msg), options.charset as BufferEncoding));
    try {
      return Promise.resolve(encodeMessage(msg));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
