// The inbox page and the named challenge secrets of the secrets pages, rendered from hand-written
// views: every value escaped, every form with its CSRF token, the redrive confirmed only after its
// count, the forms of a named secret naming it.
import { inboxPage, eventJobsSection } from './console-inbox.views';
import { secretsIndexPage, secretsPage } from './console-secrets.views';
import type { InboxJobView } from '../inbox-admin.dto';
import type { WebhookEndpointView } from '../admin.dto';

const BASE = '/webhooks/admin/console';
const CSRF = 'c'.repeat(43);
const HOSTILE = '<script>alert(1)</script>"\'&';

const job = (over: Partial<InboxJobView>): InboxJobView => ({
  id: '7',
  eventId: '42',
  endpoint: 'billing',
  handler: 'Billing.onInvoice',
  eventType: 'invoice.paid',
  state: 'dead',
  attempts: 8,
  runAt: '2026-12-01T10:00:00.000Z',
  lastError: HOSTILE,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  ...over,
});

describe('the inbox page', () => {
  it('escapes every value and gives a failed or dead job a retry form with the CSRF token', () => {
    const html = inboxPage(BASE, {
      filters: { state: 'all', handler: HOSTILE },
      jobs: [job({}), job({ id: '8', state: 'succeeded', eventType: HOSTILE, lastError: undefined })],
      endpoints: ['billing'],
      csrf: CSRF,
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html.match(/class="retry"/g)).toHaveLength(1);
    expect(html).toContain(
      `<form method="post" action="${BASE}/inbox/7/retry"><input type="hidden" name="csrf" value="${CSRF}">`,
    );
    expect(html).toContain(`<a href="${BASE}/events/42">7</a>`);
    // The redrive counts first: its form has no confirm field.
    expect(html).toMatch(
      /<form class="redrive" method="post" action="[^"]+\/inbox\/redrive"><input type="hidden" name="csrf"/,
    );
    expect(html).not.toContain('name="confirm"');
  });

  it('shows the dry-run count with a confirming form carrying the same filters, and none for zero', () => {
    const state = {
      filters: { state: 'dead', endpoint: 'billing', handler: 'Billing.onInvoice' },
      jobs: [],
      endpoints: ['billing'],
      csrf: CSRF,
    };
    const counted = inboxPage(BASE, { ...state, dryRun: 3 });
    expect(counted).toContain('3 dead jobs of billing for Billing.onInvoice would run again');
    const confirm = /<div class="new-secret confirm-redrive"[^]*?<\/div>/.exec(counted)![0];
    expect(confirm).toContain('<input type="hidden" name="confirm" value="1">');
    expect(confirm).toContain('<input type="hidden" name="endpoint" value="billing">');
    expect(confirm).toContain('<input type="hidden" name="handler" value="Billing.onInvoice">');
    expect(confirm).toContain(`name="csrf" value="${CSRF}"`);
    expect(inboxPage(BASE, { ...state, dryRun: 0 })).not.toContain('name="confirm"');
  });

  it('pages with the filters kept, escaped in the link', () => {
    const html = inboxPage(BASE, {
      filters: { state: 'failed', endpoint: 'a&b' },
      jobs: [job({ state: 'failed' })],
      nextCursor: '7',
      endpoints: [],
      csrf: CSRF,
    });
    expect(html).toContain(`href="${BASE}/inbox?state=failed&amp;endpoint=a%26b&amp;cursor=7"`);
  });

  it("lists an event's jobs read-only, or says none runs", () => {
    const html = eventJobsSection(BASE, [job({})]);
    expect(html).toContain('Billing.onInvoice');
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<script>');
    expect(eventJobsSection(BASE, [])).toContain('No handler runs on this event.');
    expect(eventJobsSection(BASE, undefined)).toBe('');
  });
});

describe('named challenge secrets on the secrets pages', () => {
  const endpoint: WebhookEndpointView = {
    name: 'meta',
    provider: 'meta',
    schemes: ['hmac'],
    challenge: 'meta',
    liveSecretVersions: [2, 1],
    namedSecrets: [{ name: 'verify-token', liveSecretVersions: [3] }],
  };

  it('lists them with their live versions, linking to their own page', () => {
    const html = secretsIndexPage(BASE, [endpoint, { ...endpoint, name: 'plain', namedSecrets: [] }]);
    expect(html).toContain(`<li><a href="${BASE}/secrets/meta?name=verify-token">verify-token</a>: 3</li>`);
    expect(html).toMatch(/plain<\/a><\/td>\s*<td>meta<\/td><td>2, 1<\/td>\s*<td>—<\/td>/);
  });

  it("posts a named secret's rotate and revoke forms with its name", () => {
    const html = secretsPage(BASE, {
      endpoint: 'meta',
      name: 'verify-token',
      versions: [
        {
          version: 3,
          status: 'active',
          hint: 'abcd',
          createdAt: '2026-12-01T00:00:00.000Z',
        } as never,
      ],
      csrf: CSRF,
    });
    expect(html).toContain('<h1>verify-token of meta</h1>');
    expect(html).toContain(`action="${BASE}/secrets/meta/3/revoke?name=verify-token"`);
    expect(html).toContain(`action="${BASE}/secrets/meta/rotate?name=verify-token"`);
    const signing = secretsPage(BASE, { endpoint: 'meta', versions: [], csrf: CSRF });
    expect(signing).toContain(`action="${BASE}/secrets/meta/rotate"`);
    expect(signing).not.toContain('?name=');
  });
});
