// Issue 18, items 4–5: the console in a real headless Chromium (Debian's `chromium`, driven by
// puppeteer-core) on Express and Fastify: the login form sets a Secure, HttpOnly cookie; the list
// filters by endpoint and outcome; an event opens with its redacted headers and its body; a body
// carrying <script> and javascript: payloads stays text (no script runs, no link is made); every
// page carries the strict CSP. The activity chart (inline SVG, no script) shows the known traffic;
// the event-type filter finds the one `invoice.paid`; the secrets page rotates through its form (the
// new secret verifies a delivery) and revokes; a post without the CSRF token, or from another site,
// changes nothing. The inbox page shows a dead job whose hostile last error stays text; retry and
// the redrive (a dry-run count first, then the confirming form) work through it and are audited; the
// event page lists its handler's job; a named challenge secret (Meta's verify token) is listed, rotated
// and revoked on its own page. A screenshot of the list is written to docs/console.png.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Injectable, Post, UseGuards } from '@nestjs/common';
import puppeteer, { type Browser } from 'puppeteer-core';
import {
  AuditLog,
  EventLogReader,
  OnWebhook,
  WebhookEndpoint,
  WebhookGuard,
  WebhookInbox,
  WebhookModule,
  meta,
  standardWebhooks,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { standardWebhooksHeaders } from './support/storages';
import { send } from './support/http';
import { until } from './support/until';

// Written out here, not imported: the test states the policy it expects.
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'whsec_' + Buffer.from('console-test-secret-of-32-bytes!').toString('base64');
const TOKEN = 'console-admin-token-0123456789';
const HOSTILE = JSON.stringify({
  type: 'x.hostile',
  html: '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
  link: 'javascript:window.__pwned=3',
});

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @WebhookEndpoint('billing')
  billing() {
    return { ok: true };
  }
}

/** Dies at once (one attempt), with an error message that is markup. */
@Injectable()
class DoomedHandler {
  @OnWebhook('billing', 'x.doomed')
  doomed() {
    throw new Error('<script>window.__pwned = 4</script><img src=x onerror="window.__pwned = 5">');
  }
}

const describeIfChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  console.warn(`Skipping the console browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium).`);
}

describeIfChromium.each(ADAPTERS)('console in Chromium on %s', (adapter) => {
  let running: RunningApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [
        WebhookModule.forRoot({
          admin: { token: TOKEN },
          endpoints: {
            billing: standardWebhooks({ secret: SECRET }),
            other: standardWebhooks({ secret: SECRET }),
            // Its verify token is a named challenge secret.
            meta: meta({ appSecret: 'a'.repeat(32), verifyToken: 'console-verify-token' }),
          },
          inbox: { maxAttempts: 1, pollIntervalMs: 50 },
        }),
      ],
      [HooksController],
      { providers: [DoomedHandler] },
    );
    // localhost: a secure context for the browser, so it keeps the Secure cookie over plain HTTP.
    base = running.baseUrl.replace('127.0.0.1', 'localhost');
    const deliver = (id: string, body: string) =>
      send(running.baseUrl, '/hooks/billing', { headers: standardWebhooksHeaders(SECRET, id, body), body });
    expect((await deliver('msg_hostile', HOSTILE)).status).toBe(201);
    expect((await deliver('msg_plain', '{"type":"invoice.paid"}')).status).toBe(201);
    const forged = standardWebhooksHeaders(SECRET, 'msg_forged', '{}');
    expect((await send(running.baseUrl, '/hooks/billing', { headers: forged, body: '{"x":1}' })).status).toBe(401);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  it('signs in, filters, opens an event whose hostile body stays inert', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const first = await page.goto(`${base}/webhooks/admin/console`);
    expect(page.url()).toBe(`${base}/webhooks/admin/console/login`);
    expect(first?.headers()['content-security-policy']).toContain("default-src 'none'");

    await page.type('#token', 'wrong-token-0123456789');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await page.$eval('.error', (e) => e.textContent)).toContain('not valid');
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('.login button[type=submit]')]);
    expect(page.url()).toBe(`${base}/webhooks/admin/console`);
    const cookie = (await browser.cookies()).find((c) => c.name === 'hookwarden_console');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);
    expect(await page.$$eval('table.events tbody tr', (rows) => rows.length)).toBe(3);

    // The chart of the last hour: billing's two accepted and one rejected, as bars and a legend.
    const legend = await page.$eval('figure.activity[data-endpoint=billing] .legend', (e) => e.textContent ?? '');
    expect(legend).toContain('accepted: 2');
    expect(legend).toContain('rejected: no_matching_signature: 1');
    expect(legend).not.toContain('duplicate');
    const bars = await page.$$eval('figure.activity[data-endpoint=billing] svg rect', (rects) =>
      rects.map((r) => r.querySelector('title')?.textContent ?? ''),
    );
    expect(bars).toHaveLength(2);
    expect(bars.some((t) => t.endsWith('accepted: 2'))).toBe(true);
    expect(await page.$$('figure.activity[data-endpoint=other]')).toHaveLength(0);
    if (adapter === 'express') {
      await page.setViewport({ width: 1280, height: 900 });
      await page.screenshot({ path: join(__dirname, '..', 'docs', 'console.png') });
    }

    // The event-type filter.
    await page.type('input[name=eventType]', 'invoice.paid');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    const typed = await page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(typed).toHaveLength(1);
    expect(typed[0]).toContain('msg_plain');
    await page.$eval('input[name=eventType]', (e) => ((e as unknown as { value: string }).value = ''));

    await page.select('select[name=status]', 'rejected');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    const rejected = await page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain('no_matching_signature');
    await page.select('select[name=status]', 'accepted');
    await page.select('select[name=endpoint]', 'other');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    expect(await page.$eval('table.events tbody', (b) => b.textContent)).toContain('No events match');
    await page.select('select[name=endpoint]', 'billing');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    const accepted = await page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(accepted).toHaveLength(2);

    const row = await page.$$('table.events tbody tr');
    const hostileIndex = accepted.findIndex((t) => t.includes('msg_hostile'));
    await Promise.all([
      page.waitForNavigation(),
      row[hostileIndex].$eval('a', (a) => (a as unknown as { click(): void }).click()),
    ]);
    const body = await page.$eval('pre.body', (e) => e.textContent ?? '');
    expect(body).toContain('<script>window.__pwned = 1</script>');
    expect(body).toContain('javascript:window.__pwned=3');
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.$$('main script, main img, main a[href^="javascript"]')).toHaveLength(0);
    expect(await page.$$('script')).toHaveLength(0);
    expect(await page.$eval('table.headers', (t) => t.textContent)).toContain('webhook-id');
    expect(await page.$eval('table.facts', (t) => t.textContent)).toContain('accepted');
    expect(dialogs).toEqual([]);
    await page.close();
  }, 60_000);

  it('rotates and revokes through the secrets page; a post without the token or from another site changes nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/webhooks/admin/console/login`);
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('.login button[type=submit]')]);
    await Promise.all([page.waitForNavigation(), page.click('header nav a[href$="/secrets"]')]);
    await Promise.all([page.waitForNavigation(), page.click('table.endpoints a[href$="/secrets/billing"]')]);
    const versions = () => page.$$eval('table.secrets tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    const before = await versions();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatch(/^1\s*active/);
    expect(before[0]).not.toContain('never'); // last used: by the deliveries of the first test

    await Promise.all([page.waitForNavigation(), page.click('form.rotate button[type=submit]')]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain('Version 2 is live');
    const generated = await page.$eval('code.generated', (e) => e.textContent ?? '');
    expect(generated).toMatch(/^whsec_/);
    expect(await versions()).toHaveLength(2);
    // The new secret is live: a delivery signed with it alone is accepted.
    const body = '{"type":"after.rotation"}';
    const signed = standardWebhooksHeaders(generated, 'msg_rotated', body);
    expect((await send(running.baseUrl, '/hooks/billing', { headers: signed, body })).status).toBe(201);

    // Without the form's token, with a wrong one, or from another site: 403, nothing revoked.
    const cookies = (await browser.cookies()).filter((c) => c.name.startsWith('hookwarden_console'));
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = cookies.find((c) => c.name === 'hookwarden_console_csrf')!.value;
    const post = (form: string, headers: Record<string, string> = {}) =>
      fetch(`${running.baseUrl}/webhooks/admin/console/secrets/billing/2/revoke`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: form,
        redirect: 'manual',
      });
    for (const [form, headers] of [
      ['', {}],
      [`csrf=${'A'.repeat(43)}`, {}],
      [`csrf=${csrf}`, { 'sec-fetch-site': 'cross-site' }],
    ] as const) {
      const refused = await post(form, headers);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('invalid_csrf_token');
    }
    // A real cross-site form in the browser: SameSite=Strict keeps the session cookie off it.
    const attacker = await browser.newPage();
    await attacker.setContent(
      `<form method="post" action="${base}/webhooks/admin/console/secrets/billing/2/revoke"><input name="csrf" value="x"><button>go</button></form>`,
    );
    await Promise.all([attacker.waitForNavigation(), attacker.click('button')]);
    expect(attacker.url()).toBe(`${base}/webhooks/admin/console/login`);
    await attacker.close();
    // (A GET: reloading the rotation's answer would post the form again.)
    await page.goto(`${base}/webhooks/admin/console/secrets/billing`);
    const version = async (n: number) => (await versions()).find((t) => t.startsWith(String(n)));
    expect(await version(2)).toMatch(/^2\s*active/);
    expect(await version(1)).toMatch(/^1\s*expiring/);

    await Promise.all([page.waitForNavigation(), page.click('form[action$="/secrets/billing/2/revoke"] button')]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain('Version 2 is revoked');
    expect(await version(2)).toMatch(/^2\s*revoked/);
    expect((await send(running.baseUrl, '/hooks/billing', { headers: signed, body })).status).toBe(401);
    expect(await page.$$('script')).toHaveLength(0);
    await page.close();
  }, 60_000);

  it('refuses the pages without a session, and takes the bearer header', async () => {
    const get = (headers: Record<string, string>) =>
      fetch(`${running.baseUrl}/webhooks/admin/console`, { headers, redirect: 'manual' });
    const anonymous = await get({});
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/webhooks/admin/console/login');
    const forged = await get({ cookie: `hookwarden_console=9999999999.${'A'.repeat(43)}` });
    expect(forged.status).toBe(303);
    const wrong = await get({ authorization: 'Bearer not-the-admin-token-at-all' });
    expect(wrong.status).toBe(303);
    const bearer = await send(running.baseUrl, '/webhooks/admin/console', {
      method: 'GET',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('content-security-policy')).toBe(CSP);
  });

  it('signs out on its own form, never on a post from another site', async () => {
    const logout = (site: string) =>
      fetch(`${running.baseUrl}/webhooks/admin/console/logout`, {
        method: 'POST',
        headers: { 'sec-fetch-site': site },
        redirect: 'manual',
      });
    for (const site of ['cross-site', 'same-site']) {
      const refused = await logout(site);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('set-cookie')).toBeNull();
    }
    const own = await logout('same-origin');
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toContain('hookwarden_console=;');
  });

  it('audits its reads of events as the API does, and lists unfiltered past a filter no store can hold', async () => {
    const read = (path: string) =>
      send(running.baseUrl, `/webhooks/admin/console${path}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
    const audit = running.app.get<AuditLog>(AuditLog);
    const before = (await audit.recent(500)).length;
    expect((await read('?endpoint=billing')).status).toBe(200);
    const id = (await running.app.get<EventLogReader>(EventLogReader).list({ endpoint: 'billing', limit: 1 })).items[0]!
      .id;
    expect((await read(`/events/${id}`)).status).toBe(200);
    const entries = (await audit.recent(500)).slice(0, (await audit.recent(500)).length - before);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'events.list', endpoint: 'billing' }),
        expect.objectContaining({ action: 'events.get', endpoint: 'billing', details: { id, via: 'console' } }),
      ]),
    );
    for (const query of ['?since=2026-13-01T00:00', '?until=2026-02-30T99:99', '?eventType=%00', '?endpoint=%00']) {
      expect((await read(query)).status).toBe(200);
    }
    expect((await read('/inbox?endpoint=%00')).status).toBe(200);
  });
  it('shows a dead job on the inbox page, retries it and redrives after a dry-run count, all audited', async () => {
    const inbox = running.app.get<WebhookInbox>(WebhookInbox);
    const body = '{"type":"x.doomed"}';
    const delivered = await send(running.baseUrl, '/hooks/billing', {
      headers: standardWebhooksHeaders(SECRET, 'msg_doomed', body),
      body,
    });
    expect(delivered.status).toBe(201);
    const dead = async () => (await inbox.list({ limit: 10, state: 'dead' })).items;
    await until(async () => (await dead()).length === 1, 10_000);
    const [job] = await dead();
    expect(job).toMatchObject({ handler: 'DoomedHandler.doomed', state: 'dead', attempts: 1 });

    const page = await browser.newPage();
    await page.goto(`${base}/webhooks/admin/console/login`);
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('.login button[type=submit]')]);
    await Promise.all([page.waitForNavigation(), page.click('header nav a[href$="/inbox"]')]);
    const rows = () => page.$$eval('table.jobs tbody tr', (trs) => trs.map((r) => r.textContent ?? ''));
    // Dead work by default: the one job, its attempts and its last error as text.
    const listed = await rows();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain('DoomedHandler.doomed');
    expect(listed[0]).toContain('dead');
    expect(await page.$eval('code.last-error', (e) => e.textContent)).toContain('<script>window.__pwned = 4</script>');
    expect(await page.$$('script, main img')).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

    // The filters: another handler has no dead job.
    await page.type('input[name=handler]', 'Other.handler');
    await Promise.all([page.waitForNavigation(), page.click('.filters button')]);
    expect(await page.$eval('table.jobs tbody', (b) => b.textContent)).toContain('No jobs match');
    await page.goto(`${base}/webhooks/admin/console/inbox?state=dead&endpoint=billing`);
    expect(await rows()).toHaveLength(1);

    // Redrive: the count first, nothing moved; then the confirming form sends it back.
    await Promise.all([page.waitForNavigation(), page.click('form.redrive button')]);
    expect(await page.$eval('.confirm-redrive', (e) => e.textContent)).toContain(
      '1 dead jobs of billing would run again',
    );
    expect(await dead()).toHaveLength(1);
    await Promise.all([page.waitForNavigation(), page.click('.confirm-redrive button')]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain(
      '1 dead jobs of billing sent back to pending',
    );
    await until(async () => (await inbox.get(job!.id))?.state === 'dead', 10_000);

    // Retry one: without the form's token it is refused; through the button it runs again.
    const cookie = (await browser.cookies())
      .filter((c) => c.name.startsWith('hookwarden_console'))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const refused = await fetch(`${running.baseUrl}/webhooks/admin/console/inbox/${job!.id}/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=',
    });
    expect(refused.status).toBe(403);
    await page.goto(`${base}/webhooks/admin/console/inbox`);
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-job="${job!.id}"] button.retry`)]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain(`Job ${job!.id} is pending again`);
    await until(async () => (await inbox.get(job!.id))?.state === 'dead', 10_000);

    const actions = (await running.app.get<AuditLog>(AuditLog).recent(100)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['jobs.list', 'jobs.redrive.dry_run', 'jobs.redrive', 'jobs.retry']),
    );
    expect(actions.filter((a) => a === 'jobs.retry')).toHaveLength(1);

    // The event page lists its handler's job, the error still text.
    await page.goto(`${base}/webhooks/admin/console/inbox`);
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-job="${job!.id}"] a`)]);
    const handlers = await page.$$eval('table.jobs tbody tr', (trs) => trs.map((r) => r.textContent ?? ''));
    expect(handlers).toHaveLength(1);
    expect(handlers[0]).toContain('DoomedHandler.doomed');
    expect(handlers[0]).toContain('<script>window.__pwned = 4</script>');
    expect(await page.$$('script, main img')).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  }, 60_000);
  it('lists a named challenge secret with its versions, and rotates and revokes it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/webhooks/admin/console/login`);
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('.login button[type=submit]')]);
    await page.goto(`${base}/webhooks/admin/console/secrets`);
    expect(await page.$eval('ul.named', (e) => e.textContent)).toBe('verify-token: 1');
    await Promise.all([page.waitForNavigation(), page.click('ul.named a')]);
    expect(page.url()).toBe(`${base}/webhooks/admin/console/secrets/meta?name=verify-token`);
    expect(await page.$eval('h1', (e) => e.textContent)).toBe('verify-token of meta');
    const versions = () => page.$$eval('table.secrets tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
    expect(await versions()).toHaveLength(1);
    await Promise.all([page.waitForNavigation(), page.click('form.rotate button[type=submit]')]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain('Version 2 is live');
    expect(await page.$eval('h1', (e) => e.textContent)).toBe('verify-token of meta');
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[action$="/secrets/meta/1/revoke?name=verify-token"] button'),
    ]);
    expect(await page.$eval('.new-secret', (e) => e.textContent)).toContain('Version 1 is revoked');
    // The signing secret was not touched: still its one version.
    await page.goto(`${base}/webhooks/admin/console/secrets`);
    expect(await page.$eval('ul.named', (e) => e.textContent)).toBe('verify-token: 2');
    const metaRow = await page.$$eval('table.endpoints tbody tr', (rows) =>
      rows.map((r) => r.textContent ?? '').find((t) => t.startsWith('meta')),
    );
    expect(metaRow).toMatch(/^meta\s*meta1\s*verify-token: 2$/);
    // A name that is not one is refused, never read as the signing secret.
    const refused = await page.goto(`${base}/webhooks/admin/console/secrets/meta?name=Not_A_Name`);
    expect(refused?.status()).toBe(404);
    await page.close();
  }, 60_000);
});
