// `hookwarden jobs …`: the inbox's operations from a shell, on DATABASE_URL (and WEBHOOK_SCHEMA),
// each audited in the audit table with the actor `cli:<user>`:
//   jobs list [--state s] [--endpoint e] [--handler h] [--type t] [--limit n]
//   jobs retry <job id>
//   jobs redrive [--state dead] [--endpoint e] [--handler h] [--type t] [--apply]   (a count unless --apply)
//   jobs replay <event id> [--handler h]… [--reverify]   (--reverify: only if the stored event matches its seal)
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { QueryResult } from 'pg';
import { DataSource } from 'typeorm';
import { INBOX_JOB_STATES, type InboxJobState } from '../../core/inbox/inbox-decisions';
import { printable } from '../../core/terminal-text';
import { auditableId } from '../audit-log.interface';
import type { InboxJobFilter } from '../inbox.interface';
import type { CommandOutput } from './storage.cli';
import { TypeOrmAuditLog } from './typeorm-audit-log';
import { TypeOrmInbox } from './typeorm-inbox';
import { SEAL_REFUSALS, type EventSealer } from '../event-seal';
import { checkStoredSeal, masterKeySealer } from './event-seal-sql';
import { resolveSchema } from './sql';
import { keyFromEnv } from './storage.cli';
import { HOOKWARDEN_TABLES, qualified } from './storage-schema';

export const JOBS_USAGE = `  jobs list [--state <state>] [--endpoint <name>] [--handler <Class.method>] [--type <event type>] [--limit <n>]
  jobs retry <job id>
  jobs redrive [--endpoint <name>] [--handler <Class.method>] [--type <event type>] [--apply]
      Dead jobs back to pending: only counted unless --apply.
  jobs replay <event id> [--handler <Class.method>]... [--reverify]
      --reverify: only when the stored event still matches the seal made when it was accepted (needs
      the master key: WEBHOOK_ENCRYPTION_KEYRING or WEBHOOK_ENCRYPTION_KEY).
      Environment: DATABASE_URL (required), WEBHOOK_SCHEMA. Every call is audited.`;

/** Runs one `jobs` subcommand; resolves with the exit code (2: usage, 1: nothing done). */
export async function runJobsCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CommandOutput,
  /** For tests: an initialised data source instead of DATABASE_URL. */
  given?: DataSource,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        state: { type: 'string' },
        endpoint: { type: 'string' },
        handler: { type: 'string', multiple: true },
        type: { type: 'string' },
        limit: { type: 'string' },
        apply: { type: 'boolean' },
        reverify: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`hookwarden jobs: ${(error as Error).message}`);
    return 2;
  }
  const [action, id] = parsed.positionals;
  const { values } = parsed;
  if (values.help || action === 'help') {
    io.out(`Usage:\n${JOBS_USAGE}`);
    return 0;
  }
  if (values.state !== undefined && !INBOX_JOB_STATES.includes(values.state as InboxJobState)) {
    io.err(`hookwarden jobs: --state must be one of ${INBOX_JOB_STATES.join(', ')}.`);
    return 2;
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    io.err('hookwarden jobs: --limit must be a whole number from 1 to 500.');
    return 2;
  }
  if (
    !['list', 'retry', 'redrive', 'replay'].includes(action ?? '') ||
    ((action === 'retry' || action === 'replay') && !id)
  ) {
    io.err(`hookwarden jobs: usage:\n${JOBS_USAGE}`);
    return 2;
  }
  let sealer: EventSealer | undefined;
  if (values.reverify) {
    // Read before connecting, so a missing or bad key ring is reported without touching the database.
    try {
      sealer = masterKeySealer(keyFromEnv(env, 'to check the seal (--reverify)'));
    } catch (error) {
      io.err(`hookwarden jobs replay: ${(error as Error).message}`);
      return 2;
    }
  }
  if (!given && !env.DATABASE_URL) {
    io.err('hookwarden jobs: DATABASE_URL is not set (postgres://user:password@host:5432/database).');
    return 2;
  }
  const dataSource = given ?? new DataSource({ type: 'postgres', url: env.DATABASE_URL, logging: false });
  if (!given) await dataSource.initialize();
  const schema = env.WEBHOOK_SCHEMA || undefined;
  const inbox = new TypeOrmInbox(dataSource, undefined, { schema, poolSize: 1 });
  const audit = new TypeOrmAuditLog(dataSource, { schema });
  const record = (action: string, details: Record<string, unknown>) =>
    audit.record({ actor: `cli:${userInfo().username}`, action, details, at: new Date() });
  const filter: InboxJobFilter = {
    state: values.state as InboxJobState | undefined,
    endpoint: values.endpoint,
    handler: values.handler?.[0],
    eventType: values.type,
  };
  try {
    await audit.init();
    inbox.open();
    if (action === 'list') {
      const { items } = await inbox.list({ ...filter, limit });
      await record('jobs.list', { filters: filter, count: items.length });
      for (const j of items) {
        io.out(
          [
            j.id,
            j.state,
            `attempts=${j.attempts}`,
            j.endpoint,
            j.handler,
            j.eventType ?? '-',
            `event=${j.eventId}`,
            j.lastError ?? '',
          ]
            .map((text) => printable(text))
            .join('\t')
            .trimEnd(),
        );
      }
      return 0;
    }
    if (action === 'retry') {
      const job = await inbox.retry(id!);
      if (!job) {
        const found = await inbox.get(id!);
        await record('jobs.retry.refused', {
          id: auditableId(id!),
          reason: found ? 'job_not_retryable' : 'unknown_job',
        });
        io.err(`hookwarden jobs retry: no failed or dead job ${id}.`);
        return 1;
      }
      await record('jobs.retry', { id: job.id, handler: job.handler });
      io.out(`Job ${job.id} (${job.handler}) is pending again.`);
      return 0;
    }
    if (action === 'redrive') {
      const count = await inbox.redrive({ ...filter, state: 'dead' }, !values.apply);
      await record(values.apply ? 'jobs.redrive' : 'jobs.redrive.dry_run', { filters: filter, count });
      io.out(values.apply ? `Redrove ${count} dead jobs.` : `${count} dead jobs match; add --apply to redrive them.`);
      return 0;
    }
    if (sealer) {
      const check = await checkStoredSeal(
        async <T extends object>(text: string, params: unknown[]) =>
          ({ rows: (await dataSource.query(text, params)) as T[] }) as QueryResult<T>,
        qualified(resolveSchema(dataSource, schema), HOOKWARDEN_TABLES.events),
        sealer,
        id!,
      );
      if (check !== 'intact') {
        await record('events.replay.refused', { id: auditableId(id!), reason: check ?? 'unknown_event' });
        io.err(`hookwarden jobs replay: not replayed: ${check ? SEAL_REFUSALS[check] : 'no event has this id.'}`);
        return 1;
      }
    }
    const jobs = await inbox.replay(id!, values.handler);
    if (jobs.length === 0) {
      // As the admin API answers: an id no event has is unknown, not an event without finished jobs.
      const known = (await inbox.list({ eventId: id!, limit: 1 })).items.length > 0;
      await record('events.replay.refused', {
        id: auditableId(id!),
        reason: known ? 'no_finished_jobs' : 'unknown_event',
      });
      io.err(
        known
          ? `hookwarden jobs replay: event ${id} has no succeeded or dead job of these handlers.`
          : 'hookwarden jobs replay: no event with jobs has this id.',
      );
      return 1;
    }
    await record('events.replay', { id, handlers: jobs.map((j) => j.handler), reverified: sealer !== undefined });
    io.out(`Replaying ${jobs.map((j) => `${j.handler} (job ${j.id})`).join(', ')}.`);
    return 0;
  } finally {
    await inbox.close();
    await audit.close?.();
    if (!given) await dataSource.destroy();
  }
}
