// Storage maintenance, run by the shipped CLI (`npx hookwarden migrate | revert | reencrypt`; in a
// clone, `npm run migration:run`, `migration:revert` and `keys:reencrypt` are aliases of it):
//   migrate   – run Hookwarden's pending migrations
//   revert    – revert its last migration
//   reencrypt – re-encrypt every secret under the current master key
// Environment: DATABASE_URL (required), WEBHOOK_SCHEMA (optional), and for reencrypt either
// WEBHOOK_ENCRYPTION_KEYRING (JSON { "current": "k2", "keys": { "k1": "…", "k2": "…" } }) or
// WEBHOOK_ENCRYPTION_KEY (one key). Nothing secret is printed. Loaded only for these commands, so
// `hookwarden send` works without typeorm installed.
import { DataSource, MigrationExecutor } from 'typeorm';
import { createHookwardenMigrations } from './hookwarden.migrations';
import { reencryptWebhookSecrets } from './reencrypt';
import type { EncryptionKeyOption } from './typeorm-storage.options';

export const STORAGE_COMMANDS = ['migrate', 'revert', 'reencrypt'] as const;
export type StorageCommand = (typeof STORAGE_COMMANDS)[number];

/** Where a command writes: results to `out` (stdout), problems to `err` (stderr). */
export interface CommandOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STDIO: CommandOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Runs one storage command; resolves with the exit code (2 for a usage mistake). A database that
 * cannot be reached, or a failing migration, rejects with TypeORM's or PostgreSQL's error.
 */
export async function runStorageCommand(
  command: StorageCommand,
  env: NodeJS.ProcessEnv = process.env,
  io: CommandOutput = STDIO,
): Promise<number> {
  const url = env.DATABASE_URL;
  if (!url) {
    io.err(`hookwarden ${command}: DATABASE_URL is not set (postgres://user:password@host:5432/database).`);
    return 2;
  }
  // Read before connecting, so a bad keyring is reported without touching the database.
  const encryptionKey = command === 'reencrypt' ? keyFromEnv(env) : undefined;
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
      io.out(done.length ? `Ran ${done.map((m) => m.name).join(', ')}.` : 'Nothing to migrate.');
    } else if (command === 'revert') {
      // TypeORM reverts silently when nothing was run: compare what is recorded before and after.
      const before = await executedMigrations(dataSource);
      await dataSource.undoLastMigration({ transaction: 'each' });
      const after = new Set(await executedMigrations(dataSource));
      const reverted = before.filter((name) => !after.has(name));
      io.out(reverted.length ? `Reverted ${reverted.join(', ')}.` : 'Nothing to revert.');
    } else {
      const count = await reencryptWebhookSecrets(dataSource, { encryptionKey: encryptionKey!, schema });
      io.out(`Re-encrypted ${count} secret version(s) under the current key.`);
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

async function executedMigrations(dataSource: DataSource): Promise<string[]> {
  const executed = await new MigrationExecutor(dataSource).getExecutedMigrations();
  return executed.map((migration) => migration.name);
}

/** The master key ring from the environment; `purpose` completes the message when none is set. @internal */
export function keyFromEnv(env: NodeJS.ProcessEnv, purpose = 'to re-encrypt'): EncryptionKeyOption {
  if (env.WEBHOOK_ENCRYPTION_KEYRING) {
    try {
      return JSON.parse(env.WEBHOOK_ENCRYPTION_KEYRING) as EncryptionKeyOption;
    } catch {
      throw new Error('WEBHOOK_ENCRYPTION_KEYRING must be JSON: { "current": "id", "keys": { "id": "key" } }.');
    }
  }
  if (env.WEBHOOK_ENCRYPTION_KEY) return env.WEBHOOK_ENCRYPTION_KEY;
  throw new Error(`Set WEBHOOK_ENCRYPTION_KEYRING (or WEBHOOK_ENCRYPTION_KEY) ${purpose}.`);
}
