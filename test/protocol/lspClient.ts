import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'bin', 'pypy-bindings.js');

type Json = any;

/**
 * A minimal LSP client over the real server's stdio (`pypy-bindings lsp --stdio`): JSON-RPC framing,
 * requests with ids, notifications, and server-to-client requests answered by handlers.
 */
export class LspClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  private readonly listeners: { method: string; fn: (params: Json) => void }[] = [];
  readonly notifications: { method: string; params: Json }[] = [];
  readonly stderr: string[] = [];
  /** Answers to server→client requests, by method (workspace/configuration, workspace/applyEdit …); a promise answers when it settles. */
  readonly handlers = new Map<string, (params: Json) => Json | Promise<Json>>();
  exitCode: Promise<number | null>;

  /** `env`: variables added to this process's environment for the server. */
  constructor(args: string[] = ['lsp', '--stdio'], env?: NodeJS.ProcessEnv) {
    this.proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, ...(env ? { env: { ...process.env, ...env } } : {}) });
    this.exitCode = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** The server's process id (benchmarks read its CPU time). */
  get pid(): number {
    return this.proc.pid!;
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString();
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(msg: Json): void {
    if (msg.id !== undefined && msg.method) {
      const handler = this.handlers.get(msg.method);
      // a handler may answer later (a promise), as a slow client does
      void Promise.resolve(handler ? handler(msg.params) : null).then((result) => this.write({ jsonrpc: '2.0', id: msg.id, result }));
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p?.resolve(msg.result);
      return;
    }
    this.notifications.push({ method: msg.method, params: msg.params });
    for (const l of this.listeners) if (l.method === msg.method) l.fn(msg.params);
  }

  private write(msg: Json): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<T = Json>(method: string, params: Json): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** Writes bytes as they are (malformed framing, for abuse tests). */
  writeRaw(data: string | Buffer): void {
    this.proc.stdin.write(data);
  }

  /** Closes the server's input stream, as a client that goes away does. */
  closeInput(): void {
    this.proc.stdin.end();
  }

  notify(method: string, params: Json): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification of `method` that satisfies `pred`, or rejects after `ms`. */
  waitFor(method: string, pred: (params: Json) => boolean = () => true, ms = 10_000): Promise<Json> {
    const seen = this.notifications.find((n) => n.method === method && pred(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${ms} ms; stderr: ${this.stderr.join('')}`)), ms);
      const listener = {
        method,
        fn: (params: Json) => {
          if (!pred(params)) return;
          clearTimeout(timer);
          this.listeners.splice(this.listeners.indexOf(listener), 1);
          resolve(params);
        },
      };
      this.listeners.push(listener);
    });
  }

  /** initialize + initialized; `pull` announces LSP 3.17 pull diagnostics. */
  async initialize(opts: { pull?: boolean; configuration?: boolean; resolve?: boolean; initializationOptions?: Json; rootUri?: string; workspaceFolders?: { uri: string; name: string }[]; workDoneProgress?: boolean } = {}): Promise<Json> {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri: opts.rootUri ?? null,
      capabilities: {
        textDocument: {
          ...(opts.pull ? { diagnostic: { dynamicRegistration: false } } : {}),
          publishDiagnostics: { versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } },
            ...(opts.resolve ? { resolveSupport: { properties: ['edit'] }, dataSupport: true } : {}),
          },
        },
        workspace: { configuration: !!opts.configuration, applyEdit: true, workspaceEdit: { documentChanges: true }, ...(opts.workspaceFolders ? { workspaceFolders: true } : {}) },
        ...(opts.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
      },
      ...(opts.workspaceFolders ? { workspaceFolders: opts.workspaceFolders } : {}),
      initializationOptions: opts.initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, changes: Json[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  async shutdown(): Promise<number | null> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exitCode;
  }

  kill(): void {
    this.proc.kill();
  }
}

/** The text after an LSP TextEdit[] applies (LF text), as an editor would apply it. */
export function applyTextEdits(text: string, edits: { range: any; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}
