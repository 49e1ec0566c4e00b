// Runs the end-to-end tests in a real VS Code without downloading one: code-server (VS Code server + web
// workbench, from npm) driven by Debian's Chromium through playwright-core, both from the cache that
// scripts/vscode-cache.sh fills.
//   1. the extension tests (test/e2e/suite, mocha run() contract) inside code-server's extension host;
//   2. UI checks through the workbench DOM, with a screenshot of each.
// Usage: node out/test/e2e/runCodeServer.js [--shots DIR] [--only ext|ui]
// Ends with "N passed, M failed" and exits non-zero on any failure.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';

const CS_VERSION = '4.100.3';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPO = findRepoRoot(__dirname);
const CACHE = process.env.PYPY_BINDINGS_CACHE ?? path.join(os.homedir(), '.cache', 'pypy-bindings');
const T0 = Date.now();

// Browser-side globals, used only inside functions that run in the page (this project has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const NodeFilter: any;
declare const MutationObserver: any;
declare function getComputedStyle(el: any, pseudo?: string): any;
type Element = any;
type HTMLElement = any;

// ---- the few playwright-core types we use (it lives in the cache, not in our node_modules) ----
interface Box { x: number; y: number }
interface Locator { first(): Locator; click(o?: object): Promise<void>; waitFor(o?: object): Promise<void> }
interface Page {
  goto(url: string, o?: object): Promise<unknown>;
  on(event: 'console', cb: (m: { type(): string; text(): string }) => void): void;
  addInitScript(fn: () => void): Promise<void>;
  exposeFunction(name: string, fn: (...a: never[]) => unknown): Promise<void>;
  waitForSelector(sel: string, o?: object): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, o?: object): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  $$eval<R>(sel: string, fn: (els: Element[]) => R): Promise<R>;
  locator(sel: string, o?: { hasText?: string | RegExp }): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { move(x: number, y: number, o?: object): Promise<void>; click(x: number, y: number): Promise<void> };
  screenshot(o: { path: string }): Promise<unknown>;
  close(): Promise<void>;
}
interface BrowserContext { newPage(): Promise<Page>; close(): Promise<void> }
interface Chromium { launchPersistentContext(dir: string, o: object): Promise<BrowserContext> }

// ---- bookkeeping ----
let passed = 0;
let failed = 0;
const log = (...a: unknown[]) => console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(1)}s]`, format(...a));
function check(ok: boolean, what: string, detail = ''): boolean {
  if (ok) passed++;
  else failed++;
  log(`${ok ? 'PASS' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  return ok;
}

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'pypy-bindings') return dir;
  }
  throw new Error(`no pypy-bindings package.json above ${from}`);
}

function parseArgs(argv: string[]): { shots?: string; only?: 'ext' | 'ui' } {
  const out: { shots?: string; only?: 'ext' | 'ui' } = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--shots') out.shots = path.resolve(argv[++i] ?? '');
    else if (argv[i] === '--only') out.only = argv[++i] === 'ui' ? 'ui' : 'ext';
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh copy of the fixture workspace, so tests and hot exit never touch test/e2e/fixture. */
function copyFixture(runDir: string, name: string): string {
  const dest = path.join(runDir, name);
  fs.cpSync(path.join(REPO, 'test', 'e2e', 'fixture'), dest, { recursive: true });
  return dest;
}

// ---- code-server ----
interface Server { url: string; hostPort: string; proc: ChildProcess; logFile: string }

function startCodeServer(runDir: string, port: number, env: NodeJS.ProcessEnv): Server {
  const bin = path.join(CACHE, `cs-${CS_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run scripts/vscode-cache.sh first`);
  const userDir = path.join(runDir, 'user');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  fs.mkdirSync(path.join(runDir, 'ext'), { recursive: true });
  fs.writeFileSync(
    path.join(userDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'files.hotExit': 'off',
        'editor.minimap.enabled': false,
        'editor.fontSize': 15,
        'window.commandCenter': false,
        'workbench.layoutControl.enabled': false,
        'chat.commandCenter.enabled': false,
      },
      null,
      2,
    ),
  );
  const logFile = path.join(runDir, 'code-server.log');
  const out = fs.openSync(logFile, 'w');
  // detached => setsid: the child leads a new process group we can kill whole (extension hosts, language server).
  const proc = spawn(
    bin,
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--user-data-dir', userDir, '--extensions-dir', path.join(runDir, 'ext'),
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened',
    ],
    { detached: true, stdio: ['ignore', out, out], env },
  );
  fs.closeSync(out);
  return { url: `http://127.0.0.1:${port}/`, hostPort: `127.0.0.1:${port}`, proc, logFile };
}

function killGroup(proc: ChildProcess | undefined): void {
  if (!proc?.pid) return;
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      return; // group already gone
    }
    if (sig === 'SIGTERM') {
      const until = Date.now() + 1500;
      while (Date.now() < until && groupAlive(proc.pid)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- workbench ----
/** Newer VS Code only honours payload dev options with enableSmokeTestDriver; harmless on 1.100. */
function enableSmokeTestDriver(): void {
  const patch = (el: HTMLElement | null) => {
    if (!el || el.dataset.smokePatched) return;
    const cfg = JSON.parse(el.getAttribute('data-settings') ?? '{}');
    cfg.developmentOptions = Object.assign({}, cfg.developmentOptions, { enableSmokeTestDriver: true });
    el.setAttribute('data-settings', JSON.stringify(cfg));
    el.dataset.smokePatched = '1';
  };
  new MutationObserver(() => patch(document.getElementById('vscode-workbench-web-configuration'))).observe(document, {
    childList: true,
    subtree: true,
  });
}

function workbenchUrl(server: Server, folder: string, payload: [string, string][]): string {
  const remote = (p: string) => `vscode-remote://${server.hostPort}${p}`;
  const encoded = payload.map(([k, v]) => [k, remote(v)]);
  return `${server.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(encoded))}`;
}

async function runExtensionTests(ctx: BrowserContext, server: Server, folder: string, resultsFile: string, shotDir: string): Promise<void> {
  const page = await ctx.newPage();
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (exit = r));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const line = format(...(args ?? []));
    if (!/open-vsx\.org/.test(line)) console.log(`  [ext-host ${type}]`, line); // no marketplace offline
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
  await page.addInitScript(enableSmokeTestDriver);
  const tests = path.join(REPO, 'out', 'test', 'e2e', 'suite', 'index.js');
  await page.goto(workbenchUrl(server, folder, [['extensionDevelopmentPath', REPO], ['extensionTestsPath', tests]]));
  const limit = Number(process.env.PYPY_BINDINGS_E2E_TIMEOUT_MS ?? 600_000);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limit)));
  const code = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (code !== 0) await page.screenshot({ path: path.join(shotDir, 'extension-tests-end.png') }).catch(() => {});
  await page.close();
  let results: { passed: number; failed: number; outcomes: { title: string; state: string; error?: string }[] } | undefined;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    results = undefined;
  }
  if (!results) {
    check(false, 'extension tests ran', `exit ${code}, no results written`);
    return;
  }
  for (const o of results.outcomes) check(o.state === 'passed', `[ext] ${o.title}`, o.error?.split('\n')[0] ?? '');
  if (code !== 0 && results.failed === 0) check(false, 'the extension host exits 0 when every test passed', `exit ${code}`);
}

/** Pixel centre of the nth occurrence of word in the rendered editor lines (robust to tokenisation). */
function wordCenter(page: Page, word: string, nth = 0): Promise<Box | null> {
  return page.evaluate(
    ([w, n]) => {
      const root = document.querySelector('.editor-instance .monaco-editor .view-lines');
      if (!root) return null;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let node: any;
      let seen = 0;
      while ((node = walker.nextNode())) {
        const text = (node.textContent ?? '').replace(/\u00a0/g, ' ');
        const re = new RegExp(`\\b${w}\\b`, 'g');
        let m: RegExpExecArray | null;
        while ((m = re.exec(text))) {
          if (seen++ !== n) continue;
          const r = document.createRange();
          r.setStart(node, m.index);
          r.setEnd(node, m.index + w.length);
          const b = r.getBoundingClientRect();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
      }
      return null;
    },
    [word, nth] as [string, number],
  );
}

function editorText(page: Page): Promise<string> {
  // Rendered lines sorted by their vertical position (the DOM order is not the line order).
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll('.editor-instance .monaco-editor .view-lines .view-line')];
    return lines
      .map((l) => ({ top: parseFloat(l.style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text)
      .join('\n');
  }, undefined);
}

const visibleHoverText = (page: Page) =>
  page.$$eval('.monaco-hover', (els) => els.map((e) => (e as HTMLElement).innerText).join('\n')).catch(() => '');

async function runUiChecks(ctx: BrowserContext, server: Server, folder: string, shotDir: string): Promise<void> {
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /pypy|Extension host/i.test(m.text())) log('browser console:', m.text().slice(0, 300));
  });
  const shot = async (name: string) => {
    const file = path.join(shotDir, name);
    await page.screenshot({ path: file });
    log('screenshot', path.relative(process.cwd(), file));
  };
  await page.addInitScript(enableSmokeTestDriver);
  await page.goto(workbenchUrl(server, folder, [['extensionDevelopmentPath', REPO]]), { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  log('workbench rendered');

  // Open the file from the Explorer (Ctrl+P does not open Quick Open in headless Chromium).
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'slow_strlen.py' }).first().click();
  await page.waitForFunction((n) => document.querySelector('.tab.active')?.textContent?.includes(n), 'slow_strlen.py', { timeout: 30_000 });

  // 1. Squiggles and the Problems panel.
  const squiggly = await page
    .waitForSelector('.editor-instance .monaco-editor .squiggly-warning', { timeout: 90_000 })
    .then(() => true, () => false);
  await page.waitForSelector('.editor-instance .monaco-editor .squiggly-info', { timeout: 10_000 }).catch(() => {});
  const kinds = await page.$$eval('.editor-instance .monaco-editor [class*="squiggly-"]', (els) =>
    els.map((e) => /squiggly-(\w+)/.exec(e.className)?.[1] ?? '?'),
  );
  check(squiggly && kinds.includes('info'), 'squiggles: a warning (PB204) and an information (PB101) in the editor', kinds.join(','));
  await page.keyboard.press('Control+Shift+M');
  const rows = await until(
    'Problems rows with PB codes',
    async () => {
      const r = await page.$$eval('.markers-panel .monaco-list-row', (els) => els.map((e) => e.textContent ?? ''));
      return r.some((t) => t.includes('PB204')) && r.some((t) => t.includes('PB101')) ? r : undefined;
    },
    20_000,
  ).catch(() => [] as string[]);
  check(rows.length > 0, 'Problems panel lists PB204 and PB101 rows', rows.map((r) => r.slice(0, 90)).join(' | '));
  await page.mouse.move(5, 450);
  await shot('squiggles-problems.png');

  // 2. A guide hover, opened by moving the mouse over "ctypes" in the import.
  const ctypesWord = await wordCenter(page, 'ctypes', 0);
  let hover = '';
  if (ctypesWord) {
    await page.mouse.move(ctypesWord.x, ctypesWord.y, { steps: 5 });
    hover = await until(
      'the guide hover',
      async () => {
        const t = await visibleHoverText(page);
        return t.includes("ctypes' performance is not as good as CFFI's") ? t : undefined;
      },
      20_000,
    ).catch(() => visibleHoverText(page));
  }
  check(hover.includes("ctypes' performance is not as good as CFFI's"), 'mouse hover on "ctypes" quotes the guide', hover.replace(/\s+/g, ' ').slice(0, 160));
  await waitForHoverSettled(page);
  await shot('hover-guide.png');
  await page.mouse.move(5, 450);
  await page.keyboard.press('Escape');

  // 3. A quick fix from the light-bulb menu (Ctrl+.) on the PB204 call. The issue words the title
  // "Convert this library's bindings to CFFI"; the extension names the library.
  const convertTitle = /Convert (this library|libc)'s bindings to CFFI/;
  const strlenCall = await wordCenter(page, 'strlen', 1); // 0 is the argtypes line, 1 the call
  let menuTitles: string[] = [];
  if (strlenCall) {
    await page.mouse.click(strlenCall.x, strlenCall.y);
    await page.keyboard.press('Control+.');
    menuTitles = await until(
      'the quick fix menu',
      async () => {
        const t = await page.$$eval('.action-widget .monaco-list-row', (els) => els.map((e) => (e as HTMLElement).innerText));
        return t.some((x) => convertTitle.test(x)) ? t : undefined;
      },
      20_000,
    ).catch(() => [] as string[]);
  }
  check(menuTitles.length > 0, 'Ctrl+. on PB204 lists the CFFI conversion in the quick fix menu', menuTitles.join(' | '));
  await shot('quickfix-before.png');
  let after = '';
  if (menuTitles.length > 0) {
    const row = await page.evaluate((source) => {
      const re = new RegExp(source);
      const el = [...document.querySelectorAll('.action-widget .monaco-list-row')].find((e) => re.test(e.innerText));
      const b = el?.getBoundingClientRect();
      return b ? { x: b.x + b.width / 2, y: b.y + b.height / 2 } : null;
    }, convertTitle.source);
    if (row) await page.mouse.click(row.x, row.y);
    after = await until(
      'the converted text',
      async () => {
        const t = await editorText(page);
        return t.includes('ffi.cdef') ? t : undefined;
      },
      20_000,
    ).catch(() => editorText(page));
    await page.mouse.move(5, 450);
  }
  check(
    after.includes('ffi.cdef') && !after.includes('ctypes.CDLL'),
    'choosing the quick fix rewrites the file to cffi',
    after.split('\n').slice(0, 6).join(' / ').slice(0, 200),
  );
  await page.waitForSelector('.editor-instance .monaco-editor .squiggly-warning', { state: 'detached', timeout: 10_000 }).catch(() => {});
  // For the picture: the cursor away from the edit, and the problem counts that the tab and the Explorer
  // show as CSS ::after decorations caught up with the diagnostics.
  await page.keyboard.press('Control+Home');
  await page.waitForSelector('.editor-instance .lightBulbWidget', { state: 'hidden', timeout: 5_000 }).catch(() => log('light bulb still shown'));
  await page
    .waitForFunction(
      () =>
        [...document.querySelectorAll('.tab.active .monaco-icon-label *, .explorer-folders-view .monaco-icon-label *')].every(
          (e) => !/\d/.test(getComputedStyle(e, '::after').content),
        ),
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => log('problem-count decorations still shown'));
  await shot('quickfix-after.png');
  await page.close();
}

/**
 * Completion and signature help as the user meets them: typing `lib.` opens the suggest widget with the
 * cdef's functions (details expanded to show the C declaration), then typing a call opens the parameter hints.
 */
async function runEditorFeatureUi(ctx: BrowserContext, server: Server, folder: string, shotDir: string): Promise<void> {
  const page = await ctx.newPage();
  const shot = async (name: string) => {
    const file = path.join(shotDir, name);
    await page.screenshot({ path: file });
    log('screenshot', path.relative(process.cwd(), file));
  };
  await page.addInitScript(enableSmokeTestDriver);
  await page.goto(workbenchUrl(server, folder, [['extensionDevelopmentPath', REPO]]), { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cffi_points.py' }).first().click();
  await page.waitForFunction((n) => document.querySelector('.tab.active')?.textContent?.includes(n), 'cffi_points.py', { timeout: 30_000 });
  // rows of our items carry a function or variable icon; VS Code's word-based fallback shows text icons
  const rows = () =>
    page.$$eval('.suggest-widget .monaco-list-row', (els) =>
      els.filter((e) => e.querySelector('.codicon-symbol-function, .codicon-symbol-variable')).map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ')),
    );

  // 1. `lib.` on a new last line: the server may still be starting, so ask again until our items come.
  const word = await until('the rendered editor', () => wordCenter(page, 'print', 0).then((w) => w ?? undefined), 30_000);
  await page.mouse.click(word.x, word.y);
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('lib.');
  let listed: string[] = [];
  for (let attempt = 0; attempt < 20 && !listed.some((r) => r.includes('distance')); attempt++) {
    listed = await until('the suggest widget', async () => ((await rows()).length ? rows() : undefined), 3_000).catch(() => [] as string[]);
    if (!listed.some((r) => r.includes('distance'))) {
      await page.keyboard.press('Escape');
      await new Promise((r) => setTimeout(r, 500));
      await page.keyboard.press('Control+Space');
    }
  }
  check(
    ['distance', 'format_point', 'points_made'].every((n) => listed.some((r) => r.includes(n))),
    'typing "lib." lists the cdef\'s functions and globals',
    listed.join(' | ').slice(0, 200),
  );
  // the focused row shows its detail inline: the C declaration
  const details = await until(
    'the focused row\'s detail',
    async () => {
      const t = await page.$$eval('.suggest-widget .monaco-list-row.focused .details-label', (els) => els.map((e) => (e as HTMLElement).innerText).join(' '));
      return t.trim() ? t : undefined;
    },
    5_000,
  ).catch(() => '');
  check(/double distance\(const point_t \*a, const point_t \*b\)/.test(details), 'the focused completion shows the C declaration', details.replace(/\s+/g, ' ').slice(0, 160));
  await shot('completion.png');

  // 2. Accept `format_point` and type the call: the parameter hints follow the arguments into the `...`.
  await page.keyboard.press('Escape');
  await page.keyboard.type('format_point(buf, 64, fmt, '); // the cursor stays before the auto-closed `)`
  const hint = await until(
    'the parameter hints',
    async () => {
      const t = await page.$$eval('.parameter-hints-widget .signature', (els) => els.map((e) => (e as HTMLElement).innerText).join(' '));
      return t.includes('format_point(') ? t : undefined;
    },
    20_000,
  ).catch(() => '');
  const active = await page.$$eval('.parameter-hints-widget .signature .parameter.active', (els) => els.map((e) => (e as HTMLElement).innerText).join('')).catch(() => '');
  check(hint.includes('int format_point(char *buf, size_t size, const char *fmt, ...)'), 'typing a call shows the C prototype in the parameter hints', hint.replace(/\s+/g, ' ').slice(0, 160));
  check(active === '...', 'the fourth argument highlights the variadic parameter', active);
  await shot('signature-help.png');
  await page.close();
}

/** Hovers fade in; wait until the widget's opacity is final so the screenshot is not half transparent. */
async function waitForHoverSettled(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () => {
        const h = [...document.querySelectorAll('.monaco-hover')].find((e) => e.innerText.trim());
        return h && getComputedStyle(h).opacity === '1' && h.getAnimations({ subtree: true }).length === 0;
      },
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => {});
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const req = createRequire(path.join(CACHE, 'drv', 'package.json'));
  const { chromium } = req('playwright-core') as { chromium: Chromium };
  for (const f of ['out/test/e2e/suite/index.js', 'dist/client.js', 'dist/server.js']) {
    if (!fs.existsSync(path.join(REPO, f))) throw new Error(`${f} missing: run npm run build first`);
  }

  // Short paths: VS Code puts unix sockets in TMPDIR, and they must stay under 108 characters.
  const tmp = path.join(CACHE, 't');
  fs.mkdirSync(tmp, { recursive: true });
  // Run folders are kept when a run fails (logs); drop those older than a day.
  for (const old of fs.readdirSync(CACHE).filter((f) => f.startsWith('r-'))) {
    const dir = path.join(CACHE, old);
    if (Date.now() - fs.statSync(dir).mtimeMs > 86_400_000) fs.rmSync(dir, { recursive: true, force: true });
  }
  const runDir = fs.mkdtempSync(path.join(CACHE, 'r-'));
  // Without --shots, the pictures of the last run stay in the cache for a look after the run.
  const shotDir = args.shots ?? path.join(CACHE, 'last-shots');
  if (!args.shots) fs.rmSync(shotDir, { recursive: true, force: true });
  fs.mkdirSync(shotDir, { recursive: true });
  const resultsFile = path.join(runDir, 'ext-results.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
    TMPDIR: tmp,
    PYPY_BINDINGS_E2E_RESULTS: resultsFile,
  };

  const port = await freePort();
  let server: Server | undefined;
  let ctx: BrowserContext | undefined;
  const cleanup = () => {
    killGroup(server?.proc);
    server = undefined;
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
  try {
    server = startCodeServer(runDir, port, env);
    const s = server;
    await until('code-server /healthz', async () => ((await fetch(`${s.url}healthz`)).ok ? true : undefined), 60_000);
    log(`code-server ${CS_VERSION} up on ${server.hostPort} (pgid ${server.proc.pid}); run dir ${runDir}`);

    process.env.TMPDIR = tmp; // Chromium's own temp files too
    ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(runDir, 'chrome-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });

    if (args.only !== 'ui') {
      await runExtensionTests(ctx, server, copyFixture(runDir, 'ws-ext'), resultsFile, shotDir);
      log('extension tests done');
    }
    if (args.only !== 'ext') {
      // PYPY_BINDINGS_E2E_UI=editor runs only the editor-feature pictures (completion, signature help)
      const only = process.env.PYPY_BINDINGS_E2E_UI;
      if (only !== 'editor') {
        await runUiChecks(ctx, server, copyFixture(runDir, 'ws-ui'), shotDir).catch((e: Error) =>
          check(false, 'UI checks ran to the end', e.message.split('\n')[0]),
        );
      }
      await runEditorFeatureUi(ctx, server, copyFixture(runDir, 'ws-ui-editor'), shotDir).catch((e: Error) =>
        check(false, 'editor feature UI checks ran to the end', e.message.split('\n')[0]),
      );
      log('UI checks done');
    }
  } catch (e) {
    check(false, 'e2e run', (e as Error).message);
  } finally {
    await ctx?.close().catch(() => {});
    cleanup();
  }
  if (failed > 0 && server === undefined) log(`code-server log: ${path.join(runDir, 'code-server.log')}`);
  if (failed === 0 && !process.env.PYPY_BINDINGS_E2E_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  else log(`kept ${runDir} (code-server log, workspaces)`);
  log(`screenshots in ${shotDir}`);
  log(`total ${((Date.now() - T0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
