import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { JwtScheme } from '../core/engines/jwt.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/**
 * Wix app webhooks: the whole body is an RS256 JWT signed with Wix's key for the app (its public
 * key is in the app dashboard, there is no fetch); the event is the `data` claim, a JSON string.
 * Wix says to check `exp`; `iat` is not checked, so a token may arrive any time before it expires.
 */
const wixScheme = () =>
  new JwtScheme({
    name: 'wix',
    token: 'body',
    algorithms: ['RS256'],
    claims: { expires: { lifetimeSeconds: 3600 }, required: ['data'] },
    bodyClaim: 'data',
    keyLabel: 'A Wix app public key',
  });

/** @publicApi */
export interface WixPresetOptions extends PresetOptions {
  /** The app's public key (PEM) from the app dashboard, or several during a rotation. */
  readonly publicKey?: SecretOrSecrets;
}

/**
 * Wix app webhooks: the body is an RS256 JWT checked with the app's public key, and its `exp`.
 * Read the event from the token's `data` claim (a JSON string).
 * @publicApi
 * @example endpoints: { wix: wix({ publicKey: process.env.WIX_APP_PUBLIC_KEY }) }
 */
export function wix(options: WixPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'wix',
      scheme: wixScheme(),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Wix issues the app public key (app dashboard): send it as `secret`.'),
    },
    options,
  );
}

/** Wix app webhooks. @publicApi */
export const wixProvider = defineProvider<WixPresetOptions>({
  id: 'wix',
  displayName: 'Wix',
  docsUrl:
    'https://dev.wix.com/docs/build-apps/develop-your-app/access/authentication/verify-requests-received-from-wix',
  presetName: 'wix',
  presetOptions: '{ publicKey }',
  verification: 'the body is an RS256 JWT (app public key), `exp` checked; the event is its `data` claim',
  vectors: 'self-computed',
  scheme: wixScheme,
  preset: wix,
  testKey: () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      secret: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      signingKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
  },
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      data: JSON.stringify({ id: randomUUID() }),
      instanceId: randomUUID(),
      eventType: 'AppInstalled',
    }),
  }),
});
