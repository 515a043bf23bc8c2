// The @OnWebhook handler of the inbox fault tests, in the app process: each attempt writes a row
// to `inbox_runs` (in the app's database) when it starts and when it ends, so the tests can tell,
// across processes, what ran, where, when and how often. The delivery's body says what to do:
// `{ "sleepMs": n }` sleeps, `{ "poison": true }` always throws.
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { OnWebhook, type VerifiedWebhook, type WebhookJobContext } from '../../../src';

export const RUNS_TABLE = `CREATE TABLE IF NOT EXISTS inbox_runs (
  id bigserial PRIMARY KEY, message_id text NOT NULL, job_id text NOT NULL, pid int NOT NULL, attempt int NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)`;

@Injectable()
export class InboxProbe implements OnModuleDestroy {
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

  constructor() {
    this.pool.on('error', () => undefined);
  }

  @OnWebhook('billing')
  async run(delivery: VerifiedWebhook<{ sleepMs?: number; poison?: boolean }>, context: WebhookJobContext) {
    // A run that cannot be recorded (database down) fails, and is retried like any failure.
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO inbox_runs (message_id, job_id, pid, attempt) VALUES ($1, $2, $3, $4) RETURNING id',
      [delivery.id, context.jobId, process.pid, context.attempt],
    );
    if (delivery.payload.poison) throw new Error('poison');
    const sleepMs = delivery.payload.sleepMs ?? 0;
    if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
    await this.pool.query('UPDATE inbox_runs SET finished_at = clock_timestamp() WHERE id = $1', [rows[0]!.id]);
  }

  async onModuleDestroy() {
    await this.pool.end().catch(() => undefined);
  }
}
