import { randomBytes } from 'node:crypto';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { ProviderSettings } from './provider';
import { answeredWithText, freshChallenge } from './challenge-answers';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider, signedJsonHeaders } from './provider-kit';

/**
 * Front application webhooks: `X-Front-Signature: <base64 HMAC-SHA256 of "timestamp:body">`, keyed
 * with the app's signing key, where `X-Front-Request-Timestamp` is in **milliseconds** (Front's
 * application-webhooks page; the research had the unit in doubt). Front recommends refusing
 * requests older than 5 minutes. Legacy rule webhooks (HMAC-SHA1 of the body, no timestamp) are
 * not this preset.
 */
const TOLERANCE_SECONDS = 300;

const frontScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'front',
    header: 'x-front-signature',
    encoding: 'base64',
    template: '{timestamp}:{body}',
    timestampHeader: 'x-front-request-timestamp',
    timestampFormat: 'unix-milliseconds',
    idField: 'id',
    toleranceSeconds,
  });

/**
 * When an application webhook is saved, Front POSTs a signed `sync` event with `X-Front-Challenge`,
 * answered 200 with the challenge as the body, once the signature has been checked.
 */
const frontChallenge = () =>
  new TokenEchoStrategy({
    match: { method: 'POST', headers: { 'x-front-challenge': true } },
    token: { from: 'header', name: 'x-front-challenge' },
    respondWith: 'text',
    signed: true,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'front',
  displayName: 'Front',
  docsUrl: 'https://dev.frontapp.com/docs/application-webhooks',
  presetName: 'front',
  secretOption: 'secret',
  verification: '`X-Front-Signature`: base64 HMAC-SHA256 of `timestamp:body` (timestamp in ms), ±300 s',
  challenge: 'signed POST with `X-Front-Challenge` → the challenge as the body (signature checked)',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: frontScheme,
  challengeStrategy: frontChallenge,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(8).toString('hex')}`,
    type: 'inbound_received',
    payload: { conversation: { id: 'cnv_1' } },
  })),
  challengeRequest: ({ secret }) => {
    const challenge = freshChallenge();
    const body = JSON.stringify({ type: 'sync', authorization: { id: 'cmp_1' } });
    const headers = signedJsonHeaders(frontScheme(), body, secret);
    return {
      method: 'POST',
      headers: { ...headers, 'x-front-challenge': challenge },
      body,
      check: answeredWithText(challenge),
    };
  },
});

/** Front application webhooks. @publicApi */
export const frontProvider = provider;

/**
 * Front: `X-Front-Signature` over `timestamp:body` (ms), a 300 s window, the `X-Front-Challenge`
 * echo when the webhook is saved.
 * @publicApi
 * @example endpoints: { front: front({ secret: process.env.FRONT_APP_SIGNING_KEY }) }
 */
export const front = preset;
