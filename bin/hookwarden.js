#!/usr/bin/env node
// The `hookwarden` command: the compiled CLI when the package is built (as published), else the
// TypeScript source through SWC (in a clone of the repository).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '../dist/cli/hookwarden.js');
let cli;
if (existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('../scripts/ts-register.js');
  cli = require('../src/cli/hookwarden.ts');
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`hookwarden: ${error.message}\n`);
    process.exit(2);
  },
);
