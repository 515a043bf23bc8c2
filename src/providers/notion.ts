import { randomUUID } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { readField, runMatcher, type RequestField } from '../core/challenges/challenge-request';
import { assertSafeToken, type TokenSafetyOptions } from '../core/challenges/token-safety';
import { HmacScheme } from '../core/engines/hmac.engine';
import { isSuccess } from './challenge-answers';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Notion integration webhooks: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed
 * with the subscription's `verification_token` as UTF-8. The token itself reaches the URL once,
 * unsigned, when the subscription is created (`{"verification_token": …}`): `notionChallenge()`
 * stores it as the endpoint's signing secret, like Asana's handshake.
 */
const notionScheme = () =>
  new HmacScheme({
    name: 'notion',
    header: 'x-notion-signature',
    prefix: 'sha256=',
    idField: 'id',
  });

const TOKEN: RequestField = { from: 'body', name: 'verification_token' };
/** Notion's tokens read `secret_` and 43 letters and digits; a little room either way. */
const TOKEN_SAFETY: TokenSafetyOptions = { pattern: /^secret_[A-Za-z0-9]{16,128}$/, maxLength: 135 };

/**
 * Notion's setup handshake: one unsigned `POST {"verification_token": "secret_…"}` when the
 * subscription is created. The module stores the token as the endpoint's signing secret (the key of
 * every later `X-Notion-Signature`) and answers a bare `200`, never echoing the token; the request
 * is recorded without its body. A second handshake for an endpoint that already has a secret is
 * refused unless the endpoint sets `allowSecretReplacement`.
 * @publicApi
 */
export function notionChallenge(): ChallengeStrategy {
  const match = { method: 'POST', body: { verification_token: true } } as const;
  return {
    kind: 'header-code',
    signed: false,
    detect: (request) => runMatcher(request, match),
    respond(request) {
      assertSafeToken(readField(request, TOKEN), TOKEN_SAFETY, 'verification_token');
      return { status: 200 };
    },
    deliveredSecret(request) {
      try {
        return assertSafeToken(readField(request, TOKEN), TOKEN_SAFETY);
      } catch {
        return undefined;
      }
    },
  };
}

/** @publicApi */
export interface NotionPresetOptions extends PresetOptions {
  /** Usually absent: the setup handshake delivers the `verification_token` and the module stores it. */
  readonly secret?: SecretOrSecrets;
  /**
   * Accept a new handshake for an endpoint that already has a secret (a re-created subscription),
   * replacing it. Off by default, so a forged handshake cannot swap the secret of a working endpoint.
   * @default false
   */
  readonly allowSecretReplacement?: boolean;
}

const { provider, preset } = sharedSecretProvider<'secret', NotionPresetOptions>({
  id: 'notion',
  displayName: 'Notion',
  docsUrl: 'https://developers.notion.com/reference/webhooks',
  presetName: 'notion',
  secretOption: 'secret',
  challengeStrategy: notionChallenge,
  fromOptions: (options) => ({ allowSecretReplacement: options.allowSecretReplacement }),
  verification: '`X-Notion-Signature: sha256=\u2026`: hex HMAC-SHA256 of the body, keyed with the `verification_token`',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  challenge:
    '`notionChallenge()`: the unsigned `{"verification_token"}` POST → bare 200; the token is stored as the signing secret',
  vectors: 'self-computed',
  scheme: notionScheme,
  generateSecret: () => `secret_${randomAlphanumeric(43)}`,
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    type: 'page.created',
    attempt_number: 1,
    entity: { id: randomUUID(), type: 'page' },
  })),
  challengeRequest: () => {
    const token = `secret_${randomAlphanumeric(43)}`;
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verification_token: token }),
      check: (answer) =>
        isSuccess(answer.status) && !answer.text.includes(token)
          ? undefined
          : 'expected a 2xx that does not echo the token',
    };
  },
});

/** Notion webhooks. @publicApi */
export const notionProvider = provider;

/**
 * Notion integration webhooks: `notionChallenge()` stores the `verification_token` of the setup
 * handshake, which then keys `X-Notion-Signature` over the body; the body's `id` is the message id.
 * @publicApi
 * @example endpoints: { notion: notion() } // or notion({ secret: process.env.NOTION_VERIFICATION_TOKEN })
 */
export const notion = preset;
