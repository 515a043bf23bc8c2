// Smoke test of the benchmarks (never the benchmarks themselves, which `npm run bench` runs): the
// runner starts and loads every benchmark module, and the HTTP server child of the end-to-end
// benchmark answers signed deliveries on both adapters, also under a short autocannon load.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load, signedRequests, startServer, type RunningServer } from '../bench/http.bench';

const ROOT = join(__dirname, '..');
const SECRET = 'whsec_' + randomBytes(32).toString('base64');

describe('benchmarks (smoke)', () => {
  it('the runner starts and loads every benchmark module', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '-r', join(ROOT, 'scripts/ts-register.js'), join(ROOT, 'bench/run.ts'), '--check'],
      // Starting a child through ts-register is slow on a loaded CI machine: generous bounds (the
      // child's own bound below the test's, so a hang reports as the child's).
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(stdout).toContain('bench ok');
  }, 90_000);

  it.each(['express', 'fastify'])(
    "(a″)'s node:crypto guard on %s verifies: a signed delivery passes, a body changed after signing does not",
    async (adapter) => {
      const server = await startServer(adapter, 'bare-hmac', { BENCH_SECRET: SECRET });
      try {
        const request = signedRequests(SECRET)({}) as { path: string; headers: Record<string, string>; body: string };
        const post = (body: string) =>
          fetch(`http://127.0.0.1:${server.port}${request.path}`, { method: 'POST', headers: request.headers, body });
        expect((await post(request.body)).status).toBe(200);
        const tampered = request.body.replace(/"/, ' "');
        expect(tampered).not.toBe(request.body);
        expect((await post(tampered)).status).toBe(403);
      } finally {
        await server.stop();
      }
    },
    60_000,
  );

  describe.each(['express', 'fastify'])('the HTTP server child on %s', (adapter) => {
    let server: RunningServer | undefined;

    beforeAll(async () => {
      server = await startServer(adapter, 'guard', { BENCH_SECRET: SECRET });
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
    });

    it('accepts a signed delivery once and answers its stats', async () => {
      const request = signedRequests(SECRET)({}) as { path: string; headers: Record<string, string>; body: string };
      const post = () =>
        fetch(`http://127.0.0.1:${server!.port}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
      const first = await post();
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ ok: true });
      const again = await post();
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ duplicate: true });

      const stats = await server!.rss();
      expect(stats.rss).toBeGreaterThan(0);
      expect(stats.cpuMicros).toBeGreaterThan(0);
    });

    it('answers every request of a short autocannon run with 2xx', async () => {
      const result = await load(server!.port, SECRET, { amount: 200, connections: 10 });
      expect(result.errors + result.timeouts + result.non2xx).toBe(0);
      expect(result['2xx']).toBe(200);
    }, 60_000);
  });
});
