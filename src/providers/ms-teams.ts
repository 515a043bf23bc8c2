import { randomBytes, randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Microsoft Teams outgoing webhooks: `Authorization: HMAC <base64 HMAC-SHA256 of the body>`, keyed
 * with the base64-decoded security token Teams shows once when the webhook is created (so the secret
 * is given as that base64 text). Nothing is timestamped; the activity `id` is the message id.
 */
const msTeamsScheme = () =>
  new HmacScheme({
    name: 'ms-teams',
    header: 'authorization',
    prefix: 'HMAC ',
    encoding: 'base64',
    keyEncoding: 'base64',
    idField: 'id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'ms-teams',
  displayName: 'Microsoft Teams outgoing webhook',
  docsUrl:
    'https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook',
  presetName: 'msTeams',
  secretOption: 'secret',
  verification: '`Authorization: HMAC \u2026`: base64 HMAC-SHA256 of the body, key = base64-decoded security token',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: msTeamsScheme,
  generateSecret: () => randomBytes(32).toString('base64'),
  sampleEvent: jsonEvent(() => ({
    type: 'message',
    id: String(randomInt(1, 2 ** 47)),
    timestamp: new Date().toISOString(),
    text: '<at>Hookwarden</at> hello',
    from: { id: '29:1', name: 'Test' },
    conversation: { id: `19:${randomBytes(8).toString('hex')}@thread.skype` },
  })),
});

/** Microsoft Teams outgoing webhook webhooks. @publicApi */
export const msTeamsProvider = provider;

/**
 * Microsoft Teams outgoing webhooks: `Authorization: HMAC …` over the body with the decoded security
 * token, the activity `id` as the message id. Teams waits only a few seconds for the reply.
 * @publicApi
 * @example endpoints: { msTeams: msTeams({ secret: process.env.TEAMS_SECURITY_TOKEN }) }
 */
export const msTeams = preset;
