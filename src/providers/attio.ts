import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Attio: `Attio-Signature` (and the same value in the legacy `X-Attio-Signature`) is the hex
 * HMAC-SHA256 of the body, keyed with the webhook's secret as UTF-8. Nothing is timestamped and no
 * delivery id is documented, so deliveries are deduplicated on content.
 */
const attioScheme = () =>
  new HmacScheme({
    name: 'attio',
    header: ['attio-signature', 'x-attio-signature'],
  });

const { provider, preset } = sharedSecretProvider({
  id: 'attio',
  displayName: 'Attio',
  docsUrl: 'https://docs.attio.com/rest-api/guides/webhooks',
  presetName: 'attio',
  secretOption: 'secret',
  verification: '`Attio-Signature` (or `X-Attio-Signature`): hex HMAC-SHA256 of the body',
  vectors: 'self-computed',
  scheme: attioScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    webhook_id: randomUUID(),
    events: [{ event_type: 'record.created', id: { record_id: randomUUID() } }],
  })),
});

/** Attio webhooks. @publicApi */
export const attioProvider = provider;

/**
 * Attio webhooks: hex `Attio-Signature` over the body with the webhook's secret.
 * @publicApi
 * @example endpoints: { attio: attio({ secret: process.env.ATTIO_WEBHOOK_SECRET }) }
 */
export const attio = preset;
