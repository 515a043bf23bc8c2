import { randomUUID } from 'node:crypto';
import { JwtScheme } from '../core/engines/jwt.engine';
import { randomUrlSafeSecret } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Vonage signed webhooks (Messages, Dispatch, Voice): `Authorization: Bearer <JWT>`, HS256 with the
 * account's signature secret, `iss: "Vonage"`, `payload_hash` = hex SHA-256 of the body (absent on
 * body-less GET callbacks), `iat` and a `jti` used as the message id. Vonage names no window: 300 s.
 */
const TOLERANCE_SECONDS = 300;

const vonageScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new JwtScheme({
    name: 'vonage',
    token: { header: 'authorization', authScheme: 'Bearer' },
    algorithms: ['HS256'],
    claims: {
      issuer: 'Vonage',
      issuedAt: true,
      bodyHash: { claim: 'payload_hash', absentForEmptyBody: true },
    },
    idClaim: 'jti',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'vonage',
  displayName: 'Vonage',
  docsUrl: 'https://developer.vonage.com/en/messages/concepts/signed-webhooks',
  presetName: 'vonage',
  secretOption: 'signatureSecret',
  verification:
    '`Authorization: Bearer` HS256 JWT, `iss: Vonage`, `payload_hash` = hex SHA-256 of the body, `iat` ±300 s; the `jti` claim is the message id',
  messageId: { jwtClaim: 'jti' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: vonageScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    message_uuid: randomUUID(),
    to: '447700900000',
    from: '447700900001',
    timestamp: new Date().toISOString(),
    status: 'delivered',
  })),
});

/** Vonage signed webhooks. @publicApi */
export const vonageProvider = provider;

/**
 * Vonage signed webhooks: the Bearer JWT, its `payload_hash` and `iat`, `jti` as the message id.
 * @publicApi
 * @example endpoints: { vonage: vonage({ signatureSecret: process.env.VONAGE_SIGNATURE_SECRET }) }
 */
export const vonage = preset;
