// Jest global setup: one PostgreSQL per jest run (see ./postgres.ts). Jest compiles this file with
// the first project's transform (SWC), like the specs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, ENV, prepareDir, startWatchdog, withClient } from './postgres';

export interface GlobalPostgres {
  server: EmbeddedPostgres;
  baseDir: string;
  watchdogPid?: number;
}

declare global {
  var __HOOKWARDEN_POSTGRES__: GlobalPostgres | undefined;
}

export default async function globalSetup(): Promise<void> {
  const external = process.env[ENV.url];
  if (external) {
    // Fail here, once, with a clear message rather than in every storage spec.
    await withClient(external, (client) => client.query('SELECT 1')).catch((error: Error) => {
      throw new Error(`DATABASE_URL is set but PostgreSQL does not answer there: ${error.message}`);
    });
    return;
  }
  const baseDir = prepareDir(mkdtempSync(join(tmpdir(), 'hookwarden-pg-')));
  const watchdogPid = startWatchdog(process.pid, baseDir);
  const templateDir = join(baseDir, 'template');
  EmbeddedPostgres.initTemplate(templateDir);
  const server = await EmbeddedPostgres.create({ baseDir: join(baseDir, 'main'), templateDir });
  // Workers are forked after the global setup and inherit these.
  process.env[ENV.url] = server.url();
  process.env[ENV.baseDir] = baseDir;
  process.env[ENV.templateDir] = templateDir;
  globalThis.__HOOKWARDEN_POSTGRES__ = { server, baseDir, watchdogPid };
}
