import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Webflow: `x-webflow-signature` is the hex HMAC-SHA256 of `<timestamp>:<body>`, keyed as UTF-8 with
 * the OAuth app's client secret (app-created webhooks) or the secret the API returned for the webhook;
 * `x-webflow-timestamp` is in milliseconds and Webflow's docs refuse anything older than 5 minutes.
 */
const TOLERANCE_SECONDS = 300;

const webflowScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'webflow',
    header: 'x-webflow-signature',
    template: '{timestamp}:{body}',
    timestampHeader: 'x-webflow-timestamp',
    timestampFormat: 'unix-milliseconds',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'webflow',
  displayName: 'Webflow',
  docsUrl: 'https://developers.webflow.com/data/docs/working-with-webhooks',
  presetName: 'webflow',
  secretOption: 'secret',
  verification: '`x-webflow-signature`: hex HMAC-SHA256 of `timestamp:body`, `x-webflow-timestamp` (ms) within 300 s',
  eventType: { bodyField: 'triggerType' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: webflowScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    triggerType: 'form_submission',
    payload: { id: randomBytes(12).toString('hex'), name: 'Contact', submittedAt: new Date().toISOString(), data: {} },
  })),
});

/** Webflow webhooks. @publicApi */
export const webflowProvider = provider;

/**
 * Webflow webhooks: hex `x-webflow-signature` over `timestamp:body`, the millisecond timestamp within 300 s.
 * @publicApi
 * @example endpoints: { webflow: webflow({ secret: process.env.WEBFLOW_WEBHOOK_SECRET }) }
 */
export const webflow = preset;
