import vectors from '../../../test/fixtures/providers-vectors.json';
import type { WebhookRequest } from '../../core/request';
import { zoomChallenge } from './zoom';

const ZOOM = (
  vectors as unknown as Array<{ provider: string; kind: string; inputs: Record<string, string>; expected: unknown }>
).find((v) => v.provider === 'zoom' && v.kind === 'challenge')!;

// The documented request (shared/providers.md §2), with the vector's plainToken.
const CRC: WebhookRequest = {
  method: 'POST',
  url: '/hooks/zoom',
  headers: { 'content-type': 'application/json' },
  query: {},
  rawBody: Buffer.from(
    `{"payload":{"plainToken":"${ZOOM.inputs.plainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`,
  ),
};

describe('zoomChallenge', () => {
  it('is signed', () => {
    expect(zoomChallenge().signed).toBe(true);
    expect(zoomChallenge({ signed: false }).signed).toBe(false);
    expect(zoomChallenge().kind).toBe('computed-hmac');
  });

  it('answers the published vector (elastic/beats validate_CRC_request)', () => {
    const strategy = zoomChallenge();
    expect(strategy.detect(CRC)).toBe(true);
    const context = {
      endpoint: 'zoom',
      secrets: [{ version: 1, value: ZOOM.inputs.secret_token }],
      namedSecrets: {},
      receivedAt: 0,
    };
    expect(strategy.respond(CRC, context)).toEqual({
      status: 200,
      body: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: ZOOM.expected },
    });
  });

  it('leaves other events to the delivery path', () => {
    const event = { ...CRC, rawBody: Buffer.from('{"event":"meeting.started","payload":{"account_id":"abc123"}}') };
    expect(zoomChallenge().detect(event)).toBe(false);
  });
});
