// A start-up that fails after Hookwarden's stores connected (a test runner or a supervisor catches
// the error) must let the process end: the secret and endpoint caches' LISTEN connections held it
// open forever. Run in a process of its own against a real PostgreSQL.
import { spawn } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from './support/postgres';

describe('a failed start-up', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('e2e_failed_start');
  });
  afterAll(() => db.drop());

  it('lets the process exit by itself once the error is caught', async () => {
    const child = spawn(process.execPath, ['-r', './scripts/ts-register.js', 'test/support/failed-start-app.ts'], {
      env: { ...process.env, DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exit = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 15 s');
      }, 15_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    expect(output.trim()).toBe('start failed');
    expect(exit).toBe(0);
  }, 30_000);
});
