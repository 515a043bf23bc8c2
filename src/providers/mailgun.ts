import { randomBytes } from 'node:crypto';
import { BodyFieldsScheme, type BodyFieldsSchemeOptions } from '../core/engines/body-fields.engine';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/** @publicApi */
export interface MailgunPresetOptions extends PresetOptions {
  /** The HTTP webhook signing key (Settings → Webhooks), or several during a rotation. */
  readonly signingKey?: SecretOrSecrets;
  /**
   * How far the signed `timestamp` may be from the time of receipt.
   * @default 900
   */
  readonly toleranceSeconds?: number;
  /**
   * Also accept a subaccount's events by their `parent-signature`, the HMAC under the primary
   * account's key (the `signingKey` here), as Mailgun suggests for one key across subaccounts. Every
   * subaccount's events then verify, those of subaccounts someone else runs (a reseller's customers)
   * included: leave it off unless this endpoint is meant for all of them.
   * @default false
   */
  readonly acceptSubaccountEvents?: boolean;
}

/**
 * Mailgun: `{"signature": {"timestamp", "token", "signature"}}` in the body (or form fields of the
 * same names for legacy webhooks), `signature` being the hex HMAC-SHA256 of timestamp + token keyed
 * with the HTTP webhook signing key (on a subaccount's events, `parent-signature` is the same under the
 * primary account's key: accepted with `acceptSubaccountEvents`). It does not cover the event data, so the token is the message
 * id: a replayed token is a duplicate. 15 minutes, the common practice Mailgun's guide suggests.
 */
const MAILGUN_SIGNATURE: BodyFieldsSchemeOptions = {
  name: 'mailgun',
  fieldsIn: 'signature',
  form: true,
  template: '{timestamp}{token}',
  signatureField: 'signature',
  timestampField: 'timestamp',
  idField: 'token',
  toleranceSeconds: 900,
};

const mailgunScheme = (settings: ProviderSettings = {}, acceptSubaccountEvents = false) =>
  new BodyFieldsScheme({
    ...MAILGUN_SIGNATURE,
    ...(settings.toleranceSeconds !== undefined ? { toleranceSeconds: settings.toleranceSeconds } : {}),
    // A subaccount's events also carry the HMAC under the primary account's key.
    ...(acceptSubaccountEvents ? { otherSignatureFields: ['parent-signature'] } : {}),
  });

const { provider, preset } = sharedSecretProvider<'signingKey', MailgunPresetOptions>({
  id: 'mailgun',
  vectors: 'self-computed',
  displayName: 'Mailgun',
  docsUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks',
  presetName: 'mailgun',
  secretOption: 'signingKey',
  testSecret: randomHexSecret,
  signsBody: false,
  verification:
    "body `signature{timestamp, token, signature}`: hex HMAC-SHA256 of timestamp + token (a subaccount's `parent-signature` with `acceptSubaccountEvents`)",
  messageId: { bodyField: 'signature.token' },
  eventType: { bodyField: 'event-data.event' },
  toleranceSeconds: 900,
  scheme: (settings) => mailgunScheme(settings),
  fromOptions: (options) =>
    options.acceptSubaccountEvents
      ? { scheme: mailgunScheme({ toleranceSeconds: options.toleranceSeconds }, true) }
      : {},
  // sign() writes the signature object (timestamp, token = the message id, signature) into it.
  sampleEvent: jsonEvent(() => ({
    'event-data': {
      id: randomBytes(16).toString('base64url'),
      event: 'delivered',
      timestamp: Date.now() / 1000,
      recipient: 'alice@example.com',
    },
  })),
});

/** @publicApi */
export const mailgunProvider = provider;

/**
 * Mailgun webhooks: the signature fields in the body (timestamp + token), a 15-minute window, and
 * the token as the message id so that a replayed token never reaches the handler twice.
 * @publicApi
 * @example endpoints: { mailgun: mailgun({ signingKey: process.env.MAILGUN_WEBHOOK_SIGNING_KEY }) }
 */
export const mailgun = preset;
