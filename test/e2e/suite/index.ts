// Entry point VS Code loads as extensionTestsPath (the contract @vscode/test-electron uses):
// run() resolves when every test passed and rejects otherwise.
// PYPY_BINDINGS_E2E_RESULTS (inherited from code-server or set by runElectron) names a JSON file
// that receives the counts, so the runner can print them whatever the host does with our exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.PYPY_BINDINGS_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  const outcomes: Outcome[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = outcomes.filter((o) => o.state === 'passed').length;
      const failed = outcomes.filter((o) => o.state === 'failed').length;
      const out = process.env.PYPY_BINDINGS_E2E_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify({ passed, failed, outcomes }, null, 2));
      console.log(`extension tests: ${passed} passed, ${failed} failed`);
      if (failures > 0 || passed === 0) reject(new Error(`${failures} extension test(s) failed, ${passed} passed`));
      else resolve();
    });
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err: Error) =>
      outcomes.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }),
    );
  });
}
