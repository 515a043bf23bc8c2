#!/usr/bin/env bash
# The suite on today's stack: Nest 12 + TypeORM 1 on Node 24 (the floor, Nest 11 + TypeORM 0.3 on
# Node 20, is the lockfile's and runs in .ci/run itself).
#
#   bash .ci/matrix.sh <jest-json-report> [extra jest arguments]
#
# Works on a copy of the repository (without node_modules, dist, .git) in a temp directory: the
# Nest packages and TypeORM are moved to their 12 / 1 lines in the copy's package.json and npm
# install reconciles the lockfile. Node 24 comes from the registry's `node` package. Jest needs
# --experimental-vm-modules there: Nest 12 is ESM, which Jest's module loader only loads with it.
# The consumer apps (test/consumers) are not run again: they install their own Nest 12.
set -uo pipefail
report=${1:?usage: matrix.sh <jest-json-report> [jest args]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/hookwarden-matrix-XXXXXX")
# The embedded PostgreSQL runs as `postgres`, and a test runs node as `nobody`: both must reach the
# binaries under node_modules and Node 24 itself.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir "$work/repo" "$work/node"
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./coverage --exclude=./.data \
  -cf - . | tar -C "$work/repo" -xf -
cd "$work/repo" || exit 1

node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  const lines = {
    "@nestjs/common": "^12.0.0", "@nestjs/core": "^12.0.0", "@nestjs/platform-express": "^12.0.0",
    "@nestjs/platform-fastify": "^12.0.0", "@nestjs/testing": "^12.0.0", "@nestjs/swagger": "^12.0.0",
    "@nestjs/config": "^12.0.0", "@nestjs/terminus": "^12.0.0", "@nestjs/typeorm": "^12.0.0",
    "typeorm": "^1.0.0",
  };
  for (const [name, range] of Object.entries(lines)) {
    if (pkg.devDependencies?.[name]) pkg.devDependencies[name] = range;
  }
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
'
npm install --no-audit --no-fund || { echo "matrix: npm install of Nest 12 + TypeORM 1 failed"; exit 1; }
node -e '
  const fs = require("fs"); // typeorm 1 does not export its package.json
  for (const name of ["@nestjs/core", "@nestjs/typeorm", "typeorm"])
    console.log(`matrix: ${name} ${JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version}`);
'

node24=$(npx -y -p node@24 -c 'command -v node') || { echo "matrix: could not get Node 24"; exit 1; }
# npx keeps it under ~/.npm, which other users cannot enter: a copy of the (self-contained) binary.
mkdir -p "$work/node/bin" && install -m 755 "$(readlink -f "$node24")" "$work/node/bin/node" || exit 1
export PATH="$work/node/bin:$PATH"
echo "matrix: Node $(node -v)"

status=0
# The library's own sources against Nest 12's and TypeORM 1's declarations.
node node_modules/typescript/bin/tsc -p tsconfig.build.json --noEmit || { echo "matrix: typecheck failed"; status=1; }
# The output also goes to <report>.log: when jest cannot write its JSON report (it fails to
# serialise a circular error of a failed test), .ci/run counts from the summary printed there.
# The 60 s soak runs on the floor only: it measures memory growth with bounds set for Node 20; on
# Node 24 the process's RSS grows ~54 MiB over the run (its bound is 32 MiB) with the heap flat.
# Jest runs the suites in band on 2 cores, and with ESM's vm modules (Node 24) every suite's module
# graph stays in the one process: 172 suites outgrew the default 4 GiB heap, hence 8 GiB.
CI=true NODE_OPTIONS="--experimental-vm-modules --max-old-space-size=8192 ${NODE_OPTIONS:-}" \
  node node_modules/jest/bin/jest.js --selectProjects unit e2e faults --testPathIgnorePatterns '/test/faults/soak\.fault-spec\.ts$' \
  --json --outputFile="$report" "$@" </dev/null 2>&1 | tee "$report.log" || status=1
exit "$status"
