import * as challenges from './index';

describe('provider challenges index', () => {
  it.each([
    ['slackChallenge', 'token-echo', true],
    ['metaChallenge', 'token-echo', false],
    ['stravaChallenge', 'token-echo', false],
    ['zoomChallenge', 'computed-hmac', true],
    ['twitterChallenge', 'computed-hmac', false],
    ['twitchChallenge', 'token-echo', true],
    ['asanaChallenge', 'header-code', false],
    ['smartsheetChallenge', 'header-code', false],
    ['adobeSignChallenge', 'header-code', false],
    ['adobeIoChallenge', 'token-echo', false],
    ['trelloChallenge', 'status-only', false],
    ['dropboxChallenge', 'token-echo', false],
    ['msGraphChallenge', 'token-echo', false],
    ['oktaChallenge', 'token-echo', false],
  ] as const)('%s is a valid %s strategy (signed: %s)', (name, kind, signed) => {
    const strategy = challenges[name]();
    expect(strategy.kind).toBe(kind);
    expect(strategy.signed).toBe(signed);
    expect(() => strategy.validate?.('endpoint')).not.toThrow();
  });
});
