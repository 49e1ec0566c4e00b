import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../server/src/cli/report/html';
import type { ReadinessReport } from '../../server/src/cli/report/types';
import { writeProject } from '../cli/reportProject';
import { LspClient } from './lspClient';

test('pypyBindings/readinessReport: the report of the workspace folders, which the client renders with links to file and line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-readiness-'));
  writeProject(dir);
  const c = new LspClient();
  try {
    await c.initialize({ pull: true });
    const r = (await c.request('pypyBindings/readinessReport', { folders: [pathToFileURL(dir).href] })) as ReadinessReport;
    assert.deepEqual(r.roots, [dir]);
    assert.equal(r.totals.modules, 6);
    assert.equal(r.totals.functions, 4);
    assert.equal(r.totals.convertible, 3);
    assert.deepEqual(r.totals.severities, { error: 2, warning: 0, information: 3, hint: 0 });
    assert.deepEqual(r.packages.map((p) => p.name).sort(), ['fastpkg', `${path.basename(dir)}/ext/`].sort());
    const broken = r.packages.flatMap((p) => p.modules).find((m) => m.path === 'fastpkg/broken.py')!;
    assert.equal(broken.file, path.join(dir, 'fastpkg', 'broken.py'));
    assert.equal(broken.module, 'fastpkg.broken');
    assert.deepEqual(broken.blockers.map((b) => [b.kind, b.code, b.line]), [['pypy', 'PB201', 4], ['pypy', 'PB202', 5]]);
    assert.deepEqual(r.startWith.map((s) => [s.path, s.line]), [['fastpkg/broken.py', 4], ['fastpkg/_libc.py', 3], ['fastpkg/mixed.py', 2], ['ext/_speedups.c', 1]]);

    // the webview page the client makes of it: every entry links to its file and line, scripts only by nonce
    const html = renderHtml(r, { links: 'webview', nonce: 'n0nce' });
    assert.match(html, /script-src 'nonce-n0nce';/);
    assert.match(html, /<script nonce="n0nce">[^<]*acquireVsCodeApi\(\)[^<]*postMessage\(\{ type: 'open', file: a\.dataset\.file, line: Number\(a\.dataset\.line\) \}\)/);
    const links = [...html.matchAll(/<a href="#" class="loc" data-file="([^"]+)" data-line="(\d+)">([^<]*)<\/a>/g)].map((m) => ({ file: m[1]!, line: Number(m[2]), label: m[3]! }));
    for (const s of r.startWith) assert.ok(links.some((l) => l.file === s.file && l.line === s.line && l.label === `${s.path}:${s.line}`), `start-with link ${s.path}:${s.line}`);
    for (const b of broken.blockers) assert.ok(links.some((l) => l.file === broken.file && l.line === b.line), `blocker line ${b.line}`);
    for (const l of links) {
      assert.ok(fs.existsSync(l.file), l.file);
      assert.ok(l.line >= 1 && l.line <= fs.readFileSync(l.file, 'utf8').split('\n').length, `${l.file}:${l.line}`);
    }

    // a request without a usable folder is an error the client can show, and the server keeps serving
    await assert.rejects(c.request('pypyBindings/readinessReport', { folders: ['untitled:x'] }), /needs at least one file: folder/);
    const again = (await c.request('pypyBindings/readinessReport', { folders: [pathToFileURL(path.join(dir, 'ext')).href] })) as ReadinessReport;
    assert.equal(again.totals.modules, 1);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
