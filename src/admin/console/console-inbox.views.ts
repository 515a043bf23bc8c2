// The console's inbox page: jobs by endpoint, handler and state (dead by default), each with its
// attempts and last error (bounded and redacted by the workers), a retry form per failed or dead
// job and a redrive by filter that shows its dry-run count before the confirming form. Every form
// carries the CSRF token (see console-csrf.ts); every value is escaped.
import { canRetry, INBOX_JOB_STATES } from '../../core/inbox/inbox-decisions';
import type { InboxJobView } from '../inbox-admin.dto';
import { escapeHtml, layout } from './console.views';

/** The filters of the inbox page, as given in the query string or the form (already checked). */
export interface InboxFilters {
  endpoint?: string;
  handler?: string;
  /** A job state, or `all`. */
  state: string;
  cursor?: string;
}

export interface InboxPageState {
  readonly filters: InboxFilters;
  readonly jobs: readonly InboxJobView[];
  readonly nextCursor?: string;
  readonly endpoints: readonly string[];
  readonly csrf: string;
  /** What the last action did: a retried job, a dry-run count to confirm, or a redrive's count. */
  readonly retried?: InboxJobView;
  readonly dryRun?: number;
  readonly redriven?: number;
}

const STATE_OPTIONS = ['all', ...INBOX_JOB_STATES];

export function inboxPage(base: string, state: InboxPageState): string {
  const { filters } = state;
  const action = `${base}/inbox`;
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(state.csrf)}">`;
  const option = (value: string, selected: string | undefined, label = value) =>
    `<option value="${escapeHtml(value)}"${value === (selected ?? '') ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const rows = state.jobs.map((job) => jobRow(base, job, csrf)).join('\n');
  // The redrive's filters travel as hidden fields: what was counted is what is confirmed.
  const hidden = (['endpoint', 'handler'] as const)
    .map((k) => (filters[k] ? `<input type="hidden" name="${k}" value="${escapeHtml(filters[k])}">` : ''))
    .join('');
  const scope = `dead jobs${filters.endpoint ? ` of ${escapeHtml(filters.endpoint)}` : ''}${
    filters.handler ? ` for ${escapeHtml(filters.handler)}` : ''
  }`;
  const notice = state.retried
    ? `<div class="new-secret" role="status"><p>Job ${escapeHtml(state.retried.id)} is pending again.</p></div>`
    : state.dryRun !== undefined
      ? `<div class="new-secret confirm-redrive" role="status"><p>${state.dryRun} ${scope} would run again.</p>${
          state.dryRun > 0
            ? `<form method="post" action="${escapeHtml(action)}/redrive">${csrf}${hidden}<input type="hidden" name="confirm" value="1"><button type="submit">Redrive ${state.dryRun}</button></form>`
            : ''
        }</div>`
      : state.redriven !== undefined
        ? `<div class="new-secret" role="status"><p>${state.redriven} ${scope} sent back to pending.</p></div>`
        : '';
  const query = new URLSearchParams(definedOnly(filters));
  const next = state.nextCursor
    ? `<a class="next" href="${escapeHtml(action)}?${escapeHtml(`${query.toString()}${query.toString() ? '&' : ''}cursor=${encodeURIComponent(state.nextCursor)}`)}">Older jobs</a>`
    : '';
  return layout(
    base,
    'Inbox',
    `<h1>Inbox</h1>
${notice}
<form class="filters" method="get" action="${escapeHtml(action)}">
<label>Endpoint <select name="endpoint">${option('', filters.endpoint, 'all')}${state.endpoints.map((n) => option(n, filters.endpoint)).join('')}</select></label>
<label>Handler <input name="handler" value="${escapeHtml(filters.handler)}" maxlength="200"></label>
<label>State <select name="state">${STATE_OPTIONS.map((s) => option(s, filters.state)).join('')}</select></label>
<button type="submit">Filter</button>
</form>
<form class="redrive" method="post" action="${escapeHtml(action)}/redrive">${csrf}${hidden}
<button type="submit">Count ${scope} to redrive</button>
</form>
${jobsTable(rows, true)}
${next}`,
  );
}

/** The jobs of one event, for its page (read-only: retry from the inbox page). */
export function eventJobsSection(base: string, jobs: readonly InboxJobView[] | undefined): string {
  if (jobs === undefined) return '';
  const rows = jobs.map((job) => jobRow(base, job, undefined)).join('\n');
  return `<section><h2>Handlers</h2>
${jobs.length === 0 ? '<p class="quiet">No handler runs on this event.</p>' : jobsTable(rows, false)}
</section>`;
}

function jobsTable(rows: string, withActions: boolean): string {
  return `<table class="jobs">
<thead><tr><th>Job</th><th>Created (UTC)</th><th>Endpoint</th><th>Handler</th><th>Event type</th><th>State</th><th>Attempts</th><th>Next run (UTC)</th><th>Last error</th>${withActions ? '<th></th>' : ''}</tr></thead>
<tbody>
${rows || `<tr><td colspan="${withActions ? 10 : 9}">No jobs match.</td></tr>`}
</tbody>
</table>`;
}

function jobRow(base: string, job: InboxJobView, csrf: string | undefined): string {
  const retry =
    csrf === undefined
      ? undefined
      : canRetry(job.state, 'retry')
        ? `<form method="post" action="${escapeHtml(base)}/inbox/${encodeURIComponent(job.id)}/retry">${csrf}<button type="submit" class="retry">Retry</button></form>`
        : '';
  return `<tr class="job-${escapeHtml(job.state)}" data-job="${escapeHtml(job.id)}">
<td><a href="${escapeHtml(base)}/events/${encodeURIComponent(job.eventId)}">${escapeHtml(job.id)}</a></td>
<td>${escapeHtml(job.createdAt)}</td><td>${escapeHtml(job.endpoint)}</td><td>${escapeHtml(job.handler)}</td>
<td>${escapeHtml(job.eventType ?? '')}</td><td>${escapeHtml(job.state)}</td><td>${escapeHtml(job.attempts)}</td>
<td>${escapeHtml(job.state === 'succeeded' || job.state === 'dead' ? '—' : job.runAt)}</td>
<td><code class="last-error">${escapeHtml(job.lastError ?? '')}</code></td>${retry === undefined ? '' : `<td>${retry}</td>`}</tr>`;
}

function definedOnly(filters: InboxFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters)) if (v && k !== 'cursor') out[k] = v;
  return out;
}
