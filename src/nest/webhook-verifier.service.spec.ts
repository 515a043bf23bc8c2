import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { WebhookConfigurationError, WebhookVerificationError } from '../core/errors';
import type { SignatureScheme } from '../core/signature-scheme';
import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import { standardWebhooks } from '../providers/standard-webhooks';
import {
  DeliveryInProgressError,
  EventLogUnavailableError,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import type { IncomingWebhook } from './http-request';
import { resolveWebhookConfig } from './webhook-config';
import { WebhookVerifier } from './webhook-verifier.service';

// The published Standard Webhooks vector (test/fixtures/providers-vectors.json); other bodies are
// signed by the reference `standardwebhooks` package, checked against that vector first.
const VECTOR = (
  JSON.parse(readFileSync(join(__dirname, '../../test/fixtures/providers-vectors.json'), 'utf8')) as Array<{
    provider: string;
    kind: string;
    inputs: Record<string, string>;
    expected: string;
  }>
).find((v) => v.provider === 'standard_webhooks' && v.kind === 'signature')!;
const SECRET = VECTOR.inputs.secret;
const ID = VECTOR.inputs.webhook_id;
const TS = Number(VECTOR.inputs.webhook_timestamp);
const BODY = VECTOR.inputs.body;
const AT = TS * 1000;

function sign(id: string, ts: number, body: string): string {
  return new Webhook(SECRET).sign(id, new Date(ts * 1000), body);
}

function incoming(overrides: Partial<IncomingWebhook> & { body?: string; id?: string } = {}): IncomingWebhook {
  const { body = BODY, id = ID, ...rest } = overrides;
  const rawBody = Buffer.from(body);
  return {
    method: 'POST',
    url: '/hooks/billing',
    headers: {
      'content-type': 'application/json',
      'content-length': String(rawBody.length),
      'webhook-id': id,
      'webhook-timestamp': String(TS),
      'webhook-signature': sign(id, TS, body),
    },
    query: {},
    rawBody,
    parsedBody: JSON.parse(body),
    ...rest,
  };
}

async function setup(endpoints: Record<string, WebhookEndpointDefinition> = { billing: standardWebhooks() }) {
  const secrets = new InMemorySecretStore();
  if (endpoints.billing) await secrets.addSecret('billing', SECRET);
  const eventLog = new InMemoryEventLog({}, () => AT);
  const verifier = new WebhookVerifier(resolveWebhookConfig({ endpoints }), secrets, eventLog);
  const events = async (status?: WebhookEventStatus) => (await eventLog.list({ limit: 50, status })).items;
  // An outage as the stores report one: every write fails with EventLogUnavailableError.
  const outage = () =>
    jest.spyOn(eventLog, 'record').mockRejectedValue(new EventLogUnavailableError('The event log is unavailable.'));
  return { verifier, secrets, eventLog, events, outage };
}

async function refusal(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe('WebhookVerifier', () => {
  it('signs the published vector as Standard Webhooks does (the signer the other cases rely on)', () => {
    expect(sign(ID, TS, BODY)).toBe(VECTOR.expected);
  });

  it('accepts a signed delivery, records it, and hands the handler what was verified', async () => {
    const { verifier, events } = await setup();
    const request = incoming();
    const outcome = await verifier.verify('billing', request, AT);
    expect(outcome).toEqual({
      status: 'accepted',
      delivery: {
        endpoint: 'billing',
        provider: 'standard-webhooks',
        id: ID,
        dedupeKey: ID,
        timestamp: new Date(AT),
        payload: { test: 2432232314 },
        rawBody: Buffer.from(BODY),
        secretVersion: 1,
        receivedAt: new Date(AT),
      },
    });
    const [event] = await events();
    expect(event).toMatchObject({ status: 'accepted', messageId: ID, secretVersion: 1, endpoint: 'billing' });
    // The signature is a credential-like header: never stored as it came.
    expect(JSON.stringify(event.headers)).not.toContain(sign(ID, TS, BODY));
  });

  it('answers a copy as a duplicate once the first was acknowledged, 503 before, and anew after a release', async () => {
    const { verifier } = await setup();
    const first = await verifier.verify('billing', incoming(), AT);
    await expect(verifier.verify('billing', incoming(), AT)).rejects.toBeInstanceOf(DeliveryInProgressError);
    await verifier.release(first.delivery);
    const retry = await verifier.verify('billing', incoming(), AT);
    expect(retry.status).toBe('accepted');
    await verifier.acknowledge(retry.delivery);
    expect((await verifier.verify('billing', incoming(), AT)).status).toBe('duplicate');
  });

  it('settles an acknowledgement in memory without a promise, and a store that throws only warns', async () => {
    const { verifier, eventLog } = await setup();
    const first = await verifier.verify('billing', incoming(), AT);
    // Nothing to wait for: the guard lets the 2xx go out in the same turn.
    expect(verifier.settleAcknowledged(first.delivery)).toBeUndefined();
    expect((await verifier.verify('billing', incoming(), AT)).status).toBe('duplicate');

    const second = await verifier.verify('billing', incoming({ id: 'msg_second' }), AT);
    const warn = jest.spyOn(verifier['logger'], 'warn').mockImplementation(() => undefined);
    jest.spyOn(eventLog, 'acknowledge').mockImplementation(() => {
      throw new EventLogUnavailableError('The event log is unavailable.');
    });
    expect(() => verifier.settleAcknowledged(second.delivery)).not.toThrow();
    expect(warn).toHaveBeenCalledWith('Could not mark a handled delivery on "billing" as acknowledged.');
    // Not acknowledged: a copy is still in progress.
    await expect(verifier.verify('billing', incoming({ id: 'msg_second' }), AT)).rejects.toBeInstanceOf(
      DeliveryInProgressError,
    );
  });

  it('waits for an event log that acknowledges with a promise, and a rejection only warns', async () => {
    const { verifier, eventLog } = await setup();
    const delivery = (await verifier.verify('billing', incoming(), AT)).delivery;
    const warn = jest.spyOn(verifier['logger'], 'warn').mockImplementation(() => undefined);
    jest
      .spyOn(eventLog, 'acknowledge')
      .mockImplementationOnce(() => Promise.reject(new EventLogUnavailableError('unavailable')));
    const settling = verifier.settleAcknowledged(delivery);
    expect(settling).toBeInstanceOf(Promise);
    await expect(settling).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'no_matching_signature',
      () => incoming({ headers: { ...incoming().headers, 'webhook-signature': sign(ID, TS, '{}') } }),
    ],
    ['missing_header', () => incoming({ headers: { ...incoming().headers, 'webhook-signature': undefined } })],
    ['invalid_header', () => incoming({ headers: { ...incoming().headers, 'webhook-timestamp': '1e9' } })],
    ['raw_body_missing', () => incoming({ rawBody: undefined })],
    [
      'unsupported_media_type',
      () => incoming({ rawBody: undefined, headers: { ...incoming().headers, 'content-type': 'application/xml' } }),
    ],
  ])('refuses with %s and records the refusal under that reason', async (code, request) => {
    const { verifier, events } = await setup();
    expect((await refusal(verifier.verify('billing', request(), AT))).code).toBe(code);
    expect(await events()).toEqual([expect.objectContaining({ status: 'rejected', reason: code })]);
  });

  it.each([
    ['timestamp_too_old', AT + 301_000],
    ['timestamp_too_new', AT - 301_000],
  ])('refuses a delivery outside the tolerance with %s', async (code, receivedAt) => {
    const { verifier } = await setup();
    expect((await refusal(verifier.verify('billing', incoming(), receivedAt))).code).toBe(code);
  });

  it('fails closed with no_secret_configured on an endpoint without a live secret', async () => {
    const { verifier, events } = await setup({ billing: standardWebhooks(), other: standardWebhooks() });
    expect((await refusal(verifier.verify('other', incoming(), AT))).code).toBe('no_secret_configured');
    expect(await events('rejected')).toEqual([expect.objectContaining({ endpoint: 'other' })]);
  });

  it('refuses as verification_failed when a scheme throws anything but a verification error', async () => {
    const broken: SignatureScheme = {
      name: 'broken',
      requiresSecret: false,
      verify: () => {
        throw new TypeError('a bug that quotes the body');
      },
    };
    const { verifier, events } = await setup({ custom: { provider: 'custom', schemes: [broken] } });
    const error = await refusal(verifier.verify('custom', incoming(), AT));
    expect([error.code, error.message]).toEqual(['verification_failed', 'The request could not be verified.']);
    expect(await events()).toEqual([expect.objectContaining({ status: 'rejected', reason: 'verification_failed' })]);
  });

  it('logs the class of an unexpected error, and the message only of a setup error (its text is ours)', async () => {
    const throwing = (error: Error): SignatureScheme => ({
      name: 'throwing',
      requiresSecret: false,
      verify: () => {
        throw error;
      },
    });
    const logged: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void logged.push(String(message)));
    try {
      for (const error of [
        new TypeError('a bug that quotes the body: sk_live_secret'),
        new WebhookConfigurationError('JWT-signed webhooks need jose (Cannot find module)'),
      ]) {
        const { verifier } = await setup({ custom: { provider: 'custom', schemes: [throwing(error)] } });
        const refused = await refusal(verifier.verify('custom', incoming(), AT));
        expect(refused.code).toBe('verification_failed');
      }
    } finally {
      spy.mockRestore();
    }
    expect(logged).toEqual([
      'Verification for endpoint "custom" failed unexpectedly: TypeError',
      'Verification for endpoint "custom" failed unexpectedly: WebhookConfigurationError: JWT-signed webhooks need jose (Cannot find module)',
    ]);
  });

  it('awaits a scheme’s prepare() (fetched keys) with the live secrets before verify(), and records its refusal', async () => {
    const seen: string[] = [];
    let ready = false;
    const fetching: SignatureScheme = {
      name: 'fetching',
      requiresSecret: false,
      prepare: async (_request, secrets) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(`prepare with ${secrets.length} secrets`);
        if (_request.headers['x-outage']) {
          throw new WebhookVerificationError('key_source_unavailable', 'The keys could not be fetched.');
        }
        ready = true;
      },
      verify: () => {
        seen.push(`verify after prepare: ${ready}`);
        return {};
      },
    };
    const { verifier, events } = await setup({ custom: { provider: 'custom', schemes: [fetching] } });
    await verifier.verify('custom', incoming(), AT);
    expect(seen).toEqual(['prepare with 0 secrets', 'verify after prepare: true']);
    const down = incoming({ headers: { ...incoming().headers, 'x-outage': '1' } });
    expect((await refusal(verifier.verify('custom', down, AT))).code).toBe('key_source_unavailable');
    expect(await events('rejected')).toEqual([expect.objectContaining({ reason: 'key_source_unavailable' })]);
  });

  it('answers 503 (EventLogUnavailableError) when a verified delivery cannot be recorded', async () => {
    const { verifier, outage } = await setup();
    outage();
    await expect(verifier.verify('billing', incoming(), AT)).rejects.toBeInstanceOf(EventLogUnavailableError);
    // A refusal is answered even while its record cannot be written.
    const bad = incoming({ headers: { ...incoming().headers, 'webhook-signature': 'v1,AAAA' } });
    expect((await refusal(verifier.verify('billing', bad, AT))).code).toBe('no_matching_signature');
  });

  it('treats an unknown endpoint name as a configuration error', async () => {
    const { verifier } = await setup();
    await expect(verifier.verify('nope', incoming(), AT)).rejects.toThrow(
      new WebhookConfigurationError('Unknown webhook endpoint "nope" (configured: billing).'),
    );
  });

  describe('answerChallenge', () => {
    const echo = (overrides: Partial<ChallengeStrategy> = {}): ChallengeStrategy => ({
      kind: 'token-echo',
      signed: false,
      detect: (request) => request.rawBody.includes('url_verification'),
      respond: (request) => ({
        status: 200,
        body: (JSON.parse(request.rawBody.toString()) as { token: string }).token,
      }),
      ...overrides,
    });
    const challenge = (body = '{"type":"url_verification","token":"t0k"}') =>
      ({
        ...incoming(),
        headers: { 'content-type': 'application/json' },
        rawBody: Buffer.from(body),
      }) as IncomingWebhook;

    it('answers a challenge the strategy detects and records it as a challenge', async () => {
      const { verifier, events } = await setup();
      expect(await verifier.answerChallenge('billing', echo(), challenge(), AT)).toEqual({ status: 200, body: 't0k' });
      expect(await events()).toEqual([expect.objectContaining({ status: 'challenge', endpoint: 'billing' })]);
    });

    it('leaves a delivery, and a request without raw bytes, to verify()', async () => {
      const { verifier, events } = await setup();
      expect(await verifier.answerChallenge('billing', echo(), incoming(), AT)).toBeUndefined();
      expect(
        await verifier.answerChallenge('billing', echo(), { ...challenge(), rawBody: undefined }, AT),
      ).toBeUndefined();
      expect(await events()).toEqual([]);
    });

    it('verifies a signed challenge with the endpoint schemes before answering', async () => {
      const { verifier, events } = await setup();
      const error = await refusal(verifier.answerChallenge('billing', echo({ signed: true }), challenge(), AT));
      expect(error.code).toBe('missing_header');
      expect(await events()).toEqual([expect.objectContaining({ status: 'rejected', reason: 'missing_header' })]);
    });

    it('refuses a secret-delivering handshake with handshake_refused when the endpoint has a secret', async () => {
      const { verifier, secrets } = await setup();
      const handshake = echo({ deliveredSecret: () => 'new-secret' });
      expect((await refusal(verifier.answerChallenge('billing', handshake, challenge(), AT))).code).toBe(
        'handshake_refused',
      );
      expect((await secrets.getLiveSecrets('billing')).map((s) => s.value)).toEqual([SECRET]);
    });

    it('stores the secret a handshake delivers to an endpoint that has none', async () => {
      const { verifier, secrets } = await setup({ asana: standardWebhooks() });
      const handshake = echo({ deliveredSecret: () => 'whsec_' + Buffer.alloc(24, 7).toString('base64') });
      expect(await verifier.answerChallenge('asana', handshake, challenge(), AT)).toEqual({ status: 200, body: 't0k' });
      expect((await secrets.getLiveSecrets('asana')).map((s) => s.value)).toEqual([
        'whsec_' + Buffer.alloc(24, 7).toString('base64'),
      ]);
    });

    it('answers 503 when the answered challenge cannot be recorded', async () => {
      const { verifier, outage } = await setup();
      outage();
      await expect(verifier.answerChallenge('billing', echo(), challenge(), AT)).rejects.toBeInstanceOf(
        EventLogUnavailableError,
      );
    });
  });
});
