import { randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Gitea (and Forgejo, which adds `X-Forgejo-Signature`) send the bare hex HMAC-SHA256 of the payload
 * in `X-Gitea-Signature`; either header matching is enough. The signature covers the JSON payload,
 * so only JSON webhooks verify: a form-encoded one (`payload=<JSON>`) is signed over the JSON, not
 * the bytes received, and is refused. `X-Gitea-Delivery` (the hook task's UUID) is the message id.
 */
const giteaScheme = () =>
  new HmacScheme({
    name: 'gitea',
    header: ['x-gitea-signature', 'x-forgejo-signature'],
    idHeader: 'x-gitea-delivery',
    eventTypeHeader: 'x-gitea-event',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'gitea',
  displayName: 'Gitea / Forgejo',
  docsUrl: 'https://docs.gitea.com/usage/webhooks',
  presetName: 'gitea',
  secretOption: 'secret',
  verification: '`X-Gitea-Signature` (or `X-Forgejo-Signature`): hex HMAC-SHA256 of the JSON body',
  messageId: { header: 'x-gitea-delivery' },
  eventType: { header: 'x-gitea-event' },
  vectors: 'self-computed',
  scheme: giteaScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({ ref: 'refs/heads/main', after: randomInt(1e9).toString(16), commits: [] })),
});

/** Gitea and Forgejo webhooks. @publicApi */
export const giteaProvider = provider;

/**
 * Gitea / Forgejo: `X-Gitea-Signature` over the JSON body, `X-Gitea-Delivery` as the message id.
 * @publicApi
 * @example endpoints: { gitea: gitea({ secret: process.env.GITEA_WEBHOOK_SECRET }) }
 */
export const gitea = preset;
