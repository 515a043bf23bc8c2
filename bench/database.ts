// The PostgreSQL of a benchmark run: DATABASE_URL, else an embedded server.
import { createTestDatabase, EmbeddedPostgres, withClient } from '../tools/embedded-postgres';
import { postmasterPid, processTreeCpuMicros } from './proc-cpu';

export interface BenchDatabase {
  serverUrl: string;
  embedded: boolean;
  version: string;
  urlFor(config: string): string;
  freshDatabase(prefix: string): Promise<string>;
  cpuMicros(): number | undefined;
  close(): Promise<void>;
}

/** The HTTP configurations with a database of their own. */
export const DATABASE_CONFIGS = ['hookwarden-pg', 'hookwarden-pg-inbox', 'naive-pg'];

/** DATABASE_URL, else an embedded PostgreSQL with fsync on; one database per configuration in `configs`. */
export async function openDatabase(
  log: (line: string) => void,
  configs: readonly string[] = DATABASE_CONFIGS,
): Promise<BenchDatabase> {
  const embedded = process.env.DATABASE_URL ? undefined : await EmbeddedPostgres.create({ durable: true });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url();
  const databases = [] as Array<{ drop(): Promise<void> }>;
  try {
    const version = await withClient(serverUrl, async (client) => {
      const { rows } = await client.query<{ version: string; fsync: string; sync: string }>(
        `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
                current_setting('synchronous_commit') AS sync`,
      );
      const { version: v, fsync, sync } = rows[0];
      return `PostgreSQL ${v} (fsync ${fsync}, synchronous_commit ${sync}${embedded ? ', embedded, same machine' : ', DATABASE_URL'})`;
    });
    log(version);
    const fresh = async (prefix: string) => {
      const db = await createTestDatabase(prefix, serverUrl);
      databases.push(db);
      return db.url;
    };
    const perConfig = new Map<string, string>();
    for (const config of configs) perConfig.set(config, await fresh(`bench_${config}`));
    const pid = embedded ? postmasterPid(embedded.dataDir) : undefined;
    return {
      serverUrl,
      embedded: embedded !== undefined,
      version,
      urlFor: (config) => perConfig.get(config) ?? '',
      freshDatabase: fresh,
      cpuMicros: () => (pid === undefined ? undefined : processTreeCpuMicros(pid)),
      close: async () => {
        for (const db of databases) await db.drop().catch(() => undefined);
        await embedded?.destroy();
      },
    };
  } catch (error) {
    await embedded?.destroy();
    throw error;
  }
}
