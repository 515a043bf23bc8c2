import { randomUUID } from 'node:crypto';
import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

/**
 * GitLab's classic webhooks sign nothing: `X-Gitlab-Token` carries the secret token as configured,
 * compared in constant time with the endpoint's live secrets (so the body is not covered). The event
 * is in `X-Gitlab-Event`; the body has no id of its own.
 */
const gitlabScheme = () => new ApiKeyScheme({ name: 'gitlab', header: 'x-gitlab-token' });

const sample = jsonEvent(() => ({
  object_kind: 'push',
  event_name: 'push',
  checkout_sha: randomUUID().replaceAll('-', ''),
  project: { id: 1 },
}));

const token = sharedSecretProvider({
  id: 'gitlab',
  displayName: 'GitLab',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook',
  presetName: 'gitlab',
  secretOption: 'token',
  signsBody: false,
  verification: '`X-Gitlab-Token` value, constant time (no signature)',
  eventType: { header: 'x-gitlab-event' },
  scheme: gitlabScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: sample,
});

/**
 * GitLab's newer signing token (behind the `webhook_signing_token` flag): Standard Webhooks headers
 * (`webhook-id` is the `Idempotency-Key`, reused on retries), the `whsec_` token base64-decoded.
 * GitLab documents no window: the Standard Webhooks 300 s.
 */
const signed = sharedSecretProvider({
  id: 'gitlab-signing-token',
  displayName: 'GitLab (signing token)',
  docsUrl: 'https://docs.gitlab.com/user/project/integrations/webhooks/',
  presetName: 'gitlabSigned',
  secretOption: 'signingToken',
  ...standardWebhooksSigning('webhook'),
  eventType: { bodyField: 'object_kind' },
  vectors: 'self-computed',
  sampleEvent: sample,
});

/** GitLab webhooks with a secret token. @publicApi */
export const gitlabProvider = token.provider;
/** GitLab webhooks with a signing token (Standard Webhooks). @publicApi */
export const gitlabSignedProvider = signed.provider;

/**
 * GitLab: the `X-Gitlab-Token` secret token, compared in constant time; it does not cover the body.
 * @publicApi
 * @example endpoints: { gitlab: gitlab({ token: process.env.GITLAB_WEBHOOK_TOKEN }) }
 */
export const gitlab = token.preset;

/**
 * GitLab with a signing token: Standard Webhooks headers, a 300 s window, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { gitlab: gitlabSigned({ signingToken: process.env.GITLAB_SIGNING_TOKEN }) }
 */
export const gitlabSigned = signed.preset;
