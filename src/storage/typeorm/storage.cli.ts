// Storage maintenance from the command line (npm scripts in a clone; `node` on the compiled file in
// an installed package):
//   migrate   – run Hookwarden's migrations            (npm run migration:run)
//   revert    – revert its last migration               (npm run migration:revert)
//   reencrypt – re-encrypt every secret under the current master key (npm run keys:reencrypt)
// Environment: DATABASE_URL (required), WEBHOOK_SCHEMA (optional), and for reencrypt either
// WEBHOOK_ENCRYPTION_KEYRING (JSON { "current": "k2", "keys": { "k1": "…", "k2": "…" } }) or
// WEBHOOK_ENCRYPTION_KEY (one key). Nothing secret is printed.
import { DataSource } from 'typeorm';
import { createHookwardenMigrations } from './hookwarden.migrations';
import { reencryptWebhookSecrets } from './reencrypt';
import type { EncryptionKeyOption } from './typeorm-storage.options';

const USAGE =
  'Usage: storage.cli <migrate|revert|reencrypt>  (env: DATABASE_URL, WEBHOOK_SCHEMA, WEBHOOK_ENCRYPTION_KEY[RING])\n';

/** Runs one storage command; resolves with the exit code. @publicApi */
export async function runStorageCommand(
  command: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<number> {
  if (command !== 'migrate' && command !== 'revert' && command !== 'reencrypt') {
    process.stderr.write(USAGE);
    return 2;
  }
  const url = env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set.\n');
    return 2;
  }
  const schema = env.WEBHOOK_SCHEMA || undefined;
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: createHookwardenMigrations({ schema }),
    logging: false,
  });
  await dataSource.initialize();
  try {
    if (command === 'migrate') {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      out(done.length ? `Ran ${done.map((m) => m.name).join(', ')}.` : 'Nothing to migrate.');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      out('Reverted the last Hookwarden migration.');
    } else {
      const count = await reencryptWebhookSecrets(dataSource, { encryptionKey: keyFromEnv(env), schema });
      out(`Re-encrypted ${count} secret version(s) under the current key.`);
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

function keyFromEnv(env: NodeJS.ProcessEnv): EncryptionKeyOption {
  if (env.WEBHOOK_ENCRYPTION_KEYRING) {
    try {
      return JSON.parse(env.WEBHOOK_ENCRYPTION_KEYRING) as EncryptionKeyOption;
    } catch {
      throw new Error('WEBHOOK_ENCRYPTION_KEYRING must be JSON: { "current": "id", "keys": { "id": "key" } }.');
    }
  }
  if (env.WEBHOOK_ENCRYPTION_KEY) return env.WEBHOOK_ENCRYPTION_KEY;
  throw new Error('Set WEBHOOK_ENCRYPTION_KEYRING (or WEBHOOK_ENCRYPTION_KEY).');
}

if (require.main === module) {
  runStorageCommand(process.argv[2]).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
