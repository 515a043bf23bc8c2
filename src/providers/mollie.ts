import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Mollie next-gen webhooks (event subscriptions): `X-Mollie-Signature: sha256=<hex HMAC-SHA256 of
 * the body>`, keyed with the webhook's signing secret as text. Mollie's docs compare a bare digest
 * and its PHP SDK strips an optional `sha256=`, so both forms are read. Classic Mollie webhooks
 * (a form body `id=tr_…`) are unsigned and not covered by this preset: fetch the resource instead.
 */
const mollieScheme = () =>
  new HmacScheme({
    name: 'mollie',
    header: 'x-mollie-signature',
    prefix: 'sha256=',
    prefixOptional: true,
    idField: 'id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'mollie',
  displayName: 'Mollie (next-gen webhooks)',
  docsUrl: 'https://docs.mollie.com/reference/webhooks-best-practices',
  presetName: 'mollie',
  secretOption: 'secret',
  verification: '`X-Mollie-Signature: sha256=…` (prefix optional): hex HMAC-SHA256 of the body',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: mollieScheme,
  generateSecret: () => randomAlphanumeric(32),
  sampleEvent: jsonEvent(() => ({
    resource: 'event',
    id: `event_${randomBytes(10).toString('hex')}`,
    type: 'payment-link.paid',
    entityId: `pl_${randomBytes(10).toString('hex')}`,
    createdAt: new Date().toISOString(),
  })),
});

/** Mollie next-gen webhooks. @publicApi */
export const mollieProvider = provider;

/**
 * Mollie next-gen webhooks: hex `X-Mollie-Signature` over the body, the event's `id` as the message id.
 * @publicApi
 * @example endpoints: { mollie: mollie({ secret: process.env.MOLLIE_WEBHOOK_SECRET }) }
 */
export const mollie = preset;
