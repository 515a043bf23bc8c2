import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Bitbucket Cloud (and Data Center) put `sha256=<hex HMAC-SHA256 of the body>` in the *unsuffixed*
 * `X-Hub-Signature` (where GitHub's unsuffixed header is SHA-1). Nothing is timestamped; the event
 * is only named in the unsigned `X-Event-Key`, which joins the dedupe key of the signed content.
 * `X-Request-UUID` is not documented as stable across retries, so it is not the message id.
 */
const bitbucketScheme = () =>
  new HmacScheme({ name: 'bitbucket', header: 'x-hub-signature', prefix: 'sha256=', eventTypeHeader: 'x-event-key' });

const { provider, preset } = sharedSecretProvider({
  id: 'bitbucket',
  displayName: 'Bitbucket Cloud',
  docsUrl: 'https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/',
  presetName: 'bitbucket',
  secretOption: 'secret',
  verification: '`X-Hub-Signature: sha256=` hex HMAC-SHA256 of the body',
  eventType: { header: 'x-event-key' },
  vectors: 'self-computed',
  scheme: bitbucketScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({ push: { changes: [] }, repository: { uuid: `{${randomUUID()}}` } })),
});

/** Bitbucket Cloud and Data Center webhooks. @publicApi */
export const bitbucketProvider = provider;

/**
 * Bitbucket: `X-Hub-Signature: sha256=…` over the body, the event in `X-Event-Key`.
 * @publicApi
 * @example endpoints: { bitbucket: bitbucket({ secret: process.env.BITBUCKET_WEBHOOK_SECRET }) }
 */
export const bitbucket = preset;
