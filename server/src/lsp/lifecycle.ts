import {
  ErrorCodes, StreamMessageReader, StreamMessageWriter,
  type DataCallback, type Disposable, type Message, type MessageReader, type MessageWriter, type PartialMessageInfo,
} from 'vscode-languageserver/node';
import type { Event } from 'vscode-jsonrpc';
import { keptDiagnosticsEncoder } from './diagnosticBytes';

/**
 * The LSP lifecycle as the spec states it, enforced where messages enter the server, so that every request
 * handler (ours or one added later) is covered:
 * - before `initialize`: requests fail with ServerNotInitialized (-32002), notifications are dropped (`exit` passes);
 * - a second `initialize` fails with InvalidRequest and changes nothing (open documents are kept);
 * - after `shutdown`: requests fail with InvalidRequest, notifications other than `exit` are dropped.
 * The exit code (0 after shutdown, 1 without) is the library's: handlers must not call process.exit themselves.
 */
export type Phase = 'new' | 'initialized' | 'shutdown';

interface RawMessage {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
}

/** What the gate does with one incoming message. */
export function admit(phase: Phase, msg: RawMessage): { pass: boolean; next: Phase; error?: { code: number; message: string } } {
  if (typeof msg.method !== 'string') return { pass: true, next: phase }; // a response to one of our requests
  const isRequest = msg.id !== undefined && msg.id !== null;
  if (!isRequest) return { pass: msg.method === 'exit' || phase === 'initialized', next: phase };
  if (phase === 'new') {
    if (msg.method === 'initialize') return { pass: true, next: 'initialized' };
    return { pass: false, next: phase, error: { code: ErrorCodes.ServerNotInitialized, message: `${msg.method}: the server is not initialized (send initialize first)` } };
  }
  if (phase === 'shutdown') return { pass: false, next: phase, error: { code: ErrorCodes.InvalidRequest, message: `${msg.method}: the server is shutting down (only exit is accepted)` } };
  if (msg.method === 'initialize') return { pass: false, next: phase, error: { code: ErrorCodes.InvalidRequest, message: 'initialize: the server is already initialized (a second initialize is ignored; open documents are kept)' } };
  if (msg.method === 'shutdown') return { pass: true, next: 'shutdown' };
  return { pass: true, next: phase };
}

/** A reader that answers or drops what the lifecycle forbids, before the connection sees it. */
class LifecycleReader implements MessageReader {
  phase: Phase = 'new';
  constructor(private readonly inner: MessageReader, private readonly writer: MessageWriter) {}
  get onError(): Event<Error> {
    return this.inner.onError;
  }
  get onClose(): Event<void> {
    return this.inner.onClose;
  }
  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }
  listen(callback: DataCallback): Disposable {
    return this.inner.listen((msg: Message) => {
      const raw = msg as RawMessage;
      const verdict = admit(this.phase, raw);
      this.phase = verdict.next;
      if (verdict.pass) callback(msg);
      else if (verdict.error) void this.writer.write({ jsonrpc: '2.0', id: raw.id ?? null, error: verdict.error } as Message).catch(() => undefined);
    });
  }
  dispose(): void {
    this.inner.dispose();
  }
}

/**
 * Reader and writer on stdin/stdout with the lifecycle gate. A stream that cannot be parsed (a malformed header,
 * a body that is not JSON after a wrong Content-Length) leaves no way to find the next message: the server
 * reports it on stderr and exits 1, as it does when the input closes without a shutdown.
 */
export function stdioTransport(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout) {
  const writer = new StreamMessageWriter(output, { charset: 'utf-8', contentTypeEncoder: keptDiagnosticsEncoder });
  const inner = new StreamMessageReader(input);
  const reader = new LifecycleReader(inner, writer);
  const exit = (code: number) => process.exit(code);
  inner.onError((e) => {
    process.stderr.write(`pypy-bindings: cannot read the LSP input stream (${e.message.split('\n')[0]}): exiting\n`);
    exit(1);
  });
  const onEnd = () => exit(reader.phase === 'shutdown' ? 0 : 1);
  input.on('end', onEnd);
  input.on('close', onEnd);
  return { reader, writer };
}
