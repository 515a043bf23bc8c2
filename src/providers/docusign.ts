import { randomBytes, randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/** DocuSign numbers one header per active HMAC key of the Connect configuration, up to 100. */
const MAX_KEYS = 100;

/**
 * DocuSign Connect (HMAC): `X-DocuSign-Signature-1` … `-N`, each the base64 HMAC-SHA256 of the
 * body under one active key; any header matching any live secret is enough, so keys rotate without
 * a gap. The key is the secret **as text**: it looks like base64 (and ends with `=`, which copying
 * can drop) but is not decoded. No timestamp is signed and no delivery id is sent (retries carry
 * `retryCount`): identical bodies are deduplicated.
 */
const docusignScheme = () =>
  new HmacScheme({
    name: 'docusign',
    header: Array.from({ length: MAX_KEYS }, (_, index) => `x-docusign-signature-${index + 1}`),
    encoding: 'base64',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'docusign',
  displayName: 'DocuSign Connect',
  docsUrl: 'https://developers.docusign.com/platform/webhooks/connect/hmac/',
  presetName: 'docusign',
  secretOption: 'hmacKey',
  verification:
    '`X-DocuSign-Signature-1…N`: base64 HMAC-SHA256 of the body, one per active key, keyed with the key as text (not decoded)',
  eventType: { bodyField: 'event' },
  vectors: 'self-computed',
  scheme: docusignScheme,
  // Connect keys are 32 random bytes written in base64: used as that text.
  generateSecret: () => randomBytes(32).toString('base64'),
  sampleEvent: jsonEvent(() => ({
    event: 'envelope-completed',
    apiVersion: 'v2.1',
    generatedDateTime: new Date().toISOString(),
    data: { envelopeId: randomUUID() },
  })),
});

/** DocuSign Connect webhooks with HMAC. @publicApi */
export const docusignProvider = provider;

/**
 * DocuSign Connect: base64 `X-DocuSign-Signature-N` over the body, one per active key.
 * @publicApi
 * @example endpoints: { docusign: docusign({ hmacKey: process.env.DOCUSIGN_CONNECT_HMAC_KEY }) }
 */
export const docusign = preset;
