// `hookwarden jobs …` on a real database: list, retry, redrive (a count unless --apply), replay,
// each audited; usage mistakes exit 2 without touching the database.
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { independentSeal, independentSealKey } from '../../../test/support/independent-seal';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { runJobsCommand } from './inbox.cli';

const MASTER = randomBytes(32);
const KEYRING = JSON.stringify({ current: 'k1', keys: { k1: MASTER.toString('base64') } });

describe('hookwarden jobs', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let eventId: string;
  const lines: { out: string[]; err: string[] } = { out: [], err: [] };
  const io = { out: (l: string) => void lines.out.push(l), err: (l: string) => void lines.err.push(l) };
  const runIn = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
    lines.out = [];
    lines.err = [];
    return runJobsCommand(argv, env, io, dataSource);
  };
  const run = (...argv: string[]) => runIn({}, ...argv);
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
    // An id no event has says so (the admin API's 404 unknown_event), not "no finished job".
    lines.err.length = 0;
    expect(await run('replay', '999999999')).toBe(1);
    expect(lines.err[0]).toMatch(/no event with jobs has this id/);

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
      'events.replay.refused',
      'events.replay.refused',
      'jobs.retry',
      'jobs.retry.refused',
    ]);
    expect(actions.every((a) => a.actor.startsWith('cli:'))).toBe(true);
  });

  it('shows its usage with --help (it was an unknown option), without a database', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['list', '--help']]) {
      lines.out = [];
      expect(await runJobsCommand(argv, {}, io)).toBe(0);
      expect(lines.out.join('\n')).toContain('jobs redrive [--endpoint <name>]');
    }
  });

  it('refuses usage mistakes with exit code 2', async () => {
    expect(await run('list', '--state', 'lost')).toBe(2);
    expect(await run('list', '--limit', '0')).toBe(2);
    expect(await run('retry')).toBe(2);
    expect(await run('frobnicate')).toBe(2);
    expect(await runJobsCommand(['list'], {}, io)).toBe(2);
  });
  it('replay --reverify runs only an event that still matches its seal, and needs the key ring first', async () => {
    const body = Buffer.from('{"type":"invoice.paid"}');
    const [sealed] = await dataSource.query(
      `INSERT INTO webhook_events (endpoint, provider, message_id, status, event_type, received_at, method, path, headers,
                                   body, body_size, body_sha256, seal, seal_key_id)
       VALUES ('billing', 'stripe', 'evt_sealed', 'accepted', 'invoice.paid', now(), 'POST', '/hooks', '{}', $1, $2, $3, $4, 'k1')
       RETURNING id::text AS id`,
      [
        body,
        body.length,
        createHash('sha256').update(body).digest(),
        independentSeal(independentSealKey(MASTER), {
          endpoint: 'billing',
          messageId: 'evt_sealed',
          eventType: 'invoice.paid',
          status: 'accepted',
          contentType: null, // the stored headers are {}
          body,
        }),
      ],
    );
    await dataSource.query(
      `INSERT INTO webhook_inbox_jobs (event_id, endpoint, handler, event_type, state, attempts, run_at)
       VALUES ($1, 'billing', 'C.sealed', 'invoice.paid', 'succeeded', 1, now())`,
      [sealed.id],
    );
    const withKey = { WEBHOOK_ENCRYPTION_KEYRING: KEYRING };

    expect(await runIn({}, 'replay', sealed.id, '--reverify')).toBe(2);
    expect(lines.err[0]).toMatch(/WEBHOOK_ENCRYPTION_KEYRING.*--reverify/);
    expect(await runIn(withKey, 'replay', eventId, '--reverify')).toBe(1);
    expect(lines.err[0]).toMatch(/no seal to check/);

    expect(await runIn(withKey, 'replay', sealed.id, '--reverify')).toBe(0);
    expect(await state('C.sealed')).toEqual({ state: 'pending', attempts: 0 });

    // Body and digest column rewritten together: only the seal can tell.
    const forged = Buffer.from('{"type":"invoice.paid","amount":1}');
    await dataSource.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1`, [
      sealed.id,
      forged,
      forged.length,
      createHash('sha256').update(forged).digest(),
    ]);
    await dataSource.query(`UPDATE webhook_inbox_jobs SET state = 'succeeded' WHERE handler = 'C.sealed'`);
    expect(await runIn(withKey, 'replay', sealed.id, '--reverify')).toBe(1);
    expect(lines.err[0]).toMatch(/altered after it was accepted/);
    expect(lines.err.join('\n')).not.toContain('amount');
    expect(await state('C.sealed')).toEqual({ state: 'succeeded', attempts: 0 });
    const audit = await dataSource.query(
      `SELECT action, details->>'reason' AS reason FROM webhook_audit WHERE action LIKE 'events.replay%' ORDER BY id`,
    );
    expect(audit.slice(-3)).toEqual([
      { action: 'events.replay.refused', reason: 'unsealed' },
      { action: 'events.replay', reason: null },
      { action: 'events.replay.refused', reason: 'mismatch' },
    ]);
  });

  it('prints stored text with its control characters escaped: no terminal sequence reaches the screen', async () => {
    // A signed event type (anyone with the endpoint's secret chooses it) and a handler's error text.
    const hostileType = 'inv\u001b]0;owned\u0007\u001b[2J\u009b31m';
    await dataSource.query(
      `INSERT INTO webhook_inbox_jobs (event_id, endpoint, handler, event_type, state, attempts, run_at, last_error)
       VALUES ($1, 'billing', 'D.hostile', $2, 'failed', 1, now(), $3)`,
      [eventId, hostileType, 'Error: \u009b2J\u202egnp.exe'],
    );
    expect(await run('list', '--handler', 'D.hostile')).toBe(0);
    expect(lines.out).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(lines.out[0]).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(lines.out[0]).toContain('inv\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m');
    expect(lines.out[0]).toContain('Error: \\u009b2J\\u202egnp.exe');
    await dataSource.query(`DELETE FROM webhook_inbox_jobs WHERE handler = 'D.hostile'`);
  });
});
