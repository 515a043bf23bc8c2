// Notion's setup handshake end to end on Express and Fastify: the unsigned `verification_token`
// becomes the endpoint's signing secret (answered with a bare 200, never echoed, never kept in the
// event log), later events verify with it, and a second handshake cannot replace it unless allowed.
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import {
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { notion } from '../src/providers/notion';
import { EventLogReader } from '../src/storage/event-log.interface';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const token = () => `secret_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'a')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

@Controller('hooks')
@UseGuards(WebhookGuard)
class NotionController {
  @Post('notion')
  @HttpCode(200)
  @WebhookEndpoint('notion')
  @WebhookChallenge()
  receive(@WebhookEvent() event: VerifiedWebhook) {
    return { received: event.id };
  }

  @Post('notion-replaceable')
  @HttpCode(200)
  @WebhookEndpoint('notion-replaceable')
  @WebhookChallenge()
  receiveReplaceable(@WebhookEvent() event: VerifiedWebhook) {
    return { received: event.id };
  }
}

describe.each(ADAPTERS)('the Notion handshake on %s', (adapter) => {
  let running: RunningApp;

  beforeAll(async () => {
    const endpoints = { notion: notion(), 'notion-replaceable': notion({ allowSecretReplacement: true }) };
    running = await startApp(adapter, [WebhookModule.forRoot({ endpoints })], [NotionController]);
  });
  afterAll(() => running.close());

  const handshake = (path: string, value: string) =>
    send(running.baseUrl, path, { headers: JSON_TYPE, body: JSON.stringify({ verification_token: value }) });
  const event = (path: string, key: string) => {
    const body = JSON.stringify({ id: randomBytes(16).toString('hex'), type: 'page.created' });
    const signature = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    return send(running.baseUrl, path, { headers: { ...JSON_TYPE, 'x-notion-signature': signature }, body });
  };

  it('stores the token as the signing secret, without echoing or recording it', async () => {
    const first = token();
    const answer = await handshake('/hooks/notion', first);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(first);
    expect((await event('/hooks/notion', first)).status).toBe(200);
    expect((await event('/hooks/notion', token())).status).toBe(401);

    const reader = running.app.get<EventLogReader>(EventLogReader);
    const [recorded] = (await reader.list({ endpoint: 'notion', status: 'challenge', limit: 10 })).items;
    const stored = await reader.get(recorded.id);
    expect(stored!.body ?? Buffer.alloc(0)).toHaveLength(0);
    expect(JSON.stringify(stored)).not.toContain(first);
  });

  it('refuses a second handshake for an endpoint that has a secret, recording no token either', async () => {
    const second = token();
    const refused = await handshake('/hooks/notion', second);
    expect([refused.status, refused.json.code]).toEqual([409, 'handshake_refused']);
    expect(refused.text).not.toContain(second);
    const reader = running.app.get<EventLogReader>(EventLogReader);
    const [rejected] = (await reader.list({ endpoint: 'notion', status: 'rejected', limit: 10 })).items;
    const stored = await reader.get(rejected.id);
    expect(stored!.body ?? Buffer.alloc(0)).toHaveLength(0);
    expect(JSON.stringify(stored)).not.toContain(second);
  });

  it('replaces the secret where the endpoint allows it', async () => {
    const [first, second] = [token(), token()];
    expect((await handshake('/hooks/notion-replaceable', first)).status).toBe(200);
    expect((await handshake('/hooks/notion-replaceable', second)).status).toBe(200);
    expect((await event('/hooks/notion-replaceable', second)).status).toBe(200);
  });
});
