import { acknowledgedSql } from './event-log-sql';

/**
 * Joined into the completion: its transaction commits without waiting for the disk
 * (`synchronous_commit` set for it alone, which also works behind a pooler in transaction mode). A
 * PostgreSQL crash can forget the last fraction of a second of outcomes, and those jobs run again
 * once their lease ends — at least once, as after a worker's crash. Never the claim: a forgotten
 * claim makes the job pending again while its worker, alive, still runs the handler, and another
 * instance would start it a second time at once. The events and their jobs are written durably,
 * before the 2xx.
 * @internal
 */
export const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit`;

/** The columns of a job as the inbox reads it. @internal */
export const COLUMNS = `j.id::text AS id, j.event_id::text AS event_id, j.endpoint, j.handler, j.event_type, j.order_key,
  j.state, j.attempts, j.run_at, j.lease_until, j.last_error, j.created_at, j.updated_at`;

/**
 * Claims up to $1 runnable jobs of the handlers $2 for $3 seconds under the token $4, returning each
 * with its event. A job is runnable once its event is acknowledged (its 2xx went out) or the
 * acceptance's lease ran out: an acknowledgement that failed after the answer is never sent again,
 * and its jobs would have waited forever. A copy that takes the lease over makes them wait again.
 *
 * Two ordered scans, each stopping at the limit: pending work in the due index's (run_at, id)
 * order, and expired leases. One scan under `a OR b` read every due job before sorting (12 ms a
 * claim with a backlog of 4,000, which capped the workers at ~500 jobs/s).
 *
 * The event's status is tested with IS NOT DISTINCT FROM (the column is NOT NULL: the same test), which
 * no partial index's predicate matches: on a table never analyzed (a new install's first minute),
 * PostgreSQL took `status = 'accepted'` to match 0.5% of the rows and chose to scan the partial index
 * of accepted events once per job instead of the primary key (20 ms a claim at 1,500 rows).
 * @internal
 */
export function claimSql(jobs: string, events: string, acks: string): string {
  // Runnable jobs in `state`, taken in `order`, locked, at most the claim's limit.
  const due = (state: string, order: string) =>
    `SELECT j.id FROM ${jobs} j JOIN ${events} e ON e.id = j.event_id
      WHERE ${state}
        AND j.handler = ANY($2::text[])
        AND e.status IS NOT DISTINCT FROM 'accepted'
        AND (${acknowledgedSql(acks, 'e')} OR e.handling_until <= statement_timestamp())
        AND (j.order_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM ${jobs} o
               WHERE o.endpoint = j.endpoint AND o.handler = j.handler AND o.order_key = j.order_key
                 AND o.id < j.id AND o.state IN ('pending', 'running', 'failed')))
      ORDER BY ${order}
      LIMIT $1
      FOR UPDATE OF j SKIP LOCKED`;
  return `WITH pending AS (
       ${due("j.state IN ('pending', 'failed') AND j.run_at <= statement_timestamp()", 'j.run_at, j.id')}
     ), expired AS (
       ${due("j.state = 'running' AND j.lease_until <= statement_timestamp()", 'j.lease_until, j.id')}
     ), due AS (
       SELECT id FROM expired UNION ALL SELECT id FROM pending LIMIT $1
     )
     UPDATE ${jobs} j
        SET state = 'running', attempts = j.attempts + 1, lease_token = $4, updated_at = statement_timestamp(),
            lease_until = statement_timestamp() + make_interval(secs => $3::float8)
       FROM due, ${events} e
      WHERE j.id = due.id AND e.id = j.event_id
     RETURNING ${COLUMNS}, j.trace_parent, e.provider, e.message_id, e.received_at, e.signed_at, e.headers, e.body, e.secret_version,
               e.endpoint AS event_endpoint, e.event_type AS event_event_type, e.status AS event_status, e.body_size,
               e.seal, e.seal_key_id`;
}
