import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * CircleCI: `circleci-signature: v1=<hex HMAC-SHA256 of the body>`, a comma-separated versioned
 * list (only `v1` exists; others are skipped). No timestamp; CircleCI says deliveries may be
 * duplicated and to use the body's `id`.
 */
const circleciScheme = () =>
  new HmacScheme({ name: 'circleci', header: 'circleci-signature', prefix: 'v1=', separator: ',', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'circleci',
  displayName: 'CircleCI',
  docsUrl: 'https://circleci.com/docs/webhooks/',
  presetName: 'circleci',
  secretOption: 'secret',
  verification: '`circleci-signature: v1=` hex HMAC-SHA256 of the body',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: circleciScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    type: 'workflow-completed',
    happened_at: new Date().toISOString(),
    workflow: { status: 'success' },
  })),
});

/** CircleCI outbound webhooks. @publicApi */
export const circleciProvider = provider;

/**
 * CircleCI: `circleci-signature: v1=…` over the body, the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { circleci: circleci({ secret: process.env.CIRCLECI_WEBHOOK_SECRET }) }
 */
export const circleci = preset;
