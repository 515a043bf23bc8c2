import { createHmac } from 'node:crypto';
import { NOW, describeBodyHmacScheme, itAnswersTheChallenge, itSignsTheVector } from '../../test/support/provider-spec';

import { at, publishedVector, secret } from '../../test/support/scheme-testing';
import { intercomProvider } from './intercom';

// SELF vector of shared/providers.md §25.
const VECTOR = publishedVector('intercom', 'signature');
const sign = (key: string, body: string | Buffer) => 'sha1=' + createHmac('sha1', key).update(body).digest('hex');

describe('intercomProvider.scheme()', () => {
  const scheme = intercomProvider.scheme();
  const { request } = describeBodyHmacScheme({
    scheme,
    header: 'x-hub-signature',
    vector: VECTOR,
    keyInput: 'client_secret',
    sign,
    misspelt: VECTOR.expected.slice(5),
  });

  it('reports the body field id as the message id once the signature matched', () => {
    const body = JSON.stringify({ type: 'notification_event', id: 'msg-1' });
    expect(scheme.verify(request(sign('new-key', body), body), [secret('new-key')], at(NOW)).messageId).toBe('msg-1');
    expect(
      scheme.verify(request(sign('new-key', 'not json'), 'not json'), [secret('new-key')], at(NOW)).messageId,
    ).toBeUndefined();
  });
});

describe('intercomProvider.scheme().sign()', () => {
  itSignsTheVector(intercomProvider.scheme(), VECTOR, 'client_secret');
});

describe('intercomProvider.challengeRequest', () => {
  itAnswersTheChallenge(intercomProvider, intercomProvider.preset().challenge!, {
    status: 404,
    headers: new Headers(),
    text: '',
  });
});
