// Runs test/e2e/suite in desktop VS Code through @vscode/test-electron, for machines that can download
// VS Code (this one cannot: CI uses runCodeServer instead). Like rust-analyzer, it tests the oldest VS Code
// the manifest allows and the newest one.
// Usage: node out/test/e2e/runElectron.js   (VSCODE_VERSIONS="1.100.3 stable" by default)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'pypy-bindings') return dir;
  }
  throw new Error(`no pypy-bindings package.json above ${from}`);
}

async function main(): Promise<void> {
  const repo = findRepoRoot(__dirname);
  const versions = (process.env.VSCODE_VERSIONS ?? '1.100.3 stable').split(/\s+/).filter(Boolean);
  let failures = 0;
  for (const version of versions) {
    // A fresh copy of the fixture workspace per run: the tests edit (and revert) files and settings.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pypy-bindings-e2e-'));
    const workspace = path.join(scratch, 'ws');
    fs.cpSync(path.join(repo, 'test', 'e2e', 'fixture'), workspace, { recursive: true });
    const results = path.join(scratch, 'results.json');
    try {
      await runTests({
        version,
        extensionDevelopmentPath: repo,
        extensionTestsPath: path.join(repo, 'out', 'test', 'e2e', 'suite', 'index.js'),
        extensionTestsEnv: { PYPY_BINDINGS_E2E_RESULTS: results },
        launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      });
      console.log(`VS Code ${version}: extension tests passed`);
    } catch (e) {
      failures++;
      console.error(`VS Code ${version}: ${(e as Error).message}`);
    }
    if (fs.existsSync(results)) {
      const r = JSON.parse(fs.readFileSync(results, 'utf8')) as { passed: number; failed: number };
      console.log(`VS Code ${version}: ${r.passed} passed, ${r.failed} failed`);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
