import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Notion integration webhooks: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed
 * with the subscription's `verification_token` as UTF-8. The token itself reaches the URL once, unsigned,
 * when the subscription is created (`{"verification_token": …}`); this preset refuses that request
 * (nothing signs it), so copy the token from the Notion UI flow you use to create the subscription.
 */
const notionScheme = () =>
  new HmacScheme({
    name: 'notion',
    header: 'x-notion-signature',
    prefix: 'sha256=',
    idField: 'id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'notion',
  displayName: 'Notion',
  docsUrl: 'https://developers.notion.com/reference/webhooks',
  presetName: 'notion',
  secretOption: 'secret',
  verification: '`X-Notion-Signature: sha256=\u2026`: hex HMAC-SHA256 of the body, keyed with the `verification_token`',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: notionScheme,
  generateSecret: () => `secret_${randomAlphanumeric(43)}`,
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    type: 'page.created',
    attempt_number: 1,
    entity: { id: randomUUID(), type: 'page' },
  })),
});

/** Notion webhooks. @publicApi */
export const notionProvider = provider;

/**
 * Notion integration webhooks: `X-Notion-Signature` over the body with the `verification_token`,
 * the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { notion: notion({ secret: process.env.NOTION_VERIFICATION_TOKEN }) }
 */
export const notion = preset;
