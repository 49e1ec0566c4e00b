#!/usr/bin/env node
'use strict';
// The CLI entry: the bundled server (dist/server.js) holds check, convert and the language server.
const { run } = require('../dist/server.js');
run(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
