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

/** DATABASE_URL, else an embedded PostgreSQL with fsync on; one database per configuration. */
export async function openDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const embedded = process.env.DATABASE_URL ? undefined : await EmbeddedPostgres.create({ durable: true });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url();
  const databases = [] as Array<{ drop(): Promise<void> }>;
  try {
    const version = await withClient(serverUrl, async (client) => {
      const { rows } = await client.query<{ version: string; fsync: string }>(
        `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync`,
      );
      return `PostgreSQL ${rows[0].version} (fsync ${rows[0].fsync}${embedded ? ', embedded, same machine' : ', DATABASE_URL'})`;
    });
    log(version);
    const fresh = async (prefix: string) => {
      const db = await createTestDatabase(prefix, serverUrl);
      databases.push(db);
      return db.url;
    };
    const perConfig = new Map<string, string>();
    for (const config of ['hookwarden-pg', 'naive-pg']) perConfig.set(config, await fresh(`bench_${config}`));
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
