import { check } from './check';
import { convert } from './convert';
import { defaultIO, type CliIO } from './io';
import { report } from './report/command';
import { TOOL_VERSION } from './formats/sarif';
import { USAGE, UsageError } from './usage';

export type { CliIO } from './io';

/** Runs the CLI; resolves to the exit code (the language server keeps running instead). */
export async function run(argv: string[], io: CliIO = defaultIO): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'convert':
        return await convert(rest, io);
      case 'report':
        return await report(rest, io);
      case 'lsp': {
        if (!rest.includes('--stdio')) throw new UsageError('lsp needs --stdio');
        // loaded only here, so `check` and `convert` start without the LSP libraries
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('../lsp/server') as typeof import('../lsp/server')).startServer();
        return undefined;
      }
      case '--version':
      case '-V':
        io.out(`pypy-bindings ${TOOL_VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`pypy-bindings: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`pypy-bindings: internal error: ${(e as Error).stack ?? e}\n`);
    return 3;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
}
