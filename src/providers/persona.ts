import { randomBytes } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import type { ProviderSettings } from './provider';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/** Persona documents no window: 300 s both ways (set `toleranceSeconds` to change it). */
const TOLERANCE_SECONDS = 300;

/**
 * Persona: `Persona-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the
 * webhook secret (`wbhsec_…`) as text. While a secret rotates, Persona sends one whole
 * `t=…,v1=…` group per secret, separated by a space; any matching is enough. The event's `data.id`
 * is the message id. Persona's Ruby sample compares with `==`; this compares in constant time.
 */
const personaScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new TimestampedListScheme({
    name: 'persona',
    header: 'persona-signature',
    groupSeparator: ' ',
    idField: 'data.id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'persona',
  displayName: 'Persona',
  docsUrl: 'https://docs.withpersona.com/docs/webhooks-best-practices',
  presetName: 'persona',
  secretOption: 'secret',
  verification:
    '`Persona-Signature: t=…,v1=…` (a space-separated group per secret): hex HMAC-SHA256 of `t.body`, ±300 s',
  messageId: { bodyField: 'data.id' },
  eventType: { bodyField: 'data.attributes.name' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: personaScheme,
  generateSecret: () => `wbhsec_${randomAlphanumeric(32)}`,
  sampleEvent: jsonEvent(() => ({
    data: {
      type: 'event',
      id: `evt_${randomBytes(12).toString('hex')}`,
      attributes: { name: 'inquiry.completed', 'created-at': new Date().toISOString(), payload: {} },
    },
  })),
});

/** Persona webhooks. @publicApi */
export const personaProvider = provider;

/**
 * Persona: `Persona-Signature` (`t=…,v1=…`, a group per secret during a rotation), a 300 s
 * window, the event's `data.id` as the message id.
 * @publicApi
 * @example endpoints: { persona: persona({ secret: process.env.PERSONA_WEBHOOK_SECRET }) }
 */
export const persona = preset;
