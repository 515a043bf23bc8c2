import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Jira Cloud and Confluence webhooks registered with a secret: `X-Hub-Signature: sha256=<hex
 * HMAC-SHA256 of the body>`, keyed with that secret as UTF-8 (webhooks without one are unsigned and
 * cannot use this preset). `X-Atlassian-Webhook-Identifier` stays the same across retries but is not
 * signed, so it is reported as unsigned and deduplication keys on the signed content.
 */
const jiraScheme = () =>
  new HmacScheme({
    name: 'jira',
    header: 'x-hub-signature',
    prefix: 'sha256=',
    idHeader: 'x-atlassian-webhook-identifier',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'jira',
  displayName: 'Jira Cloud / Confluence',
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks',
  presetName: 'jira',
  secretOption: 'secret',
  verification: "`X-Hub-Signature: sha256=\u2026`: hex HMAC-SHA256 of the body, keyed with the webhook's secret",
  messageId: { header: 'x-atlassian-webhook-identifier' },
  eventType: { bodyField: 'webhookEvent' },
  vectors: 'self-computed',
  scheme: jiraScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    webhookEvent: 'jira:issue_created',
    timestamp: Date.now(),
    issue: { id: String(10000 + Math.floor(Math.random() * 90000)), key: 'HW-1' },
  })),
});

/** Jira Cloud / Confluence webhooks. @publicApi */
export const jiraProvider = provider;

/**
 * Jira Cloud / Confluence webhooks with a secret: `X-Hub-Signature: sha256=…` over the body.
 * @publicApi
 * @example endpoints: { jira: jira({ secret: process.env.JIRA_WEBHOOK_SECRET }) }
 */
export const jira = preset;
