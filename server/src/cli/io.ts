export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const defaultIO: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
