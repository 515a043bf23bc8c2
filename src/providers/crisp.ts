import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { ProviderSettings } from './provider';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Crisp plugin web hooks: `X-Crisp-Signature: <hex HMAC-SHA256 of "[timestamp;body]">` (literal
 * brackets), `X-Crisp-Request-Timestamp` in seconds. Crisp's SDK re-serialises the parsed body and
 * keeps no window; here the raw bytes are signed and the timestamp is held to 300 s.
 */
const TOLERANCE_SECONDS = 300;

const crispScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'crisp',
    header: 'x-crisp-signature',
    template: '[{timestamp};{body}]',
    timestampHeader: 'x-crisp-request-timestamp',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'crisp',
  displayName: 'Crisp',
  docsUrl: 'https://docs.crisp.chat/references/web-hooks/v1',
  presetName: 'crisp',
  secretOption: 'secret',
  verification: '`X-Crisp-Signature`: hex HMAC-SHA256 of `[timestamp;body]`, ±300 s',
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: crispScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    event: 'message:send',
    data: { type: 'text', content: 'Hello', session_id: `session_${randomUUID()}` },
    timestamp: Date.now(),
  })),
});

/** Crisp plugin web hooks. @publicApi */
export const crispProvider = provider;

/**
 * Crisp: `X-Crisp-Signature` over `[timestamp;body]`, a 300 s window.
 * @publicApi
 * @example endpoints: { crisp: crisp({ secret: process.env.CRISP_HOOK_SECRET }) }
 */
export const crisp = preset;
