// dist/server.js: compiles and runs the server bundle (dist/serverMain.js) with its V8 code cache (codeCache.ts).
import * as path from 'node:path';
import { runWithCodeCache } from './codeCache';

runWithCodeCache(path.join(__dirname, 'serverMain.js'), module, require);
