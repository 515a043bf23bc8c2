// Jest global teardown: stops the embedded PostgreSQL of this run and deletes its files.
import { destroyAll, ENV } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__HOOKWARDEN_POSTGRES__;
  if (!running) return;
  globalThis.__HOOKWARDEN_POSTGRES__ = undefined;
  await running.server.stop('fast').catch(() => undefined);
  // Private servers a spec did not destroy, and the template.
  destroyAll(running.baseDir);
  if (running.watchdogPid) {
    try {
      process.kill(running.watchdogPid);
    } catch {
      // already gone
    }
  }
  delete process.env[ENV.url];
  delete process.env[ENV.baseDir];
  delete process.env[ENV.templateDir];
}
