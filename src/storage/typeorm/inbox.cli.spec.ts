// `hookwarden jobs …` on a real database: list, retry, redrive (a count unless --apply), replay,
// each audited; usage mistakes exit 2 without touching the database.
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { runJobsCommand } from './inbox.cli';

describe('hookwarden jobs', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let eventId: string;
  const lines: { out: string[]; err: string[] } = { out: [], err: [] };
  const io = { out: (l: string) => void lines.out.push(l), err: (l: string) => void lines.err.push(l) };
  const run = async (...argv: string[]) => {
    lines.out = [];
    lines.err = [];
    return runJobsCommand(argv, {}, io, dataSource);
  };
  const state = async (handler: string) =>
    (await dataSource.query(`SELECT state, attempts FROM webhook_inbox_jobs WHERE handler = $1`, [handler]))[0] as {
      state: string;
      attempts: number;
    };

  beforeAll(async () => {
    db = await createTestDatabase('inbox_cli');
    dataSource = await openDataSource(db.url);
    const [event] = await dataSource.query(
      `INSERT INTO webhook_events (endpoint, provider, message_id, status, received_at, method, path, headers, body, body_size, body_sha256)
       VALUES ('billing', 'stripe', 'evt_1', 'accepted', now(), 'POST', '/hooks', '{}', '\\x7b7d', 2, '\\x00')
       RETURNING id::text AS id`,
    );
    eventId = event.id;
    await dataSource.query(
      `INSERT INTO webhook_inbox_jobs (event_id, endpoint, handler, event_type, state, attempts, run_at, last_error)
       VALUES ($1, 'billing', 'A.dead', 'invoice.paid', 'dead', 8, now(), 'Error: boom'),
              ($1, 'billing', 'B.done', 'invoice.paid', 'succeeded', 1, now(), NULL)`,
      [eventId],
    );
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('lists jobs with filters', async () => {
    expect(await run('list', '--state', 'dead')).toBe(0);
    expect(lines.out).toHaveLength(1);
    expect(lines.out[0]).toMatch(/^\d+\tdead\tattempts=8\tbilling\tA\.dead\tinvoice\.paid\tevent=\d+\tError: boom$/);
  });

  it('redrive counts first, then applies; retry and replay send jobs back to pending', async () => {
    expect(await run('redrive', '--type', 'invoice.paid')).toBe(0);
    expect(lines.out).toEqual(['1 dead jobs match; add --apply to redrive them.']);
    expect(await state('A.dead')).toEqual({ state: 'dead', attempts: 8 });
    expect(await run('redrive', '--type', 'invoice.paid', '--apply')).toBe(0);
    expect(await state('A.dead')).toEqual({ state: 'pending', attempts: 0 });

    expect(await run('replay', eventId, '--handler', 'B.done')).toBe(0);
    expect(await state('B.done')).toEqual({ state: 'pending', attempts: 0 });
    expect(await run('replay', eventId)).toBe(1);
    expect(lines.err[0]).toMatch(/no succeeded or dead job/);

    await dataSource.query(`UPDATE webhook_inbox_jobs SET state = 'failed' WHERE handler = 'A.dead'`);
    const [{ id }] = await dataSource.query(`SELECT id::text AS id FROM webhook_inbox_jobs WHERE handler = 'A.dead'`);
    expect(await run('retry', id)).toBe(0);
    expect(await run('retry', id)).toBe(1);

    const actions = (await dataSource.query(`SELECT action, actor FROM webhook_audit ORDER BY id`)) as Array<{
      action: string;
      actor: string;
    }>;
    expect(actions.map((a) => a.action)).toEqual([
      'jobs.list',
      'jobs.redrive.dry_run',
      'jobs.redrive',
      'events.replay',
      'jobs.retry',
    ]);
    expect(actions.every((a) => a.actor.startsWith('cli:'))).toBe(true);
  });

  it('refuses usage mistakes with exit code 2', async () => {
    expect(await run('list', '--state', 'lost')).toBe(2);
    expect(await run('list', '--limit', '0')).toBe(2);
    expect(await run('retry')).toBe(2);
    expect(await run('frobnicate')).toBe(2);
    expect(await runJobsCommand(['list'], {}, io)).toBe(2);
  });
});
