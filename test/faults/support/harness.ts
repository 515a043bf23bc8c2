// What the fault tests share: real app processes (test/faults/support/app-process.ts), deliveries
// signed with the `standardwebhooks` package (never with Hookwarden's own code), a plain HTTP client
// that reports connection failures as such, and a small load generator.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { openDataSource, withClient } from '../../support/postgres';

export const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(__dirname, 'app-process.ts');

// --- app processes -------------------------------------------------------------------------------

export interface AppProcessOptions {
  databaseUrl: string;
  adapter?: 'express' | 'fastify';
  secret: string;
  encryptionKey: string;
  /** eventLog.writeTimeoutMs. */
  deadlineMs?: number;
  retryAfterSeconds?: number;
  adminToken?: string;
  port?: number;
  /** eventLog.handlingLeaseSeconds: how long an unacknowledged acceptance blocks its copies. */
  handlingLeaseSeconds?: number;
  /** Adds the inbox's probe handler (inbox-probe.ts) with these inbox options. */
  inbox?: Record<string, unknown>;
}

export interface AppProcess {
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  /** The process's stderr so far (its Nest logs), for failure messages. */
  logs(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Fails with the end of the process's stderr (its crash, usually) when it is no longer running. */
  assertAlive(during: string): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (Nest's shutdown hooks run), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts the app in a process of its own and resolves once it listens. */
export function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '-r', './scripts/ts-register.js', SCRIPT], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      HW_ADAPTER: options.adapter ?? 'express',
      HW_SECRET: options.secret,
      HW_ENCRYPTION_KEY: options.encryptionKey,
      HW_DEADLINE_MS: String(options.deadlineMs ?? 2000),
      HW_RETRY_AFTER: String(options.retryAfterSeconds ?? 2),
      HW_PORT: String(options.port ?? 0),
      ...(options.adminToken ? { HW_ADMIN_TOKEN: options.adminToken } : {}),
      ...(options.handlingLeaseSeconds ? { HW_LEASE_SECONDS: String(options.handlingLeaseSeconds) } : {}),
      ...(options.inbox ? { HW_INBOX: JSON.stringify(options.inbox) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise<AppProcess>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app process did not start within 60 s:\n${stderr}`));
    }, 60_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the app process exited (${code ?? signal}) before listening:\n${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        pid: child.pid!,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        logs: () => stderr,
        alive: () => child.exitCode === null && child.signalCode === null,
        assertAlive: (during) => {
          if (child.exitCode === null && child.signalCode === null) return;
          throw new Error(
            `the app process died ${during} (${child.exitCode ?? child.signalCode}); the end of its stderr:\n` +
              stderr.slice(-4000),
          );
        },
        exited,
        kill: (signal) => {
          child.kill(signal);
        },
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}

/** Runs Hookwarden's migrations on a database once, before app processes start on it. */
export async function migrate(url: string): Promise<void> {
  const dataSource = await openDataSource(url);
  await dataSource.destroy();
}

// --- deliveries ------------------------------------------------------------------------------------

export interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** A Standard Webhooks delivery signed by the `standardwebhooks` package. */
export function signDelivery(secret: string, id = newId(), body?: string, at = new Date()): Delivery {
  const payload = body ?? JSON.stringify({ type: 'invoice.paid', id, amount: 4200 });
  return {
    id,
    body: payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, payload),
    },
  };
}

export function newId(prefix = 'msg'): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

// --- HTTP ----------------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
  /** Milliseconds from sending to the end of the answer. */
  ms: number;
}

/** A request over a keep-alive agent; a connection failure rejects (it is not an answer). */
export function post(
  baseUrl: string,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    agent?: Agent;
    timeoutMs?: number;
  },
): Promise<Answer> {
  const started = performance.now();
  return new Promise<Answer>((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const req = httpRequest(baseUrl + path, {
      method: init.method ?? 'POST',
      agent: init.agent,
      headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      timeout: init.timeoutMs ?? 30_000,
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${init.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: performance.now() - started });
      });
    });
    req.end(body);
  });
}

export function deliver(baseUrl: string, delivery: Delivery, agent?: Agent, timeoutMs?: number): Promise<Answer> {
  return post(baseUrl, '/hooks/billing', { headers: delivery.headers, body: delivery.body, agent, timeoutMs });
}

export const keepAlive = (maxSockets = 64) => new Agent({ keepAlive: true, maxSockets });

/** Runs `worker` on `concurrency` lanes until `stop()` is true; resolves when all lanes are done. */
export async function runLanes(concurrency: number, stop: () => boolean, worker: () => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop()) await worker();
    }),
  );
}

/** Polls `attempt` every 25 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number, what = 'it'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- the event log, read with SQL -----------------------------------------------------------------------

/** Accepted and duplicate rows by message id, straight from the table. */
export async function eventRows(
  url: string,
  ids?: readonly string[],
): Promise<Array<{ message_id: string; status: string; reason: string | null }>> {
  return withClient(url, async (client) => {
    const { rows } = ids
      ? await client.query(
          `SELECT message_id, status, reason FROM webhook_events WHERE message_id = ANY($1::text[]) ORDER BY id`,
          [ids],
        )
      : await client.query(`SELECT message_id, status, reason FROM webhook_events ORDER BY id`);
    return rows;
  });
}

/** Resident set size of a process from /proc (Linux), in bytes. */
export async function rssOf(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
