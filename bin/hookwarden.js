#!/usr/bin/env node
// The `hookwarden` command. In the published package: the compiled CLI (dist/). In a clone of the
// repository (src/ and scripts/ present): the TypeScript source through SWC, so that a stale
// dist/ left by an old `npm run build` never answers instead of the code being edited.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '../src/cli/hookwarden.ts');
const register = join(__dirname, '../scripts/ts-register.js');
let cli;
if (existsSync(source) && existsSync(register)) {
  require(register);
  cli = require(source);
} else {
  cli = require('../dist/cli/hookwarden.js');
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    // Usage mistakes are answered by main() with exit code 2; anything thrown is a failure (1).
    process.stderr.write(`hookwarden: ${error.message}\n`);
    process.exit(1);
  },
);
