/**
 * The cold baseline of the first-diagnostics figure: a fresh process that loads the grammars, as the server
 * does at initialize, then parses the file once (wasm code as cold as the server's at its first didOpen).
 * Prints the parse's wall and CPU milliseconds (CPU of every thread: wasm tier-up runs in the background).
 */
import * as fs from 'node:fs';
import { loadGrammars } from '../server/src/parser/languages';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

if (require.main === module) {
  void (async () => {
    const text = fs.readFileSync(process.argv[2]!, 'utf8');
    const g = await loadGrammars();
    const c0 = cpu();
    const t0 = performance.now();
    g.pythonParser.parse(text)?.delete();
    console.log(JSON.stringify({ wall: performance.now() - t0, cpu: cpu() - c0 }));
  })();
}
