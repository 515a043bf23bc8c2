// The console's pages, rendered on the server. Everything shown comes from senders (bodies, headers,
// paths) or operators: every value goes through `html` escaping, nothing is ever put in a URL
// scheme, a script or a style. The page carries no script at all (see CONSOLE_CSP).
import type { StoredWebhookEvent, WebhookEventPage } from '../../storage/event-log.interface';

/** No script, no inline style, nothing from another origin, no framing. */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The filters of the event list, as given in the query string (already bounded). */
export interface ConsoleFilters {
  endpoint?: string;
  status?: string;
  reason?: string;
  eventType?: string;
  since?: string;
  until?: string;
  cursor?: string;
}

export function layout(base: string, title: string, main: string, signedIn = true): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Hookwarden</title>
<link rel="stylesheet" href="${escapeHtml(base)}/console.css">
</head>
<body>
<header><nav><a class="brand" href="${escapeHtml(base)}">Hookwarden</a>${
    signedIn
      ? `<a href="${escapeHtml(base)}">Events</a><a href="${escapeHtml(base)}/inbox">Inbox</a><a href="${escapeHtml(base)}/secrets">Secrets</a>`
      : ''
  }</nav>${
    signedIn
      ? `<form method="post" action="${escapeHtml(base)}/logout"><button type="submit">Sign out</button></form>`
      : ''
  }</header>
<main>
${main}
</main>
</body>
</html>
`;
}

export function loginPage(base: string, failed: boolean): string {
  return layout(
    base,
    'Sign in',
    `<h1>Sign in</h1>
${failed ? '<p class="error" role="alert">That admin token is not valid.</p>' : ''}
<form class="login" method="post" action="${escapeHtml(base)}/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="512">
<button type="submit">Sign in</button>
</form>`,
    false,
  );
}

const STATUSES = ['accepted', 'duplicate', 'rejected', 'challenge'];

/** The event list; `activity` is the charts' HTML (see console.chart.ts). */
export function eventsPage(
  base: string,
  filters: ConsoleFilters,
  page: WebhookEventPage,
  endpoints: string[],
  activity: string,
): string {
  const option = (value: string, selected: string | undefined, label = value) =>
    `<option value="${escapeHtml(value)}"${value === (selected ?? '') ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const rows = page.items
    .map(
      (e) => `<tr class="status-${escapeHtml(e.status)}">
<td><a href="${escapeHtml(base)}/events/${encodeURIComponent(e.id)}">${escapeHtml(e.receivedAt.toISOString())}</a></td>
<td>${escapeHtml(e.endpoint)}</td><td>${escapeHtml(e.provider)}</td><td>${escapeHtml(e.eventType ?? '')}</td><td>${escapeHtml(e.status)}</td>
<td>${escapeHtml(e.reason ?? '')}${e.occurrences ? ` ×${escapeHtml(e.occurrences)}` : ''}</td>
<td>${escapeHtml(e.messageId ?? '')}</td><td>${escapeHtml(e.bodySize)}</td></tr>`,
    )
    .join('\n');
  const next = page.nextCursor
    ? `<a class="next" href="${escapeHtml(base)}?${new URLSearchParams({ ...definedOnly(filters), cursor: page.nextCursor }).toString().replace(/&/g, '&amp;')}">Older events</a>`
    : '';
  return layout(
    base,
    'Events',
    `<h1>Events</h1>
<section class="charts"><h2>Activity</h2>
${activity}
</section>
<form class="filters" method="get" action="${escapeHtml(base)}">
<label>Endpoint <select name="endpoint">${option('', filters.endpoint, 'all')}${endpoints.map((n) => option(n, filters.endpoint)).join('')}</select></label>
<label>Outcome <select name="status">${option('', filters.status, 'all')}${STATUSES.map((s) => option(s, filters.status)).join('')}</select></label>
<label>Code <input name="reason" value="${escapeHtml(filters.reason)}" maxlength="64"></label>
<label>Event type <input name="eventType" value="${escapeHtml(filters.eventType)}" maxlength="128"></label>
<label>Since <input name="since" type="datetime-local" value="${escapeHtml(filters.since)}"></label>
<label>Until <input name="until" type="datetime-local" value="${escapeHtml(filters.until)}"></label>
<button type="submit">Filter</button>
</form>
<table class="events">
<thead><tr><th>Received (UTC)</th><th>Endpoint</th><th>Provider</th><th>Event type</th><th>Outcome</th><th>Code</th><th>Message id</th><th>Bytes</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="8">No events match.</td></tr>'}
</tbody>
</table>
${next}`,
  );
}

/** One event; `jobs` is its handlers' section (see console-inbox.views.ts), empty without an inbox. */
export function eventPage(base: string, event: StoredWebhookEvent, jobs = ''): string {
  const headers = Object.entries(event.headers)
    .map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const facts: Array<[string, unknown]> = [
    ['Endpoint', event.endpoint],
    ['Provider', event.provider],
    ['Outcome', event.status],
    ['Code', event.reason ?? '—'],
    ['Event type', event.eventType ?? '—'],
    ['Secret version', event.secretVersion ?? '—'],
    ['Message id', event.messageId ?? '—'],
    ['Received', event.receivedAt.toISOString()],
    ['Signed at', event.signedAt?.toISOString() ?? '—'],
    ['Request', `${event.method} ${event.path}`],
    ['Body', `${event.bodySize} bytes, SHA-256 ${event.bodySha256}${event.bodyTruncated ? ' (stored truncated)' : ''}`],
  ];
  return layout(
    base,
    'Event',
    `<h1>Event</h1>
<p><a href="${escapeHtml(base)}">All events</a></p>
<section><h2>Verification</h2><table class="facts">
${facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</table></section>
${jobs}
<section><h2>Headers (redacted)</h2><table class="headers">${headers}</table></section>
<section><h2>Body</h2><pre class="body">${escapeHtml(prettyBody(event.body))}</pre></section>`,
  );
}

/** JSON indented, anything else as UTF-8 text (escaped by the caller). */
function prettyBody(body: Buffer | undefined): string {
  if (!body || body.length === 0) return '(not stored)';
  const text = body.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function definedOnly(filters: ConsoleFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(filters)) if (v && k !== 'cursor') out[k] = v;
  return out;
}

export const CONSOLE_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{display:flex;justify-content:space-between;align-items:center;padding:8px 16px;background:#24292f}
header a,header button{color:#fff}header nav{display:flex;gap:16px;align-items:center}header button{background:none;border:1px solid #fff;border-radius:4px;cursor:pointer}
.brand{font-weight:600;text-decoration:none}main{padding:16px}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin-bottom:12px}
.filters label{display:flex;flex-direction:column;font-size:12px}
table{border-collapse:collapse;background:#fff;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
td{word-break:break-all}.status-rejected td:nth-child(5){color:#cf222e}.status-accepted td:nth-child(5){color:#1a7f37}
pre.body{background:#fff;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;word-break:break-all}
.login{display:flex;flex-direction:column;gap:8px;max-width:320px}.error{color:#cf222e}.next{display:inline-block;margin-top:8px}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin-bottom:16px}.charts h2{width:100%;margin:0}.quiet{color:#57606a}
.activity{margin:0;background:#fff;border:1px solid #d0d7de;padding:8px}.activity figcaption{font-weight:600;margin-bottom:4px}
.chart{display:block;max-width:100%;height:auto}.chart .axis{font-size:10px;fill:#57606a}.chart .baseline{stroke:#d0d7de}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 12px;padding:0;margin:4px 0 0;font-size:12px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.bar-accepted{fill:#2da44e;background:#2da44e}.bar-duplicate{fill:#8c959f;background:#8c959f}
.bar-code-0{fill:#cf222e;background:#cf222e}.bar-code-1{fill:#bc4c00;background:#bc4c00}.bar-code-2{fill:#8250df;background:#8250df}
.bar-code-3{fill:#bf3989;background:#bf3989}.bar-code-4{fill:#9a6700;background:#9a6700}.bar-code-5{fill:#0969da;background:#0969da}
.bar-code-other{fill:#6e7781;background:#6e7781}
.secrets form{display:inline}.rotate{display:flex;gap:8px;align-items:end;margin:12px 0}.rotate label{display:flex;flex-direction:column;font-size:12px}
.new-secret{background:#fff8c5;border:1px solid #d4a72c;padding:8px}.new-secret code{word-break:break-all}
.jobs form,.named form{display:inline}.redrive{margin:0 0 12px}.job-dead td:nth-child(6){color:#cf222e}.job-failed td:nth-child(6){color:#bc4c00}
.last-error{white-space:pre-wrap;word-break:break-all}
`;
