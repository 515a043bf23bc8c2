// `node -r ./scripts/ts-register.js bench/inbox-2xx.bench.ts`: what the inbox adds to the 2xx path in Node, per
// request: routing an accepted delivery to its @OnWebhook handlers (InboxDispatch.plan) and the job's part of the
// row (toRow's work JSON). PostgreSQL's side (the job rows of the same statement) is in bench/inbox.bench.ts.
import 'reflect-metadata';
import { MetadataScanner } from '@nestjs/core';
import { bench, do_not_optimize, run } from 'mitata';
import { stripe } from '../src';
import { InboxDispatch } from '../src/nest/inbox/inbox-handlers';
import { OnWebhook } from '../src/nest/inbox/on-webhook.decorator';
import { resolveEndpoint, type ResolvedWebhookConfig } from '../src/nest/webhook-config';
import { toRow } from '../src/storage/typeorm/event-log-rows';
import type { WebhookEventRecord } from '../src/storage/event-log.interface';

class Handlers {
  @OnWebhook('stripe', 'invoice.*')
  onInvoice() {}
  @OnWebhook('stripe', ['customer.created', 'customer.updated'])
  onCustomer() {}
  @OnWebhook('stripe', '*', { orderKey: (d) => (d.payload as { data: { object: { id: string } } }).data.object.id })
  onAll() {}
}

const endpoint = resolveEndpoint('stripe', stripe({ secret: 'whsec_' + 'a'.repeat(32) }));
const other = resolveEndpoint('other', stripe({ secret: 'whsec_' + 'a'.repeat(32) }));
const config = {
  endpoints: new Map([
    ['stripe', endpoint],
    ['other', other],
  ]),
} as unknown as ResolvedWebhookConfig;
const dispatch = new InboxDispatch(
  { getProviders: () => [{ instance: new Handlers(), isDependencyTreeStatic: () => true }] } as never,
  new MetadataScanner(),
  config,
);
dispatch.onModuleInit();
const body = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { object: { id: 'in_1' } } }));
const delivery = {
  endpoint: 'stripe',
  provider: 'stripe',
  eventType: 'invoice.paid',
  payload: JSON.parse(body.toString()),
  rawBody: body,
  receivedAt: new Date(),
};
const record: WebhookEventRecord = {
  endpoint: 'stripe',
  provider: 'stripe',
  messageId: 'evt_1',
  status: 'accepted',
  receivedAt: new Date(),
  replayWindowEndsAt: new Date(),
  method: 'POST',
  path: '/hooks/stripe',
  headers: { 'content-type': 'application/json' },
  body,
};
const work = dispatch.plan(endpoint, delivery)!;
console.log(`jobs per delivery: ${work.length} (${work.map((w) => w.handler).join(', ')})`);

bench('plan(): endpoint without handlers', () =>
  do_not_optimize(dispatch.plan(other, { ...delivery, endpoint: 'other' })),
);
bench('plan(): 3 handlers, 2 matching + an order key', () => do_not_optimize(dispatch.plan(endpoint, delivery)));
bench('toRow() without work', () => do_not_optimize(toRow(record, 'accepted', 65_536)));
// Built once, like the record without work: the verifier builds one record per request either way.
const withWork: WebhookEventRecord = { ...record, work };
bench('toRow() with the 2 jobs', () => do_not_optimize(toRow(withWork, 'accepted', 65_536)));
void run();
