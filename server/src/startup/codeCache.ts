import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/**
 * A V8 code cache for the server bundle: `dist/server.js` is a small loader that compiles the bundle
 * (`dist/serverMain.js`) with `vm.Script` and the bytecode a previous run saved, so a fresh server does not
 * compile the 1.5 MB bundle again (nor, lazily, each function its first analysis runs). The language server
 * saves the cache once, after its first diagnostics (`scheduleCodeCacheSave`), when no valid cache was used.
 *
 * The file is named by a hash of the bundle, node's version and the architecture (another bundle's cache is
 * never read, and is deleted when a new one is written) and carries a SHA-256 of its payload: a truncated or
 * corrupted file is ignored with a line on stderr, and a payload V8 rejects (other flags) the same way. It is
 * kept beside the bundle when that directory is writable (whoever can write there can change the bundle
 * itself), else in the user's cache directory; never in a shared temporary directory, since bytecode from
 * there would run as the user. `PYPY_BINDINGS_CODE_CACHE=off` turns it off; another value names the directory.
 */

const MAGIC = Buffer.from('PBCC1\n');
const HOOK = Symbol.for('pypy-bindings.codeCache');

export interface CodeCacheHook {
  /** Writes the cache unless the one read at start was valid; returns what it did (also written to stderr). */
  save(): string;
}

/** The user's own cache directory (never a shared /tmp). */
export function userCacheDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'pypy-bindings');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'pypy-bindings');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'pypy-bindings');
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the cache lives: the setting of the environment, else beside the bundle, else the user's cache directory. */
export function cacheDirectory(bundleDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.PYPY_BINDINGS_CODE_CACHE;
  if (v === 'off' || v === '0') return undefined;
  if (v) return v;
  return writable(bundleDir) ? bundleDir : userCacheDir();
}

/** The cache file's name for this bundle text, node version and architecture. */
export function cacheFileName(bundleName: string, source: string): string {
  const key = crypto.createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}\0${process.versions.v8}`).digest('hex').slice(0, 16);
  return `${bundleName}.${key}.codecache`;
}

/** The payload of a cache file, or why it cannot be used. */
export function readCacheFile(file: string): { data?: Buffer; problem?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? {} : { problem: `unreadable (${(e as Error).message})` };
  }
  if (bytes.length < MAGIC.length + 32 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { problem: 'not a code cache file' };
  const sum = bytes.subarray(MAGIC.length, MAGIC.length + 32);
  const data = bytes.subarray(MAGIC.length + 32);
  if (!crypto.createHash('sha256').update(data).digest().equals(sum)) return { problem: 'checksum mismatch (truncated or corrupted)' };
  return { data };
}

/** Writes a cache file atomically (a temporary file renamed over it), removing other bundles' caches beside it. */
export function writeCacheFile(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([MAGIC, crypto.createHash('sha256').update(data).digest(), data]));
  fs.renameSync(tmp, file);
  const [stem] = path.basename(file).split('.');
  for (const f of fs.readdirSync(dir)) {
    if (f !== path.basename(file) && f.startsWith(`${stem}.`) && f.endsWith('.codecache')) fs.rmSync(path.join(dir, f), { force: true });
  }
}

const say = (line: string) => process.stderr.write(`pypy-bindings: ${line}\n`);

/** A cache that cannot be used is said once and removed (the language server writes a good one). */
function drop(file: string, problem: string): void {
  say(`ignoring the code cache ${file}: ${problem}`);
  try {
    fs.rmSync(file, { force: true });
  } catch {
    /* read-only: read again next time */
  }
}

/**
 * Runs a CommonJS bundle as `require` would (its exports become `mod.exports`, `require.main === module`
 * holds in it when it holds for `mod`), compiled with the code cache when one is valid.
 */
export function runWithCodeCache(bundleFile: string, mod: NodeModule, req: NodeJS.Require, env: NodeJS.ProcessEnv = process.env): void {
  const source = fs.readFileSync(bundleFile, 'utf8');
  const dir = cacheDirectory(path.dirname(bundleFile), env);
  const file = dir ? path.join(dir, cacheFileName(path.basename(bundleFile, '.js'), source)) : undefined;
  let cachedData: Buffer | undefined;
  if (file) {
    const r = readCacheFile(file);
    if (r.problem) drop(file, r.problem);
    cachedData = r.data;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundleFile, cachedData });
  let valid = !!cachedData;
  if (file && cachedData && script.cachedDataRejected) {
    drop(file, 'rejected by V8 (another node version or V8 flags)');
    valid = false;
  }
  let saved = false;
  const hook: CodeCacheHook = {
    save() {
      if (!file || valid || saved) return 'code cache: nothing to write';
      saved = true;
      try {
        const data = script.createCachedData();
        writeCacheFile(file, data);
        const line = `code cache written: ${file} (${(data.length / 1024).toFixed(0)} KiB)`;
        say(line);
        return line;
      } catch (e) {
        const line = `code cache not written: ${(e as Error).message}`;
        say(line);
        return line;
      }
    },
  };
  (globalThis as Record<symbol, unknown>)[HOOK] = hook;
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, req, mod, bundleFile, path.dirname(bundleFile));
}

let scheduled = false;

/**
 * Asks the loader to save the code cache a moment after the first diagnostics (the functions an analysis
 * runs are compiled by then); nothing when the server runs without the loader (tests, tsc output).
 */
export function scheduleCodeCacheSave(delayMs = 1000): void {
  if (scheduled) return;
  scheduled = true;
  const hook = (globalThis as Record<symbol, unknown>)[HOOK] as CodeCacheHook | undefined;
  if (!hook) return;
  setTimeout(() => hook.save(), delayMs).unref();
}
