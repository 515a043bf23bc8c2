// HTTP end-to-end benchmark: a server configuration in a child process, loaded by autocannon with
// 50 connections, every request a fresh, correctly signed Standard Webhooks delivery with a unique id.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface HttpResult {
  adapter: string;
  config: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

export interface RunningServer {
  port: number;
  child: ChildProcess;
  rss(): Promise<number>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..');

export async function startServer(adapter: string, config: string, env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', join(ROOT, 'scripts/ts-register.js'), join(ROOT, 'bench/http-server.ts')],
    { env: { ...process.env, ...env, BENCH_ADAPTER: adapter, BENCH_CONFIG: config }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server ${adapter}/${config} exited with ${code}`)));
  });
  return {
    port,
    child,
    rss: async () => ((await (await fetch(`http://127.0.0.1:${port}/__rss`)).json()) as { rss: number }).rss,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** A request generator for autocannon: each call signs a new delivery with a unique id. */
export function signedRequests(secret: string, bodyBytes = 1024): (request: Record<string, unknown>) => Record<string, unknown> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const prefix = randomBytes(6).toString('hex');
  let counter = 0;
  const padding = 'x'.repeat(Math.max(0, bodyBytes - 80));
  return (request) => {
    const id = `msg_${prefix}_${++counter}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = `{"type":"bench.event","id":"${id}","data":"${padding}"}`;
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    return {
      ...request,
      method: 'POST',
      path: '/hooks/bench',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      },
    };
  };
}

export async function load(
  port: number,
  secret: string,
  options: { seconds?: number; amount?: number; connections?: number },
): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections ?? 50,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    requests: [{ setupRequest: signedRequests(secret) as never }],
  });
}

export async function runHttpBenchmark(
  adapter: string,
  config: string,
  env: Record<string, string>,
  seconds: number,
): Promise<HttpResult> {
  const server = await startServer(adapter, config, env);
  try {
    await load(server.port, env.BENCH_SECRET, { seconds: 2 }); // warm-up: JIT, pools, caches
    const result = await load(server.port, env.BENCH_SECRET, { seconds });
    return {
      adapter,
      config,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      total: result.requests.total,
    };
  } finally {
    await server.stop();
  }
}
