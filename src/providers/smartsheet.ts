import { randomUUID } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { HeaderCodeStrategy } from '../core/challenges/header-code.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { freshChallenge, isSuccess } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Smartsheet: `Smartsheet-Hmac-SHA256: <hex HMAC-SHA256 of the body>`, keyed with the webhook's
 * `sharedSecret`. The callback's `nonce` field is the message id.
 */
const SIGNATURE: HmacSchemeOptions = { name: 'smartsheet', header: 'smartsheet-hmac-sha256', idField: 'nonce' };

/**
 * Smartsheet's verification: a `POST` with header `Smartsheet-Hook-Challenge` (and the same value
 * as `challenge` in the JSON body), sent when the webhook is enabled and again every 100 callbacks.
 * Answered `200` with both forms Smartsheet accepts: the `Smartsheet-Hook-Response` header and the
 * JSON body `{"smartsheetHookResponse": …}`.
 * @publicApi
 */
export function smartsheetChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new HeaderCodeStrategy({
    requestHeader: 'Smartsheet-Hook-Challenge',
    responseHeader: 'Smartsheet-Hook-Response',
    jsonField: 'smartsheetHookResponse',
    match: { method: 'POST', headers: { 'smartsheet-hook-challenge': true } },
    ...challengeOptions(options, false),
  });
}

/** @publicApi */
export interface SmartsheetPresetOptions extends PresetOptions {
  /** The webhook's `sharedSecret`, or several during a rotation. */
  readonly sharedSecret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'sharedSecret', SmartsheetPresetOptions>({
  id: 'smartsheet',
  vectors: 'self-computed',
  displayName: 'Smartsheet',
  docsUrl: 'https://developers.smartsheet.com/api/smartsheet/guides/webhooks/webhook-verification',
  presetName: 'smartsheet',
  secretOption: 'sharedSecret',
  testSecret: () => randomAlphanumeric(26).toLowerCase(), // 26 lower-case letters and digits
  challengeStrategy: smartsheetChallenge,
  verification: '`Smartsheet-Hmac-SHA256` hex HMAC-SHA256 of the body, keyed with the webhook’s `sharedSecret`',
  challenge:
    '`smartsheetChallenge()`: POST `Smartsheet-Hook-Challenge` → `Smartsheet-Hook-Response` header and `{"smartsheetHookResponse"}`',
  messageId: { bodyField: 'nonce' },
  scheme: () => new HmacScheme(SIGNATURE),
  // A callback batches events of one sheet, each with its own type: none for the callback.
  sampleEvent: jsonEvent(() => ({
    nonce: randomUUID(),
    timestamp: new Date().toISOString(),
    webhookId: 1,
    scope: 'sheet',
    scopeObjectId: 2,
    events: [{ objectType: 'row', eventType: 'updated', id: 3 }],
  })),
  challengeRequest: () => {
    const challenge = freshChallenge();
    return {
      method: 'POST',
      headers: { 'smartsheet-hook-challenge': challenge, 'content-type': 'application/json' },
      body: JSON.stringify({ challenge, webhookId: 1 }),
      check: (answer) =>
        isSuccess(answer.status) &&
        (answer.headers.get('smartsheet-hook-response') === challenge || answer.text.includes(challenge))
          ? undefined
          : 'expected Smartsheet-Hook-Response',
    };
  },
});

/** @publicApi */
export const smartsheetProvider = provider;

/**
 * Smartsheet webhooks: hex `Smartsheet-Hmac-SHA256` over the body, the callback's `nonce` as the
 * message id, and `smartsheetChallenge()` for the verification sent on enabling and every 100
 * callbacks.
 * @publicApi
 * @example endpoints: { smartsheet: smartsheet({ sharedSecret: process.env.SMARTSHEET_SHARED_SECRET }) }
 */
export const smartsheet = preset;
