import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Modern Treasury signs the raw body with the organisation's webhook key in `X-Signature` (hex
 * HMAC-SHA256). No timestamp is signed. Its docs name an idempotency header without the research
 * capturing its exact name, so no message id is read (the signed content is deduplicated instead).
 * Its Node SDK compares with `===`; the engine compares in constant time.
 */
const modernTreasuryScheme = () => new HmacScheme({ name: 'modern-treasury', header: 'x-signature' });

const { provider, preset } = sharedSecretProvider({
  id: 'modern-treasury',
  displayName: 'Modern Treasury',
  docsUrl: 'https://docs.moderntreasury.com/platform/docs/verifying-webhooks',
  presetName: 'modernTreasury',
  secretOption: 'secret',
  verification: '`X-Signature`: hex HMAC-SHA256 of the body, organisation webhook key',
  eventType: { bodyField: 'event' },
  vectors: 'verified',
  scheme: modernTreasuryScheme,
  generateSecret: () => randomAlphanumeric(48),
  sampleEvent: jsonEvent(() => ({
    event: 'completed',
    data: { id: randomUUID(), object: 'payment_order', status: 'completed' },
  })),
});

/** Modern Treasury webhooks. @publicApi */
export const modernTreasuryProvider = provider;

/**
 * Modern Treasury: `X-Signature` over the body.
 * @publicApi
 * @example endpoints: { treasury: modernTreasury({ secret: process.env.MODERN_TREASURY_WEBHOOK_KEY }) }
 */
export const modernTreasury = preset;
