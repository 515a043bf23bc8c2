import type { WebhookRequest } from '../../request';
import { declarativeChallenge } from './declarative-challenge.strategy';

// Query parameters and headers named like Object.prototype's members are the sender's to choose.
// Handed to CEL as plain objects, an own `constructor` key made the CEL library refuse the whole
// map ("Unsupported type"), so a rule could not see its own challenge (issue 13, item 9).
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

function request(query: Record<string, string>, headers: Record<string, string> = {}): WebhookRequest {
  // As a query parser hands them over: own keys, whatever their name.
  const own = (entries: Record<string, string>) => {
    const object: Record<string, string> = {};
    for (const [key, value] of Object.entries(entries)) {
      Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return object;
  };
  return { method: 'GET', url: '/', headers: own(headers), query: own(query), rawBody: Buffer.alloc(0) };
}

const context = { endpoint: 'rules', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('declarative rules and sender-chosen names of prototype members', () => {
  const strategy = declarativeChallenge({
    detect: 'http_method == "GET" && "challenge" in query_params && headers["x-kind"] == "check"',
    body: '{{ query_params["challenge"] }}',
  });
  strategy.validate('rules');

  it.each(PROTOTYPE_NAMES)('detects and answers its challenge beside a %s parameter and header', (name) => {
    const req = request({ challenge: 'abc123', [name]: 'x' }, { 'x-kind': 'check', [name.toLowerCase()]: 'y' });
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.respond(req, context)).toEqual({ status: 200, body: 'abc123' });
  });

  it.each(PROTOTYPE_NAMES)('does not see a challenge in a %s member the sender did not send', (name) => {
    const probe = declarativeChallenge({ detect: `"${name}" in query_params`, body: 'x' });
    probe.validate('rules');
    expect(probe.detect(request({ challenge: 'abc123' }))).toBe(false);
    expect(probe.detect(request({ [name]: 'sent' }))).toBe(true);
  });
});
