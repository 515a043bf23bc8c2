// Runs TypeScript sources directly (the demo, the benchmarks, the CLI in development) with SWC, the
// compiler the tests use: type-only compilation with decorator metadata, which Nest's DI needs.
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const options = {
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  // ignoreDynamic keeps import() native, for ESM packages with top-level await (vega).
  module: { type: 'commonjs', ignoreDynamic: true },
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
