import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { telegramProvider } from './telegram';

const scheme = telegramProvider.scheme();
const BODY = '{"update_id":123456789,"message":{"message_id":1,"text":"hi"}}';
const verify = (token: string | undefined, body = BODY) =>
  scheme.verify(
    webhookRequest({ headers: { 'x-telegram-bot-api-secret-token': token }, body }),
    [secret('my_secret_token_123')],
    at(0),
  );

describe('Telegram', () => {
  it('accepts the setWebhook secret_token and reports update_id (a number) as the message id', () => {
    expect(verify('my_secret_token_123').messageId).toBe('123456789');
  });

  it('refuses a missing or wrong token with bad_credentials', () => {
    expect(refusal(() => verify(undefined))).toBe('bad_credentials');
    expect(refusal(() => verify('my_secret_token_124'))).toBe('bad_credentials');
  });
});
