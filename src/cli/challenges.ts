import { createHmac, randomBytes } from 'node:crypto';
import { signDelivery } from './signers';

/** A challenge request as a provider sends it, and how to tell whether the answer is right. */
export interface ChallengeProbe {
  readonly method: string;
  /** Query parameters to add to the URL. */
  readonly query?: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Why the answer is wrong, or undefined when it is what the provider expects. */
  check(answer: { status: number; headers: Headers; text: string }): string | undefined;
}

interface ProbeInput {
  readonly url: string;
  readonly secret?: string;
  readonly verifyToken?: string;
}

const token = () => randomBytes(12).toString('hex');
const ok = (status: number) => status >= 200 && status < 300;
const expectBody = (expected: string) => (a: { status: number; text: string }) =>
  ok(a.status) && a.text === expected ? undefined : `expected 2xx with body ${JSON.stringify(expected)}`;
const expectJson = (expected: Record<string, unknown>) => (a: { status: number; text: string }) => {
  try {
    const got = JSON.parse(a.text) as Record<string, unknown>;
    return ok(a.status) && Object.entries(expected).every(([k, v]) => got[k] === v)
      ? undefined
      : `expected 2xx with ${JSON.stringify(expected)}`;
  } catch {
    return `expected 2xx with JSON ${JSON.stringify(expected)}`;
  }
};

function signedPost(
  provider: string,
  input: ProbeInput,
  body: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const headers = signDelivery(provider, {
    body: Buffer.from(body),
    secret: input.secret ?? '',
    url: input.url,
    contentType: 'application/json',
  });
  return { 'content-type': 'application/json', ...headers, ...extra };
}

/** The challenge each provider sends, per shared/providers.md. */
export const CHALLENGES: Readonly<Record<string, (input: ProbeInput) => ChallengeProbe>> = {
  slack: (input) => {
    const challenge = token();
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' });
    return { method: 'POST', headers: signedPost('slack', input, body), body, check: expectBody(challenge) };
  },
  zoom: (input) => {
    const plainToken = token();
    const body = JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' });
    const encryptedToken = createHmac('sha256', input.secret ?? '')
      .update(plainToken)
      .digest('hex');
    return {
      method: 'POST',
      headers: signedPost('zoom', input, body),
      body,
      check: expectJson({ plainToken, encryptedToken }),
    };
  },
  twitter: (input) => {
    const crc = token();
    const response_token =
      'sha256=' +
      createHmac('sha256', input.secret ?? '')
        .update(crc)
        .digest('base64');
    return { method: 'GET', query: { crc_token: crc }, headers: {}, check: expectJson({ response_token }) };
  },
  meta: (input) => {
    const challenge = String(Math.floor(Math.random() * 1e9));
    return {
      method: 'GET',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': input.verifyToken ?? '' },
      headers: {},
      check: expectBody(challenge),
    };
  },
  strava: (input) => {
    const challenge = token();
    return {
      method: 'GET',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': input.verifyToken ?? '' },
      headers: {},
      check: expectJson({ 'hub.challenge': challenge }),
    };
  },
  dropbox: () => {
    const challenge = token();
    return { method: 'GET', query: { challenge }, headers: {}, check: expectBody(challenge) };
  },
  adobe: () => {
    const challenge = token();
    return {
      method: 'GET',
      query: { challenge },
      headers: {},
      check: (a) => (ok(a.status) && a.text.includes(challenge) ? undefined : 'expected the challenge echoed'),
    };
  },
  msgraph: () => {
    const validationToken = `Validation: ${token()}`;
    return {
      method: 'POST',
      query: { validationToken },
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      check: expectBody(validationToken),
    };
  },
  twitch: (input) => {
    const challenge = token();
    const body = JSON.stringify({ challenge, subscription: { status: 'webhook_callback_verification_pending' } });
    const headers = signedPost('twitch', input, body);
    headers['twitch-eventsub-message-type'] = 'webhook_callback_verification';
    return { method: 'POST', headers, body, check: expectBody(challenge) };
  },
  okta: (input) => {
    const challenge = token();
    return {
      method: 'GET',
      headers: { 'x-okta-verification-challenge': challenge, authorization: input.secret ?? '' },
      check: expectJson({ verification: challenge }),
    };
  },
  asana: () => {
    const secret = randomBytes(32).toString('hex');
    return {
      method: 'POST',
      headers: { 'x-hook-secret': secret, 'content-type': 'application/json' },
      body: '{}',
      check: (a) =>
        ok(a.status) && a.headers.get('x-hook-secret') === secret ? undefined : 'expected X-Hook-Secret echoed',
    };
  },
  smartsheet: () => {
    const challenge = token();
    return {
      method: 'POST',
      headers: { 'smartsheet-hook-challenge': challenge, 'content-type': 'application/json' },
      body: JSON.stringify({ challenge, webhookId: 1 }),
      check: (a) =>
        ok(a.status) && (a.headers.get('smartsheet-hook-response') === challenge || a.text.includes(challenge))
          ? undefined
          : 'expected Smartsheet-Hook-Response',
    };
  },
  trello: () => ({ method: 'HEAD', headers: {}, check: (a) => (a.status === 200 ? undefined : 'expected 200') }),
  intercom: () => ({ method: 'HEAD', headers: {}, check: (a) => (ok(a.status) ? undefined : 'expected 2xx') }),
  discord: (input) => {
    const body = JSON.stringify({ id: '1', token: 'x', type: 1, version: 1 });
    return { method: 'POST', headers: signedPost('discord', input, body), body, check: expectJson({ type: 1 }) };
  },
};
