import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

// The package as a user installs it: built once into a temporary node_modules/nestjs-hookwarden
// (package.json, LICENSE, README, bin/ and dist/, as `files` ships them), then checked the way
// users' tools see it — the real `tsc` type-checking small consumer files under every module
// resolution with the strictest flags, Node.js loading it, the bin running from dist/.
// The temporary folder is inside the repository's node_modules/.cache so that the package's own
// imports (@nestjs/common, typeorm, …) resolve to the repository's devDependencies, as they would to
// a user's.
const ROOT = join(__dirname, '../..');
const TSC = require.resolve('typescript/bin/tsc');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
  files: string[];
  exports: Record<string, string | { types?: string; default?: string }>;
};
/** The public entries: `.`, `./typeorm`, … (every `exports` key but package.json). */
const SUBPATHS = Object.keys(manifest.exports).filter((key) => key !== './package.json');
const specifier = (subpath: string) => manifest.name + subpath.slice(1);

jest.setTimeout(180_000);

let work: string;
let pkg: string;

beforeAll(() => {
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  work = mkdtempSync(join(cache, 'hookwarden-package-'));
  pkg = join(work, 'node_modules', manifest.name);
  mkdirSync(pkg, { recursive: true });
  const build = spawnSync(
    process.execPath,
    [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')],
    {
      encoding: 'utf8',
    },
  );
  if (!existsSync(join(pkg, 'dist/index.d.ts'))) throw new Error(`The build failed:\n${build.stdout}${build.stderr}`);
  for (const entry of ['package.json', ...manifest.files.filter((file) => file !== 'dist')]) {
    cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs the real tsc on a generated tsconfig.json; resolves with its exit code and output. */
function tsc(project: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, '-p', project, '--listFiles'], { cwd: work });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A consumer file importing every public entry (a namespace import of an untyped module fails under strict). */
function consumerSource(): string {
  const imports = SUBPATHS.map((subpath, i) => `import * as entry${i} from '${specifier(subpath)}';`);
  return [
    ...imports,
    "import { WebhookModule, github, stripe, type WebhookModuleOptions } from 'nestjs-hookwarden';",
    "import { HOOKWARDEN_MIGRATIONS } from 'nestjs-hookwarden/typeorm';",
    // As the README writes them: settings straight from the environment (string | undefined).
    'const options: WebhookModuleOptions = {',
    '  endpoints: {',
    '    stripe: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET, toleranceSeconds: 300 }),',
    "    github: github({ secret: process.env.GITHUB_WEBHOOK_SECRET ?? ['old', 'new'] }),",
    '  },',
    '};',
    'const root = WebhookModule.forRoot({ admin: { token: process.env.WEBHOOK_ADMIN_TOKEN }, ...options });',
    `export const used = [${SUBPATHS.map((_, i) => `entry${i}`).join(', ')}, root, HOOKWARDEN_MIGRATIONS];`,
    '',
  ].join('\n');
}

// The flags the issue names, plus the strict family a careful consumer turns on.
const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noImplicitOverride: true,
  noUncheckedIndexedAccess: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
  noEmit: true,
};

// `skipLibCheck: false` is what checks our .d.ts files (they are library files to the consumer), and
// most of tsc's time (all of @types/node, Nest, TypeORM): it runs for the two resolutions of Nest's
// own templates, node10 (Nest 10, CommonJS) and nodenext (Nest 12, ESM); the other two check that
// every entry resolves and types the consumer file.
const RESOLUTIONS: Array<{ moduleResolution: string; module: string; files: string[]; skipLibCheck: boolean }> = [
  // Nest 10's default tsconfig: `moduleResolution: node` (node10) ignores `exports`.
  { moduleResolution: 'node10', module: 'commonjs', files: ['consumer.ts'], skipLibCheck: false },
  // Node 16+ rules, from a CommonJS file and from an ESM file (Nest 12 apps are ESM).
  { moduleResolution: 'node16', module: 'node16', files: ['consumer.cts', 'consumer.mts'], skipLibCheck: true },
  { moduleResolution: 'nodenext', module: 'nodenext', files: ['consumer.cts', 'consumer.mts'], skipLibCheck: false },
  { moduleResolution: 'bundler', module: 'esnext', files: ['consumer.ts'], skipLibCheck: true },
];

describe('the built package under tsc', () => {
  it.each(RESOLUTIONS)(
    'moduleResolution $moduleResolution: every entry resolves to its declarations, clean under strict + exactOptionalPropertyTypes (skipLibCheck $skipLibCheck)',
    async ({ moduleResolution, module, files, skipLibCheck }) => {
      const dir = join(work, `consumer-${moduleResolution}`);
      mkdirSync(dir);
      for (const file of files) writeFileSync(join(dir, file), consumerSource());
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { ...STRICT, module, moduleResolution, skipLibCheck }, files }, null, 2),
      );
      const { code, output } = await tsc(join(dir, 'tsconfig.json'));
      const errors = output.split('\n').filter((line) => line.includes('error TS'));
      expect(errors).toEqual([]);
      expect(code).toBe(0);
      // Each entry was found through its `types` (not through a stray path that happens to exist).
      for (const subpath of SUBPATHS) {
        const target = manifest.exports[subpath];
        const types = typeof target === 'string' ? target : target.types;
        expect(types).toBeDefined();
        expect(output).toContain(join(pkg, types!));
      }
    },
  );

  it('a consumer that emits declarations (Nest 12 templates set `declaration: true`) can name what public methods return', async () => {
    // A new user's health controller, copied from the README, failed to build: the inferred return
    // type of `check()` named a type the package did not export (TS2883).
    const dir = join(work, 'consumer-declarations');
    mkdirSync(dir);
    const source = [
      "import { WebhookHealthIndicator, WebhookInbox, WebhookVerifier } from 'nestjs-hookwarden';",
      'export class Uses {',
      '  constructor(',
      '    private readonly webhooks: WebhookHealthIndicator,',
      '    private readonly inbox: WebhookInbox,',
      '    private readonly verifier: WebhookVerifier,',
      '  ) {}',
      "  health() { return this.webhooks.isHealthy('webhooks', { maxQueueDepth: 1000 }); }",
      '  jobs() { return this.inbox.list({ limit: 10 }); }',
      "  job() { return this.inbox.get('1'); }",
      '  stats() { return this.inbox.stats?.(); }',
      "  replay() { return this.inbox.replay('1'); }",
      '  verifierOf() { return this.verifier; }',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'consumer.mts'), source);
    const compilerOptions = {
      ...STRICT,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      outDir: join(dir, 'out'),
      rootDir: dir,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      skipLibCheck: true,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.mts'] }, null, 2));
    const { code, output } = await tsc(join(dir, 'tsconfig.json'));
    expect(output.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
    expect(code).toBe(0);
  });

  it('every entry in exports has types and code that exist in the build', () => {
    for (const subpath of SUBPATHS) {
      const target = manifest.exports[subpath] as { types: string; default: string };
      expect(existsSync(join(pkg, target.types))).toBe(true);
      expect(existsSync(join(pkg, target.default))).toBe(true);
    }
  });
});

describe('what ships', () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );

  it('no source maps and no sourceMappingURL pointing at the unshipped src/', () => {
    const files = walk(join(pkg, 'dist'));
    expect(files.filter((file) => file.endsWith('.map')).map((file) => relative(pkg, file))).toEqual([]);
    const mapped = files.filter(
      (file) => file.endsWith('.js') && readFileSync(file, 'utf8').includes('sourceMappingURL'),
    );
    expect(mapped.map((file) => relative(pkg, file))).toEqual([]);
  });

  it('an MIT LICENSE file, and where the code, the home page and the issues are', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs.url).toMatch(/^https:\/\/.+\/issues$/);
  });

  it("the README's links work from the registry page (absolute, or anchors in the README)", () => {
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g), ...readme.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map(
      (match) => match[1],
    );
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !/^(https?:\/\/|mailto:|#)/.test(target))).toEqual([]);
  });

  it('the bin runs the compiled CLI (no src/ in the package): --version', () => {
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    const run = spawnSync(process.execPath, [join(pkg, 'bin/hookwarden.js'), '--version'], { encoding: 'utf8' });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: `${manifest.version}\n`,
      stderr: '',
    });
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('package');
    });
    afterAll(() => db.drop());

    it('the compiled `hookwarden migrate` runs the migrations', () => {
      const run = spawnSync(process.execPath, [join(pkg, 'bin/hookwarden.js'), 'migrate'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Ran Hookwarden\w+(, Hookwarden\w+)*\.\n$/);
    });
  });
});

describe('npm pack from a clean checkout (no dist/)', () => {
  // `npm pack`/`npm publish` of a fresh clone must build first (prepack): a package without dist/
  // installs fine and then fails on its first require.
  let scratch: string | undefined;
  afterAll(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  it('ships the compiled code: dist/index.js, dist/index.d.ts and the typeorm entry are in the tarball', () => {
    // Outside the repository (cp refuses to copy a folder into itself); node_modules is linked.
    scratch = mkdtempSync(join(tmpdir(), 'hookwarden-pack-'));
    const clean = join(scratch, 'package');
    const skip = new Set(['node_modules', '.git', 'dist', 'test', 'bench', 'coverage', '.data']);
    cpSync(ROOT, clean, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split('/')[0]) });
    symlinkSync(join(ROOT, 'node_modules'), join(clean, 'node_modules'), 'dir'); // the build's tools
    expect(existsSync(join(clean, 'dist'))).toBe(false);
    const packed = spawnSync('npm', ['pack', '--json', '--dry-run'], {
      cwd: clean,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect({ status: packed.status, stderr: packed.status === 0 ? '' : packed.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('\n[') + 1)) as Array<{
      files: Array<{ path: string }>;
    }>;
    const files = report.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/storage/typeorm/index.js',
        'dist/cli/hookwarden.js',
        'bin/hookwarden.js',
      ]),
    );
    // Only what `files` lists (and npm's always-included package.json): no src/, no tests.
    expect(
      files.filter((file) => !/^(dist|bin)\/|^(LICENSE|README\.md|SECURITY\.md|package\.json)$/.test(file)),
    ).toEqual([]);
  });
});

const OPTIONAL_PEERS = ['typeorm', '@nestjs/typeorm', 'pg', 'class-validator', 'class-transformer', '@nestjs/swagger'];

describe('the root entry needs no optional peer', () => {
  /** The packages named by the declarations reached from `entry` through relative imports. */
  function declaredPackages(entry: string): { files: number; packages: Set<string> } {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (!target.startsWith('.')) {
          packages.add(
            target
              .split('/')
              .slice(0, target.startsWith('@') ? 2 : 1)
              .join('/'),
          );
          continue;
        }
        const base = join(file, '..', target);
        const next = [`${base}.d.ts`, join(base, 'index.d.ts')].find((candidate) => existsSync(candidate));
        if (!next) throw new Error(`${relative(pkg, file)} imports ${target}, which is not in the package`);
        visit(next);
      }
    };
    visit(entry);
    return { files: seen.size, packages };
  }

  it('its declarations import none (a consumer without them type-checks with skipLibCheck off)', () => {
    const { files, packages } = declaredPackages(join(pkg, 'dist/index.d.ts'));
    expect(files).toBeGreaterThan(20);
    expect([...packages].filter((name) => OPTIONAL_PEERS.includes(name))).toEqual([]);
  });
});

describe('class-validator and class-transformer are optional peers', () => {
  // A preload that makes every optional peer missing, as in an app that installed none of them.
  const withoutOptionalPeers = (script: string) => {
    const preload = join(work, 'no-optional-peers.js');
    writeFileSync(
      preload,
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (${JSON.stringify(OPTIONAL_PEERS)}.some((name) => request === name || request.startsWith(name + '/'))) {
    const error = new Error("Cannot find module '" + request + "'");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};`,
    );
    return spawnSync(process.execPath, ['-r', preload, '-e', script], { cwd: work, encoding: 'utf8' });
  };

  it('without any optional peer, the root entry loads and a module with in-memory storage, no admin API, is built', () => {
    const run = withoutOptionalPeers(`
      require('reflect-metadata');
      const hookwarden = require('${manifest.name}');
      hookwarden.WebhookModule.forRoot({ endpoints: { stripe: hookwarden.stripe() } });
      const loaded = Object.keys(require.cache).filter((file) => /node_modules.(class-|typeorm|pg|@nestjs.(typeorm|swagger))/.test(file));
      process.stdout.write(JSON.stringify(loaded));
    `);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('[]');
  });

  it('without them, admin: true stops start-up saying what to install', () => {
    const run = withoutOptionalPeers(`
      require('reflect-metadata');
      const hookwarden = require('${manifest.name}');
      try {
        hookwarden.WebhookModule.forRoot({ admin: true, endpoints: { stripe: hookwarden.stripe() } });
        process.stdout.write('started');
      } catch (error) {
        process.stdout.write(error.name + ': ' + error.message);
      }
    `);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^WebhookConfigurationError: The admin API .*npm install class-validator class-transformer$/,
    );
  });

  it('with them (the usual case), admin: true builds the admin controller', () => {
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `require('reflect-metadata');
         const hookwarden = require('${manifest.name}');
         const mod = hookwarden.WebhookModule.forRoot({ admin: true, endpoints: { stripe: hookwarden.stripe() } });
         process.stdout.write(String((mod.controllers ?? []).length));`,
      ],
      { cwd: work, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(Number(run.stdout)).toBeGreaterThan(0);
  });
});

/**
 * Jest's CommonJS mode is the set-up of Nest 10 and 11 apps; Nest 12 is ES modules only, which that
 * mode cannot load at all (the README's Jest ESM note covers it): run there only on the floor.
 */
const nestMajor = Number(
  (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/@nestjs/common/package.json'), 'utf8')) as { version: string }
  ).version.split('.')[0],
);
const describeOnCommonJsNest = nestMajor < 12 ? describe : describe.skip;

/**
 * Runs one test file with this repository's Jest in a folder outside node_modules (Jest resolves
 * nothing from a folder under one), the package linked in; returns what Jest printed and its status.
 */
function jestCommonJs(
  file: string,
  source: string,
  config: Record<string, unknown>,
): { output: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-jest-cjs-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(pkg, join(dir, 'node_modules', manifest.name), 'dir');
    writeFileSync(join(dir, file), source);
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        '--config',
        JSON.stringify({ rootDir: dir, testEnvironment: 'node', ...config }),
        '--ci',
        '--colors=false',
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    return { output: `${run.stdout}${run.stderr}`, status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeOnCommonJsNest("Jest's CommonJS mode (Nest 10 and 11 apps' default test set-up)", () => {
  // Jest runs CommonJS code in its own module system, which cannot require() an ES module, and does
  // not transform node_modules: every entry must load without one (jose and the CEL library are ES
  // modules, loaded on first use instead). Run with no transform at all.
  it('every entry loads, the testing kit signs a delivery and the module builds', () => {
    const requires = SUBPATHS.map((subpath) => `require(${JSON.stringify(specifier(subpath))});`).join('\n');
    const run = jestCommonJs(
      'entries.test.js',
      `${requires}
const { signWebhook, challengeRequest } = require('${manifest.name}/testing');
const { WebhookModule, stripe } = require('${manifest.name}');
test('loads', () => {
  const delivery = signWebhook('stripe', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body: { id: 'evt_1' } });
  expect(delivery.headers['stripe-signature']).toMatch(/^t=\\d+,v1=[0-9a-f]{64}$/);
  expect(typeof challengeRequest).toBe('function');
  expect(WebhookModule.forRoot({ endpoints: { s: stripe({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) } }).module).toBe(WebhookModule);
});
`,
      { transform: {} },
    );
    expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.status).toBe(0);
  });

  // The README's `transformIgnorePatterns`, read from the README itself: with it, the ES modules the
  // JWT-signed providers load are transformed, and a monday.com delivery (a JWT) is signed.
  it("a JWT-signed provider signs once jose is transformed with the README's configuration", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const pattern = /"transformIgnorePatterns": \["([^"]+)"\]/.exec(readme)?.[1];
    expect(pattern).toBeDefined();
    const run = jestCommonJs(
      'jwt.test.js',
      `const { signWebhook } = require('${manifest.name}/testing');
test('signs', () => {
  const delivery = signWebhook('monday', { secret: 'a-monday-signing-secret-123456', url: 'https://example.com/hooks/monday' });
  const [header] = delivery.headers.authorization.split('.');
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
});
`,
      {
        transform: { '^.+\\.[tj]s$': [require.resolve('@swc/jest'), { module: { type: 'commonjs' } }] },
        transformIgnorePatterns: [pattern],
      },
    );
    expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.status).toBe(0);
  });
});
