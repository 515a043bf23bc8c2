import vectors from '../../../test/fixtures/providers-vectors.json';
import type { WebhookRequest } from '../../core/request';
import { twitterChallenge, xChallenge } from './twitter';

const X = (
  vectors as unknown as Array<{ provider: string; kind: string; inputs: Record<string, string>; expected: unknown }>
).find((v) => v.provider === 'twitter_x' && v.kind === 'challenge')!;

const crc = (token?: string): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/x',
  headers: {},
  query: token === undefined ? {} : { crc_token: token },
  rawBody: Buffer.alloc(0),
});
const context = {
  endpoint: 'x',
  secrets: [{ version: 1, value: X.inputs.consumer_secret }],
  namedSecrets: {},
  receivedAt: 0,
};

describe('twitterChallenge', () => {
  it('answers the CRC vector (Twitter DevRel inputs)', () => {
    const strategy = twitterChallenge();
    expect(strategy.signed).toBe(false);
    expect(strategy.detect(crc(X.inputs.crc_token))).toBe(true);
    expect(strategy.respond(crc(X.inputs.crc_token), context)).toEqual({ status: 200, body: X.expected });
  });

  it('is also exported as xChallenge', () => {
    expect(xChallenge().respond(crc(X.inputs.crc_token), context)).toEqual({ status: 200, body: X.expected });
  });

  it('refuses a GET without crc_token, and leaves POST deliveries alone', () => {
    expect(() => twitterChallenge().respond(crc(), context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
    expect(twitterChallenge().detect({ ...crc(), method: 'POST' })).toBe(false);
  });
});
