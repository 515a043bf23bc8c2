import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Cal.com: `X-Cal-Signature-256` is the hex HMAC-SHA256 of the body, keyed with the webhook's secret
 * as UTF-8. Without a secret Cal.com sends the literal `no-secret-provided` in that header: it is no
 * digest, so it is refused (`invalid_header`), never taken as a signature. Nothing is timestamped.
 */
const calComScheme = () =>
  new HmacScheme({
    name: 'cal-com',
    header: 'x-cal-signature-256',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'cal-com',
  displayName: 'Cal.com',
  docsUrl: 'https://cal.com/docs/developing/guides/automation/webhooks',
  presetName: 'calCom',
  secretOption: 'secret',
  verification: '`X-Cal-Signature-256`: hex HMAC-SHA256 of the body; `no-secret-provided` refused',
  eventType: { bodyField: 'triggerEvent' },
  vectors: 'self-computed',
  scheme: calComScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload: { uid: randomUUID(), title: 'hookwarden' },
  })),
});

/** Cal.com webhooks. @publicApi */
export const calComProvider = provider;

/**
 * Cal.com webhooks: hex `X-Cal-Signature-256` over the body with the webhook's secret; the
 * `no-secret-provided` placeholder of a webhook without a secret is refused.
 * @publicApi
 * @example endpoints: { calCom: calCom({ secret: process.env.CALCOM_WEBHOOK_SECRET }) }
 */
export const calCom = preset;
