import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import type { WebhookRequest } from '../core/request';
import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import { discord, intercom, pagerduty, slack, smartsheet, square, stripe, trello } from '../providers';
import { signDelivery } from './signers';
import { testEventBody } from './test-events';

// `hookwarden send` without --data must send each test event with a fresh id where the provider's
// payload carries one, at the place the receiving preset reads it (else no deduplication).
// Where each provider puts the id is written here from its documentation, not read from the CLI.
const URL_ = 'https://hooks.example.com/webhooks/test';
const seed = randomBytes(32);
const discordPublicKey = createPublicKey(
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  }),
)
  .export({ format: 'der', type: 'spki' })
  .subarray(-32)
  .toString('hex');

const cases: Array<{
  provider: string;
  path: string[];
  preset: () => WebhookEndpointDefinition;
  signWith: string;
  verifyWith: string;
}> = [
  { provider: 'stripe', path: ['id'], preset: () => stripe(), signWith: 'whsec_k', verifyWith: 'whsec_k' },
  {
    provider: 'discord',
    path: ['id'],
    preset: () => discord(),
    signWith: seed.toString('hex'),
    verifyWith: discordPublicKey,
  },
  { provider: 'intercom', path: ['id'], preset: () => intercom(), signWith: 'k', verifyWith: 'k' },
  { provider: 'pagerduty', path: ['event', 'id'], preset: () => pagerduty(), signWith: 'k', verifyWith: 'k' },
  { provider: 'slack', path: ['event_id'], preset: () => slack(), signWith: 'k', verifyWith: 'k' },
  { provider: 'smartsheet', path: ['nonce'], preset: () => smartsheet(), signWith: 'k', verifyWith: 'k' },
  {
    provider: 'square',
    path: ['event_id'],
    preset: () => square({ notificationUrl: URL_ }),
    signWith: 'k',
    verifyWith: 'k',
  },
  {
    provider: 'trello',
    path: ['action', 'id'],
    preset: () => trello({ callbackUrl: URL_ }),
    signWith: 'k',
    verifyWith: 'k',
  },
];

function at(body: string, path: string[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], JSON.parse(body));
}

describe('hookwarden send: test events carry a fresh id where the provider puts it', () => {
  it.each(cases)('$provider: the preset reads the planted id as the message id', (c) => {
    const body = testEventBody(c.provider);
    const id = at(body, c.path);
    expect(typeof id).toBe('string');
    const headers = signDelivery(c.provider, {
      body: Buffer.from(body),
      secret: c.signWith,
      url: URL_,
      contentType: 'application/json',
    });
    const request: WebhookRequest = {
      method: 'POST',
      url: '/webhooks/test',
      headers: { 'content-type': 'application/json', ...headers },
      query: {},
      rawBody: Buffer.from(body),
    };
    const [scheme] = c.preset().schemes;
    const verified = scheme.verify(request, [{ version: 1, value: c.verifyWith }], { receivedAt: Date.now() });
    expect(verified.messageId).toBe(id);
  });

  it.each(cases)('$provider: two test events have two ids', (c) => {
    expect(at(testEventBody(c.provider), c.path)).not.toBe(at(testEventBody(c.provider), c.path));
  });

  it('providers with the id in a header get a plain test event (the header id is fresh per send)', () => {
    const event = JSON.parse(testEventBody('github')) as Record<string, unknown>;
    expect(Object.keys(event).sort()).toEqual(['sentAt', 'type']);
    const first = signDelivery('github', { body: Buffer.from('{}'), secret: 'k', url: URL_, contentType: 'a/b' });
    const second = signDelivery('github', { body: Buffer.from('{}'), secret: 'k', url: URL_, contentType: 'a/b' });
    expect(first['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first['x-github-delivery']).not.toBe(second['x-github-delivery']);
  });

  it('twilio deliveries carry a fresh I-Twilio-Idempotency-Token', () => {
    const sign = () => signDelivery('twilio', { body: Buffer.from('{}'), secret: 'k', url: URL_, contentType: 'a/b' });
    const [first, second] = [sign(), sign()];
    expect(first['i-twilio-idempotency-token']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first['i-twilio-idempotency-token']).not.toBe(second['i-twilio-idempotency-token']);
  });
});
