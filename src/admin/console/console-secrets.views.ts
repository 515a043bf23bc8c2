// The console's secrets pages: each endpoint's versions (status, expiry, last use) with rotate and
// revoke as POST forms, for its signing secret and for each named challenge secret it declares
// (Meta's `verify-token`, …; `?name=`). Every form carries the CSRF token (see console-csrf.ts); values are escaped.
import { DEFAULT_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_SECONDS } from '../../storage/secret-store.interface';
import type { WebhookEndpointView, WebhookRotatedSecretView, WebhookSecretVersionView } from '../admin.dto';
import { escapeHtml, layout } from './console.views';

export function secretsIndexPage(base: string, endpoints: readonly WebhookEndpointView[]): string {
  const rows = endpoints
    .map((e) => {
      const page = `${base}/secrets/${encodeURIComponent(e.name)}`;
      const named = (e.namedSecrets ?? [])
        .map(
          (n) =>
            `<li><a href="${escapeHtml(`${page}?name=${encodeURIComponent(n.name)}`)}">${escapeHtml(n.name)}</a>: ${escapeHtml(n.liveSecretVersions.join(', ') || 'none')}</li>`,
        )
        .join('');
      return `<tr><td><a href="${escapeHtml(page)}">${escapeHtml(e.name)}</a></td>
<td>${escapeHtml(e.provider)}</td><td>${escapeHtml(e.liveSecretVersions.join(', ') || 'none')}</td>
<td>${named ? `<ul class="named">${named}</ul>` : '—'}</td></tr>`;
    })
    .join('\n');
  return layout(
    base,
    'Secrets',
    `<h1>Secrets</h1>
<table class="endpoints">
<thead><tr><th>Endpoint</th><th>Provider</th><th>Live versions</th><th>Challenge secrets (live versions)</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">No endpoints.</td></tr>'}
</tbody>
</table>`,
  );
}

export interface SecretsPageState {
  readonly endpoint: string;
  /** A named challenge secret of the endpoint; its signing secret when absent. */
  readonly name?: string;
  readonly versions: readonly WebhookSecretVersionView[];
  readonly csrf: string;
  /** The rotation just made; its secret, when generated, is shown this once. */
  readonly rotated?: WebhookRotatedSecretView;
  readonly revoked?: number;
}

export function secretsPage(base: string, state: SecretsPageState): string {
  const action = `${base}/secrets/${encodeURIComponent(state.endpoint)}`;
  // The forms of a named secret say so in their query (the form's fields are the secret's own).
  const named = state.name === undefined ? '' : `?name=${encodeURIComponent(state.name)}`;
  const title = state.name === undefined ? `Secrets of ${state.endpoint}` : `${state.name} of ${state.endpoint}`;
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(state.csrf)}">`;
  const rows = state.versions
    .map((v) => {
      const revoke =
        v.status === 'revoked' || v.status === 'expired'
          ? ''
          : `<form method="post" action="${escapeHtml(`${action}/${v.version}/revoke${named}`)}">${csrf}<button type="submit" class="revoke">Revoke</button></form>`;
      return `<tr class="secret-${escapeHtml(v.status)}"><td>${v.version}</td><td>${escapeHtml(v.status)}</td><td>…${escapeHtml(v.hint)}</td>
<td>${escapeHtml(v.createdAt)}</td><td>${escapeHtml(v.expiresAt ?? '—')}</td><td>${escapeHtml(v.lastUsedAt ?? 'never')}</td><td>${revoke}</td></tr>`;
    })
    .join('\n');
  const notice = state.rotated
    ? `<div class="new-secret" role="status"><p>Version ${state.rotated.version} is live.</p>${
        state.rotated.secret !== undefined
          ? `<p>Its secret, shown this once: give it to the provider now.</p><p><code class="generated">${escapeHtml(state.rotated.secret)}</code></p>`
          : ''
      }</div>`
    : state.revoked !== undefined
      ? `<div class="new-secret" role="status"><p>Version ${state.revoked} is revoked.</p></div>`
      : '';
  return layout(
    base,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p><a href="${escapeHtml(base)}/secrets">All endpoints</a></p>
${notice}
<table class="secrets">
<thead><tr><th>Version</th><th>Status</th><th>Ends with</th><th>Created (UTC)</th><th>Expires</th><th>Last used</th><th></th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">No secrets.</td></tr>'}
</tbody>
</table>
<form class="rotate" method="post" action="${escapeHtml(`${action}/rotate${named}`)}">${csrf}
<label for="grace">Keep the current secrets for (seconds)
<input id="grace" name="gracePeriodSeconds" type="number" min="0" max="${MAX_GRACE_PERIOD_SECONDS}" value="${DEFAULT_GRACE_PERIOD_SECONDS}" required></label>
<label for="new-secret">New secret (empty: generate one)
<input id="new-secret" name="secret" type="password" autocomplete="off" maxlength="4096"></label>
<button type="submit">Rotate</button>
</form>`,
  );
}
