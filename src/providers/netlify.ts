import { randomBytes } from 'node:crypto';
import { JwtScheme } from '../core/engines/jwt.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Netlify deploy notifications with a "JWS secret token" set: `X-Webhook-Signature` is an HS256 JWS
 * of `{ iss: "netlify", sha256: <hex SHA-256 of the body> }`. There is no timestamp (no replay
 * window), and the body's `id` is the deploy's, shared by its `building`/`ready`/`error`
 * notifications, so duplicates are recognised by the signed content.
 */
const netlifyScheme = () =>
  new JwtScheme({
    name: 'netlify',
    token: { header: 'x-webhook-signature' },
    algorithms: ['HS256'],
    claims: { issuer: 'netlify', bodyHash: { claim: 'sha256' } },
  });

const { provider, preset } = sharedSecretProvider({
  id: 'netlify',
  displayName: 'Netlify',
  docsUrl: 'https://docs.netlify.com/site-deploys/deploy-notifications/',
  presetName: 'netlify',
  secretOption: 'jwsSecret',
  verification: '`X-Webhook-Signature`: HS256 JWS with `iss: netlify` and `sha256` = hex SHA-256 of the body',
  eventType: { bodyField: 'state' },
  vectors: 'self-computed',
  scheme: netlifyScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    id: randomBytes(12).toString('hex'),
    site_id: randomBytes(16).toString('hex'),
    state: 'ready',
    created_at: new Date().toISOString(),
  })),
});

/** Netlify deploy notifications (JWS-signed). @publicApi */
export const netlifyProvider = provider;

/**
 * Netlify deploy notifications: the HS256 JWS in `X-Webhook-Signature`, its body digest and issuer.
 * @publicApi
 * @example endpoints: { netlify: netlify({ jwsSecret: process.env.NETLIFY_JWS_SECRET }) }
 */
export const netlify = preset;
